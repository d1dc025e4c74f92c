"""The `stream_offsets` table: how far the store writer has applied each Redis stream.

The distributed store writer commits a batch of stream entries and the batch's last entry id
in one transaction, and acknowledges the entries in Redis only after that. A writer killed
between the commit and the acknowledgement gets the batch again on restart and skips what the
table says is already applied, so every page is written exactly once.

The table is created by migration m013 (storage/schema.py).
"""

from __future__ import annotations

import sqlite_utils


def _table(db: sqlite_utils.Database) -> sqlite_utils.db.Table:
    return db.table("stream_offsets", pk="stream")


def applied_offset(db: sqlite_utils.Database, stream: str) -> str:
    """The id of the last entry of `stream` written to the store ("0-0" for none)."""
    rows = list(_table(db).rows_where("stream = ?", [stream]))
    return rows[0]["last_id"] if rows else "0-0"


def record_offset(db: sqlite_utils.Database, stream: str, last_id: str) -> None:
    """Remember `last_id` as applied; call inside the transaction that applied it."""
    _table(db).upsert({"stream": stream, "last_id": last_id}, pk="stream")


def entry_after(entry_id: str, offset: str) -> bool:
    """Whether a stream entry id ("ms-seq") comes after `offset`."""
    a, _, b = entry_id.partition("-")
    c, _, d = offset.partition("-")
    return (int(a), int(b or 0)) > (int(c), int(d or 0))
