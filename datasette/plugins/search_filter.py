"""The table view's `_search` and `_search_<column>` filters: the match found once per request.

Datasette builds a search clause itself for a table whose metadata names an `fts_table`: the
match is evaluated again by each of the five statements of a request (page, count, three
facets) and every match looked up by rowid each time, 1.4-1.6 s for a common word at 200,000
articles. So metadata.yml names our FTS tables under this plugin (`govwatch-search`) instead,
Datasette adds no clause of its own, and this hook evaluates the match once into a hits table
of a scratch database attached to every read connection, then adds a clause reading it,
written for the plan that suits the match's size (storage/search_plan.py). What the user sees is
unchanged: the same rows in the same order, the exact count, the same facets, the search box
and the "search matches …" line.

The query arrives already rewritten for the bigram index by chinese_search's ASGI wrapper; it is
rewritten again here (the rewrite is idempotent), so a request that reached the table by a path
the wrapper does not recognise still gives FTS5 nothing but our own syntax.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

from datasette.filters import FilterArguments
from datasette.utils import sqlite_timelimit
from datasette.utils.asgi import BadRequest

from datasette import hookimpl
from storage.search_plan import (
    HITS_KEEP_SECONDS,
    attach_hits,
    hits_clause,
    hits_table_name,
    is_broad,
    match_clause,
    store_hits,
)
from storage.search_query import safe_match_query

PLUGIN = "govwatch-search"

_lock = threading.Lock()  # one writer of the scratch file at a time; guards the two below
_stored: deque[tuple[float, str]] = deque()  # (when, name) of hits tables, oldest first
_scratch: list[Path] = []


def _scratch_file() -> str:
    """This process's scratch database, in a directory removed when the process exits."""
    with _lock:
        if not _scratch:
            folder = Path(tempfile.mkdtemp(prefix="govwatch-search-"))
            atexit.register(shutil.rmtree, folder, True)
            _scratch.append(folder / "hits.db")
        return str(_scratch[0])


def _searched(datasette, database: str) -> bool:
    tables = datasette.metadata("tables", database=database) or {}
    return any(PLUGIN in ((config or {}).get("plugins") or {}) for config in tables.values())


@hookimpl
def prepare_connection(conn, database, datasette):
    if _searched(datasette, database):
        attach_hits(conn, _scratch_file())


def _store(conn: sqlite3.Connection, fts_table: str, table: str, pk: str, match: str, column: str | None,
           limit_ms: int) -> tuple[str, bool] | None:
    """The hits table's name and whether the match is broad; None if it took longer than the limit."""
    with _lock:
        now = time.monotonic()
        old = []
        while _stored and _stored[0][0] < now - HITS_KEEP_SECONDS:
            old.append(_stored.popleft()[1])
        name = hits_table_name()
        try:
            with sqlite_timelimit(conn, limit_ms):
                found = store_hits(conn, name, fts_table, match, column, drop=old)
        except sqlite3.OperationalError as error:
            if "interrupted" not in str(error):
                raise
            _stored.extend((now, n) for n in old)  # rolled back: drop them next time
            return None
        _stored.append((now, name))
    return name, is_broad(conn, table, pk, found)


@hookimpl(trylast=True)  # after Datasette's own search hook, so our extra_context wins
def filters_from_request(request, database, table, datasette):
    config = datasette.plugin_config(PLUGIN, database=database, table=table) or {}
    fts_table = config.get("fts_table")
    if not fts_table:
        return None
    pk = config.get("fts_pk", "rowid")
    searches = {key: request.args[key] for key in request.args if key.startswith("_search") and key != "_searchmode"}

    async def inner() -> FilterArguments:
        db = datasette.get_database(database)
        where, params, described, context = [], {}, [], {"supports_search": True}
        if "_search" in searches:
            terms = [("search", None, searches["_search"])]
        else:
            fts_columns = await db.table_columns(fts_table) if searches else []
            terms = []
            for i, (key, value) in enumerate(searches.items()):
                column = key.split("_search_", 1)[1] if key.startswith("_search_") else ""
                if column not in fts_columns:
                    raise BadRequest("Cannot search by that column")
                terms.append((f"search_{i}", column, value))
        limit_ms = datasette.setting("sql_time_limit_ms")
        for param, column, value in terms:
            match = safe_match_query(value)
            stored = await db.execute_fn(
                lambda conn, m=match, c=column: _store(conn, fts_table, table, pk, m, c, limit_ms))
            if stored is None:
                where.append(match_clause(fts_table, pk, param, column))
                params[param] = match
            else:
                where.append(hits_clause(pk, *stored))
            described.append(f'search column "{column}" matches "{match}"' if column else f'search matches "{match}"')
            context["search"] = match
        return FilterArguments(where, params, described, context)

    return inner
