"""finish_run: the one ending of a run, whichever way it was crawled."""

from __future__ import annotations

from monitor.run_end import finish_run
from storage import open_db
from storage.articles import FetchedArticle, record_page
from storage.runs import close_run, start_run
from storage.sources import sync_sources


def test_finish_run_fills_diffs_and_records_its_sources_health(tmp_path):
    db = open_db(tmp_path / "govwatch.db")
    sync_sources(db, [{"name": "county", "schedule": "every 1h"}, {"name": "idle", "schedule": "every 1h"}])
    url = "http://x.gov.cn/2021/06/t20210607_1.html"
    first, second = start_run(db, "county"), start_run(db, "county")
    record_page(db, first, FetchedArticle(url=url, source="county", body=b"1", title="通知", text="第一段。"))
    close_run(db, first, "ok")
    record_page(db, second, FetchedArticle(url=url, source="county", body=b"2", title="通知", text="第一段。第二段。"))
    close_run(db, second, "failed", message="boom")

    run = finish_run(db, second)

    assert run["id"] == second and run["status"] == "failed"
    [version] = db.query("select diff_summary from article_versions where version = 2")
    assert version["diff_summary"]
    health = {r["source"]: r["flags"] for r in db.query("select source, flags from source_health")}
    assert set(health) == {"county"}  # the run's source; every source's is the service's periodic refresh
    assert "boom" in health["county"]
    db.close()
