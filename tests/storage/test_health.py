"""Silence needs history and time: a first crawl's burst of new articles is not a publishing rhythm."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import open_db
from storage.articles import FetchedArticle, record_page
from storage.health import health_status, source_health
from storage.runs import close_run, start_run
from storage.sources import sync_sources


def store_with_new_articles(path, times: list[datetime]):
    db = open_db(path)
    sync_sources(db, [{"name": "gov", "schedule": "every 1h"}])
    run = start_run(db, "gov")
    for n, moment in enumerate(times):
        record_page(db, run, FetchedArticle(url=f"http://gov.example.cn/t{n}.html", source="gov", body=b"x",
                                            title=f"通知{n}", text=f"正文{n}。"))
        db.execute("update events set at = ? where id = (select max(id) from events)",
                   [moment.isoformat(timespec="seconds")])
    close_run(db, run, "ok")
    db.conn.commit()
    return db


def test_a_first_crawls_burst_is_not_silence(tmp_path):
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    burst = [now - timedelta(hours=1, seconds=s) for s in range(6)]  # six articles found within seconds
    db = store_with_new_articles(tmp_path / "burst.db", burst)
    assert source_health(db, "gov", now=now) == [] and health_status([]) == "ok"


def test_a_daily_source_quiet_for_ten_days_is_silent(tmp_path):
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    daily = [now - timedelta(days=10 + d) for d in range(6)]
    db = store_with_new_articles(tmp_path / "daily.db", daily)
    flags = source_health(db, "gov", now=now)
    assert [f.problem for f in flags] == ["silent"] and health_status(flags) == "silent"


def test_a_sources_health_reads_its_own_runs_and_events_by_index(tmp_path):
    """Health is recomputed after every run: walking every source's runs and events each time
    grew with the store (storage/schema.py, m021)."""
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    db = store_with_new_articles(tmp_path / "g.db", [now - timedelta(days=d) for d in range(6)])
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    source_health(db, "gov", now=now)
    db.conn.set_trace_callback(None)
    reads = [s for s in statements if s.lstrip().lower().startswith("select") and ("events" in s or "crawl_runs" in s)]
    assert len(reads) >= 3  # the last run, the recent runs, the new articles' times
    plans = {s: " / ".join(row[3] for row in db.execute("explain query plan " + s)) for s in reads}
    assert [s for s, plan in plans.items() if "SCAN events" in plan or "SCAN crawl_runs" in plan] == [], plans


def test_listed_articles_that_fail_in_two_crawls_are_named(tmp_path):
    from storage.unfetched_links import count_link_failure, forget_link, remember_links

    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    db = store_with_new_articles(tmp_path / "g.db", [now - timedelta(hours=h) for h in range(2)])
    lost = [f"http://gov.example.cn/new{n}.html" for n in range(5)]
    remember_links(db, "gov", "http://gov.example.cn/list.html", lost, at="2026-03-09T08:00:00+00:00")
    for url in lost:
        count_link_failure(db, url)
    assert source_health(db, "gov", now=now) == []          # one failed crawl is not yet a pattern
    for url in lost:
        count_link_failure(db, url)
    forget_link(db, lost[0])                                 # stored meanwhile: nothing to say of it
    flags = source_health(db, "gov", now=now)
    assert [f.problem for f in flags] == ["unfetched"] and health_status(flags) == "unfetched"
    assert flags[0].detail == (
        "4 article(s) its lists show could not be fetched: http://gov.example.cn/new1.html (2 tries since 2026-03-09); "
        "http://gov.example.cn/new2.html (2 tries since 2026-03-09); http://gov.example.cn/new3.html (2 tries since "
        "2026-03-09); and 1 more")
