"""How a table's rows are filtered by a full-text match: the match found once, and a plan by its size.

Datasette's table view runs five statements for one search (the page, the exact count and
three facets), each with the same WHERE clause. Its own clause, `id in (select rowid from fts
where fts match :q)`, evaluates the match five times (a 3-bigram phrase over 160,000 articles
costs ~60 ms each time) and leaves the plan to SQLite, which cannot know how many rows an FTS5
MATCH returns (the virtual table reports a fixed cost), so it always looks every match up by
rowid in the wide `articles` rows: five times 156,000 seeks for a common word at 200,000 articles.

So the match is evaluated once per request, into a table of its rowids in a scratch database
that every read connection attaches (`store_hits`); the clause reads that table (`hits_clause`).
Its size is then known exactly and picks the plan. A broad match is written with a unary plus
(`+id in (...)`), so the term cannot drive a rowid lookup and SQLite scans the narrowest index
that covers the statement, testing each entry against the hits' integer key: the facets read
the index of their column in order (no sort for the GROUP BY), the page walks the
`last_changed` index newest first and stops after one page, the count reads a small index. For
a narrow match a few seeks beat a scan of 200,000 index entries, so it is left to look its rows
up. Either plan returns the same rows, in the same order: only the speed differs
(bench/README.md, "Search at scale").

The scratch database is the serving process's own (hand-written here: Datasette offers no
per-request state its connections share, and each executor thread has its own connection, so a
TEMP table would be seen by one of them only). Tables are dropped after HITS_KEEP_SECONDS,
far longer than a request can run under Datasette's time limits.

Every read connection has the scratch database attached, the ones that run a visitor's own SQL
too, so a hits table is a set of ids someone else searched for a moment ago. What a search hit
is says what was searched for, and a researcher's searches are nobody else's business. So each
table has an unguessable name (`hits_table_name`), and a read connection may not list the
scratch database's tables (`attach_hits` sets an SQLite authorizer). The page that ran a search
shows its own table's name in its SQL; nobody else sees it.
"""

from __future__ import annotations

import math
import secrets
import sqlite3
from collections.abc import Iterable

# Above this share of the table's rows a match is filtered by an index scan, below it by rowid
# lookups. Measured on 200,000 synthetic articles (bench.search_scale): at 6 % lookups were
# faster over the five statements, at 25 % and above the scan (2-5 times at 80 %).
BROAD_SHARE = 0.1
HITS = "govwatch_hits"  # the scratch database's schema name on every read connection
HITS_KEEP_SECONDS = 120
_SCHEMA_TABLES = {"sqlite_master", "sqlite_schema"}  # a database's list of its tables, by either name


def quote(name: str) -> str:
    """An SQLite identifier, quoted: table and column names come from configuration."""
    return '"' + name.replace('"', '""') + '"'


def hits_table_name() -> str:
    """A new hits table's name: 128 random bits, so one request cannot read another's hits."""
    return f"h{secrets.token_hex(16)}"


def _hide_hits_tables(action: int, table: str | None, _column: str | None, database: str | None,
                      _trigger: str | None) -> int:
    """SQLite authorizer: no statement on a read connection may read the scratch database's
    schema table (`sqlite_master`, also spelled `sqlite_schema`), nor run `pragma table_list`
    (which lists every attached database's tables; Datasette refuses it too, and uses it nowhere).
    `store_hits` lifts it for its own CREATE and DROP TABLE, which read the schema table."""
    if action == sqlite3.SQLITE_READ and database == HITS and (table or "").lower() in _SCHEMA_TABLES:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and (table or "").lower() == "table_list":
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def attach_hits(conn: sqlite3.Connection, path: str) -> None:
    """Attach the scratch database at `path` (created if missing) to a read connection, its list
    of tables hidden from every statement the connection runs (the module's docstring says why).

    Attached read-write even when the store is opened read-only: the URI's mode applies to the
    store's file only. WAL, so a request filling its table never blocks another reading its own;
    no fsync: the file is thrown away with the process.
    """
    conn.execute(f"attach database ? as {HITS}", [path])
    conn.execute(f"pragma {HITS}.journal_mode = wal")
    conn.execute(f"pragma {HITS}.synchronous = off")
    conn.set_authorizer(_hide_hits_tables)


def store_hits(conn: sqlite3.Connection, name: str, fts_table: str, match: str, column: str | None = None,
               drop: Iterable[str] = ()) -> int:
    """Evaluate `match` once into the hits table `name` (ids in key order); return how many.

    `drop`: hits tables of earlier requests to drop in the same transaction. Call with one
    writer at a time (the caller's lock): the scratch file has one writer. Call outside a
    transaction (a read connection between statements).
    """
    matched = quote(column) if column else quote(fts_table)
    conn.set_authorizer(None)  # only these statements, ours, run meanwhile on this connection
    conn.execute("begin")  # one transaction: interrupted, it leaves no table behind and drops none
    try:
        for old in drop:
            conn.execute(f"drop table if exists {HITS}.{quote(old)}")
        conn.execute(f"create table {HITS}.{quote(name)} (id integer primary key)")
        found = conn.execute(f"insert into {HITS}.{quote(name)} select rowid from main.{quote(fts_table)}"
                             f" where {matched} match ?", [match]).rowcount
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.set_authorizer(_hide_hits_tables)
    return found


def is_broad(conn: sqlite3.Connection, table: str, pk: str, found: int) -> bool:
    """True if `found` matches are more than BROAD_SHARE of the table's rows.

    The table's size is taken as its largest `pk` (a rowid alias: one lookup; ids are not
    reused, so this errs towards more rows).
    """
    largest = conn.execute(f"select max({quote(pk)}) from main.{quote(table)}").fetchone()[0] or 0
    return found > 0 and found >= max(1, math.ceil(BROAD_SHARE * largest))


def hits_clause(pk: str, name: str, broad: bool) -> str:
    """The WHERE term keeping the rows whose `pk` is in the hits table `name`."""
    return f"{'+' if broad else ''}{quote(pk)} in (select id from {HITS}.{quote(name)})"


def match_clause(fts_table: str, pk: str, param: str, column: str | None = None) -> str:
    """The WHERE term evaluating the match itself (Datasette's own form): the fallback when the
    match could not be stored in time, so each statement meets Datasette's time limit as before."""
    matched = quote(column) if column else quote(fts_table)
    return f"{quote(pk)} in (select rowid from {quote(fts_table)} where {matched} match :{param})"
