"""The `.atom` renderer of datasette-atom, with two guards it lacks.

- An empty result (no change this week, a facet that selects nothing, a new database) is a
  valid feed with no entries: datasette-atom 0.9 takes `max()` of no rows and answers 500.
- `atom_link` is a crawled URL: a feed reader shows it as a link, so only http(s) URLs are
  kept (storage/links.py), like every link on the site; any other becomes the feed's own URL
  (datasette-atom writes a link for every entry once the column exists).

Everything else is datasette-atom's own `render_atom`, registered last (trylast) so this one
replaces it for the `atom` extension.
"""

from __future__ import annotations

from datasette.utils.asgi import Response
from datasette_atom import can_render_atom, render_atom
from feedgen.feed import FeedGenerator

from datasette import hookimpl
from storage.links import http_url

# What a feed with no entries says it was last updated: it has never had any.
EMPTY_FEED_UPDATED = "1970-01-01T00:00:00+00:00"


@hookimpl(trylast=True)
def register_output_renderer():
    return {"extension": "atom", "render": render_guarded_atom, "can_render": can_render_atom}


def render_guarded_atom(datasette, request, sql, columns, rows, database, table, query_name, view_name, data):
    if not rows and can_render_atom(columns):
        return empty_feed(request, sql, table)
    if "atom_link" in columns:
        rows = [{**dict(row), "atom_link": http_url(row["atom_link"]) or request.url} for row in rows]
    return render_atom(datasette, request, sql, columns, rows, database, table, query_name, view_name, data)


def empty_feed(request, sql: str, table: str | None) -> Response:
    feed = FeedGenerator()
    feed.id(request.url)
    feed.link(href=request.url, rel="self")
    feed.title(request.args.get("_feed_title", sql) + (f"/{table}" if table else ""))
    feed.updated(EMPTY_FEED_UPDATED)
    return Response(feed.atom_str(pretty=True), content_type="application/xml; charset=utf-8", status=200)
