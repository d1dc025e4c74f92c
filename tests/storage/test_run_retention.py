"""Old runs lose their log tails and fetch errors (storage.runs.prune_run_logs), daily in the
service (monitor.retention) and on demand (`govwatch prune-run-logs`); their rows, counts and
messages stay, and so does everything of each source's latest run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.retention import prune_old, retention_job
from storage.runs import close_run, prune_run_logs, record_fetch_error, start_run
from tests.conftest import govwatch

NOW = datetime(2026, 11, 30, tzinfo=UTC)


@pytest.fixture
def db(county_city_db):
    return county_city_db


def finished_run(db, source: str, finished_at: str, errors: int = 1) -> int:
    run = start_run(db, source)
    for i in range(errors):
        record_fetch_error(db, run, source, f"http://x.gov.cn/{run}/{i}.html", "HTTP 503 (3 tries)", 503)
    close_run(db, run, "degraded", message=f"run {run}: 1 page failed", log_tail=f"[scrapy] stats of run {run}\n" * 40)
    db.execute("update crawl_runs set finished_at = ? where id = ?", [finished_at, run])
    db.conn.commit()
    return run


def test_old_runs_lose_log_tails_and_errors_but_keep_their_rows(db) -> None:
    old_a = finished_run(db, "county", "2026-01-01T00:00:00+00:00")
    old_b = finished_run(db, "county", "2026-09-01T00:00:00+00:00")
    latest_old = finished_run(db, "county", "2026-09-02T00:00:00+00:00")  # county's latest: kept, however old
    recent = finished_run(db, "city", "2026-11-20T00:00:00+00:00")
    before = {r["id"]: r for r in db.query("select * from crawl_runs")}

    assert prune_run_logs(db, 30, now=NOW) == 2
    after = {r["id"]: r for r in db.query("select * from crawl_runs")}
    errors = dict(db.execute("select run_id, count(*) from fetch_errors group by run_id").fetchall())
    assert after[old_a]["log_tail"] is None and after[old_b]["log_tail"] is None
    assert errors == {latest_old: 1, recent: 1}
    for run in (latest_old, recent):
        assert after[run] == before[run]
    for run in (old_a, old_b):  # the history stays: status, counts, message
        assert {k: v for k, v in after[run].items() if k != "log_tail"} == \
               {k: v for k, v in before[run].items() if k != "log_tail"}
    assert prune_run_logs(db, 30, now=NOW) == 0  # nothing left to drop
    with pytest.raises(ValueError):
        prune_run_logs(db, 0)


@pytest.mark.slow
def test_the_service_job_and_the_command(db, tmp_path) -> None:
    path = str(tmp_path / "store.db")
    old = finished_run(db, "county", "2020-01-01T00:00:00+00:00")
    finished_run(db, "county", "2020-01-02T00:00:00+00:00")
    assert retention_job(path, None, 0) is None  # both off: no job
    job, _trigger, name, args = retention_job(path, None)  # run logs: on by default
    assert name == "retention" and args == [path, None, 30]
    assert job(*args) == {"run_logs": 1}
    assert db.execute("select log_tail from crawl_runs where id = ?", [old]).fetchone()[0] is None
    assert prune_old(path, 365, 30) == {"raw_html_versions": 0, "run_logs": 0}
    with pytest.raises(ValueError):
        retention_job(path, None, -1)

    assert govwatch("prune-run-logs", "--db", path, "--older-than-days", "0", check=False).returncode == 2
    printed = govwatch("prune-run-logs", "--db", path, "--older-than-days", "30").stdout
    assert "0 run(s)" in printed
    refused = govwatch("run", "--db", path, "--run-log-keep-days", "-1", check=False)
    assert refused.returncode == 2 and "--run-log-keep-days" in refused.stderr
