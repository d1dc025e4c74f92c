"""Every fault of tests/faults/server.py against the real `govwatch crawl`: what is recorded, and
that nothing stored changes.

Day 1 crawls the site as it is. Day 2 switches one article to each fault (and publishes two new
ones, one behind a soft 404 and one with a charset lie) and crawls again: each fault must be one
`fetch_errors` row with a reason a person understands, and no article, version or event may
change. Day 3 keeps only the withdrawn-looking faults (and lets a transient 404 recover): the
withdrawals are confirmed on this second sighting, the transient one never reported.

The story runs twice: on one machine (`govwatch crawl`) and distributed (a worker and the store
writer over Redis), so the two ways of writing a crawl's outcomes cannot drift apart again.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import Response

from crawler.politeness import _retry_after
from tests.faults.conftest import Distributed, SingleMachine, crawl, rows, snapshot, write_sources
from tests.faults.server import FaultSite

pytestmark = [pytest.mark.long, pytest.mark.slow, pytest.mark.timeout(240)]

# fault → (options, reason the run log must show (regex), HTTP status recorded)
FAULTS: dict[str, tuple[dict[str, Any], str, int | None]] = {
    "http_500": ({"kind": "status", "status": 500}, r"^HTTP 500 after 3 tries$", 500),
    "http_502": ({"kind": "status", "status": 502}, r"^HTTP 502 after 3 tries$", 502),
    "http_503": ({"kind": "status", "status": 503}, r"^HTTP 503 after 3 tries$", 503),
    "http_503_retry_after": ({"kind": "status", "status": 503, "retry_after": 1}, r"^HTTP 503 after 3 tries$", 503),
    "http_429": ({"kind": "status", "status": 429}, r"^HTTP 429 after 3 tries$", 429),
    "http_429_retry_after": ({"kind": "status", "status": 429, "retry_after": 1}, r"^HTTP 429 after 3 tries$", 429),
    "timeout": ({"kind": "timeout"}, r"^timeout after 2 s \(3 tries\)$", None),
    "slow_drip": ({"kind": "drip", "interval": 0.3}, r"^timeout after 2 s \(3 tries\)$", None),
    "connection_reset": ({"kind": "reset"}, r"^connection reset \(3 tries\)$", None),
    "truncated_body": ({"kind": "truncated"}, r"^truncated response: .*Content-Length \(3 tries\)$", None),
    "gzip_bomb": ({"kind": "gzip_bomb"}, r"^response larger than 10 MB limit once decompressed", None),
    "page_of_50_mb": ({"kind": "huge"}, r"^response larger than 10 MB limit$", None),
    "page_of_50_mb_unannounced": ({"kind": "huge_chunked"}, r"^response larger than 10 MB limit$", None),
    "png_as_html": ({"kind": "binary"}, r"^not HTML: image/png \(served as text/html; charset=utf-8\)$", 200),
    "empty_body": ({"kind": "empty"}, r"^empty response \(0 bytes\)$", 200),
    "gbk_labelled_utf8": ({"kind": "gbk_as_utf8"}, r"^charset lie: declared utf-8, decoded as gb18030", 200),
    "utf8_labelled_gbk": ({"kind": "utf8_as_gbk"}, r"^charset lie: declared gb18030, decoded as utf-8", 200),
    "redirect_loop": ({"kind": "redirect_loop"}, r"^redirect loop: (http://\S+ → ){2}http://\S+$", 302),
    "redirect_other_domain": ({"kind": "redirect_offsite"},
                              r"^redirect to another site: http://www\.example\.invalid/gov/index\.html$", 302),
    "redirect_other_port": ({"kind": "redirect_port"}, r"^redirect to another site: http://127\.0\.0\.1:\d+/gov/", 302),
    # withdrawn-looking: suspected on day 2, confirmed on day 3
    "http_404": ({"kind": "not_found"}, r"^HTTP 404: withdrawal suspected, reported if the next check sees it too$",
                 404),
    "http_410": ({"kind": "gone"}, r"^HTTP 410: withdrawal suspected", 410),
    "redirect_home": ({"kind": "redirect_home"},
                      r"^HTTP 302: redirects to http://\S+/gov/index\.html: withdrawal suspected", 302),
    "soft_404": ({"kind": "soft404"}, r"^soft 404: 页面不存在: withdrawal suspected", 200),
    "error_page_in_site_template": ({"kind": "error_page"}, r"^soft 404: 页面不存在: withdrawal suspected", 200),
    "error_title_over_other_text": ({"kind": "error_title"}, r"^error page: 系统提示: withdrawal suspected", 200),
}
# faults that leave no trace in the run log: the article is read as it is
HARMLESS = {"malformed_html": {"kind": "malformed"}, "502_once_then_ok": {"kind": "status", "status": 502, "times": 1}}
# list pages go through Scrapy's RedirectMiddleware, guarded by crawler.middlewares.ScopedRedirectMiddleware
LIST_FAULTS = {
    "/gov/index_1.html": ("redirect_port", r"^redirect to another site: http://127\.0\.0\.1:\d+/gov/index_1\.html$"),
    "/gov/index_2.html": ("redirect_loop",
                          r"^redirect loop: \S+/gov/index_2\.html → \S+/gov/index_900002\.html → \S+/gov/index_2\.html$"),
}
WITHDRAWN_LOOKING = ["http_404", "http_410", "redirect_home", "soft_404", "error_page_in_site_template",
                     "error_title_over_other_text"]
TRANSIENT_404 = "404_for_one_crawl"


@dataclass
class Story:
    site: FaultSite
    db_path: Path
    mode: SingleMachine | Distributed
    path_of: dict[str, str] = field(default_factory=dict)  # fault name → article path
    before: dict[str, list] = field(default_factory=dict)  # snapshot after day 1
    after: dict[str, list] = field(default_factory=dict)  # snapshot after day 2
    errors: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # day 2: path → fetch_errors rows
    new: dict[str, str] = field(default_factory=dict)  # day 2's new articles: what → path
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)  # requests per path by the end of day 2

    def url(self, name: str) -> str:
        return self.site.url(self.path_of[name])

    def crawl(self, day: str, config: Path) -> None:
        started = time.monotonic()
        result = self.mode.crawl(self.db_path, config)
        self.seconds[day] = round(time.monotonic() - started, 1)
        assert "Traceback" not in result.stdout + result.stderr
        self.runs[day] = rows(self.db_path, "select * from crawl_runs order by id desc limit 1")[0]


@pytest.fixture(scope="module")
def story(tmp_path_factory, crawl_mode) -> Story:
    names = [*FAULTS, *HARMLESS, TRANSIENT_404]
    site = FaultSite(articles=len(names) + 3)
    site.start()
    tmp = tmp_path_factory.mktemp("faults")
    config = write_sources(tmp / "sources.yaml", site)
    s = Story(site, tmp / "govwatch.db", crawl_mode, dict(zip(names, site.article_paths)))
    s.crawl("day1", config)
    s.before = snapshot(s.db_path)

    for name, (options, _, _) in FAULTS.items():
        site.set_fault(s.path_of[name], **options)
    for name, options in HARMLESS.items():
        site.set_fault(s.path_of[name], **options)
    site.set_fault(s.path_of[TRANSIENT_404], "not_found")
    for path, (kind, _) in LIST_FAULTS.items():
        site.set_fault(path, kind)
    s.new["soft_404"], s.new["charset_lie"] = site.publish(2)
    site.set_fault(s.new["soft_404"], "soft404")
    site.set_fault(s.new["charset_lie"], "gbk_as_utf8")
    s.crawl("day2", config)
    s.after = snapshot(s.db_path)
    s.hits = {path: len(times) for path, times in site.hits.items()}
    for row in rows(s.db_path, "select * from fetch_errors where run_id = ?", [s.runs["day2"]["id"]]):
        s.errors.setdefault(row["url"][len(site.base_url):], []).append(row)

    site.clear_faults()
    for name in WITHDRAWN_LOOKING:
        site.set_fault(s.path_of[name], FAULTS[name][0]["kind"])
    s.crawl("day3", config)
    print(f"\nfault crawls ({crawl_mode.name}): {s.seconds}")
    yield s
    site.stop()


def test_the_first_crawl_stores_every_article(story):
    assert story.runs["day1"]["status"] == "ok"
    assert len(story.before["articles"]) == len(story.site.article_paths) - 2
    assert all(kind == "new" for _, _, kind in story.before["events"])


@pytest.mark.parametrize("name", list(FAULTS))
def test_each_fault_is_one_failed_fetch_with_a_reason_and_changes_nothing(story, name):
    _, reason, status = FAULTS[name]
    [error] = story.errors.get(story.path_of[name], [None])
    assert error is not None, f"{name}: nothing in fetch_errors"
    assert re.search(reason, error["reason"]), error["reason"]
    assert error["http_status"] == status
    url = story.url(name)
    assert [a for a in story.after["articles"] if a[0] == url] == [a for a in story.before["articles"] if a[0] == url]


@pytest.mark.parametrize("name", list(HARMLESS))
def test_harmless_faults_are_read_as_the_article_they_are(story, name):
    assert story.path_of[name] not in story.errors
    url = story.url(name)
    assert [a for a in story.after["articles"] if a[0] == url] == [a for a in story.before["articles"] if a[0] == url]


def test_faults_raise_no_event_and_write_no_version(story):
    day2_events = story.after["events"][len(story.before["events"]):]
    assert [kind for _, _, kind in day2_events] == ["new"]  # the new article behind a charset lie
    old_versions = {v[1] for v in story.before["versions"]}
    assert [v for v in story.after["versions"][len(story.before["versions"]):] if v[1] in old_versions] == []
    assert story.runs["day2"]["status"] == "ok"
    assert story.runs["day2"]["articles_changed"] == story.runs["day2"]["articles_withdrawn"] == 0


def test_a_new_article_behind_a_charset_lie_is_stored_with_its_real_text(story):
    doc = story.site.docs[story.new["charset_lie"]]
    [article] = rows(story.db_path, "select a.text, a.title, v.encoding from articles a join article_versions v"
                                    " on v.id = a.current_version_id where a.url = ?", [story.site.url(doc.path)])
    assert article["encoding"] == "gb18030" and doc.paragraphs[1] in article["text"]
    assert article["title"] == doc.title


def test_a_new_article_behind_a_soft_404_is_never_stored(story):
    url = story.site.url(story.new["soft_404"])
    assert url not in {a[0] for a in story.after["articles"]}  # (day 3 stores it: the page came back)
    [error] = story.errors[story.new["soft_404"]]
    assert error["reason"] == "soft 404: 页面不存在" and error["http_status"] == 200


def test_transient_faults_are_retried_and_a_retry_that_succeeds_leaves_no_error(story):
    hits = story.hits
    assert hits[story.path_of["http_503"]] == 1 + 3  # day 1, then three tries on day 2
    # Twisted itself retries once a request whose reused keep-alive connection was reset
    assert 1 + 3 <= hits[story.path_of["connection_reset"]] <= 1 + 6
    assert hits[story.path_of["502_once_then_ok"]] == 1 + 2  # day 1, then a 502 and its retry


def test_redirects_to_another_site_are_never_followed(story):
    assert story.site.trap_hits == []


@pytest.mark.parametrize("path", list(LIST_FAULTS))
def test_list_page_redirects_off_site_or_around_a_loop_are_refused(story, path):
    [error] = story.errors[path]
    assert re.search(LIST_FAULTS[path][1], error["reason"]), error["reason"]


def test_withdrawn_looking_answers_are_only_suspected_at_first(story):
    pending = {r["url"]: r for r in rows(story.db_path, "select * from pending_withdrawals")}
    for name in WITHDRAWN_LOOKING:
        assert story.url(name) not in pending or pending[story.url(name)]["sightings"] in (1, 2)
    statuses = {a[0]: a[4] for a in story.after["articles"]}
    assert all(statuses[story.url(name)] == "live" for name in [*WITHDRAWN_LOOKING, TRANSIENT_404])
    [error] = story.errors[story.path_of[TRANSIENT_404]]
    assert error["reason"].startswith("HTTP 404: withdrawal suspected")


def test_a_second_sighting_on_a_later_crawl_confirms_the_withdrawal(story):
    events = rows(story.db_path, "select e.kind, e.detail, a.url from events e join articles a on a.id = e.article_id"
                                 " where e.run_id = ?", [story.runs["day3"]["id"]])
    withdrawn = [e for e in events if e["kind"] == "withdrawn"]
    assert sorted(e["url"] for e in withdrawn) == sorted(story.url(n) for n in WITHDRAWN_LOOKING)
    # and the new page that was a soft 404 yesterday is stored now that it answers
    assert [e["url"] for e in events if e["kind"] != "withdrawn"] == [story.site.url(story.new["soft_404"])]
    details = {e["url"]: e["detail"] for e in events}
    assert details[story.url("http_404")].startswith("HTTP 404 (confirmed: gone on 2 checks since ")
    assert details[story.url("soft_404")].startswith("soft 404: 页面不存在 (confirmed")
    assert rows(story.db_path, "select * from pending_withdrawals") == []


def test_a_404_that_recovers_is_never_reported(story):
    url = story.url(TRANSIENT_404)
    assert rows(story.db_path, "select kind from events e join articles a on a.id = e.article_id"
                               " where a.url = ? and kind != 'new'", [url]) == []
    assert rows(story.db_path, "select status from articles where url = ?", [url]) == [{"status": "live"}]


def test_the_faulty_crawl_still_finishes_in_seconds(story):
    assert story.seconds["day2"] < 60


# -- Retry-After ----------------------------------------------------------------------------------

def test_retry_after_is_honoured_up_to_the_cap(tmp_path):
    with FaultSite(articles=3) as site:
        config = write_sources(tmp_path / "sources.yaml", site, politeness={"backoff_max_delay": 2.5})
        honoured, capped, _ = site.article_paths
        site.set_fault(honoured, "status", status=503, retry_after=1.5, times=2)  # third try succeeds
        site.set_fault(capped, "status", status=429, retry_after=3600)  # an hour: capped at 2.5 s
        started = time.monotonic()
        crawl(tmp_path / "govwatch.db", config)
        took = time.monotonic() - started
        gaps = [b - a for a, b in zip(site.hits[honoured], site.hits[honoured][1:])]
        assert len(gaps) == 2 and min(gaps) >= 1.4, gaps
        capped_gaps = [b - a for a, b in zip(site.hits[capped], site.hits[capped][1:])]
        assert len(capped_gaps) == 2 and max(capped_gaps) < 6, capped_gaps
        assert took < 60
        stored = rows(tmp_path / "govwatch.db", "select url from articles")
        assert site.url(honoured) in {r["url"] for r in stored}


@pytest.mark.parametrize(("header", "expected"), [("120", 120.0), ("0", 0.0), ("soon", None), ("", None)])
def test_retry_after_header_forms(header, expected):
    request = Request("http://a.gov.cn/x.html")
    headers = {"Retry-After": header} if header else {}
    assert _retry_after(Response(request.url, status=503, headers=headers, request=request)) == expected


def test_retry_after_as_an_http_date():
    request = Request("http://a.gov.cn/x.html")
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    seconds = _retry_after(Response(request.url, status=503, headers={"Retry-After": when}, request=request))
    assert 25 <= seconds <= 31
