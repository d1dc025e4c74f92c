"""The `.atom` renderer of datasette-atom, with two guards it lacks.

- An empty result (no change this week, a facet that selects nothing, a new database) is a
  valid feed with no entries: datasette-atom 0.9 takes `max()` of no rows and answers 500.
- `atom_link`: an entry about an article links to its article page (every link goes there);
  otherwise it is a crawled URL, kept only if http(s) (storage/links.py), else the feed's own URL.
- The title: datasette-atom uses the SQL; ours is the table's `title` from metadata.yml.
- No count and no facets: a feed shows neither, yet Datasette's table view computes both for
  every `.atom` request. Feed readers poll the feeds all day, and at 200,000 articles the exact
  count of `atom_new_articles` (every `new` event joined to its article) took 0.93 s of each
  poll; the page itself walks the events' date index and stops after one page (milliseconds).
  `asgi_wrapper` adds `_nocount=1&_nofacet=1` to `.atom` requests; the feed's id and self link
  stay the URL the reader asked for.

Everything else is datasette-atom's own `render_atom`, registered last (trylast) so this one
replaces it for the `atom` extension.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from datasette.utils.asgi import Request, Response
from datasette_atom import can_render_atom, render_atom
from feedgen.feed import FeedGenerator

from datasette import hookimpl
from storage.links import http_url

# What a feed with no entries says it was last updated: it has never had any.
EMPTY_FEED_UPDATED = "1970-01-01T00:00:00+00:00"


FEED_SUFFIX = ".atom"
NOT_SHOWN = b"_nocount=1&_nofacet=1"  # what a feed does not show, so it is not computed
ASKED_QUERY = "govwatch.feed_query"  # the scope key keeping the query string the reader sent


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def feed_without_count(scope, receive, send):
            if scope.get("type") == "http" and scope.get("path", "").endswith(FEED_SUFFIX):
                asked = scope.get("query_string", b"")
                keys = {key for key, _ in parse_qsl(asked.decode("latin-1"), keep_blank_values=True)}
                if not {"_nocount", "_nofacet"} & keys:
                    scope = dict(scope, query_string=asked + b"&" + NOT_SHOWN if asked else NOT_SHOWN,
                                 **{ASKED_QUERY: asked})
            await app(scope, receive, send)

        return feed_without_count

    return wrap


def as_asked(request: Request) -> Request:
    """The request with the query string the feed reader sent (the feed's id and self link)."""
    if ASKED_QUERY not in request.scope:
        return request
    return Request(dict(request.scope, query_string=request.scope[ASKED_QUERY]), request.receive)


@hookimpl(trylast=True)
def register_output_renderer():
    return {"extension": "atom", "render": render_guarded_atom, "can_render": can_render_atom}


def render_guarded_atom(datasette, request, sql, columns, rows, database, table, query_name, view_name, data):
    request = as_asked(request)
    title = feed_title(datasette, request, sql, database, table)
    if not rows and can_render_atom(columns):
        return empty_feed(request, title)
    if "atom_link" in columns:
        rows = [{**dict(row), "atom_link": entry_link(datasette, request, dict(row))} for row in rows]
    # datasette-atom titles a feed with its SQL (+ "/table"): pass the human title in its place
    return render_atom(datasette, request, title, columns, rows, database, None, query_name, view_name, data)


def feed_title(datasette, request, sql: str, database: str, table: str | None) -> str:
    """`?_feed_title=`, else the table's `title` in metadata.yml, else its name — never SQL."""
    if request.args.get("_feed_title"):
        return request.args["_feed_title"]
    if table:
        return datasette.metadata("title", database=database, table=table) or f"govwatch: {table}"
    return "govwatch"


def entry_link(datasette, request, row: dict) -> str:
    """The article page for rows about an article (every link goes there), else the crawled URL if http(s)."""
    if isinstance(row.get("article_id"), int):
        return datasette.absolute_url(request, datasette.urls.path(f"/-/article/{row['article_id']}"))
    return http_url(row["atom_link"]) or request.url


def empty_feed(request, title: str) -> Response:
    feed = FeedGenerator()
    feed.id(request.url)
    feed.link(href=request.url, rel="self")
    feed.title(title)
    feed.updated(EMPTY_FEED_UPDATED)
    return Response(feed.atom_str(pretty=True), content_type="application/xml; charset=utf-8", status=200)
