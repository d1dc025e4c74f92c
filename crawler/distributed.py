"""Scrapy side of distributed crawling: a worker that crawls any run found in the Redis frontier.

One `govwatch worker` is one long-lived Scrapy process running `WorkerSpider`. Unlike the
one-source `SourceSpider`, a worker serves every run in progress at once: hundreds of polite
county sites are crawled side by side (each host in its own download slot, at its own delay),
which is where the throughput of a province-wide crawl comes from. Each run's site rules are
a `RunContext` — a `SourceSpider` configured from the context the scheduler put in Redis, so
link discovery, scope, re-check and redirect rules are the source spider's own, unchanged.

Built on scrapy-redis: `RunScheduler` is its Scheduler with the queue and duplicate filter
made per run and crash-safe (see crawler/frontier.py for the keys and scripts):

- a request is *leased* when popped (moved to this worker's lease hash) and *finished* only
  after its callback's requests are queued and its items pushed (`RequestDone`, the last
  thing a callback yields; CONCURRENT_ITEMS = 1 keeps the outputs in order);
- a worker that dies keeps no lease: its heartbeat expires and any other worker (or the
  store writer) puts its leased requests back in their run's frontier;
- the run's count of outstanding requests reaching zero is the crawl's end.

Workers never touch SQLite: pages, extracted by `RunExtractionPipeline`, go to a Redis stream
(`RedisItemPipeline`) that the one store writer (monitor/distributed.py) drains.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base as RedisQueueBase
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from crawler.frontier import DEFAULT_PREFIX, SEED_URL, Frontier
from crawler.items import ArticlePage
from crawler.middlewares import ConditionalGetMiddleware
from crawler.pipelines import ExtractionPipeline
from crawler.recheck import due_articles
from crawler.spiders.source import SourceSpider, stored_list_hints
from storage.outcomes import FetchFailure, Outcome, encode_outcome

CONTEXT_CACHE = 256  # run contexts kept per worker; a context is re-read from Redis if evicted


@dataclass
class RunItem:
    """An item of the source spider, with the run it belongs to (a worker serves many runs)."""

    run_id: int
    item: Any


@dataclass
class RequestDone:
    """The last output of a callback: the request is finished, its lease can be released."""

    run_id: int
    lease: str | None
    size: int = 0
    download: bool = True


class RunContext(SourceSpider):
    """One run's site rules and re-check state: a SourceSpider fed from Redis, not from SQLite."""

    @classmethod
    def from_message(cls, crawler: Crawler, run_id: int, data: dict[str, Any]) -> RunContext:
        config = data["config"]
        ctx = cls(source=config["name"], name=f"{config['name']}#{run_id}")
        ctx.crawler = crawler  # for the stats the source spider keeps; never bound to its signals
        ctx.settings = crawler.settings
        ctx.configure(config)
        ctx.started = datetime.fromisoformat(data["started"])
        known = data.get("known") or []
        ctx.known_urls = {a["url"] for a in known}
        ctx.list_hints = stored_list_hints(known)
        ctx.due_urls = due_articles(known, ctx.started, ctx.policy)
        ctx.recheck_skipped = len(known) - len(ctx.due_urls)
        ctx.owed_urls = data.get("owed") or []
        ctx.list_stats = data.get("list_stats") or {}
        ctx.stored_profiles = data.get("list_profiles") or {}
        ctx.validators = data.get("validators") or {}
        ctx.attachments = data.get("attachments") or {}  # crawler/attachments/distributed.py
        ctx.ignore = tuple(config.get("ignore_patterns") or ())
        polite = config.get("politeness") or {}
        ctx.request_meta = {
            "download_timeout": polite.get("download_timeout", 30),
            "dont_obey_robotstxt": not polite.get("obey_robots", True),
            "autothrottle_dont_adjust_delay": not polite.get("autothrottle", True),
        }
        return ctx

    def hosts(self) -> set[str]:
        """The hosts this source is crawled on: its start URLs' and its allowed domains."""
        found = {urlsplit(u).hostname or "" for u in self.config["start_urls"]}
        return (found | set(self.allowed_domains)) - {""}


class WorkerSpider(scrapy.Spider):
    """`scrapy crawl govwatch-worker` (crawler.settings_distributed): crawl whatever runs are queued."""

    name = "govwatch-worker"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contexts: OrderedDict[int, RunContext | None] = OrderedDict()
        self.last_work = time.monotonic()
        self.loops: list[LoopingCall] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> WorkerSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.frontier = Frontier(get_redis_from_settings(settings), settings.get("GOVWATCH_REDIS_PREFIX", DEFAULT_PREFIX))
        spider.worker_id = settings.get("GOVWATCH_WORKER_ID") or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        spider.lease_ttl_s = settings.getfloat("GOVWATCH_LEASE_TTL_S", 30)
        spider.idle_poll_s = settings.getfloat("GOVWATCH_IDLE_POLL_S", 0.2)
        spider.exit_idle_s = settings.getfloat("GOVWATCH_WORKER_EXIT_IDLE_S", 0)
        crawler.signals.connect(spider.opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.closed_worker, signal=signals.spider_closed)
        return spider

    # -- life cycle --------------------------------------------------------------------------
    def opened(self, spider: scrapy.Spider) -> None:
        self.beat()
        self.logger.info("worker %s joined the frontier (lease TTL %.0f s)", self.worker_id, self.lease_ttl_s)
        self.crawler.engine.downloader.per_slot_settings.setdefault("govwatch-seed", {"concurrency": 16, "delay": 0})
        for interval, call in ((self.lease_ttl_s / 3, self.beat), (self.idle_poll_s, self.poke)):
            loop = LoopingCall(call)
            loop.start(interval, now=False)
            self.loops.append(loop)

    def beat(self) -> None:
        """Keep our leases ours; hand back those of workers whose heartbeat stopped."""
        self.frontier.register_worker(self.worker_id, f"{socket.gethostname()} pid {os.getpid()}", self.lease_ttl_s)
        moved = self.frontier.requeue_dead()
        if moved:
            self.logger.warning("re-queued %d request(s) leased by dead workers", moved)
            self.crawler.stats.inc_value("govwatch/distributed/requeued", moved)

    def poke(self) -> None:
        """Ask the engine for work now: idle, it would only look at its 5 s heartbeat.

        There is no public way to wake Scrapy's engine; `_slot.nextcall` is what its own
        heartbeat schedules.
        """
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and not self.crawler.engine.needs_backout():
            slot.nextcall.schedule()

    def on_idle(self) -> None:
        if self.exit_idle_s and time.monotonic() - self.last_work > self.exit_idle_s:
            self.logger.info("worker %s: no work for %.0f s, leaving", self.worker_id, self.exit_idle_s)
            return
        raise DontCloseSpider

    def closed_worker(self, spider: scrapy.Spider, reason: str) -> None:
        for loop in self.loops:
            if loop.running:
                loop.stop()
        # Leaving cleanly: our unfinished requests go back now, not when the heartbeat expires.
        moved = self.frontier.requeue_dead(self.worker_id)
        self.frontier.server.delete(self.frontier.keys.alive(self.worker_id))
        self.logger.info("worker %s left (%s); %d leased request(s) handed back", self.worker_id, reason, moved)

    async def start(self) -> AsyncIterator[Any]:
        """Nothing of our own: every request comes from the frontier through the scheduler."""
        return
        yield

    # -- runs ------------------------------------------------------------------------------
    def context(self, run_id: int) -> RunContext | None:
        """The run's site rules, read from Redis once; None once the run is closed."""
        if run_id in self.contexts:
            self.contexts.move_to_end(run_id)
            return self.contexts[run_id]
        data = self.frontier.context(run_id)
        ctx = RunContext.from_message(self.crawler, run_id, data) if data else None
        if ctx is not None:
            self.apply_politeness(ctx)
        self.contexts[run_id] = ctx
        if len(self.contexts) > CONTEXT_CACHE:
            self.contexts.popitem(last=False)
        return ctx

    def context_for(self, request: scrapy.Request) -> RunContext | None:
        run_id = request.meta.get("govwatch_run")
        return self.context(int(run_id)) if run_id is not None else None

    def site_rules(self, request: scrapy.Request) -> RunContext | None:
        """Whose `on_site` and `in_scope` the scope middlewares (crawler/middlewares.py) apply to
        a request: its run's source. None for the run's seed (our own data: URL, never fetched
        from a site) and for robots.txt requests (made for a host already on a run's site)."""
        if request.url == SEED_URL:
            return None
        return self.context_for(request)

    def apply_politeness(self, ctx: RunContext) -> None:
        """The source's delay and concurrency on its hosts' download slots (the strictest wins)."""
        polite = ctx.config.get("politeness") or {}
        wanted = {"concurrency": int(polite.get("concurrent_requests", 4)), "delay": float(polite.get("download_delay", 1.0))}
        downloader = self.crawler.engine.downloader
        for host in ctx.hosts():
            current = downloader.per_slot_settings.get(host)
            merged = wanted if current is None else {"concurrency": min(current["concurrency"], wanted["concurrency"]),
                                                     "delay": max(current["delay"], wanted["delay"])}
            downloader.per_slot_settings[host] = merged
            slot = downloader.slots.get(host)
            if slot is not None:  # the backoff and Crawl-delay floors are re-asserted on each request
                slot.concurrency, slot.delay = merged["concurrency"], merged["delay"]

    def adopt(self, request: scrapy.Request, run_id: int, ctx: RunContext, **changes: Any) -> scrapy.Request:
        """A request made by a run's context, made ours: our callbacks (by name), the run in meta."""
        meta = {**request.meta, **ctx.request_meta, "govwatch_run": run_id}
        meta.pop("govwatch_lease", None)
        return request.replace(
            callback=getattr(self, request.callback.__name__) if request.callback else None,
            errback=getattr(self, request.errback.__name__) if request.errback else None,
            meta=meta, **changes,
        )

    @staticmethod
    def scheduling(request: scrapy.Request) -> dict[str, Any]:
        """List pages before articles: they are what feeds the frontier.

        Otherwise a run's next list page waits behind every article of the one before, and
        the crawl walks its pagination one page at a time however many workers there are.
        """
        callback = getattr(request.callback, "__name__", "")
        return {"priority": request.priority + 1} if callback == "parse_list" else {}

    # -- callbacks: the source spider's, relayed to the run's context ---------------------------
    async def seed_run(self, response: Response) -> AsyncIterator[Any]:
        """A run's first request: the source's start requests, then its articles due for a re-check.

        The single-machine spider re-checks due articles once its lists are done (spider_idle);
        across workers nobody knows when that is, so they are queued up front at a lower
        priority. The run's duplicate filter still fetches each URL once.
        """
        run_id = int(response.meta["govwatch_run"])
        ctx = self.context(run_id)
        if ctx is not None:
            try:
                async for request in ctx.start():
                    yield self.adopt(request, run_id, ctx, **self.scheduling(request))
                for url in ctx.owed_urls + ctx.due_urls:  # owed: links seen, never stored
                    yield self.adopt(ctx.article_request(url), run_id, ctx, priority=-1)
            except Exception:
                self.logger.exception("run %s: could not make its start requests", run_id)
        yield RequestDone(run_id, response.meta.get("govwatch_lease"), download=False)

    def parse_list(self, response: Response, depth: int, start: str | None = None) -> Iterator[Any]:
        return self.relay(response.request, lambda ctx: ctx.parse_list(response, depth, start), response)

    def parse_article(self, response: Response) -> Iterator[Any]:
        return self.relay(response.request, lambda ctx: ctx.parse_article(response), response)

    def failed(self, failure: Failure) -> Iterator[Any]:
        return self.relay(failure.request, lambda ctx: ctx.failed(failure), None)  # type: ignore[attr-defined]

    def list_script_fetched(self, response: Response) -> Iterator[Any]:
        return self.relay(response.request, lambda ctx: ctx.list_script_fetched(response), response)

    def list_script_failed(self, failure: Failure) -> Iterator[Any]:
        return self.relay(failure.request, lambda ctx: ctx.list_script_failed(failure), None)  # type: ignore[attr-defined]

    # Attachments' callbacks must be the spider's (the frontier stores callbacks by name); the
    # work is crawler/attachments/distributed.py's, which sets `self.attachments`.
    # A worker with attachments switched off still finishes a request another worker queued.
    async def parse_attachment(self, response: Response) -> AsyncIterator[Any]:
        if getattr(self, "attachments", None) is None:
            yield RequestDone(int(response.meta["govwatch_run"]), response.meta.get("govwatch_lease"))
            return
        async for output in self.attachments.parse(response):
            yield output

    def attachment_failed(self, failure: Failure) -> Iterator[Any]:
        if getattr(self, "attachments", None) is None:
            request = failure.request  # type: ignore[attr-defined]
            return iter([RequestDone(int(request.meta["govwatch_run"]), request.meta.get("govwatch_lease"))])
        return self.attachments.failed(failure)

    def relay(self, request: scrapy.Request, produce: Callable[[RunContext], Iterable[Any]],
              response: Response | None) -> Iterator[Any]:
        """Run the context's callback; yield its requests, then its items, then RequestDone."""
        self.last_work = time.monotonic()
        run_id = int(request.meta["govwatch_run"])
        ctx = self.context(run_id)
        outputs: list[Any] = []
        if ctx is not None:
            try:
                outputs = list(produce(ctx))
            except Exception as exc:  # one broken page must not lose the request's count
                self.logger.exception("run %s: callback failed on %s", run_id, request.url)
                outputs = [FetchFailure(request.url, ctx.source_name, f"callback failed: {type(exc).__name__}: {exc}")]
        for output in outputs:
            if isinstance(output, scrapy.Request):
                yield self.adopt(output, run_id, ctx, **self.scheduling(output))  # type: ignore[arg-type]
        for output in outputs:
            if not isinstance(output, scrapy.Request):
                yield RunItem(run_id, output)
        size = len(response.body) if response is not None else 0
        yield RequestDone(run_id, request.meta.get("govwatch_lease"), size=size)


class RunDupeFilter(RFPDupeFilter):
    """scrapy-redis's fingerprints, with one seen-set per run (kept by the frontier scripts).

    The scheduler checks and records a fingerprint in the same script that queues the
    request, so a worker dying between the two cannot mark a page seen that was never
    queued. The per-run sets expire with their run: a re-crawl is never filtered by the last.
    """

    def request_seen(self, request: scrapy.Request) -> bool:
        raise NotImplementedError("RunScheduler checks fingerprints atomically with queueing")

    def close(self, reason: str = "") -> None:
        """Keep the run's seen-set: other workers are still using it (the store writer drops it)."""

    def clear(self) -> None:
        """Never drop the shared seen-sets from a worker."""


class LeasedQueue(RedisQueueBase):
    """The frontier of every run, through scrapy-redis's request encoding; pops are leases."""

    def __init__(self, server: Any, spider: WorkerSpider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.frontier: Frontier = spider.frontier
        self.worker: str = spider.worker_id

    def __len__(self) -> int:
        return 0  # shared by all workers: "how much is left" is the run counters' business

    def push(self, request: scrapy.Request, fingerprint: str = "") -> int:
        run_id = request.meta.get("govwatch_run")
        parent = request.meta.pop("govwatch_lease", None)  # a retry/redirect takes over its parent's lease
        return self.frontier.enqueue(int(run_id), fingerprint, self._encode_request(request), -request.priority,
                                     dont_filter=request.dont_filter, parent_lease=parent, worker=self.worker)

    def pop(self, timeout: int = 0) -> scrapy.Request | None:
        leased = self.frontier.pop(self.worker)
        if leased is None:
            return None
        lease, blob = leased
        request = self._decode_request(blob)
        request.meta["govwatch_lease"] = lease
        return request

    def clear(self) -> None:
        """Never flush the shared frontier from a worker."""


class RunScheduler(RedisScheduler):
    """scrapy-redis's scheduler over `LeasedQueue`, with back-pressure from the item stream.

    If the store writer falls behind, workers stop taking requests once the stream holds
    GOVWATCH_STREAM_MAX_BACKLOG entries (page bodies live there until written).
    """

    def __init__(self, server: Any, *, max_backlog: int = 2000, **kwargs: Any) -> None:
        super().__init__(server, **kwargs)
        self.max_backlog = max_backlog
        self.backlog_checked = 0.0
        self.backlog_full = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        instance = super().from_crawler(crawler)
        instance.max_backlog = crawler.settings.getint("GOVWATCH_STREAM_MAX_BACKLOG", 2000)
        return instance

    def enqueue_request(self, request: scrapy.Request) -> bool:
        if request.meta.get("govwatch_run") is None:
            self.spider.logger.warning("dropped a request that belongs to no run: %s", request.url)
            return False
        queued = self.queue.push(request, self.df.request_fingerprint(request))
        if self.stats:
            self.stats.inc_value({1: "scheduler/enqueued/redis", 0: "govwatch/distributed/duplicates"}.get(
                queued, "govwatch/distributed/run_closed"))
        return queued == 1

    def next_request(self) -> scrapy.Request | None:
        if self.stream_full():
            return None
        request = self.queue.pop()
        if request is not None:
            # Read the run's context now, before the request (or the robots.txt request it
            # triggers) creates its host's download slot: the slot takes the source's politeness.
            self.spider.context_for(request)
            self.spider.last_work = time.monotonic()
            if self.stats:
                self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def stream_full(self) -> bool:
        now = time.monotonic()
        if now - self.backlog_checked > 1.0:
            self.backlog_checked = now
            self.backlog_full = self.server.xlen(self.queue.frontier.keys.items) >= self.max_backlog
        return self.backlog_full

    def has_pending_requests(self) -> bool:
        return False

    def close(self, reason: str) -> None:
        """Nothing to flush: the frontier outlives any one worker."""


class RunConditionalGetMiddleware(ConditionalGetMiddleware):
    """Conditional GET with the validators of the request's run (sent in its context, not read from SQLite)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("GOVWATCH_CONDITIONAL_GET", True):
            raise NotConfigured
        return cls(crawler)  # no spider_opened: there is no store to read validators from

    def process_request(self, request: scrapy.Request) -> None:
        if request.meta.get("govwatch_article"):
            ctx = self.crawler.spider.context_for(request)
            self.validators = ctx.validators if ctx is not None else {}
        return super().process_request(request)  # a list page's validators travel in its meta


class SourceDelayMiddleware:
    """Keeps each host's download slot at least as slow as its source's `download_delay`.

    A worker's DOWNLOAD_DELAY is 0 (sources differ), so AutoThrottle's lower bound is 0; the
    single-machine crawl has the source's delay as that bound. Re-asserted on every request,
    like the Crawl-delay and backoff floors (crawler/politeness.py).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: scrapy.Request) -> None:
        downloader = self.crawler.engine.downloader
        key = request.meta.get("download_slot") or downloader.get_slot_key(request)
        floor = (downloader.per_slot_settings.get(key) or {}).get("delay")
        slot = downloader.slots.get(key)
        if floor and slot is not None and slot.delay < floor:
            slot.delay = floor


class RunExtractionPipeline(ExtractionPipeline):
    """The extraction pipeline, with the ignore patterns of each item's own source."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RunItem) or not isinstance(item.item, ArticlePage):
            return item
        ctx = self.crawler.spider.context(item.run_id)
        self._ignore = ctx.ignore if ctx is not None else ()
        return RunItem(item.run_id, self.extract_here(item.item))


class RedisItemPipeline:
    """Pushes each outcome to the item stream, and releases a request's lease once all are pushed.

    Synchronous on purpose: a push must be in the stream before the request it came from is
    finished (which may end the run); scrapy-redis's RedisPipeline defers to a thread.
    """

    def __init__(self, crawler: Crawler, frontier: Frontier) -> None:
        self.crawler = crawler
        self.frontier = frontier

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        prefix = crawler.settings.get("GOVWATCH_REDIS_PREFIX", DEFAULT_PREFIX)
        return cls(crawler, Frontier(get_redis_from_settings(crawler.settings), prefix))

    def process_item(self, item: Any) -> Any:
        stats = self.crawler.stats
        if isinstance(item, RunItem):
            self.frontier.server.xadd(self.frontier.keys.items, item_message(item.run_id, item.item))
            stats.inc_value("govwatch/distributed/items_pushed")
        elif isinstance(item, RequestDone) and item.lease:
            left = self.frontier.finish(self.crawler.spider.worker_id, item.lease,
                                        pages=int(item.download), size=item.size)
            stats.inc_value("govwatch/distributed/finished" if left >= 0 else "govwatch/distributed/finished_late")
        return item


def item_message(run_id: int, outcome: Outcome) -> dict[str, Any]:
    """One stream entry: kind, run, data (JSON) and, for a page, its body as raw bytes.

    The entry is the store's own outcome (storage.outcomes.encode_outcome), so the store
    writer only decodes it and calls the same record_outcome as a crawl on one machine.
    """
    kind, data, body = encode_outcome(outcome)
    return {"kind": kind, "run": run_id, "data": data, "body": body}
