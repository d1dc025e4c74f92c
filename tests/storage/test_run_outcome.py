"""How a finished crawl is judged (storage.runs.run_outcome): `ok` only when it did its job."""

from __future__ import annotations

from storage.runs import run_outcome

STARTS = ["http://x.gov.cn/a/", "http://x.gov.cn/b/"]


def judge(status="ok", *, pages=10, article_pages=8, stored=8, failures=None, empty=(), notes=()):
    return run_outcome(status, pages_fetched=pages, article_pages=article_pages, articles_stored=stored,
                       start_urls=STARTS, start_failures=failures or {}, starts_without_links=list(empty), notes=notes)


def test_a_crawl_that_did_its_job_is_ok_and_notes_are_kept():
    assert judge() == ("ok", None)
    status, message = judge(notes=["pagination not followed on http://x.gov.cn/a/: POST form pager"])
    assert status == "ok" and "POST form pager" in message


def test_article_pages_fetched_and_none_stored_is_failed():
    status, message = judge(stored=0, article_pages=20)
    assert status == "failed" and "fetched 20 article page(s) and stored none" in message


def test_most_article_pages_not_stored_is_degraded():
    status, message = judge(stored=3, article_pages=20)
    assert status == "degraded" and "stored 3 of 20" in message


def test_a_start_url_404_degrades_and_every_start_failing_fails():
    status, message = judge(failures={STARTS[0]: "HTTP 404"})
    assert status == "degraded" and f"start URL {STARTS[0]}: HTTP 404" in message
    status, message = judge(failures={s: "HTTP 404" for s in STARTS}, article_pages=0, stored=0)
    assert status == "failed" and message.count("HTTP 404") == 2


def test_start_pages_without_article_links():
    status, message = judge(empty=[STARTS[1]])
    assert status == "degraded" and f"no article links found on start page {STARTS[1]}" in message
    status, _ = judge(empty=STARTS, article_pages=0, stored=0)
    assert status == "failed"


def test_pages_that_raised_in_the_crawler_are_never_ok():
    status, message = run_outcome("ok", pages_fetched=2, article_pages=0, articles_stored=0, start_urls=STARTS[:1],
                                  start_failures={}, starts_without_links=[], page_errors=1)
    assert status == "degraded" and "1 page(s) raised an error in the crawler" in message
    assert judge()[0] == "ok"


def test_nothing_fetched_is_failed_and_a_stop_keeps_its_own_status():
    assert judge(pages=0, article_pages=0, stored=0)[0] == "failed"
    assert judge("timeout", stored=0)[0] == "timeout"


def test_start_failures_read_back_from_the_run_log(tmp_path):
    from storage import open_db
    from storage.runs import record_fetch_error, start_failures_logged, start_run
    from storage.sources import sync_sources

    db = open_db(tmp_path / "g.db")
    sync_sources(db, [{"name": "county", "schedule": "every 1h"}])
    run = start_run(db, "county")
    record_fetch_error(db, run, "county", STARTS[0], "HTTP 404", 404)
    record_fetch_error(db, run, "county", "http://x.gov.cn/a/t1.html", "no article text found on the page")
    assert start_failures_logged(db, run, STARTS) == {STARTS[0]: "HTTP 404"}
    assert start_failures_logged(db, run, []) == {}


def test_new_pages_mostly_not_stored_degrade_a_run_that_rechecked_well():
    """Seventy re-checks stored, none of ten new notices: the share of all pages (70 of 80) hides it."""
    status, message = run_outcome("ok", pages_fetched=81, article_pages=80, articles_stored=70, start_urls=STARTS[:1],
                                  start_failures={}, starts_without_links=[], new_article_pages=10, articles_new=0)
    assert status == "degraded" and "stored 0 of 10 new article pages" in message
    assert run_outcome("ok", pages_fetched=81, article_pages=80, articles_stored=75, start_urls=STARTS[:1],
                       start_failures={}, starts_without_links=[], new_article_pages=10, articles_new=5) == ("ok", None)
