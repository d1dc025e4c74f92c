"""Opening the database: WAL, a busy timeout, and the schema brought up to date."""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

import sqlite_utils

from storage.schema import migrations


class StoreError(Exception):
    """The database file cannot be opened or migrated; the message names the file."""


# What the WAL file is cut back to once a checkpoint lets it start over. Why: the service holds
# a connection open for its life (hold_store_open), so no close is the last one and the WAL is
# never deleted; without a limit it would keep the size of the largest transaction ever written
# (a first crawl of a big site, a search-index rebuild) until the service stops.
WAL_SIZE_LIMIT_BYTES = 32 * 1024 * 1024
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
        db.execute(f"PRAGMA journal_size_limit = {int(WAL_SIZE_LIMIT_BYTES)}")
        db.execute("PRAGMA foreign_keys = ON")
        if migrate:
            _bring_up_to_date(db)
    except Exception as exc:  # sqlite3.DatabaseError and friends carry no file name
        raise StoreError(f"cannot open database {path}: {exc}") from exc
    return db


@functools.cache
def _migration_names() -> frozenset[str]:
    """Every migration's name: what sqlite-utils would apply to an empty store."""
    return frozenset(m.name for m in migrations.pending(sqlite_utils.Database(memory=True)))


def _bring_up_to_date(db: sqlite_utils.Database) -> None:
    """Apply pending migrations, after one query has said that there are some.

    Why: sqlite-utils' own check reads the migrations table through its table objects (~1 ms),
    and the service opens the store for each step of each crawl; this reads the same rows.
    """
    try:
        applied = {name for (name,) in db.execute(
            f"select name from [{migrations.migrations_table}] where migration_set = ?", [migrations.name])}
    except sqlite3.OperationalError:  # no migrations table: a new store
        applied = set()
    if not _migration_names() <= applied:
        migrations.apply(db)


def hold_store_open(path: str | Path) -> sqlite3.Connection:
    """A connection that does nothing but stay open, so other connections' closes are not the last.

    Why: in WAL mode the close of the last connection to a database checkpoints it and removes
    the WAL, and short-lived connections (a crawl's, each service step's) would pay that every
    few closes. What makes a connection count is the shared lock it takes on its first read and
    keeps until it closes: one that was only opened does not count (a bare `sqlite3.connect`
    held for this purpose did nothing). It holds no snapshot once its read is over, so SQLite's
    automatic checkpoints still bound the WAL.
    """
    keeper = sqlite3.connect(path, check_same_thread=False)  # closed from whichever thread stops its holder
    keeper.execute("select count(*) from sqlite_master").fetchone()
    return keeper
