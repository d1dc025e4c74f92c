"""Opening the store: an upsert must not change its schema."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from storage import open_db
from storage.database import hold_store_open
from storage.list_pages import list_page_stats, record_list_fetch
from storage.sources import sync_sources


def test_an_upsert_leaves_the_schema_alone_and_still_updates(tmp_path):
    """sqlite-utils probes for upsert support by creating and dropping a table in the store on
    each Database's first upsert; every crawl opens one, and each schema change makes every
    other connection (the service's, Datasette's) re-read the whole schema."""
    path = tmp_path / "store.db"
    with open_db(path) as db:
        sync_sources(db, [{"name": "county", "schedule": "every 1h"}])
    watcher = sqlite3.connect(path)
    schema_before = watcher.execute("pragma schema_version").fetchone()[0]

    db = open_db(path)  # a fresh Database object, as each crawl opens
    url = "http://127.0.0.1/gov/index.html"
    record_list_fetch(db, "county", url, new_links=3, next_due=None)
    record_list_fetch(db, "county", url, new_links=0, next_due=None)  # the same row, updated in place
    db.close()

    assert watcher.execute("pragma schema_version").fetchone()[0] == schema_before
    with open_db(path) as reopened:
        row = list_page_stats(reopened, "county")[url]
    assert (row["fetch_count"], row["new_link_count"], row["idle_streak"]) == (2, 3, 1)
    watcher.close()


def test_a_held_connection_keeps_other_closes_from_checkpointing(tmp_path):
    """The service holds one so that a crawl's close is never the last: that close checkpoints
    the store and removes its WAL. A connection that has not read does not count."""
    path = tmp_path / "store.db"
    open_db(path).close()
    keeper = hold_store_open(path)
    writer = open_db(path)
    sync_sources(writer, [{"name": "county", "schedule": "every 1h"}])
    writer.close()
    wal = tmp_path / "store.db-wal"
    assert wal.exists() and wal.stat().st_size > 0  # not checkpointed away by the writer's close
    keeper.close()
    assert not wal.exists()  # the keeper's close was the last: it checkpointed
    with open_db(path) as reopened:
        assert [row["name"] for row in reopened["sources"].rows] == ["county"]


def test_an_up_to_date_store_is_opened_without_sqlite_utils_migration_check(tmp_path, monkeypatch):
    """One query of ours says whether a migration is pending; sqlite-utils' own check (~1 ms) runs
    only then, as when a migration's record is missing."""
    path = tmp_path / "store.db"
    open_db(path).close()  # created and migrated
    statements: list[str] = []
    untraced = sqlite_utils.Database.__init__

    def traced(self, *args, **kwargs):
        untraced(self, *args, **kwargs)
        self.conn.set_trace_callback(statements.append)

    monkeypatch.setattr(sqlite_utils.Database, "__init__", traced)

    def sqlite_utils_checked() -> bool:
        statements.clear()
        open_db(path).close()
        return any("order by rowid" in s for s in statements)  # sqlite-utils' read of the applied ones

    assert not sqlite_utils_checked()
    with sqlite3.connect(path) as other:  # a migration's record lost (or a store from before it)
        other.execute("delete from _sqlite_migrations where name = 'm015_copy_signatures_redone'")
    assert sqlite_utils_checked()
    assert not sqlite_utils_checked()  # applied again, recorded
    with sqlite3.connect(path) as other:
        assert other.execute("select count(*) from _sqlite_migrations where name = 'm015_copy_signatures_redone'"
                             ).fetchone() == (1,)


def test_the_wal_is_cut_back_after_a_large_write_while_the_store_is_held(tmp_path, monkeypatch):
    """With the service's connection held, the WAL is never deleted: it must not keep the size
    of the largest transaction it ever held."""
    monkeypatch.setattr("storage.database.WAL_SIZE_LIMIT_BYTES", 256 * 1024)
    path = tmp_path / "store.db"
    open_db(path).close()
    keeper = hold_store_open(path)
    wal = tmp_path / "store.db-wal"
    with open_db(path) as db:
        db.execute("create table bulk (payload blob)")
        with db.conn:
            db.conn.executemany("insert into bulk values (?)", [(b"x" * 1000,) for _ in range(2000)])
        assert wal.stat().st_size > 1024 * 1024  # the large write, ~2 MB of pages
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        sync_sources(db, [{"name": "county", "schedule": "every 1h"}])  # the next write starts the WAL over
    assert wal.stat().st_size <= 256 * 1024
    keeper.close()
