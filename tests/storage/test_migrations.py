"""Every table comes from a migration, in the order they are numbered."""

from __future__ import annotations

import re

from storage import open_db
from storage.schema import migrations
from storage.stream_offsets import applied_offset, record_offset


def test_migrations_are_declared_in_number_order():
    numbers = [int(re.match(r"m(\d{3})_", m.name).group(1)) for m in migrations._migrations]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_a_new_store_has_the_delivery_log_and_the_stream_offsets(tmp_path):
    db = open_db(tmp_path / "govwatch.db")
    assert {"digest_deliveries", "stream_offsets"} <= set(db.table_names())
    assert db["digest_deliveries"].pks == ["subscription", "period", "channel"]
    assert applied_offset(db, "govwatch:items") == "0-0"
    record_offset(db, "govwatch:items", "17-2")
    assert applied_offset(db, "govwatch:items") == "17-2"
    db.close()


def test_a_store_that_made_them_on_first_use_keeps_their_rows(tmp_path):
    db = open_db(tmp_path / "govwatch.db")
    record_offset(db, "govwatch:items", "5-0")
    db["digest_deliveries"].insert({"subscription": "daily", "period": "2026-11-24", "channel": "email",
                                    "status": "sent", "attempts": 1})
    db.execute("delete from _sqlite_migrations where name = 'm013_digest_deliveries_and_stream_offsets'")
    db.conn.commit()
    db.close()

    db = open_db(tmp_path / "govwatch.db")  # m013 runs again over tables that exist
    assert applied_offset(db, "govwatch:items") == "5-0"
    assert db["digest_deliveries"].count == 1
    db.close()
