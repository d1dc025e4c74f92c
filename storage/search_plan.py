"""How a table's rows are filtered by a full-text match: the SQL clause, planned by the match's size.

Datasette's table view runs five statements for one search (the page, the exact count and
three facets), each with the same WHERE clause. Its own clause, `id in (select rowid from fts
where fts match :q)`, leaves the plan to SQLite, which cannot know how many rows an FTS5 MATCH
returns (the virtual table reports a fixed cost): it always looks every match up by rowid in
the table. For a word in 156,000 of 200,000 articles that is five times 156,000 seeks into the
wide `articles` rows (each row is most of a page), and the page sort needs all of them sorted.

Written with a unary plus (`+id in (...)`), the term cannot drive a rowid lookup, so SQLite
scans the narrowest index that covers the statement instead and tests each entry against the
match set: the facets read the index of their column in order (no sort for the GROUP BY), the
page walks the `last_changed` index newest first and stops after one page, the count reads the
smallest index. That is 2-5 times cheaper for a broad match (bench/README.md, "Search at
scale") and dearer for a narrow one, where a few seeks beat a scan of 200,000 index entries. So
the match's size is measured first (FTS5 counts its rowids without touching the table, stopping
at the threshold) and the plan chosen from it. Either plan returns the same rows: only the
speed differs.
"""

from __future__ import annotations

import math
import sqlite3

# Above this share of the table's rows a match is filtered by an index scan, below it by rowid
# lookups. Measured on 200,000 synthetic articles (bench.search_scale): at 6 % lookups were
# faster over the five statements, at 25 % and above the scan (2-5 times at 80 %).
BROAD_SHARE = 0.1


def quote(name: str) -> str:
    """An SQLite identifier, quoted: table and column names come from configuration."""
    return '"' + name.replace('"', '""') + '"'


def match_clause(fts_table: str, pk: str, param: str, column: str | None = None, broad: bool = False) -> str:
    """The WHERE term keeping the rows whose `pk` the FTS table matches with `:param`.

    `column`: match one column of the FTS table only. `broad`: write the term so that SQLite
    scans an index and tests the match set instead of looking each match up (see above).
    """
    target = ("+" if broad else "") + quote(pk)
    matched = quote(column) if column else quote(fts_table)
    return f"{target} in (select rowid from {quote(fts_table)} where {matched} match :{param})"


def is_broad(conn: sqlite3.Connection, fts_table: str, table: str, pk: str, match: str,
             column: str | None = None) -> bool:
    """True if `match` finds more than BROAD_SHARE of the table's rows.

    The table's size is taken as its largest `pk` (a rowid alias: one lookup; ids are not
    reused, so this errs towards more rows). FTS5 stops counting at the threshold, so a broad
    match costs no more to measure than a narrow one.
    """
    largest = conn.execute(f"select max({quote(pk)}) from {quote(table)}").fetchone()[0] or 0
    threshold = max(1, math.ceil(BROAD_SHARE * largest))
    matched = quote(column) if column else quote(fts_table)
    found = conn.execute(
        f"select count(*) from (select rowid from {quote(fts_table)} where {matched} match ? limit ?)",
        [match, threshold]).fetchone()[0]
    return found >= threshold
