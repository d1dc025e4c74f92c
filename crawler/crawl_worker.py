"""A crawl process that runs one crawl after another: re-checks without a fork and exit each.

Why: an unchanged re-check of a 20-article source costs ~0.2 s of CPU in a fresh fork of the
fork server, and about half of that is the process, not the crawl: ~6,000 copy-on-write page
faults as CPython writes reference counts on the server's pages, Scrapy's command line and
project set-up, the exit tearing the address space down (bench/README.md, "Reused crawl
processes"). Measured in one process, the second and later re-checks of the same source cost
0.09-0.15 s against 0.19-0.25 s forked. So the fork server (crawler/fork_server.py) forks a
worker for a re-check and hands it the next re-checks with the same environment.

What a process per crawl gave, and how a worker keeps it:
- A hung crawl is killed at its time limit: a worker runs **one crawl at a time**, so the
  monitor's SIGKILL of "the crawl's process" ends that crawl and nothing else.
- A crash ends one crawl: the same; the fork server reports the death on that crawl's
  connection and forks a new worker for the next one.
- Memory goes back after a crawl: the worker ends after a crawl that failed or was stopped,
  after one that left it holding more than RECYCLE_GROWTH_BYTES of private memory beyond what
  it held after its first crawl,
  after MAX_CRAWLS crawls, and when the server closes it for being idle (IDLE_WORKER_S there).
  Between crawls it collects garbage and gives freed heap back (malloc_trim). Its private
  memory is read after the first crawl and then every MEMORY_CHECK_EVERY crawls: reading
  /proc/self/smaps_rollup walks the whole address space, 4-8 ms, ~5 % of a re-check.
- What a crawl costs is reported with that upkeep counted in: the collection, the trim and
  the memory check after a crawl are part of its CPU.
- Each crawl still gets its own log (stdout and stderr are pointed at it), its own
  environment and folder, its own Crawler, settings and DNS cache, as `scrapy crawl` would.

First crawls are not run here: they start extraction and reader pools from a warm copy of
the crawl (crawler/pool_server.py) and grow the process by their pages; they stay one fork
each. Only command lines of the form `crawl SPIDER (-a K=V | -s K=V)…` are accepted
(`crawl_spec`); the server forks a one-shot child for anything else.

Protocol on the channel (a socketpair end from the server): the server writes one JSON line
per crawl, {"args", "env", "cwd", "log"}; the worker answers one line when it ends,
{"exit", "cpu_s", "maxrss_kb", "retire"}. End of file from the server: the worker exits.
"""

from __future__ import annotations

import asyncio
import ctypes
import functools
import gc
import json
import os
import resource
import signal
import socket
import sys
import traceback
from dataclasses import dataclass, field
from typing import Any, NoReturn

MAX_CRAWLS = 200
RECYCLE_GROWTH_BYTES = 48 << 20
MEMORY_CHECK_EVERY = 8  # crawls between two reads of the private memory (after the first crawl)
MAX_REQUEST_BYTES = 1 << 20
# Tells the crawl's components that the process outlives the crawl (crawler/gc_tuning.py).
REUSED_SETTING = "GOVWATCH_REUSED_PROCESS"


@dataclass
class CrawlSpec:
    """A `scrapy crawl` command line, taken apart: the spider, its -a arguments, its -s settings."""

    spider: str
    spider_args: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)


def crawl_spec(args: list[str]) -> CrawlSpec | None:
    """`args` as a CrawlSpec, or None unless they are exactly `crawl SPIDER (-a K=V | -s K=V)…`.

    Why this narrow: a worker builds the crawl itself instead of running Scrapy's command line,
    so any other option (a log file, an output feed, a profile) would be silently dropped.
    """
    if len(args) < 2 or args[0] != "crawl" or args[1].startswith("-"):
        return None
    spec = CrawlSpec(args[1])
    rest = args[2:]
    if len(rest) % 2:
        return None
    for flag, pair in zip(rest[::2], rest[1::2], strict=True):
        name, sep, value = pair.partition("=")
        if not sep or not name:
            return None
        if flag == "-a":
            spec.spider_args[name] = value
        elif flag == "-s":
            spec.settings[name] = value
        else:
            return None
    return spec


STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


def take_stop_signals() -> None:
    """In a child of the fork server: the stop signals back to their default action, then let
    through any that came since the fork.

    Why: the server ignores them (the monitor ends it by closing its lifeline) and forks with
    them blocked, so a stop sent the moment the child's pid was known waits here instead of
    being lost to the inherited SIG_IGN. Lost, the crawl ran to its end (or to the stop's
    bound, then killed) after the service had asked it to stop.
    """
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def serve(channel: socket.socket, first: dict[str, Any]) -> NoReturn:
    """In a child forked by the fork server: run `first`, then each crawl the channel brings."""
    code = 1
    try:
        take_stop_signals()
        from scrapy.utils.reactor import install_reactor

        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
        from twisted.internet import reactor

        worker = Worker(channel)
        task = asyncio.get_event_loop().create_task(worker.run(first))
        task.add_done_callback(lambda _: reactor.stop())
        reactor.run(installSignalHandlers=False)
        failure = task.exception() if task.done() and not task.cancelled() else RuntimeError("the worker's loop ended early")
        code = 0 if failure is None else 1
        if failure is not None:
            traceback.print_exception(failure)
    except BaseException:  # noqa: BLE001  (whatever happens, the worker must not return into the server)
        traceback.print_exc()
    finally:
        import atexit

        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class Worker:
    """Runs crawls one at a time and reports each; decides when to end (see the module's docstring)."""

    def __init__(self, channel: socket.socket) -> None:
        self.channel = channel
        self.crawls = 0
        self.baseline_bytes: int | None = None  # private memory after its first crawl
        self.checked_at = 0  # the crawl count at the last read of the private memory
        self.current: Any = None  # the running Crawler
        self.waiting: asyncio.Task[bytes] | None = None  # the read of the next request, between crawls
        self.stop_asked = False
        self.spider_loader: Any = None  # Scrapy's, built by the first crawl (see _run_spec)

    async def run(self, first: dict[str, Any]) -> None:
        reader, writer = await asyncio.open_unix_connection(sock=self.channel, limit=MAX_REQUEST_BYTES)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):  # a stop request: this crawl ends cleanly, then the worker
            loop.add_signal_handler(signum, self._stop)
        request: dict[str, Any] | None = first
        while request is not None:
            before = _cpu_s()
            exit_code = await self._crawl(request)
            retire = self._should_retire(exit_code)
            cpu_s = _cpu_s() - before  # the upkeep between crawls is this crawl's cost too
            report = {"exit": exit_code, "cpu_s": cpu_s, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "retire": retire}
            writer.write(json.dumps(report).encode() + b"\n")
            await writer.drain()
            if retire:
                break
            self.waiting = asyncio.ensure_future(reader.readline())
            try:
                line = await self.waiting
            except asyncio.CancelledError:  # a stop signal between crawls
                line = b""
            self.waiting = None
            request = json.loads(line) if line.endswith(b"\n") else None
        writer.close()

    def _stop(self) -> None:
        """SIGTERM or SIGINT: the running crawl closes cleanly (as Scrapy's would), then the worker ends."""
        self.stop_asked = True
        if self.waiting is not None:
            self.waiting.cancel()
        elif self.current is not None and getattr(self.current, "engine", None) is not None:
            asyncio.ensure_future(self.current.stop_async())

    async def _crawl(self, request: dict[str, Any]) -> int:
        """Run one crawl as `scrapy crawl` would in a fresh process; its exit code."""
        become_crawl(request)
        code = 1
        try:
            spec = crawl_spec(request["args"])
            if spec is None:
                raise ValueError(f"not a crawl command line: {request['args']!r}")
            code = await self._run_spec(spec)
        except Exception:  # noqa: BLE001  (this crawl failed; the worker reports it and ends)
            traceback.print_exc()
            code = 1
        finally:
            self.current = None
            sys.stdout.flush()
            sys.stderr.flush()
        return code

    async def _run_spec(self, spec: CrawlSpec) -> int:
        """One crawl as Scrapy's AsyncCrawlerRunner would run it, less the runner.

        Why not a runner per crawl: it builds a spider loader, which copies the settings and
        walks the spider modules, ~13 ms of CPU, about a tenth of an unchanged re-check of a
        small source. The spider modules cannot change in this process, so it is built once.
        Why not one runner for every crawl: it would merge its own (the first crawl's) settings
        into every later crawler's, and each crawl must get only its own.
        """
        from scrapy.addons import AddonManager
        from scrapy.crawler import Crawler
        from scrapy.resolver import dnscache
        from scrapy.spiderloader import get_spider_loader
        from scrapy.utils.log import configure_logging
        from scrapy.utils.project import get_project_settings

        settings = get_project_settings()
        settings.setdict(spec.settings, priority="cmdline")
        settings.set(REUSED_SETTING, True, priority="cmdline")
        if self.spider_loader is None:  # what Scrapy's command line sets up once per process
            configure_logging(settings)
            _setup_reactor(settings)
            self.spider_loader = get_spider_loader(settings)
        AddonManager.load_pre_crawler_settings(settings)  # as the runner's constructor does
        dnscache.clear()  # each crawl resolves afresh, as in its own process
        crawler = Crawler(self.spider_loader.load(spec.spider), settings)
        self.current = crawler
        self.crawls += 1
        if self.stop_asked:
            return 1
        await crawler.crawl_async(**spec.spider_args)
        return 0 if getattr(crawler, "spider", None) is not None else 1  # the runner's bootstrap_failed

    def _should_retire(self, exit_code: int) -> bool:
        if exit_code != 0 or self.stop_asked or self.crawls >= MAX_CRAWLS:
            return True
        gc.collect()
        _give_back_heap()
        if self.baseline_bytes is None:
            self.baseline_bytes = _private_bytes()
            self.checked_at = self.crawls
            return False
        if self.crawls - self.checked_at < MEMORY_CHECK_EVERY:
            return False
        self.checked_at = self.crawls
        return _private_bytes() - self.baseline_bytes > RECYCLE_GROWTH_BYTES


def become_crawl(request: dict[str, Any]) -> None:
    """The crawl's log on stdout and stderr, its environment and its folder (a fork server's
    request); shared with the server's one-shot children."""
    sys.stdout.flush()
    sys.stderr.flush()
    log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])


def _setup_reactor(settings: Any) -> None:
    """What AsyncCrawlerProcess does before it runs the reactor: the DNS resolver and thread pool."""
    from scrapy.utils.misc import build_from_crawler, load_object
    from twisted.internet import reactor

    resolver = build_from_crawler(load_object(settings["TWISTED_DNS_RESOLVER"]),
                                  _SettingsHolder(settings), reactor=reactor)  # type: ignore[arg-type]
    resolver.install_on_reactor()
    reactor.getThreadPool().adjustPoolsize(maxthreads=settings.getint("REACTOR_THREADPOOL_MAXSIZE"))


@dataclass
class _SettingsHolder:
    """What Scrapy's resolvers read from the object they are built from (as Scrapy passes its process)."""

    settings: Any


def _cpu_s() -> float:
    """CPU of this process and of the children it has reaped (a crawl's pools), user + system."""
    own, reaped = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime


def _private_bytes() -> int:
    """Memory this process holds alone (private dirty pages), else its RSS.

    Why not RSS: pages it shares with the fork server count in RSS as soon as they are read,
    so a re-check that runs code the last ones did not (an extraction, a PDF) raises RSS by
    pages that cost nothing. What a crawl leaves behind (heap it did not give back, copies of
    the server's pages) is private and dirty.
    """
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Private_Dirty:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _give_back_heap() -> None:
    """Return freed heap pages to the system (glibc's malloc_trim); nothing elsewhere."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    """glibc's malloc_trim, looked up once: ctypes.util.find_library runs `ldconfig -p`, ~2.7 ms
    of CPU that every crawl would pay."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
