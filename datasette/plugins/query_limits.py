"""Bounds on what one anonymous query may hold in memory: value size and result size.

Datasette's time limit stops slow queries, not big ones: `select randomblob(1000000000)`
finishes in a second and drove the server to 7.5 GB (issue 19). Two bounds, per connection:

- SQLITE_LIMIT_LENGTH: no string or blob, stored or computed (randomblob, group_concat,
  printf, replace …), may exceed MAX_VALUE_BYTES; SQLite refuses before allocating it.
- a row factory that counts the bytes of the rows one query returns and stops it with an
  error past MAX_RESULT_BYTES (many medium values: `select randomblob(10e6) from big_table`).
"""

from __future__ import annotations

import sqlite3
import weakref

from datasette import hookimpl

# Twice the crawler's 10 MB page limit, so every value the crawler stores stays readable.
MAX_VALUE_BYTES = 20 * 1024 * 1024
MAX_RESULT_BYTES = 64 * 1024 * 1024


class ResultTooLarge(sqlite3.DatabaseError):
    """Raised from inside fetch: Datasette reports it as the query's error, like a SQL error."""


def _bounded_rows(budget: int):
    spent: weakref.WeakKeyDictionary[sqlite3.Cursor, int] = weakref.WeakKeyDictionary()

    def row_factory(cursor: sqlite3.Cursor, row: tuple) -> sqlite3.Row:
        size = spent.get(cursor, 0) + sum(len(v) if isinstance(v, str | bytes) else 8 for v in row)
        if size > budget:
            raise ResultTooLarge(f"query result larger than {budget // (1024 * 1024)} MB: "
                                 "select fewer rows or columns")
        spent[cursor] = size
        return sqlite3.Row(cursor, row)

    return row_factory


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.row_factory = _bounded_rows(MAX_RESULT_BYTES)
