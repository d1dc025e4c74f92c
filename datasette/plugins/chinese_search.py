"""Chinese full-text search for the articles table (see storage/search.py for the method).

- asgi_wrapper: rewrites `_search` and `_search_<column>` on requests for the articles
  table from the user's words into the FTS5 query over the bigram index, so the search
  box and the JSON API take words as typed. The rewrite is idempotent, so Datasette's
  own links (next page, facets, sort), which carry the rewritten value, stay correct.
  A query with nothing to find becomes a query that matches no row, never a 500.
- prepare_connection: `bigram_query(q)` (the same rewrite, for canned queries) and
  `search_snippet(text, q)` (an HTML-escaped extract with the matches in <mark>).
- render_cell: shows such a snippet as HTML, and only a value that is escaped text plus
  <mark> tags, so a custom SQL query cannot use it to inject markup.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from markupsafe import Markup

from storage.search import highlight_snippet, safe_match_query

SEARCHED_TABLE = "articles"
_TABLE_PATH = re.compile(rf"/{SEARCHED_TABLE}(\.\w+)?$")
_MARK = re.compile(r"</?mark>")


def rewrite_query_string(query_string: bytes) -> bytes:
    """The query string with every `_search*` value rewritten for the bigram index."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="utf-8")
    out = []
    for key, value in pairs:
        if key == "_searchmode":
            continue  # always raw: an "escaped" rewrite would quote our operators away
        if key.startswith("_search") and value.strip():
            value = safe_match_query(value)
        out.append((key, value))
    return urlencode(out, encoding="utf-8").encode("latin-1")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def search_rewriter(scope, receive, send):
            if (
                scope.get("type") == "http"
                and b"_search" in scope.get("query_string", b"")
                and _TABLE_PATH.search(scope.get("path", ""))
            ):
                scope = dict(scope, query_string=rewrite_query_string(scope["query_string"]))
            await app(scope, receive, send)

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
