"""Cheap re-checks, noise control and politeness: the pure policies and the spider's judgements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.test import get_crawler

from crawler.block_pages import block_reason
from crawler.extraction_pool import strip_ignored
from crawler.pipelines import ExtractionPipeline
from crawler.politeness import BackoffMiddleware, CrawlDelayMiddleware
from crawler.recheck import (
    RecheckPolicy,
    article_due,
    attachment_due,
    due_articles,
    list_next_due,
    list_page_due,
    parse_duration,
)
from crawler.spiders.source import SourceSpider
from monitor.config import ConfigError, parse_source_snippet
from storage.outcomes import ArticleGone, FetchFailure

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def at(**delta) -> str:
    return (NOW - timedelta(**delta)).isoformat(timespec="seconds")


def test_durations():
    assert [parse_duration(s) for s in ("0", "90s", "30m", "6h", "7d", "1.5h")] == [0, 90, 1800, 21600, 604800, 5400]
    with pytest.raises(ValueError, match="e.g. '6h'"):
        parse_duration("weekly")


@pytest.mark.parametrize("article, due", [
    ({"published": "2026-11-24", "first_seen": at(hours=20), "last_checked": at(minutes=1)}, True),  # recent: always
    ({"published": "2021-06-07", "first_seen": at(hours=3), "last_checked": at(minutes=1)}, True),  # new to us
    ({"published": "2021-06-07", "first_seen": at(days=30), "last_checked": at(hours=2)}, False),  # middle: daily
    ({"published": "2021-06-07", "first_seen": at(days=30), "last_checked": at(hours=25)}, True),
    ({"published": "2021-06-07", "first_seen": at(days=300), "last_checked": at(days=3)}, False),  # old: weekly
    ({"published": "2021-06-07", "first_seen": at(days=300), "last_checked": at(days=8)}, True),
    ({"published": None, "first_seen": None, "last_checked": None}, True),  # never checked
])
def test_article_due_by_age(article, due):
    assert article_due(article, NOW, RecheckPolicy()) is due


def test_policy_from_config_and_due_articles():
    policy = RecheckPolicy.from_config({"recent_days": 2, "recent_every": "1h", "old_every": "30d"})
    assert (policy.recent_days, policy.recent_every, policy.old_every, policy.middle_every) == (2, 3600, 2592000, 86400)
    rows = [{"url": "a", "published": None, "first_seen": at(hours=5), "last_checked": at(minutes=30)},
            {"url": "b", "published": None, "first_seen": at(hours=5), "last_checked": at(hours=2)}]
    assert due_articles(rows, NOW, policy) == ["b"]


def test_idle_list_pages_wait_longer_and_longer():
    policy = RecheckPolicy()
    waits = [datetime.fromisoformat(list_next_due(streak, NOW, policy)) - NOW for streak in range(8)]
    assert waits[:4] == [timedelta(hours=6), timedelta(hours=12), timedelta(hours=24), timedelta(hours=48)]
    assert waits[-1] == timedelta(days=7)  # capped at list_max_every
    assert list_page_due(None, NOW) and list_page_due({"next_due": at(minutes=1)}, NOW)
    assert not list_page_due({"next_due": (NOW + timedelta(hours=1)).isoformat()}, NOW)


def test_dead_attachment_links_wait_longer_and_longer():
    policy = RecheckPolicy()

    def due(dead_for: timedelta, waited: timedelta, http_status: int = 404, status: str = "fetch_failed") -> bool:
        last = NOW - waited
        return attachment_due({"status": status, "http_status": http_status, "fetched_at": (last - dead_for).isoformat(),
                               "last_checked": last.isoformat()}, NOW, policy)

    # first found dead: asked again a day later, then after as long as it had been dead, up to 30 days
    assert not due(timedelta(0), timedelta(hours=23)) and due(timedelta(0), timedelta(hours=24))
    assert not due(timedelta(days=4), timedelta(days=3)) and due(timedelta(days=4), timedelta(days=4))
    assert not due(timedelta(days=400), timedelta(days=29)) and due(timedelta(days=400), timedelta(days=30))
    assert not due(timedelta(0), timedelta(hours=1), http_status=410)
    # other failures are a bad moment of the site, and files that were fetched are always asked for
    assert due(timedelta(0), timedelta(minutes=1), http_status=503)
    assert due(timedelta(0), timedelta(minutes=1), http_status=None)
    assert due(timedelta(0), timedelta(minutes=1), http_status=200, status="read")
    assert attachment_due({"status": "fetch_failed", "http_status": 404}, NOW, policy)  # no times: ask
    quick = RecheckPolicy.from_config({"dead_file_min_every": "1h", "dead_file_max_every": "2h"})
    assert (quick.dead_file_min_every, quick.dead_file_max_every) == (3600, 7200)


def test_config_validates_recheck_and_ignore_patterns():
    source = parse_source_snippet("name: x\nstart_urls: [http://a.gov.cn/]\nrecheck: {old_every: 3d}\n"
                                  "ignore_patterns: ['本文已被浏览\\d+次']\npoliteness: {backoff_factor: 3}")
    assert source.recheck.old_every == "3d" and source.ignore_patterns == ["本文已被浏览\\d+次"]
    assert source.politeness.backoff_factor == 3 and source.politeness.honour_crawl_delay
    with pytest.raises(ConfigError, match="recheck.old_every"):
        parse_source_snippet("name: x\nstart_urls: [http://a.gov.cn/]\nrecheck: {old_every: weekly}")
    with pytest.raises(ConfigError, match="recheck.dead_file_max_every"):
        parse_source_snippet("name: x\nstart_urls: [http://a.gov.cn/]\nrecheck: {dead_file_max_every: never}")
    with pytest.raises(ConfigError, match="ignore_patterns"):
        parse_source_snippet("name: x\nstart_urls: [http://a.gov.cn/]\nignore_patterns: ['(']")


def test_ignore_patterns_strip_noise_before_hashing():
    import re

    text = "第一段。\n本文已被浏览1234次\n第二段，更新于2026-11-25 08:00。"
    patterns = [re.compile(r"本文已被浏览\d+次"), re.compile(r"，更新于[\d\- :]+")]
    assert strip_ignored(text, patterns) == "第一段。\n第二段。"


BLOCK_PAGES = {
    "waf": "<html><head><title>访问被拒绝</title><script>var x=1;</script></head><body>"
           "<h1>访问被拒绝</h1><p>当前访问疑似黑客攻击，已被网站管理员设置为拦截。</p></body></html>",
    "login": "<html><body><form><p>请登录后查看本页内容</p><input name=u></form></body></html>",
    "forbidden": "<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center>"
                 "<hr><center>nginx</center></body></html>",
}


@pytest.mark.parametrize("name", list(BLOCK_PAGES))
def test_block_pages_are_recognised(name):
    assert block_reason(BLOCK_PAGES[name]).startswith("block page: ")


def test_a_long_article_that_mentions_a_phrase_is_not_a_block_page():
    article = "<html><body>" + "<p>关于网站安全验证工作的通知，请登录系统填报。" + "正文内容。" * 300 + "</p></body></html>"
    assert block_reason(article) is None


@pytest.fixture
def spider() -> SourceSpider:
    spider = SourceSpider(source="demo-gov")
    spider.configure({"allowed_domains": ["a.gov.cn"], "article_pattern": r"/t\d{8}_\d+\.html$",
                      "list_pattern": r"/index_\d+\.html$"})
    return spider


def test_block_page_is_a_failed_fetch_never_a_version(spider):
    url = "http://a.gov.cn/2021/06/t20210607_1.html"
    response = HtmlResponse(url, body=BLOCK_PAGES["waf"].encode("utf-8"), encoding="utf-8", request=Request(url))
    [page] = list(spider.parse_article(response))
    # The page is judged where it is extracted (crawler/screening.py), here in this process.
    item = ExtractionPipeline(get_crawler(), pool=None).extract_here(page)
    assert isinstance(item, FetchFailure) and item.reason == "block page: 访问被拒绝"
    assert item.url == url and item.http_status == 200


def test_redirect_away_is_a_withdrawal_but_to_an_article_is_followed(spider):
    url = "http://a.gov.cn/2021/06/t20210607_1.html"
    away = Response(url, status=302, headers={"Location": "/index.html"}, request=Request(url))
    [gone] = list(spider.parse_article(away))
    assert isinstance(gone, ArticleGone) and gone.url == url and gone.http_status == 302
    assert gone.reason == "HTTP 302: redirects to http://a.gov.cn/index.html"
    moved = Response(url, status=301, headers={"Location": "/2021/06/t20210607_2.html"}, request=Request(url))
    [follow] = list(spider.parse_article(moved))
    assert isinstance(follow, Request) and follow.url == "http://a.gov.cn/2021/06/t20210607_2.html"


class Stats:
    def __init__(self):
        self.values = {}

    def max_value(self, key, value):
        self.values[key] = max(self.values.get(key, value), value)

    def inc_value(self, key, count=1):
        self.values[key] = self.values.get(key, 0) + count


def fake_crawler(**settings):
    slot = SimpleNamespace(delay=0.0)
    downloader = SimpleNamespace(slots={"a.gov.cn": slot}, get_slot_key=lambda request: "a.gov.cn")
    crawler = SimpleNamespace(engine=SimpleNamespace(downloader=downloader), stats=Stats())
    return crawler, slot


def test_robots_crawl_delay_becomes_the_least_delay_of_the_host():
    crawler, slot = fake_crawler()
    middleware = CrawlDelayMiddleware(crawler, "govwatch")
    robots = ProtegoRobotParser(b"User-agent: *\nCrawl-delay: 3\nDisallow: /private/\n", None)
    middleware.robots_parsed(robots, Request("http://a.gov.cn/index.html"))
    middleware.process_request(Request("http://a.gov.cn/t20210607_1.html"))
    assert slot.delay == 3.0 and crawler.stats.values["govwatch/crawl_delay"] == 3.0
    slot.delay = 0.5  # AutoThrottle lowered it: the floor is put back on the next request
    middleware.process_request(Request("http://a.gov.cn/t20210607_2.html"))
    assert slot.delay == 3.0


def test_backoff_slows_a_host_down_on_429_and_recovers():
    crawler, slot = fake_crawler()
    now = [100.0]
    middleware = BackoffMiddleware(crawler, factor=2.0, max_delay=10.0, base_delay=1.0, clock=lambda: now[0])
    request = Request("http://a.gov.cn/x.html")
    for expected in (2.0, 4.0, 8.0, 10.0):
        middleware.process_response(request, Response(request.url, status=429, request=request))
        assert slot.delay == expected
    middleware.process_response(request, Response(request.url, status=503, headers={"Retry-After": "30"},
                                                  request=request))
    assert slot.delay == 10.0  # never past the cap, even when asked to wait longer
    now[0] += 10.1  # the (capped) Retry-After has passed
    for expected in (5.0, 2.5, 1.25, 1.0):
        middleware.process_response(request, Response(request.url, status=200, request=request))
        assert slot.delay == expected


def test_a_success_does_not_shorten_a_retry_after_the_host_asked_for():
    """Another URL of the host answering well (and AutoThrottle lowering the delay for it) while
    a Retry-After holds leaves the wait as asked; once it has passed, the delay recovers."""
    crawler, slot = fake_crawler()
    now = [100.0]
    middleware = BackoffMiddleware(crawler, factor=2.0, max_delay=10.0, base_delay=1.0, clock=lambda: now[0])
    asked, other = Request("http://a.gov.cn/asked.html"), Request("http://a.gov.cn/other.html")
    middleware.process_response(asked, Response(asked.url, status=503, headers={"Retry-After": "6"}, request=asked))
    assert slot.delay == 6.0
    now[0] += 5.9
    slot.delay = 3.0  # AutoThrottle saw the quick 200 first
    middleware.process_response(other, Response(other.url, status=200, request=other))
    assert slot.delay == 6.0
    now[0] += 0.2  # the wait has passed: each success lowers it again
    for expected in (3.0, 1.5, 1.0):
        middleware.process_response(other, Response(other.url, status=200, request=other))
        assert slot.delay == expected
