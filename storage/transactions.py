"""Write transactions that several processes can share safely."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timezone

import sqlite_utils


def utc_now() -> str:
    """The current time as stored: ISO 8601, UTC, seconds precision."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@contextlib.contextmanager
def writing(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One atomic write, started with BEGIN IMMEDIATE.

    A deferred transaction that reads first and writes later fails at once with
    SQLITE_BUSY when another process committed in between (WAL snapshots); taking the
    write lock up front makes concurrent crawl processes wait on the busy timeout instead.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.conn.execute("COMMIT")
