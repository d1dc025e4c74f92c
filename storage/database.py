"""Opening the database: WAL, a busy timeout, and the schema brought up to date."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from storage.schema import migrations


class StoreError(Exception):
    """The database file cannot be opened or migrated; the message names the file."""


# The SQLite that parses `INSERT … ON CONFLICT DO UPDATE` without a conflict target: what
# sqlite-utils' probe below runs, so the answer is the one the probe would give.
UPSERT_WITHOUT_TARGET = (3, 35, 0)


class Store(sqlite_utils.Database):
    """A sqlite-utils Database that knows whether SQLite has upsert without trying it in the store.

    Why: sqlite-utils learns it on the first upsert of each Database object by creating a table,
    upserting into it and dropping it. Every crawl opens its own, so each crawl changed the
    store's schema twice: a write to sqlite_master, after which every other connection (the
    service's, Datasette's) re-reads the whole schema on its next statement. The library's
    documented switch, `use_old_upsert`, is only looked at after the probe has run.
    """

    @property
    def supports_on_conflict(self) -> bool:
        return sqlite3.sqlite_version_info >= UPSERT_WITHOUT_TARGET


def open_db(path: str | Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the store at `path`, in WAL mode, migrated.

    WAL lets Datasette read while a crawl writes; the busy timeout lets several crawl
    processes take turns writing instead of failing with "database is locked".
    """
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = Store(path)
        db.execute("PRAGMA busy_timeout = 30000")
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        if migrate:
            migrations.apply(db)
    except Exception as exc:  # sqlite3.DatabaseError and friends carry no file name
        raise StoreError(f"cannot open database {path}: {exc}") from exc
    return db
