"""A degraded run is a health problem: flagged for operators and in the digest's health section."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.digest.health import source_health as digest_health
from monitor.digest.period import DigestPeriod
from monitor.health import source_health
from storage import open_db
from storage.runs import close_run, start_run
from storage.sources import sync_sources


def test_degraded_last_run_is_flagged_with_its_reason(tmp_path):
    db = open_db(tmp_path / "g.db")
    sync_sources(db, [{"name": "county", "title": "示范县", "schedule": "every 1h"},
                      {"name": "fine", "schedule": "every 1h"}])
    close_run(db, start_run(db, "county"), "degraded", message="no article links found on start page http://x/")
    close_run(db, start_run(db, "fine"), "ok")
    [flag] = source_health(db, "county")
    assert flag.problem == "degraded" and "no article links found on start page" in flag.detail
    assert source_health(db, "fine") == []
    now = datetime.now(UTC)
    notes = digest_health(db, DigestPeriod(now - timedelta(days=1), now + timedelta(minutes=1), "Asia/Shanghai"),
                          lambda name: True)
    assert [(n.source, n.problem, n.label) for n in notes] == [("county", "degraded", "部分失败 degraded")]
    close_run(db, start_run(db, "county"), "ok")  # the next run is fine: the flag goes
    assert source_health(db, "county") == []
