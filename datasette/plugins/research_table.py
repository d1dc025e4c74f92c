"""The articles table and query results as a researcher reads them.

- Every article title, in any table, view or canned query (search results included), links
  to the article page `/-/article/ID` — the one page every link goes to.
- Long cells are cut in the HTML table only: the full `text` made each row ~3,700 px tall and
  `url`/`canonical_url` took half the width. The row's JSON and CSV still hold everything.
- Charts of articles and changes per month and source: `/-/chart/articles` and
  `/-/chart/changes` open the `per_month` canned query with datasette-vega's bar chart set
  up (its state lives in the URL fragment), whatever the served file is called.
- CSV with a UTF-8 BOM on request (`?_bom=1`): Excel and WPS on Chinese Windows read a CSV
  without it as GBK and show mojibake. An ASGI wrapper adds the three bytes in front of the
  stream Datasette already writes, so `_stream=on` exports stay streamed.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from datasette import hookimpl

TEXT_CELL_CHARS = 60
URL_CELL_CHARS = 40
BOM = "\ufeff".encode()
SHORT_COLUMNS = {"text": TEXT_CELL_CHARS, "snippet": 160, "metadata": 60, "attachments": 60,
                 "response_headers": 60, "log_tail": 80, "diff": 60, "atom_content": 80}
URL_COLUMNS = {"url", "canonical_url", "atom_link"}


def _article_page(datasette, article_id: object) -> str | None:
    return datasette.urls.path(f"/-/article/{int(article_id)}") if isinstance(article_id, int) else None


CHARTS = {"articles": "articles", "changes": "changes", "withdrawals": "withdrawals"}


# One stylesheet for the tables (served here: Datasette serves static files only for packaged
# plugins). Titles and text get room, URLs stay on one line, facets sit side by side; on a
# phone (Datasette shows each row as a card) the facets and the licence line give way so the
# first row is on the first screen — search and filters stay.
STYLESHEET = """
.rows-and-columns td.col-url, .rows-and-columns td.col-canonical_url, .rows-and-columns td.col-atom_link {
  max-width: 14em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.rows-and-columns td.col-title, .rows-and-columns td.col-article_title { min-width: 14em; }
.rows-and-columns td.col-text, .rows-and-columns td.col-snippet { min-width: 16em; }
.rows-and-columns td.col-metadata, .rows-and-columns td.col-attachments { max-width: 16em; }
.facet-results { display: flex; flex-wrap: wrap; gap: 0 2.5em; }
.facet-info ul { max-height: 7.8em; overflow-y: auto; }
details.column-help dt { font-weight: bold; margin-top: 0.3em; }
details.column-help dd { margin-left: 1.5em; }
body { overflow-wrap: anywhere; }
@media (max-width: 600px) {
  .facet-results, .suggested-facets, .metadata-description + p { display: none; }
  .metadata-description { font-size: 0.9em; }
  .rows-and-columns td.col-url, .rows-and-columns td.col-canonical_url { max-width: none; }
}
"""


@hookimpl
def register_routes():
    return [(r"^/-/chart/(?P<measure>[a-z]+)$", chart), (r"^/-/chart/.*$", no_chart),
            (r"^/-/govwatch\.css$", stylesheet)]


async def no_chart(request):
    raise NotFound("charts: /-/chart/articles, /-/chart/changes, /-/chart/withdrawals")


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path("/-/govwatch.css")]


async def stylesheet():
    return Response(STYLESHEET, content_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "max-age=3600"})


async def chart(datasette, request):
    measure = CHARTS.get(request.url_vars["measure"])
    if measure is None:
        raise NotFound("charts: /-/chart/articles, /-/chart/changes, /-/chart/withdrawals")
    query = datasette.urls.path(f"/{datasette.get_database().name}/per_month")
    state = f"g.mark=bar&g.x_column=month&g.x_type=ordinal&g.y_column={measure}&g.y_type=quantitative&g.color_column=source"
    return Response.redirect(f"{query}#{state}")


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    keys = row.keys() if hasattr(row, "keys") else []
    if column in ("title", "article_title", "atom_title") and value:
        article_id = row["article_id"] if "article_id" in keys else (
            row["id"] if "id" in keys and table in (None, "articles") else None)
        href = _article_page(datasette, article_id)
        if href:
            return Markup(f'<a class="article-link" href="{escape(href)}">{escape(value)}</a>')
    if column == "article_id" and isinstance(value, int):
        return Markup(f'<a class="article-link" href="{escape(_article_page(datasette, value))}">{value}</a>')
    if isinstance(value, str) and column in SHORT_COLUMNS and len(value) > SHORT_COLUMNS[column]:
        return Markup(f'<span class="cut" title="{escape(value[:400])}">{escape(value[:SHORT_COLUMNS[column]])}…</span>')
    if isinstance(value, str) and column in URL_COLUMNS and value.startswith(("http://", "https://")):
        parts = urlsplit(value)
        shown = parts.netloc + (parts.path if len(parts.path) < URL_CELL_CHARS else "/…" + parts.path[-24:])
        return Markup(f'<a href="{escape(value)}" title="{escape(value)}" rel="noreferrer noopener">{escape(shown)}</a>')
    return None


@hookimpl
def table_actions(datasette, actor, database, table, request):
    query = request.query_string if request is not None else ""
    extra = "&".join(p for p in query.split("&") if p and not p.startswith(("_bom=", "_stream=", "_size=")))
    href = datasette.urls.table(database, table, format="csv") + "?" + "&".join(
        p for p in ("_bom=1", "_stream=on", "_size=max", extra) if p)
    return [{"href": href, "label": "下载 CSV（Excel/WPS，带 BOM）"}]


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_bom(scope, receive, send):
            wanted = (scope.get("type") == "http" and scope.get("path", "").endswith(".csv")
                      and parse_qs(scope.get("query_string", b"").decode("latin-1")).get("_bom") == ["1"])
            if not wanted:
                await app(scope, receive, send)
                return
            first = True

            async def send_with_bom(message):
                nonlocal first
                if message["type"] == "http.response.start":
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"]
                    message = {**message, "headers": headers}
                elif message["type"] == "http.response.body" and first:
                    first = False
                    message = {**message, "body": BOM + message.get("body", b"")}
                await send(message)

            await app(scope, receive, send_with_bom)

        return with_bom

    return wrap
