"""Chinese full-text search for the articles table (see storage/search.py for the method).

- asgi_wrapper: rewrites `_search` and `_search_<column>` on requests for the articles
  and attachments tables from the user's words into the FTS5 query over the bigram index, so the search
  box and the JSON API take words as typed. The rewrite is idempotent, so Datasette's
  own links (next page, facets, sort), which carry the rewritten value, stay correct.
  A query with nothing to find becomes a query that matches no row, never a 500.
  On HTML pages the search box shows the words as typed, not the FTS5 query.
- prepare_connection: `bigram_query(q)` (the same rewrite, for canned queries) and
  `search_snippet(text, q)` (an HTML-escaped extract with the matches in <mark>).
- render_cell: shows such a snippet as HTML, and only a value that is escaped text plus
  <mark> tags, so a custom SQL query cannot use it to inject markup.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, unquote_to_bytes, urlencode

from markupsafe import Markup, escape

from datasette import hookimpl
from storage.search_query import MATCH_NOTHING, display_query, highlight_snippet, safe_match_query

# Tables searched through a bigram index: articles (articles_fts) and their attachments
# (attachments_fts, storage/attachments.py), each configured in metadata.yml.
SEARCHED_TABLES = ("articles", "attachments")
_TABLE_PATH = re.compile(rf"/(?:{'|'.join(SEARCHED_TABLES)})(\.\w+)?$")
_MARK = re.compile(r"</?mark>")


def rewrite_query_string(query_string: bytes) -> tuple[bytes, dict[str, str]]:
    """The query string with every `_search*` value rewritten for the bigram index.

    Also returns, for each rewritten value, what the search box should show instead:
    the words as typed, or (for a value that was already rewritten, from one of
    Datasette's links) the same query in the user's syntax.
    """
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="utf-8")
    out, shown = [], {}
    for key, value in pairs:
        if key == "_searchmode":
            continue  # always raw: an "escaped" rewrite would quote our operators away
        if key.startswith("_search") and not value.strip():
            continue  # an empty search box searches nothing: all rows, as without the box
        if key.startswith("_search"):
            rewritten = safe_match_query(value)
            if rewritten != value:
                shown[rewritten] = value
            elif rewritten != MATCH_NOTHING:
                shown[rewritten] = display_query(rewritten)
            value = rewritten
        out.append((key, value))
    return urlencode(out, encoding="utf-8").encode("latin-1"), shown


def show_typed_words(body: bytes, shown: dict[str, str]) -> bytes:
    """Put the user's words back in the search box and the "search matches …" line of a page.

    Only those two places: a cell of the table may hold the same characters.
    """
    text = body.decode("utf-8")
    for rewritten, words in shown.items():
        before, after = str(escape(rewritten)), str(escape(words))
        text = text.replace(f'value="{before}"', f'value="{after}"')
        text = text.replace(f" matches &#34;{before}&#34;", f" matches &#34;{after}&#34;")
    return text.encode("utf-8")


def _may_search(query_string: bytes) -> bool:
    """A cheap test before parsing: `_search` may be written percent-encoded (`%5Fsearch`), and
    Datasette decodes it, so a raw-bytes check alone let it reach FTS5 unrewritten (issue 19)."""
    return b"_search" in query_string or (b"%" in query_string and b"_search" in unquote_to_bytes(query_string))


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def search_rewriter(scope, receive, send):
            if not (
                scope.get("type") == "http"
                and _may_search(scope.get("query_string", b""))
                and _TABLE_PATH.search(scope.get("path", ""))
            ):
                await app(scope, receive, send)
                return
            query_string, shown = rewrite_query_string(scope["query_string"])
            scope = dict(scope, query_string=query_string)
            start: dict = {}
            chunks: list[bytes] = []

            async def send_with_typed_words(message):
                if message["type"] == "http.response.start":
                    headers = dict(message.get("headers") or [])
                    if shown and headers.get(b"content-type", b"").startswith(b"text/html"):
                        start.update(message)
                        return
                elif start and message["type"] == "http.response.body":
                    chunks.append(message.get("body", b""))
                    if message.get("more_body"):
                        return
                    body = show_typed_words(b"".join(chunks), shown)
                    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                    await send({**start, "headers": headers + [(b"content-length", str(len(body)).encode())]})
                    message = {"type": "http.response.body", "body": body}
                await send(message)

            await app(scope, receive, send_with_typed_words)

        return search_rewriter

    return wrap


@hookimpl
def prepare_connection(conn):
    conn.create_function("bigram_query", 1, safe_match_query, deterministic=True)
    conn.create_function("search_snippet", 2, highlight_snippet, deterministic=True)


@hookimpl
def render_cell(value, column):
    if column == "snippet" and isinstance(value, str) and _is_escaped_with_marks(value):
        return Markup(value)
    return None


def _is_escaped_with_marks(value: str) -> bool:
    """True if the value is HTML-escaped text with only <mark> tags: safe to render."""
    return all(html.escape(html.unescape(piece)) == piece for piece in _MARK.split(value))
