"""The one generic spider: a configured source's list pages → its article pages.

Everything site-specific (start URLs, how polite to be, how often known pages are re-checked,
and optionally which links are articles) comes from the source's row in the database, synced
from sources.yaml. Without an `article_pattern`/`article_xpath`, the list page itself says
which links are its articles and how it paginates (crawler/listing); what was learned about
each start page is kept (storage/list_profiles.py) and reused by later crawls. Re-checks are
cheap: articles go out with conditional GET (crawler/middlewares.py), only the ones due under
crawler/recheck.py are re-checked, and deep list pages that keep showing nothing new are
visited less often.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urldefrag, urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.url import safe_url_string

from crawler.block_pages import block_reason, error_page_reason
from crawler.crawl_store import crawl_store
from crawler.items import ArticlePage
from crawler.listing import ListProfile, ListReading, read_list_page
from crawler.listing.jpage import split_post_page
from crawler.listing.pagination import POSTBACK_WITHOUT_NEXT
from crawler.listing.script_links import MAX_SCRIPT_FILE_BYTES
from crawler.recheck import RecheckPolicy, due_articles, list_next_due, list_page_due
from crawler.response_checks import binary_type, declared_charset, failure_reason, tries_note
from crawler.url_scope import matchable
from storage.articles import known_articles
from storage.list_pages import list_page_stats, stored_list_view
from storage.list_profiles import source_profiles
from storage.outcomes import (
    ArticleGone,
    ArticleLinksSeen,
    ArticleNotModified,
    FetchFailure,
    ListPageFetched,
    ListProfileLearned,
)
from storage.robots_txt import UNREACHABLE_KEEP_S, StoredRobotsTxt, stored_robots_txt
from storage.runs import RUN_NOTE_MARK
from storage.sources import get_source
from storage.transactions import utc_now
from storage.unfetched_links import owed_links

# Statuses an article callback wants to see rather than have filtered out: a redirect is
# judged here (moved to another article, or sent away to a list or home page = withdrawn).
REDIRECT_STATUSES = [301, 302, 303, 307, 308]
ARTICLE_STATUSES = [304, 404, 410, *REDIRECT_STATUSES]
DEFAULT_PORTS = {"http": 80, "https": 443}
ARTICLE_PRIORITY = 10  # above list pages (0): see article_request
LIST_SCRIPT_PRIORITY = 5  # a list page waits for them before its articles are known
RECHECK_CHUNK = 1000  # re-checks handed to the scheduler per idle: see on_idle
NEVER_MATCHES = r"(?!)"
MAX_RUN_NOTES = 20  # notes kept in a run's message and log tail (see note)
# What a list page's full fetch showed is kept for a 304 to replay (storage/list_pages.py) up to
# this many links; a page with more is always fetched whole.
MAX_SHOWN_LINKS = 500  # gov lists show 15–50 items; the JSON kept stays under ~1.3 MB
MAX_VALIDATOR_CHARS = 200
LIST_VIEW_MAX_AGE = timedelta(days=1)  # a kept view older than this: the list page is read whole
# What jpage.js's jQuery request sends with a group's form: its type and jQuery's XMLHttpRequest marker
POST_HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8", "X-Requested-With": "XMLHttpRequest"}
POSTBACK_MARK = "#postback:"  # see post_back
LIST_NAME = "govwatch_list_name"  # meta: the name of a list page fetched by POST (see list_name)
MAX_POSTBACK_BYTES = 2_000_000  # an ASP.NET page's form, __VIEWSTATE included, posted for its next page
MAX_ANCHOR_CHARS = 500  # a list's link text is a headline; anything longer is cut before it is stored
# Paths that name a list or a home page rather than an article: without an article pattern, a
# redirect there is a withdrawal (see looks_like_article).
LIST_LIKE_PATH = re.compile(r"(?:^|/)(?:(?:index|default|home|list)(?:[_-]\d+)?\.\w+)?$", re.IGNORECASE)


@dataclass
class ListScripts:
    """A list page waiting for the site's script files its links call into (see parse_detected).

    Carried as a plain dict in the script requests' meta (``as_meta``), one request after the
    other: the distributed frontier stores requests as JSON, and the next file may be fetched by
    another worker."""

    url: str
    status: int
    body: bytes
    encoding: str
    validators: dict[str, str]   # ETag and Last-Modified: the visit keeps them for conditional GET
    depth: int
    start: str
    urls: list[str]
    texts: dict[str, str] = field(default_factory=dict)   # URL → text ("" for one that failed)

    @classmethod
    def of(cls, response: TextResponse, depth: int, start: str, urls: list[str]) -> ListScripts:
        validators = {name: value for name in ("ETag", "Last-Modified")
                      if (value := response.headers.get(name, b"").decode("latin-1"))}
        return cls(response.url, response.status, response.body, response.encoding, validators, depth, start, urls)

    def as_meta(self) -> dict[str, Any]:
        return asdict(self)

    def page(self) -> TextResponse:
        """The list page as it was fetched, to be read again with the scripts."""
        return TextResponse(self.url, status=self.status, headers=self.validators, body=self.body,
                            encoding=self.encoding)


def stored_list_hints(known: list[dict[str, Any]]) -> dict[str, tuple[str | None, str | None]]:
    """url → (link text, date) the source's list pages last showed for each known article
    (storage.articles.known_articles), for the requests no list page makes this time."""
    return {a["url"]: (a.get("list_anchor"), a.get("list_date")) for a in known
            if a.get("list_anchor") or a.get("list_date")}


class SourceSpider(scrapy.Spider):
    """`scrapy crawl source -a source=NAME` (the source must be in the database)."""

    name = "source"

    def __init__(self, source: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not source:
            raise ValueError("the source spider needs a source name: scrapy crawl source -a source=NAME")
        self.source_name = source
        self.config: dict[str, Any] = {}
        self.requested_articles: set[str] = set()
        self.recheck_scheduled = False
        self.recheck_waiting: Iterator[str] = iter(())
        self.known_urls: set[str] = set()
        self.list_hints: dict[str, tuple[str | None, str | None]] = {}  # url → (link text, date) its list last showed
        self.due_urls: list[str] = []
        # Links earlier crawls saw on a list page and never stored (storage/unfetched_links.py).
        self.owed_urls: list[str] = []
        self.list_stats: dict[str, dict[str, Any]] = {}
        self.started = datetime.now(UTC)
        # start URL → {"profile": dict, "pinned": bool, …} as stored (storage/list_profiles.py)
        self.stored_profiles: dict[str, dict[str, Any]] = {}
        self.profiles: dict[str, ListProfile] = {}  # start URL → the profile this crawl reads it with
        self.rules_keys: dict[str, tuple[ListProfile | None, str]] = {}  # start → (profile, list_rules_key)
        # origin → its robots.txt as an earlier crawl fetched it: reused while young, obeyed while
        # the host fails to serve it (crawler/robots.py)
        self.stored_robots_txt: dict[str, StoredRobotsTxt] = {}
        self.list_urls: set[str] = set()  # start and pagination URLs seen: never articles
        self.list_scripts: dict[str, str] = {}  # script files list pages call into, fetched by this crawl
        # What the run is judged on when it closes (storage.runs.run_outcome, in the pipeline):
        self.start_failures: dict[str, str] = {}
        self.bare_starts: list[str] = []  # start pages that showed no article link (see starts_without_links)
        self.framed_starts: dict[str, bool] = {}  # start without a list of its own → a frame of it showed one
        self.run_notes: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        db = crawl_store(crawler)  # opened and migrated here, the crawl's first use of it
        spider.configure(get_source(db, spider.source_name))
        known = known_articles(db, spider.source_name)
        spider.list_stats = list_page_stats(db, spider.source_name)
        spider.stored_profiles = source_profiles(db, spider.source_name)
        spider.owed_urls = owed_links(db, spider.source_name)
        if (spider.config.get("politeness") or {}).get("obey_robots", True):
            max_age_s = crawler.settings.getfloat("GOVWATCH_ROBOTSTXT_MAX_AGE_S")
            spider.stored_robots_txt = stored_robots_txt(db, spider.allowed_domains,
                                                         max(max_age_s, UNREACHABLE_KEEP_S))
        spider.known_urls = {a["url"] for a in known}
        spider.list_hints = stored_list_hints(known)
        spider.due_urls = due_articles(known, spider.started, spider.policy)
        # A suspected withdrawal is checked again at every crawl, whatever the re-check policy says.
        spider.due_urls += [a["url"] for a in known if a.get("withdraw_suspected") and a["url"] not in spider.due_urls]
        spider.recheck_skipped = len(known) - len(spider.due_urls)
        spider.apply_politeness(crawler)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    def configure(self, config: dict[str, Any]) -> None:
        self.config = config
        self.allowed_domains = list(config["allowed_domains"])
        self.allowed_ports = allowed_ports(config.get("start_urls") or [])
        self.allow_paths = tuple(config.get("allow_paths") or ())
        # One pass over a list page's links, sorted into articles and list pages by pattern (two
        # extractors with `allow` would each join and quote every link of the page again).
        self.page_links = LinkExtractor(unique=True)
        pattern, xpath = config.get("article_pattern"), config.get("article_xpath")
        self.article_pattern = pattern
        # No pattern and no XPath (the default): the list detector finds the articles.
        self.detect_lists = not pattern and not xpath
        self.article_links = LinkExtractor(
            allow=pattern or (), restrict_xpaths=xpath, unique=True,
        ) if xpath else None
        # without a pattern (the detector's links, or an XPath alone) no URL is an article by its shape
        self.article_re = re.compile(pattern or NEVER_MATCHES)
        self.list_re = re.compile(config["list_pattern"])
        self.policy = RecheckPolicy.from_config(config.get("recheck"))

    def apply_politeness(self, crawler: Crawler) -> None:
        """Per-source throttling, set before the crawler freezes its settings."""
        polite = self.config.get("politeness") or {}
        overrides = {
            "AUTOTHROTTLE_ENABLED": polite.get("autothrottle", True),
            "DOWNLOAD_DELAY": polite.get("download_delay", 1.0),
            "CONCURRENT_REQUESTS_PER_DOMAIN": polite.get("concurrent_requests", 4),
            "ROBOTSTXT_OBEY": polite.get("obey_robots", True),
            "GOVWATCH_CRAWL_DELAY_ENABLED": polite.get("honour_crawl_delay", True),
            "GOVWATCH_BACKOFF_FACTOR": polite.get("backoff_factor", 2.0),
            "GOVWATCH_BACKOFF_MAX_DELAY": polite.get("backoff_max_delay", 60.0),
            "DOWNLOAD_TIMEOUT": polite.get("download_timeout", 30),
            "CLOSESPIDER_TIMEOUT": self.config.get("time_limit_s", 1800),
        }
        for key, value in overrides.items():
            crawler.settings.set(key, value, priority="spider")

    async def start(self) -> AsyncIterator[Any]:
        self.crawler.stats.set_value("govwatch/recheck_due", len(self.due_urls))
        self.crawler.stats.set_value("govwatch/recheck_skipped", getattr(self, "recheck_skipped", 0))
        for url in self.config["start_urls"]:
            self.list_urls.add(url)
            yield self.list_request(url, 1, url)

    def list_request(self, url: str, depth: int, start: str) -> scrapy.Request:
        """A request for a list page, asked conditionally when what its last full fetch showed
        was kept with the same reading rules: a 304 then follows that (parse_unchanged_list).

        At least once a day it is read whole anyway: a server whose validators miss an edit
        (a Last-Modified to the second, a list written twice in that second) must not hide a
        list's new items for longer than that.

        A page named with a form (crawler.listing.jpage: ``url#post:form``) is POSTed to its URL;
        the name, fragment included, is the request's URL (the fragment is never sent) and the page's
        name in the crawl's bookkeeping (list_name), which keeps two columns that post to one
        address apart.
        """
        meta: dict[str, Any] = {"govwatch_start": url} if depth == 1 else {}
        _, form = split_post_page(url)
        if form is not None:  # a Hanweb jpage group: posted as the site's script posts it; never conditional
            return scrapy.Request(url, method="POST", body=form, headers=POST_HEADERS, callback=self.parse_list,
                                  errback=self.failed, cb_kwargs={"depth": depth, "start": start},
                                  meta={**meta, LIST_NAME: url})
        view = stored_list_view(self.list_stats.get(url))
        if (view is not None and view.rules == self.list_rules_key(start) and view.kept_at is not None
                and view.kept_at > self.started - LIST_VIEW_MAX_AGE):
            meta["govwatch_list_validators"] = {"etag": view.etag, "last_modified": view.last_modified}
            meta["handle_httpstatus_list"] = [304]
        return scrapy.Request(url, callback=self.parse_list, errback=self.failed,
                              cb_kwargs={"depth": depth, "start": start}, meta=meta)

    def list_rules_key(self, start: str) -> str:
        """What decides which links a page of this column shows to the crawl: the source's patterns,
        XPath and scope, and the start's list profile. A view kept under other rules (an operator
        edited them, a profile was learned again) is not replayed: the page is read again.

        Kept per start until this crawl reads the start with another profile: it is asked for
        every list request and every full visit, and rebuilding the stored profile costs ~1 ms.
        """
        profile = self.profiles.get(start)
        known = self.rules_keys.get(start)
        if known is not None and known[0] is profile:
            return known[1]
        learned = profile
        stored = self.stored_profiles.get(start)
        if profile is None and stored is not None:
            try:  # as read_list reads it, so both sides of the comparison are the same dict
                profile = ListProfile.from_dict(stored["profile"])
            except (ValueError, TypeError):
                profile = None
        rules = {
            "article_pattern": self.config.get("article_pattern"), "article_xpath": self.config.get("article_xpath"),
            "list_pattern": self.config.get("list_pattern"), "allowed_domains": sorted(self.allowed_domains),
            "allow_paths": list(self.allow_paths), "max_list_pages": self.config.get("max_list_pages", 10),
            "profile": profile.to_dict() if profile is not None else None,
            "pinned": bool(stored and stored.get("pinned")),
        }
        key = hashlib.sha256(json.dumps(rules, sort_keys=True, default=str).encode()).hexdigest()[:16]
        self.rules_keys[start] = (learned, key)
        return key

    def on_site(self, url: str) -> bool:
        """On an allowed host (subdomains included) and port.

        Checked here rather than with LinkExtractor(allow_domains=…), which compares the
        netloc and so never matches a host with a port, such as the local demo's; Scrapy's
        OffsiteMiddleware ignores ports altogether, so another service on the same host
        (127.0.0.1:other) would pass it.
        """
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in DEFAULT_PORTS:
            return False
        if not any(host == d or host.endswith("." + d) for d in self.allowed_domains):
            return False
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError:
            return False
        return not self.allowed_ports or port in self.allowed_ports

    def in_scope(self, url: str) -> bool:
        """On site (see on_site) and inside the path prefixes, if any."""
        if not self.on_site(url):
            return False
        return not self.allow_paths or urlsplit(url).path.startswith(self.allow_paths)

    def parse_list(self, response: Response, depth: int, start: str | None = None) -> Iterator[Any]:
        start = start or response.url
        if response.status == 304:
            yield from self.parse_unchanged_list(response, depth, start)
            return
        problem = page_problem(response)
        if problem:
            self.start_failed(start, depth, problem)
            yield FetchFailure(response.url, self.source_name, f"list page: {problem}", response.status)
            return
        blocked = block_reason(response.text) or error_page_reason(response.text)
        if blocked:
            self.start_failed(start, depth, blocked)
            yield FetchFailure(response.url, self.source_name, f"list page: {blocked}", response.status)
            return
        if self.detect_lists:
            yield from self.parse_detected(response, depth, start)
            return

        links = [link.url for link in self.page_links.extract_links(response) if matchable(link.url)]
        if self.article_links is None:
            articles = [url for url in links if self.article_re.search(url)]
        else:
            articles = [link.url for link in self.article_links.extract_links(response) if matchable(link.url)]
        scoped = [url for url in articles if self.in_scope(url)]
        new_links, seen = self.links_seen(response.url, scoped)
        for url in scoped:
            yield self.article_request(url)
        if depth == 1 and not scoped:
            self.bare_starts.append(start)
        if seen is not None:
            yield seen
        pages = list(dict.fromkeys(url for url in links if self.list_re.search(url) and self.in_scope(url)
                                   and not self.article_re.search(url)))
        yield self.list_visit(response, new_links, start, [(url, None) for url in scoped], pages)
        if depth < self.config.get("max_list_pages", 10):
            yield from self.follow_pages(response, pages, depth, start, new_links)

    def parse_unchanged_list(self, response: Response, depth: int, start: str) -> Iterator[Any]:
        """A list page that answered 304 to our conditional request: what its last full fetch
        showed (its article links, the list pages it leads to) is followed as the page would be."""
        view = stored_list_view(self.list_stats.get(response.url))
        if view is None:  # a 304 to a request without validators: nothing to follow
            reason = "list page: answered 304 Not Modified to a request that was not conditional"
            self.start_failed(start, depth, reason)
            yield FetchFailure(response.url, self.source_name, reason, response.status)
            return
        self.crawler.stats.inc_value("govwatch/list_pages_not_modified")
        scoped = [(url, anchor) for url, anchor in view.links if matchable(url) and self.in_scope(url)]
        new_links, seen = self.links_seen(response.url, [url for url, _ in scoped])
        for url, anchor in scoped:
            yield self.article_request(url, anchor=anchor)
        if depth == 1 and not scoped:
            self.bare_starts.append(start)
        elif scoped and start in self.framed_starts:
            self.framed_starts[start] = True
        if seen is not None:
            yield seen
        yield self.list_visit(response, new_links, start)
        if depth < self.config.get("max_list_pages", 10):
            yield from self.follow_pages(response, view.pages, depth, start, new_links)

    def start_failed(self, start: str, depth: int, reason: str) -> None:
        """A start page that could not be read: the run is judged on it (storage.runs.run_outcome)."""
        if depth == 1:
            self.start_failures[start] = reason

    def parse_detected(self, response: Response, depth: int, start: str,
                       scripts: list[str] | None = None) -> Iterator[Any]:
        """A list page read by the list detector: its main list's articles and its pagination.

        The start page's profile (learned by an earlier crawl, or by this one) is what the
        deeper pages of the column are read with. When several of its links call a function
        defined in one of the site's script files, those are fetched first and the page is read
        again with them (*scripts*; see fetch_list_scripts).
        """
        assert isinstance(response, TextResponse)  # page_problem refused anything else
        try:
            reading, learned = self.read_list(response, depth, start, scripts)
        except Exception as exc:  # a page that breaks the detector is that page's failure, not the crawl's
            self.logger.exception("list detector failed on %s", response.url)
            if depth == 1:
                self.start_failures[start] = f"list detector failed: {type(exc).__name__}"
            yield FetchFailure(response.url, self.source_name, f"list page: list detector failed: {exc}",
                               response.status)
            return
        if reading is not None and reading.scripts_wanted:
            yield from self.fetch_list_scripts(ListScripts.of(response, depth, start, reading.scripts_wanted))
            return
        if learned is not None:
            yield learned
        scoped = [link for link in reading.article_links
                  if matchable(link.url) and self.in_scope(link.url)] if reading is not None else []
        new_links, seen = self.links_seen(response.url, [link.url for link in scoped])
        for link in scoped:
            yield self.article_request(link.url, anchor=link.anchor, list_date=link.date)
        # a page posted for by its 下一页 whose own pager has none is the last
        if reading is not None and not (POSTBACK_MARK in list_name(response)
                                        and reading.pagination.unsupported == POSTBACK_WITHOUT_NEXT):
            self.note_unsupported(response.url, reading.pagination.unsupported)
        frames = [url for url in (reading.frames if reading is not None else [])
                  if self.in_scope(url) and url not in self.list_urls] if depth == 1 and not scoped else []
        if frames:
            yield from self.read_frames(response, frames, start)
        elif depth == 1 and not scoped:
            self.bare_starts.append(start)
            self.logger.warning("no article links found on start page %s", response.url)
        elif scoped and start in self.framed_starts:
            self.framed_starts[start] = True
        if seen is not None:
            yield seen
        shown = None if frames else [(link.url, link.anchor) for link in scoped]  # a framed start is read whole
        yield self.list_visit(response, new_links, start, shown,
                              reading.pagination.urls if reading is not None else None)
        if reading is not None and depth < self.config.get("max_list_pages", 10):
            yield from self.follow_pages(response, reading.pagination.urls, depth, start, new_links)
            if reading.pagination.postback is not None:
                yield from self.post_back(response, reading.pagination.postback, depth, start, new_links)

    def post_back(self, response: TextResponse, control: tuple[str, str], depth: int, start: str,
                  new_links: int) -> Iterator[scrapy.Request]:
        """An ASP.NET WebForms list's next page: the page's form posted as its 下一页 control posts it
        (``__doPostBack(target, argument)``), hidden ``__VIEWSTATE`` and all. Each page's form leads to
        the next only, so the pages are asked for one after the other, while they show new articles
        (or the next is due), like the pages of any pager. The page is named by the form's address and,
        after ``#postback:``, its place in the chain and the control's argument: its bookkeeping, not a
        URL to replay (a 304's replay has no form to post, so these pages are not in what a visit keeps)."""
        target, argument = control
        form = "//form[.//input[@name='__VIEWSTATE' or @name='__EVENTTARGET']]"
        try:
            request = scrapy.FormRequest.from_response(
                response, formxpath=form, dont_click=True, callback=self.parse_list, errback=self.failed,
                formdata={"__EVENTTARGET": target, "__EVENTARGUMENT": argument},
                cb_kwargs={"depth": depth + 1, "start": start})
        except ValueError:  # no such form on the page
            self.note_unsupported(response.url, "ASP.NET __doPostBack pager without its form")
            return
        # its place in the chain and the control's argument ('Page$Next' may be the same on every page)
        name = f"{urldefrag(request.url)[0]}{POSTBACK_MARK}{depth + 1}/{quote(argument)}"
        if len(request.body) > MAX_POSTBACK_BYTES:
            self.note_unsupported(response.url, f"ASP.NET __doPostBack pager: its form is over "
                                                f"{MAX_POSTBACK_BYTES // 1_000_000} MB")
            return
        if name in self.list_urls or not (matchable(name) and self.on_site(name) and self.in_scope(name)):
            return
        if new_links or list_page_due(self.list_stats.get(name), self.started):
            self.list_urls.add(name)
            yield request.replace(url=name, meta={**request.meta, LIST_NAME: name})
        else:
            self.crawler.stats.inc_value("govwatch/list_pages_skipped")

    def read_frames(self, response: Response, frames: list[str], start: str) -> Iterator[scrapy.Request]:
        """A start page without a list of its own that shows on-site pages in frames (an old portal's
        column, a 信息公开 platform embedding its list): the frames are read as the start's list pages.
        The start page keeps no view to replay (see list_visit), so each crawl reads it and its frames
        again; the run counts the start as without links only if no frame showed one."""
        self.framed_starts.setdefault(start, False)
        self.crawler.stats.inc_value("govwatch/list_frames_followed", len(frames))
        self.note(f"start page {response.url} shows no list; reading the list pages it shows in frames: "
                  f"{', '.join(frames)}")
        for url in frames:
            self.list_urls.add(url)
            yield self.list_request(url, 2, start)

    @property
    def starts_without_links(self) -> list[str]:
        """What the run is judged on: start pages that showed no article link, themselves or in a frame."""
        return self.bare_starts + [start for start, found in self.framed_starts.items() if not found]

    def read_list(self, response: TextResponse, depth: int, start: str,
                  scripts: list[str] | None = None) -> tuple[ListReading | None, ListProfileLearned | None]:
        """read_list_page with the start's profile, and what a start page (re-)learned, to keep.

        The reading is None when it must not be followed: a pinned profile that no longer matches
        (an operator's choice is never replaced by a guess), or a deeper page where the start's
        list was not found (page 2 of a column with `javascript:;` items: a fresh guess there
        would pick a side box, which is how navigation ends up stored as articles); a fresh reading
        of the same region is that list. A reading that
        wants on-site script files is returned before anything is learned from it: the page is
        read again once they are in.
        """
        stored = self.stored_profiles.get(start)
        profile = self.profiles.get(start)
        if profile is None and stored is not None:
            try:
                profile = ListProfile.from_dict(stored["profile"])
            except (ValueError, TypeError) as exc:  # a profile of an older detector: learned again
                self.note(f"start page {start}: stored list profile unreadable ({exc}); learned again")
        reading = read_list_page(response.text, response.url, profile=profile, scripts=scripts)
        reading.scripts_wanted = [url for url in reading.scripts_wanted if self.on_site(url)]
        if reading.scripts_wanted:
            return reading, None
        stats = self.crawler.stats
        if depth > 1:
            # learned afresh at the region the start's profile names, it is the same list whose later
            # items drifted from the start's URL shape (older, shorter ids; another sub-column)
            if reading.relearned and not (profile is not None and reading.profile is not None
                                          and reading.profile.region == profile.region):
                stats.inc_value("govwatch/list_pages_unmatched")
                return None, None
            return reading, None
        pinned = bool(stored and stored.get("pinned"))
        if reading.relearned and pinned:
            stats.inc_value("govwatch/list_profile_pinned_unmatched")
            self.note(f"start page {response.url}: the pinned list profile found no list; nothing followed "
                      f"(`govwatch sources profile {self.source_name} --reset` learns it again)")
            return None, None
        learned = None
        if reading.profile is not None:
            self.profiles[start] = reading.profile
            if reading.relearned:
                stats.inc_value("govwatch/list_profile_relearned")
                self.note(f"start page {response.url}: the stored list profile no longer fits the page; "
                          f"learned again ({reading.region_summary})")
            elif profile is None:
                stats.inc_value("govwatch/list_profile_learned")
            if reading.relearned or profile is None:
                learned = ListProfileLearned(start, self.source_name, reading.profile.to_dict(), reading.relearned)
        return reading, learned

    def fetch_list_scripts(self, waiting: ListScripts) -> Iterator[Any]:
        """Ask for the next script file a list page waits for (at most MAX_SCRIPT_FILE_BYTES; one
        this crawl process has fetched already is not asked again); the page is read again when
        the last one is in or has failed."""
        for url in waiting.urls:
            if url not in waiting.texts and url in self.list_scripts:
                waiting.texts[url] = self.list_scripts[url]
        missing = [url for url in waiting.urls if url not in waiting.texts]
        if missing:
            yield scrapy.Request(missing[0], callback=self.list_script_fetched, errback=self.list_script_failed,
                                 dont_filter=True, priority=LIST_SCRIPT_PRIORITY,
                                 meta={"govwatch_list_scripts": waiting.as_meta(),
                                       "download_maxsize": MAX_SCRIPT_FILE_BYTES})
            return
        scripts = [waiting.texts[url] for url in waiting.urls]
        yield from self.parse_detected(waiting.page(), waiting.depth, waiting.start, scripts)

    def list_script_fetched(self, response: Response) -> Iterator[Any]:
        text = response.text if isinstance(response, TextResponse) else ""
        url = (response.meta.get("redirect_urls") or [response.request.url])[0]  # type: ignore[union-attr]
        self.list_scripts[url] = text
        self.crawler.stats.inc_value("govwatch/list_scripts_fetched")
        yield from self.list_script_in(ListScripts(**response.meta["govwatch_list_scripts"]), url, text)

    def list_script_failed(self, failure: Failure) -> Iterator[Any]:
        """A script file that could not be had: the page is read without it, as before it was asked for."""
        request = failure.request  # type: ignore[attr-defined]
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        self.logger.info("list page script not fetched: %s: %s", url, failure.getErrorMessage())
        self.list_scripts[url] = ""
        yield from self.list_script_in(ListScripts(**request.meta["govwatch_list_scripts"]), url, "")

    def list_script_in(self, waiting: ListScripts, url: str, text: str) -> Iterator[Any]:
        waiting.texts[url] = text
        yield from self.fetch_list_scripts(waiting)

    def note_unsupported(self, url: str, unsupported: str | None) -> None:
        """A pager the crawl cannot follow (a POST form, __doPostBack): said in the run log, once a page."""
        if unsupported:
            self.crawler.stats.inc_value("govwatch/pagination_unsupported")
            self.note(f"pagination not followed on {url}: {unsupported}")

    def note(self, text: str) -> None:
        """A line for the run's message and log (see monitor/crawls.py: kept at the end of its log tail).

        At most MAX_RUN_NOTES: a crawl of thousands of list pages with the same unsupported pager
        must not write thousands of lines into the run's message.
        """
        if text in self.run_notes:
            return
        if len(self.run_notes) >= MAX_RUN_NOTES:
            self.crawler.stats.inc_value("govwatch/run_notes_dropped")
            return
        self.run_notes.append(text)
        self.logger.warning("%s %s", RUN_NOTE_MARK, text)
        if len(self.run_notes) == MAX_RUN_NOTES:
            self.run_notes.append("further notes left out (stat govwatch/run_notes_dropped)")

    def follow_pages(self, response: Response, urls: list[str], depth: int, start: str,
                     new_links: int) -> Iterator[scrapy.Request]:
        """The next list pages of a column, in scope, while they may show something new.

        A page this crawl has asked for already is passed over here: Scrapy's duplicate filter
        would drop the request, but only after it was built and sent through every spider and
        scheduler middleware, and a script pager (TRS's createPageHTML) names every page of the
        column on every page: a column of 120 pages was 14,000 such requests, ~4 s of the crawl
        process alone while the extraction workers waited (bench/README.md).
        """
        for url in (_page_url(response, url) for url in urls):
            # a jpage group is the column's own records, posted for at the CMS's data address, which lies
            # outside any column's path: on the site is its scope
            scoped = self.on_site(url) if split_post_page(url)[1] is not None else self.in_scope(url)
            if url in self.list_urls or url in self.requested_articles or not (matchable(url) and scoped):
                continue
            # Deeper pages are followed while this one shows new articles (they may have
            # pushed others down), otherwise only when their own next visit is due.
            if new_links or list_page_due(self.list_stats.get(url), self.started):
                self.list_urls.add(url)
                yield self.list_request(url, depth + 1, start)
            else:
                self.crawler.stats.inc_value("govwatch/list_pages_skipped")

    def links_seen(self, list_url: str, urls: list[str]) -> tuple[int, ArticleLinksSeen | None]:
        """Of a list's in-scope article links, called before they are requested: how many the store
        does not hold (the visit's new links), and those of them this crawl had not asked for yet,
        to note (a link met again on a later page, pushed down by a notice published mid-crawl,
        may be stored by now). Noted with the crawl's next batch: if this crawl fails to store
        them, later crawls ask for them directly (see on_idle)."""
        unknown = [url for url in urls if url not in self.known_urls]
        first_seen = [url for url in unknown if url not in self.requested_articles]
        return len(unknown), ArticleLinksSeen(list_url, self.source_name, first_seen) if first_seen else None

    def list_visit(self, response: Response, new_links: int, start: str,
                   links: list[tuple[str, str | None]] | None = None, pages: list[str] | None = None) -> ListPageFetched:
        """What the store keeps about this visit, with the page's next due time; after a full
        fetch, its validators and what it showed (`links`, `pages`; None: nothing to replay)."""
        url = list_name(response)
        idle = 0 if new_links else (self.list_stats.get(url) or {}).get("idle_streak", 0) + 1
        visit = ListPageFetched(url, self.source_name, new_links, list_next_due(idle, self.started, self.policy))
        if response.status == 304:
            visit.not_modified = True
            return visit
        visit.etag, visit.last_modified = _validator(response, "ETag"), _validator(response, "Last-Modified")
        if links is not None and pages is not None and len(links) <= MAX_SHOWN_LINKS and len(pages) <= MAX_SHOWN_LINKS:
            visit.shown = {"rules": self.list_rules_key(start), "kept_at": self.started.isoformat(),
                           "links": [[link, (anchor or "").strip()[:MAX_ANCHOR_CHARS] or None] for link, anchor in links],
                           "pages": [_page_url(response, page) for page in pages]}
        return visit

    def article_request(self, url: str, redirects: list[str] | None = None,
                        anchor: str | None = None, list_date: str | None = None) -> scrapy.Request:
        """A request for an article; `redirects`: the URLs that redirected here, first = the article's;
        `anchor`: the list's link text for it (kept with the article, and a hint for its title), and
        `list_date` the date the list showed beside it. A request no list page made (a re-check, an
        owed link, a list that answered 304) takes what the list showed last time, so the article
        is extracted as it was then."""
        self.requested_articles.add(url)
        stored_anchor, stored_date = self.list_hints.get((redirects or [url])[0], (None, None))
        anchor, list_date = anchor or stored_anchor, list_date or stored_date
        return scrapy.Request(
            url,
            # Articles before the next list page: the crawl works through one list page's
            # articles at a time (newest first) instead of queueing every article of the site.
            priority=ARTICLE_PRIORITY,
            callback=self.parse_article,
            errback=self.failed,
            # a redirect hop must not be dropped as a duplicate: loops are caught in article_redirect
            dont_filter=bool(redirects),
            meta={"handle_httpstatus_list": ARTICLE_STATUSES, "govwatch_article": True,
                  # one we do not hold: its page will be extracted (the extraction pool counts these)
                  "govwatch_new_article": url not in self.known_urls,
                  "govwatch_redirects": redirects or [],
                  "govwatch_anchor": (anchor or "").strip()[:MAX_ANCHOR_CHARS] or None,
                  "govwatch_list_date": list_date},
        )

    def parse_article(self, response: Response) -> Iterator[Any]:
        # Outcomes are recorded against the URL we asked for, even after a redirect to a
        # sibling article, so a fault there is kept with the article it stands for.
        first = (response.meta.get("govwatch_redirects") or [response.url])[0]
        if response.status == 304:
            yield ArticleNotModified(response.url, self.source_name)
        elif response.status in (404, 410):
            if first not in self.known_urls and (crawler := getattr(self, "crawler", None)):
                # a link the list just showed that is not there: fetched, and nothing to store
                crawler.stats.inc_value("govwatch/article_pages")
                crawler.stats.inc_value("govwatch/new_article_pages")
            yield ArticleGone(first, self.source_name, response.status)
        elif response.status in REDIRECT_STATUSES:
            yield from self.article_redirect(response)
        elif problem := page_problem(response):
            yield FetchFailure(first, self.source_name, problem, response.status)
        else:
            yield from self.article_page(response, first)

    def article_page(self, response: Response, first: str) -> Iterator[Any]:
        """A 200 that looks like a page. Whether it is the article (or a block page, an error
        page, a charset lie) is judged with its extraction (crawler/screening.py), off this
        process's one core."""
        if crawler := getattr(self, "crawler", None):  # a spider tested alone has none
            crawler.stats.inc_value("govwatch/article_pages")
            if first not in self.known_urls:
                crawler.stats.inc_value("govwatch/new_article_pages")
        yield ArticlePage(
            url=response.url,
            source=self.source_name,
            body=response.body,
            http_status=response.status,
            headers=_headers(response),
            encoding=response.encoding,
            fetched_at=utc_now(),
            declared_charset=declared_charset(_header(response, "Content-Type"), response.body),
            asked_url=first if first != response.url else None,
            list_anchor=response.meta.get("govwatch_anchor"),
            list_date=response.meta.get("govwatch_list_date"),
        )

    def article_redirect(self, response: Response) -> Iterator[Any]:
        """Redirected to another article: follow it. Sent elsewhere on the site: the article is gone.

        Many CMSs "withdraw" a page by redirecting it to the section or home page. A redirect to
        another site (another host, or another port of this one) is never followed: it is a
        failed fetch for an operator to look at (a domain move, a hijacked page), not a withdrawal.
        """
        chain = [*response.meta.get("govwatch_redirects", []), response.url]
        first = chain[0]
        location = (response.headers.get("Location") or b"").decode("latin-1").strip()
        target = urljoin(response.url, location) if location else ""
        crawler = getattr(self, "crawler", None)
        max_hops = crawler.settings.getint("REDIRECT_MAX_TIMES", 5) if crawler else 5
        if target and target in chain:
            yield FetchFailure(first, self.source_name, "redirect loop: " + " → ".join([*chain, target]),
                               response.status)
        elif len(chain) > max_hops:
            yield FetchFailure(first, self.source_name, f"more than {max_hops} redirects: " + " → ".join(chain),
                               response.status)
        elif target and not self.article_pattern and self.on_site(target) and self.looks_like_article(target) \
                and self.in_scope(target):
            yield self.article_request(target, redirects=chain, anchor=response.meta.get("govwatch_anchor"),
                                       list_date=response.meta.get("govwatch_list_date"))
        elif target and not self.on_site(target):
            yield FetchFailure(first, self.source_name, f"redirect to another site: {target}", response.status)
        elif target and matchable(target) and self.article_re.search(target) and self.in_scope(target):
            yield self.article_request(target, redirects=chain)
        else:
            yield ArticleGone(first, self.source_name, response.status,
                              f"HTTP {response.status}: redirects to {target or 'nowhere'}")

    def looks_like_article(self, url: str) -> bool:
        """Whether a redirect target is another article (followed) or a list/home page (withdrawn).

        With an article pattern, the pattern says; without one, any page that is not one of the
        source's list pages and is not named like a list or home page (`/`, `index.html`,
        `list_2.html`) is taken for an article: a CMS that moves an article redirects to its new
        URL, one that withdraws it sends readers to the column or the home page.
        """
        if self.article_pattern:
            return bool(self.article_re.search(url))
        return url not in self.list_urls and not LIST_LIKE_PATH.search(urlsplit(url).path)

    def on_idle(self) -> None:
        """Once the lists are done, ask for what the lists did not lead to: links earlier crawls
        saw and never stored (owed), then the articles due for a re-check.

        Owed links are how an article whose fetch failed is not lost once newer ones push it off
        the pages a crawl follows; re-checks are how a withdrawn article (gone from the list,
        404 on its URL) is noticed.
        """
        if not self.recheck_scheduled:
            self.recheck_scheduled = True
            owed = [u for u in self.owed_urls if u not in self.requested_articles and self.in_scope(u)]
            self.crawler.stats.set_value("govwatch/owed_links_asked", len(owed))
            self.recheck_waiting = iter(owed + [u for u in self.due_urls
                                                if u not in self.requested_articles and self.in_scope(u)])
        # Fed a chunk per idle, so a source of 100,000 articles never holds them all as requests.
        chunk = list(itertools.islice(self.recheck_waiting, RECHECK_CHUNK))
        if not chunk:
            return
        for url in chunk:
            self.crawler.engine.crawl(self.article_request(url))
        raise DontCloseSpider

    def failed(self, failure: Failure) -> Iterator[FetchFailure]:
        """A request that failed for good (after its retries), with a reason a person understands."""
        request = failure.request  # type: ignore[attr-defined]
        tries = request.meta.get("retry_times", 0) + 1
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status}{tries_note(tries)}"
        else:
            reason = failure_reason(
                failure.value, tries=tries,
                timeout=request.meta.get("download_timeout") or self.crawler.settings.getfloat("DOWNLOAD_TIMEOUT"),
                max_size=request.meta.get("download_maxsize") or self.crawler.settings.getint("DOWNLOAD_MAXSIZE"),
            )
        # kept against the URL that was asked for, not the last hop of its redirects
        url = (request.meta.get("govwatch_redirects") or request.meta.get("redirect_urls") or [request.url])[0]
        self.logger.warning("fetch failed: %s: %s", url, reason)
        if request.meta.get("govwatch_start"):
            self.start_failures[request.meta["govwatch_start"]] = reason
        yield FetchFailure(url, self.source_name, reason, status)


def list_name(response: Response) -> str:
    """A list page's name in the crawl's bookkeeping: its URL, or for a page fetched by POST the name it
    was asked for by (``url#post:form``, ``url#postback:2/arg``): Scrapy's response URL has no fragment.
    A page read again with its script files (ListScripts.page) is rebuilt without its request."""
    request = response.request
    return (request.meta.get(LIST_NAME) if request is not None else None) or response.url


def _headers(response: Response) -> dict[str, str]:
    return {
        key.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
        for key, values in response.headers.items()
    }


def _page_url(response: Response, url: str) -> str:
    """A list page's link as Scrapy's `response.follow` would request it: joined, and escaped with
    the page's encoding. Kept in this form, so a 304's replay asks for the very same URL."""
    encoding = response.encoding if isinstance(response, TextResponse) else "utf-8"
    return _escaped(urljoin(response.url, url), encoding)


@functools.lru_cache(maxsize=4096)
def _escaped(url: str, encoding: str) -> str:
    """w3lib's safe_url_string, remembered: a script pager names every page of its column on
    every one of its pages, and each name is escaped twice a page (the visit kept, the pages
    followed), so a column of n pages asked for 2n² escapes, most of its list pages' CPU."""
    return safe_url_string(url, encoding)


def _validator(response: Response, name: str) -> str | None:
    """An ETag or Last-Modified to send back, if it is one (a site's header: bounded, printable)."""
    value = _header(response, name)
    if not value or len(value) > MAX_VALIDATOR_CHARS or not value.isprintable():
        return None
    return value


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def page_problem(response: Response) -> str | None:
    """Why a 200 response cannot be a page at all: empty, or not HTML (whatever it claims)."""
    if not response.body.strip():
        return f"empty response ({len(response.body)} bytes)"
    sniffed = binary_type(response.body)
    if sniffed:
        claimed = _header(response, "Content-Type")
        return f"not HTML: {sniffed}" + (f" (served as {claimed})" if claimed else "")
    if not isinstance(response, TextResponse):
        return f"not HTML: {_header(response, 'Content-Type') or 'no content type'}"
    return None


def allowed_ports(start_urls: list[str]) -> set[int]:
    """The ports a source may be fetched on: its start URLs' (80 and 443 when they use the defaults)."""
    ports: set[int] = set()
    for url in start_urls:
        parts = urlsplit(url)
        if parts.port is None:
            ports |= set(DEFAULT_PORTS.values())
        else:
            ports.add(parts.port)
    return ports
