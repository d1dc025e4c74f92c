"""/-/healthz and /-/metrics through a real Datasette on a real store (the committed release
fixture, migrated), compared with what the tables hold."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from datasette.app import Datasette

from monitor.publish import DATASETTE_DIR, DATASETTE_SETTINGS, datasette_metadata
from storage import open_db
from storage.control import record_health, service_heartbeat, service_started
from tests.datasette.conftest import request_plans, row_reads

try:
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:
    from backports import zstd

FIXTURE = max((Path(__file__).resolve().parents[1] / "fixtures").glob("govwatch-*.db.zst"))
SAMPLE = re.compile(r'^(?P<name>[a-z_]+)(?:\{(?P<labels>(?:[a-z_]+="(?:[^"\\\n]|\\.)*",?)*)\})? (?P<value>-?\d+(?:\.\d+)?)$')
LABEL = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"')


@pytest.fixture
def store(tmp_path) -> Path:
    path = tmp_path / "govwatch.db"
    path.write_bytes(zstd.decompress(FIXTURE.read_bytes()))
    open_db(path).close()
    return path


def datasette_for(path: Path) -> Datasette:
    return Datasette([str(path)], metadata=datasette_metadata(path), plugins_dir=str(DATASETTE_DIR / "plugins"),
                     template_dir=str(DATASETTE_DIR / "templates"), settings=DATASETTE_SETTINGS)


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of an exposition; fails on any line that is not a comment or a valid sample."""
    samples = {}
    for line in text.splitlines():
        if line.startswith(("# HELP ", "# TYPE ")):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a valid sample line: {line!r}"
        labels = frozenset(LABEL.findall(m["labels"] or ""))
        samples[(m["name"], labels)] = float(m["value"])
    return samples


async def test_metrics_are_the_runs_table_per_source(store):
    response = await datasette_for(store).client.get("/-/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = parse(response.text)
    conn = sqlite3.connect(store)
    expected = conn.execute("select source, count(*), sum(pages_fetched), sum(errors), max(finished_at) "
                            "from crawl_runs where status = 'ok' group by source").fetchall()
    all_runs = dict(conn.execute("select source, count(*) from crawl_runs group by source").fetchall())
    events = conn.execute("select source, kind, count(*) from events group by source, kind").fetchall()
    conn.execute("update crawl_runs set status = 'degraded' where id = (select min(id) from crawl_runs)")
    conn.commit()
    by_status = conn.execute("select source, status, count(*) from crawl_runs group by source, status").fetchall()
    conn.close()
    assert "degraded" in {status for _, status, _ in by_status}
    samples = parse((await datasette_for(store).client.get("/-/metrics")).text)
    assert expected
    for source, ok_runs, pages, errors, last_ok in expected:
        label = frozenset({("source", source)})
        assert samples[("govwatch_runs_total", label)] == all_runs[source]
        assert samples[("govwatch_pages_fetched_total", label)] == pages
        assert samples[("govwatch_errors_total", label)] == errors
        assert samples[("govwatch_last_success_timestamp_seconds", label)] == int(
            datetime.fromisoformat(last_ok).timestamp())
        assert samples[("govwatch_runs_running", label)] == 0
    for source, status, n in by_status:
        assert samples[("govwatch_runs_by_status_total", frozenset({("source", source), ("status", status)}))] == n
    assert sum(n for _, _, n in by_status) == sum(all_runs.values())
    for source, kind, n in events:
        assert samples[("govwatch_events_total", frozenset({("source", source), ("kind", kind)}))] == n
    assert samples[("govwatch_service_up", frozenset())] == 0


async def test_healthz_follows_the_service_heartbeat_and_reports_flags_without_failing(store):
    ds = datasette_for(store)
    down = await ds.client.get("/-/healthz")
    assert down.status_code == 503 and down.json()["status"] == "down" and not down.json()["service"]["alive"]

    db = open_db(store)
    service_id = service_started(db)
    record_health(db, {"demo-gov": ["failed: last run 3 failed: boom"], "demo-news": []})
    up = await ds.client.get("/-/healthz")
    assert up.status_code == 200, up.text
    body = up.json()
    assert body["status"] == "ok" and body["service"]["alive"]
    assert body["sources_flagged"] == {"demo-gov": "failed: last run 3 failed: boom"}
    samples = parse((await ds.client.get("/-/metrics")).text)
    assert samples[("govwatch_service_up", frozenset())] == 1
    assert samples[("govwatch_source_healthy", frozenset({("source", "demo-gov")}))] == 0
    assert samples[("govwatch_source_healthy", frozenset({("source", "demo-news")}))] == 1

    service_heartbeat(db, service_id, stopped=True, message="stopped")
    stopped = await ds.client.get("/-/healthz")
    assert stopped.status_code == 503 and not stopped.json()["service"]["alive"]
    db.close()


async def test_hostile_source_names_stay_inside_their_label(store):
    conn = sqlite3.connect(store)
    hostile = 'x"} govwatch_service_up 1\n# TYPE evil\\'
    conn.execute("insert into sources (name, enabled, paused) values (?, 1, 0)", [hostile])
    conn.execute("insert into crawl_runs (source, status, started_at, pages_fetched) values (?, 'ok', "
                 "'2026-11-30T00:00:00+00:00', 7)", [hostile])
    conn.commit()
    conn.close()
    samples = parse((await datasette_for(store).client.get("/-/metrics")).text)
    label = frozenset({("source", 'x\\"} govwatch_service_up 1\\n# TYPE evil\\\\')})
    assert samples[("govwatch_pages_fetched_total", label)] == 7
    assert samples[("govwatch_service_up", frozenset())] == 0


async def test_a_store_without_the_views_is_reported_down_not_crashed(tmp_path):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    ds = datasette_for(path)
    health = await ds.client.get("/-/healthz")
    assert health.status_code == 503 and health.json()["problem"].startswith("database:")
    scrape = await ds.client.get("/-/metrics")
    assert scrape.status_code == 503 and "govwatch_up 0" in scrape.text


async def test_a_metrics_scrape_reads_no_table_row_by_row(store):
    """Prometheus scrapes every 15-60 s: counting articles by source and status looked up every
    article's row (1.0 s at 200,000), the per-source run counters every run's row seven times
    (0.66 s at 100,000 runs), until covering indexes answered both (m023)."""
    plans = await request_plans(datasette_for(store), "/-/metrics", store)
    assert any("from articles" in sql for sql in plans) and any("from source_metrics" in sql for sql in plans)
    assert row_reads(plans, {"articles", "crawl_runs", "events"}) == {}
    # the view's subqueries read runs under an alias: every index of the runs table they use covers them
    run_lookups = [step for plan in plans.values() for step in plan if " INDEX idx_crawl_runs" in step]
    assert run_lookups and [step for step in run_lookups if "COVERING" not in step] == []
