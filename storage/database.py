"""Opening the database: WAL, a busy timeout, and the schema brought up to date."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from storage.schema import migrations


class StoreError(Exception):
    """The database file cannot be opened or migrated; the message names the file."""


def open_db(path: str | Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the store at `path`, in WAL mode, migrated.

    WAL lets Datasette read while a crawl writes; the busy timeout lets several crawl
    processes take turns writing instead of failing with "database is locked".
    """
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA busy_timeout = 30000")
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        if migrate:
            migrations.apply(db)
    except Exception as exc:  # sqlite3.DatabaseError and friends carry no file name
        raise StoreError(f"cannot open database {path}: {exc}") from exc
    return db
