"""The soak's short version: a few sources for a few simulated days, with faults and kill -9s of
crawls and of the service; every event of the truth log in the store exactly once."""

from __future__ import annotations

import sqlite3

import pytest

from bench.soak import Rates, Soak, verdict

pytestmark = [pytest.mark.long, pytest.mark.slow, pytest.mark.timeout(180)]


def test_short_soak_records_every_logged_event_once_through_faults_and_kills(tmp_path):
    rates = Rates(publish=3, edit=2, withdraw=1, faults=8, crawl_kills=1.5)
    soak = Soak(tmp_path, sources=4, days=3, seconds=30, rates=rates, seed=7, service_kill_at=(0.8,),
                memory_settle_s=8, memory_min_life_s=12)
    results = soak.run(say=lambda *_: None)
    assert verdict(results) == [], results
    counts = results["counts"]
    assert counts["truth changed"] >= 1 and counts["kill -9 service"] == 1
    assert sum(n for kind, n in counts.items() if kind.startswith("fault ")) >= 5
    assert results["truth_events"] == results["recorded_events"] > 12
    assert results["catch_up_crawl_exit"] == 0
    # where the wall time went (the full soak's bound is 15 minutes): the phases add up to it
    phases = results["phases"]
    assert set(phases) == {"simulated_s", "service_stop_s", "catch_up_crawl_s", "left_behind_wait_s"}
    assert phases["catch_up_crawl_s"] > 0 and abs(sum(phases.values()) - results["seconds"]) < 1

    # A lost event is reported with what the store holds of its article and its source's last runs.
    conn = sqlite3.connect(soak.db_path)
    url, article_id = conn.execute("select a.url, a.id from articles a join events e on e.article_id = a.id"
                                   " where e.kind = 'new' order by a.id limit 1").fetchone()
    conn.execute("delete from events where article_id = ? and kind = 'new'", [article_id])
    run_id = conn.execute("select max(id) from crawl_runs").fetchone()[0]
    conn.execute("insert into fetch_errors (run_id, source, url, reason, at) select ?, source, url,"
                 " 'extraction failed: test', '2026-12-01T00:00:00+00:00' from articles where id = ?",
                 [run_id, article_id])
    conn.commit()
    conn.close()
    again = soak.check(results["service_stop_exit"], 0, 0.0)
    assert again["missing"] == {f"{url} new": 1}
    seen = again["missing_diagnosis"]["articles"][url]
    assert seen["stored"]["id"] == article_id and ("new",) not in {e[:1] for e in seen["events"]}
    assert seen["site_hits"] >= 1
    assert (run_id, "extraction failed: test") in seen["fetch_errors"]
    source = seen["source"]
    assert again["missing_diagnosis"]["last_runs"][source][0]["trigger"]
