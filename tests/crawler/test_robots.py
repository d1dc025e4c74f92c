"""robots.txt (crawler/robots.py, RFC 9309): kept in the store and reused by later crawls for
GOVWATCH_ROBOTSTXT_MAX_AGE_S, then asked for again (so a long-lived distributed worker hears a site
that disallows a path later on); the last rules obeyed while it fails; every request that waited
for it checked against it; and a link it forbids skipped without slowing the host down
(crawler/politeness.py)."""

from __future__ import annotations

import time

import pytest

from monitor.config import SourceConfig, source_as_record
from monitor.crawls import finish_crawl, start_crawl
from storage import open_db
from storage.sources import sync_sources
from tests.security.hostile_site import LIST_PATH, HostileSite, Page, notice, notice_title

pytestmark = pytest.mark.slow

ALLOW_ALL = b"User-agent: *\nAllow: /\n"
NOTICES = 30  # more than CONCURRENT_REQUESTS (16): the later ones reach the middlewares as slots free up
SOME_DISALLOWED = b"User-agent: *\nDisallow: /gov/2024/05/t2024050\n"  # the notices of 1 to 9 May
ERROR_PAGE = b"<html><body>Disallow: /gov/ (an error page)</body></html>"


class RobotsSite(HostileSite):
    """Serves `robots` (with `status`) at /robots.txt, counting the asks; `later` from the second on."""

    def __init__(self, robots: bytes, status: int = 200, later: Page | None = None) -> None:
        super().__init__()
        self.first, self.later = Page(robots, status), later

    def answer(self, path: str) -> Page:
        if path == "/robots.txt":
            with self.lock:
                self.hits[path] += 1
                first = self.hits[path] == 1
            return self.first if first or self.later is None else self.later
        return super().answer(path)


def changing_robots_site() -> RobotsSite:
    """Allows everything in its first robots.txt, disallows the notices in every later one."""
    return RobotsSite(ALLOW_ALL, later=Page(b"User-agent: *\nDisallow: /gov/2024/\n"))


def serve_notices(site: HostileSite) -> HostileSite:
    """Start `site` with NOTICES notices linked from its list page."""
    site.start()
    for n in range(1, NOTICES + 1):
        path, html = notice(n)
        site.add(path, html)
        site.link(path, notice_title(n))
    return site


def crawl_once(tmp_path, site: HostileSite, politeness: dict, settings: dict | None = None,
               more_starts: tuple[str, ...] = ()) -> tuple[str, dict]:
    """One crawl of the running `site` into tmp_path's store (made at the first): its log and its run."""
    db_path = tmp_path / "govwatch.db"
    config = SourceConfig.model_validate({
        "name": "robots", "kind": "gov", "start_urls": [site.url(LIST_PATH), *map(site.url, more_starts)],
        "allow_paths": ["/gov/"],
        "article_pattern": r"/gov/\d{4}/\d{2}/t\d{8}_\d+\.html$", "time_limit_s": 120, "schedule": "every 1h",
        "politeness": {"autothrottle": False, "obey_robots": True, **politeness}})
    db = open_db(db_path)
    sync_sources(db, [source_as_record(config)])
    db.close()
    job = start_crawl(db_path, "robots", trigger="test", time_limit_s=120, extra_settings=settings or {})
    job.process.wait(timeout=120)
    log = job.log_path.read_text(encoding="utf-8", errors="replace")
    return log, finish_crawl(db_path, job)


def crawl(tmp_path, site: HostileSite, politeness: dict, settings: dict | None = None) -> tuple[str, dict]:
    """One crawl of NOTICES notices on `site`: the crawl's log and its run."""
    serve_notices(site)
    try:
        return crawl_once(tmp_path, site, politeness, settings)
    finally:
        site.stop()


# 0.25 s between requests, one at a time: the crawl outlives a short max age
SLOW = {"download_delay": 0.25, "concurrent_requests": 1}
FAST = {"download_delay": 0, "concurrent_requests": 4}


def test_a_crawl_reads_robots_txt_once_by_default(tmp_path) -> None:
    site = changing_robots_site()
    log, run = crawl(tmp_path, site, FAST)
    assert site.hits["/robots.txt"] == 1 and run["articles_new"] == NOTICES
    assert "robotstxt_expired" not in log


def test_rules_a_day_old_are_read_again_and_obeyed(tmp_path) -> None:
    site = changing_robots_site()
    log, run = crawl(tmp_path, site, SLOW, {"GOVWATCH_ROBOTSTXT_MAX_AGE_S": 3})  # "a day": the crawl takes ~8 s
    new = run["articles_new"]
    assert site.hits["/robots.txt"] >= 2 and "'govwatch/robotstxt_expired'" in log
    # the later robots.txt disallows the notices: those asked for after it are not fetched
    assert "'robotstxt/forbidden'" in log and 0 < new < NOTICES
    fetched = sum(site.hits[p] for p in site.hits if p.startswith("/gov/2024/"))
    assert fetched == new


def test_links_robots_txt_forbids_do_not_slow_the_host_down(tmp_path) -> None:
    """A forbidden link never reached the host: it used to count as a host error, so after a few
    the back-off made every later page wait up to backoff_max_delay (60 s) and the crawl hit its
    time limit."""
    site = RobotsSite(SOME_DISALLOWED)
    log, run = crawl(tmp_path, site, {"download_delay": 0, "concurrent_requests": 4})
    forbidden = [p for p in site.pages if p.startswith("/gov/2024/05/t2024050")]
    assert 0 < len(forbidden) < NOTICES and f"'robotstxt/forbidden': {len(forbidden)}" in log
    assert run["articles_new"] == NOTICES - len(forbidden) and not any(site.hits[p] for p in forbidden)
    assert "govwatch/backoff" not in log and run["seconds"] < 30


def stored_robots(tmp_path) -> list[dict]:
    db = open_db(tmp_path / "govwatch.db")
    try:
        return list(db["robots_txt"].rows)
    finally:
        db.close()


def test_a_later_crawl_reuses_the_stored_robots_txt_and_still_obeys_it(tmp_path) -> None:
    """RFC 9309 lets a crawler keep robots.txt a day: the second crawl of the source does not ask
    for it again, and the rules it reads from the store still forbid the same notices."""
    site = serve_notices(RobotsSite(SOME_DISALLOWED))
    forbidden = [p for p in site.pages if p.startswith("/gov/2024/05/t2024050")]
    try:
        first_log, first = crawl_once(tmp_path, site, FAST)
        [kept] = stored_robots(tmp_path)
        assert kept["origin"] == site.base_url and kept["http_status"] == 200
        assert kept["body"] == b"User-agent: *\nDisallow: /gov/2024/05/t2024050\n"
        assert "'govwatch/robotstxt/robots_kept': 1" in first_log
        second_log, second = crawl_once(tmp_path, site, FAST)
    finally:
        site.stop()
    assert site.hits["/robots.txt"] == 1
    assert "'govwatch/robotstxt_reused': 1" in second_log and "robotstxt/request_count" not in second_log
    assert first["articles_new"] == NOTICES - len(forbidden) and second["status"] == "ok"
    # the forbidden notices are still new on the list page: the second crawl meets them again
    assert f"'robotstxt/forbidden': {len(forbidden)}" in second_log and not any(site.hits[p] for p in forbidden)


def test_a_stored_robots_txt_older_than_the_max_age_is_asked_for_again(tmp_path) -> None:
    site = serve_notices(changing_robots_site())
    try:
        crawl_once(tmp_path, site, FAST)
        time.sleep(1.1)  # stored times have seconds precision
        log, _ = crawl_once(tmp_path, site, FAST, {"GOVWATCH_ROBOTSTXT_MAX_AGE_S": 1})
    finally:
        site.stop()
    assert site.hits["/robots.txt"] == 2 and "robotstxt_reused" not in log
    [kept] = stored_robots(tmp_path)
    assert kept["body"] == b"User-agent: *\nDisallow: /gov/2024/\n"  # the newer file replaced the older


def test_a_robots_txt_server_error_is_not_kept_and_a_4xx_is_kept_as_no_rules(tmp_path) -> None:
    """A 500 (a 503 would also slow the host down: crawler/politeness.py)."""
    server_error = serve_notices(RobotsSite(ERROR_PAGE, 500))
    try:
        crawl_once(tmp_path / "a", server_error, FAST, {"RETRY_TIMES": 0})
        crawl_once(tmp_path / "a", server_error, FAST, {"RETRY_TIMES": 0})
    finally:
        server_error.stop()
    assert server_error.hits["/robots.txt"] == 2 and stored_robots(tmp_path / "a") == []

    missing = serve_notices(RobotsSite(ERROR_PAGE, 404))
    try:
        crawl_once(tmp_path / "b", missing, FAST)
        log, _ = crawl_once(tmp_path / "b", missing, FAST)
    finally:
        missing.stop()
    assert missing.hits["/robots.txt"] == 1 and "'govwatch/robotstxt_reused': 1" in log
    [kept] = stored_robots(tmp_path / "b")
    assert kept["http_status"] == 404 and kept["body"] == b""  # the error page is not kept


def test_a_crawl_delay_read_from_the_store_is_still_honoured(tmp_path) -> None:
    site = serve_notices(RobotsSite(b"User-agent: *\nCrawl-delay: 0.05\n"))
    try:
        crawl_once(tmp_path, site, FAST)
        log, _ = crawl_once(tmp_path, site, FAST)
    finally:
        site.stop()
    assert site.hits["/robots.txt"] == 1 and "'govwatch/robotstxt_reused': 1" in log
    assert "'govwatch/crawl_delay': 0.05" in log


def test_while_robots_txt_fails_the_last_stored_rules_are_obeyed(tmp_path) -> None:
    """Scrapy reads a 5xx's error page as the rules (allow everything): a site whose robots.txt is
    down had every path it disallows crawled. The rules stored a day ago still hold."""
    site = serve_notices(RobotsSite(SOME_DISALLOWED, later=Page(ERROR_PAGE, 500)))
    forbidden = [p for p in site.pages if p.startswith("/gov/2024/05/t2024050")]
    try:
        crawl_once(tmp_path, site, FAST)
        time.sleep(1.1)  # stored times have seconds precision
        log, _ = crawl_once(tmp_path, site, FAST, {"GOVWATCH_ROBOTSTXT_MAX_AGE_S": 1, "RETRY_TIMES": 0})
    finally:
        site.stop()
    assert site.hits["/robots.txt"] >= 2 and "'govwatch/robotstxt_unreachable_stored_used'" in log
    assert f"'robotstxt/forbidden': {len(forbidden)}" in log and not any(site.hits[p] for p in forbidden)
    [kept] = stored_robots(tmp_path)
    assert kept["http_status"] == 200  # the 500 replaced nothing


def test_every_request_waiting_for_robots_txt_is_checked_against_it(tmp_path) -> None:
    """A source's start pages on one host all wait for its robots.txt. Scrapy 2.19 under the
    asyncio reactor gave the parser to the first waiter only and None ("no robots.txt") to the
    others, which went out unchecked; so did every request that came while a long-lived
    worker asked for an expired robots.txt again."""
    site = serve_notices(RobotsSite(b"User-agent: *\nDisallow: /gov/private/\n"))
    private = [f"/gov/private/c{n}/index.html" for n in range(6)]
    for path in private:
        site.add(path, "<html><body><ul><li><a href='/gov/2024/05/t20240501_1.html'>通知</a></li></ul></body></html>")
    try:
        log, _ = crawl_once(tmp_path, site, {**FAST, "concurrent_requests": 16}, more_starts=tuple(private))
    finally:
        site.stop()
    assert site.hits["/robots.txt"] == 1 and site.hits[LIST_PATH] == 1
    assert f"'robotstxt/forbidden': {len(private)}" in log and not any(site.hits[p] for p in private)
