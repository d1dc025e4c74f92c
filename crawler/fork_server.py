"""A warm parent for crawl processes: it imports Scrapy, Twisted, lxml, trafilatura and the
project once, then forks one child per crawl (`python -m crawler.fork_server SOCKET`).

Why: a re-check of a small unchanged source does ~0.15 s of work, but a fresh `python -m
crawler` spends ~1 s of CPU importing before its first request (bench/README.md, "Warm
crawls"). A fork of this process starts with everything imported, so a crawl costs what its
requests cost, while it stays a process of its own: killed at its time limit, a crash ends only
it, and its memory goes back to the system when it exits.

Why hand-written and not multiprocessing's forkserver: there every child keeps the server's
"alive" pipe open, so a server outlives a dead monitor for as long as any crawl runs (and the
crawls never learn that nobody enforces their time limit); it reports an exit code but no
rusage (the bench's CPU figures); and it is one per process, shared with the extraction pool's.

What must not happen before the fork: a Twisted reactor installed or an asyncio loop made (the
child installs its own), a thread started, a database opened. The child does all of those.

Protocol, one Unix-socket connection per crawl (the socket sits in a 0700 directory made by
the monitor): the client sends one JSON line {"args", "env", "cwd", "log", "warm_pools",
"reuse"}; the server answers {"pid": N} once the crawl runs, then {"exit": code, "cpu_s": s,
"maxrss_kb": k} once it has ended.

Re-checks ("reuse": true, no warm pools) run in reused crawl processes
(crawler/crawl_worker.py): a forked worker runs one crawl at a time and, when it is done,
waits for the next re-check asked for with the same environment and folder. Then "pid" is the
worker's, "cpu_s" that crawl's CPU, and killing the pid kills that crawl only. First crawls and
any other command line get a child of their own, reaped when the crawl ends.

Lifetime: stdin is a pipe whose write end only the monitor holds (its "lifeline"). Children
inherit the read end and their ParentWatchExtension stops them when it reads EOF, i.e. when
the monitor is gone. The server then stops accepting, waits for its children (so each is
still reaped, and a monitor's process-tree check sees them end) and exits.
"""

from __future__ import annotations

import gc
import json
import os
import selectors
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from crawler.crawl_worker import STOP_SIGNALS, become_crawl, crawl_spec, take_stop_signals

MAX_REQUEST_BYTES = 1 << 20
REQUEST_TIMEOUT_S = 10.0
IDLE_WORKER_S = 60.0  # a reused crawl process waits this long for its next crawl
MAX_IDLE_WORKERS = 8
RELEASE_TIMEOUT_S = 30.0  # for a client to close a finished crawl's connection
# The kinds of Scrapy setting that name classes to load: importing them all here is what makes
# a child's crawler construction cheap.
COMPONENT_SETTINGS = ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES", "EXTENSIONS",
                      "DOWNLOAD_HANDLERS")
CLASS_SETTINGS = ("SCHEDULER", "DUPEFILTER_CLASS", "STATS_CLASS", "SCHEDULER_PRIORITY_QUEUE",
                  "SCHEDULER_DISK_QUEUE", "SCHEDULER_MEMORY_QUEUE", "DOWNLOADER", "REQUEST_FINGERPRINTER_CLASS",
                  "ROBOTSTXT_PARSER", "LOG_FORMATTER", "TWISTED_DNS_RESOLVER", "SPIDER_LOADER_CLASS",
                  "DOWNLOADER_HTTPCLIENTFACTORY", "DOWNLOADER_CLIENTCONTEXTFACTORY")
# Exercised once so lazily loaded data (trafilatura's and htmldate's tables, compiled rules) is
# in memory before the fork.
WARM_PAGE = ("<html><head><meta charset='utf-8'><title>关于开展2023年工作的通知_通知公告</title></head><body>"
             "<div class='nav'><a href='/'>首页</a></div><h1>关于开展2023年工作的通知</h1>"
             "<div class='info'>发布时间：2023-06-30 来源：办公室</div><div class='content'>"
             + "<p>为进一步做好相关工作，现将有关事项通知如下。各单位要高度重视，认真组织实施，确保工作取得实效。</p>" * 6
             + "</div><div class='footer'>版权所有</div></body></html>").encode()


@dataclass
class Child:
    """A forked crawl and the connection its exit is reported on."""

    pid: int
    pidfd: int
    conn: socket.socket


@dataclass
class Worker:
    """A reused crawl process (crawler/crawl_worker.py): its channel, and the crawl it runs."""

    pid: int
    pidfd: int
    channel: socket.socket
    key: str
    client: socket.socket | None = None  # the running crawl's connection, until its exit report is sent
    releasing: socket.socket | None = None  # that connection after the report, until its client closes it
    released_by: float = 0.0
    buffer: bytes = b""
    accounted_cpu_s: float = 0.0  # CPU of the crawls it has reported, so a death mid-crawl reports the rest
    idle_since: float | None = None
    retiring: bool = False


def preload() -> None:
    """Import everything a crawl imports, and warm the extractor, without starting anything.

    Not Scrapy's command modules: a crawl runs the crawl command directly (crawler/__main__.py's
    `_run`), and only a command line it does not know loads them, as Scrapy's own would.
    """
    import scrapy.crawler  # noqa: F401
    from scrapy.utils.misc import load_object, walk_modules_iter
    from scrapy.utils.project import get_project_settings

    import crawler.__main__  # noqa: F401  (run_scrapy)

    settings = get_project_settings()
    for package in settings.getlist("SPIDER_MODULES"):
        for _ in walk_modules_iter(package):
            pass
    # Component settings map a class path to its order (DOWNLOAD_HANDLERS: a scheme to a class path).
    paths = [p for name in COMPONENT_SETTINGS for item in settings.getwithbase(name).items() for p in item]
    paths += [settings.get(name) for name in CLASS_SETTINGS]
    paths = [p for p in paths if isinstance(p, str) and "." in p]
    for path in paths:
        try:
            load_object(path)
        except (ImportError, NameError, AttributeError, ValueError) as exc:  # an optional component: the child says if it matters
            print(f"fork server: not preloaded {path}: {exc}", file=sys.stderr)
    import twisted.internet.asyncioreactor  # noqa: F401  (imported, not installed)

    _log_versions_once()
    _load_store_plugins_once()

    from crawler.attachments import preload_readers
    from crawler.extraction_pool import extract_for_store

    preload_readers()  # a crawl's attachment workers are forks of it (crawler/pool_server.py)
    extract_for_store(WARM_PAGE, "http://127.0.0.1/gov/2023/06/t20230630_1.html", "utf-8")
    if "twisted.internet.reactor" in sys.modules:
        raise RuntimeError("a preloaded module installed the Twisted reactor: children could not install theirs")
    if threading.active_count() > 1:
        raise RuntimeError(f"a preloaded module started a thread ({threading.enumerate()}): forking would copy it")
    # What exists now lives as long as the server: out of the collector's sight, its pages stay
    # shared with every child instead of being copied when a collection touches them.
    gc.collect()
    gc.freeze()


def _log_versions_once() -> None:
    """What Scrapy would log at each crawl's start (crawler/settings.py's LOG_VERSIONS is empty, as
    reading the packages' metadata cost each re-check more than its 22 requests), said once here."""
    from scrapy.settings.default_settings import LOG_VERSIONS
    from scrapy.utils.versions import get_versions

    print(f"fork server: {dict(get_versions(LOG_VERSIONS))}", file=sys.stderr)


def _load_store_plugins_once() -> None:
    """Look up sqlite-utils' plugins (the `sqlite_utils` entry points) once, for every child.

    Why: sqlite-utils does this on the first `Database()` of each process, scanning every
    installed distribution's entry points (~150 files read here): ~10 ms of CPU and ~450
    copy-on-write page faults per crawl (bench/README.md, "Where a re-check's CPU went").
    No database is opened: only the plugin list is filled.
    """
    from sqlite_utils.plugins import ensure_plugins_loaded

    ensure_plugins_loaded()


def serve(socket_path: str) -> None:
    """Accept crawl requests until the lifeline closes, then wait for the children to end."""
    lifeline = os.dup(0)  # children inherit it as GOVWATCH_LIFELINE_FD
    os.set_inheritable(lifeline, True)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    for signum in (signal.SIGINT, signal.SIGTERM):  # the monitor ends us, by closing the lifeline
        signal.signal(signum, signal.SIG_IGN)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    server = CrawlServer(listener, lifeline)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    os.dup2(devnull, 1)
    server.run()
    # A monitor killed with -9 cannot remove the socket's folder: the server does, as it leaves.
    for remove, path in ((os.unlink, socket_path), (os.rmdir, os.path.dirname(socket_path))):
        try:
            remove(path)
        except OSError:
            pass


class CrawlServer:
    """The server's loop: one-shot crawl children, and reused crawl workers (crawler/crawl_worker.py).

    A request with "reuse": true whose command line a worker can run goes to an idle worker
    started with the same environment and folder, else to a new one. A worker is handed its
    next crawl only once the client of its last one has closed that crawl's connection (it
    has read the exit report), so a client that kills "its" crawl late cannot hit the next
    one. Idle workers are closed after IDLE_WORKER_S, beyond MAX_IDLE_WORKERS, and when the
    lifeline closes.
    """

    def __init__(self, listener: socket.socket, lifeline: int) -> None:
        self.listener = listener
        self.lifeline = lifeline
        self.selector = selectors.DefaultSelector()
        self.selector.register(listener, selectors.EVENT_READ, ("accept", 0))
        self.selector.register(lifeline, selectors.EVENT_READ, ("lifeline", 0))
        self.children: dict[int, Child] = {}
        self.workers: dict[int, Worker] = {}
        self.accepting = True

    def run(self) -> None:
        while self.accepting or self.children or self.workers:
            # New crawls last: a client closes its finished crawl's connection before it asks for
            # the next, and that worker should be idle by the time the request is placed.
            events = sorted(self.selector.select(self._next_timeout()), key=lambda event: event[0].data[0] == "accept")
            for key, _ in events:
                kind, pid = key.data
                if kind == "accept":
                    self._accept()
                elif kind == "lifeline":
                    self._stop_accepting()
                elif kind == "child":
                    child = self.children.pop(pid)
                    self.selector.unregister(child.pidfd)
                    _report_exit(child)
                elif pid in self.workers:
                    {"report": self._read_reports, "released": self._released,
                     "exit": self._worker_exited}[kind](self.workers[pid])
            self._close_stale_workers()

    def _accept(self) -> None:
        conn, _ = self.listener.accept()
        try:
            request = _read_request(conn)
        except (OSError, ValueError) as exc:
            _send(conn, {"error": f"bad request: {exc}"})
            conn.close()
            return
        if request.get("reuse") is True and request.get("warm_pools") is not True and crawl_spec(request["args"]):
            request = {**request, "args": [*request["args"], "-s", f"GOVWATCH_LIFELINE_FD={self.lifeline}"]}
            worker = self._idle_worker(_worker_key(request))
            if worker is not None and self._hand(worker, request, conn):
                return
            self._start_worker(request, conn)
            return
        child = self._fork(conn, lambda: _run_child(request, self.lifeline))
        if child is not None:
            self.children[child.pid] = Child(child.pid, child.pidfd, conn)
            self.selector.register(child.pidfd, selectors.EVENT_READ, ("child", child.pid))

    def _fork(self, conn: socket.socket, become: Callable[[], NoReturn],
              keep: socket.socket | None = None) -> Child | None:
        """Fork a child that closes every descriptor of ours but `keep` and calls `become`."""
        sys.stdout.flush()
        sys.stderr.flush()
        # Blocked across the fork: the child lets them through once it has its own handling
        # (crawl_worker.take_stop_signals); ignored as they are here, a stop sent to the new pid
        # before that was lost.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            pid = os.fork()
        except OSError as exc:  # out of memory or processes: this crawl fails, the server and its crawls go on
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            _send(conn, {"error": f"fork failed: {exc}"})
            conn.close()
            return None
        if pid != 0:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if pid == 0:  # the crawl: never returns into this loop
            try:
                for key in list(self.selector.get_map().values()):
                    if key.fileobj not in (self.lifeline, keep):
                        _close(key.fileobj)
                for worker in self.workers.values():
                    for sock in (worker.channel, worker.client, worker.releasing):
                        _close(sock)
                for other in self.children.values():
                    _close(other.conn)
                self.selector.close()
                conn.close()
            finally:
                become()
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:  # it cannot have been reaped yet (we are its parent): only on a kernel without pidfds
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            _send(conn, {"error": "pidfd_open failed"})
            conn.close()
            return None
        _send(conn, {"pid": pid})
        return Child(pid, pidfd, conn)

    def _start_worker(self, request: dict[str, Any], conn: socket.socket) -> None:
        from crawler.crawl_worker import serve as serve_crawls

        ours, theirs = socket.socketpair()
        def become() -> NoReturn:
            ours.close()
            serve_crawls(theirs, request)

        child = self._fork(conn, become, keep=theirs)
        theirs.close()
        if child is None:
            ours.close()
            return
        worker = Worker(child.pid, child.pidfd, ours, _worker_key(request), client=conn)
        self.workers[worker.pid] = worker
        self.selector.register(ours, selectors.EVENT_READ, ("report", worker.pid))
        self.selector.register(worker.pidfd, selectors.EVENT_READ, ("exit", worker.pid))

    def _idle_worker(self, key: str) -> Worker | None:
        idle = [w for w in self.workers.values() if w.key == key and w.idle_since is not None]
        return max(idle, key=lambda w: w.idle_since or 0.0) if idle else None  # the warmest

    def _hand(self, worker: Worker, request: dict[str, Any], conn: socket.socket) -> bool:
        """Give an idle worker its next crawl; False if it is gone (the caller forks a new one)."""
        try:
            worker.channel.settimeout(REQUEST_TIMEOUT_S)
            worker.channel.sendall(json.dumps(request).encode() + b"\n")
        except OSError:
            self._retire(worker)
            return False
        worker.idle_since = None
        worker.client = conn
        _send(conn, {"pid": worker.pid})
        return True

    def _read_reports(self, worker: Worker) -> None:
        """The worker's end-of-crawl reports: each goes to its crawl's client."""
        try:
            worker.channel.setblocking(False)
            chunk = worker.channel.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:  # the worker is ending: its exit is reported through its pidfd
            self._retire(worker)
            return
        worker.buffer += chunk
        while b"\n" in worker.buffer:
            line, worker.buffer = worker.buffer.split(b"\n", 1)
            report = json.loads(line)
            worker.accounted_cpu_s += float(report["cpu_s"])
            if worker.client is not None:
                _send(worker.client, {"exit": int(report["exit"]), "cpu_s": float(report["cpu_s"]),
                                      "maxrss_kb": int(report["maxrss_kb"])})
                worker.releasing, worker.client = worker.client, None
                worker.released_by = time.monotonic() + RELEASE_TIMEOUT_S
                self.selector.register(worker.releasing, selectors.EVENT_READ, ("released", worker.pid))
            if report.get("retire") or not self.accepting:
                self._retire(worker)

    def _released(self, worker: Worker) -> None:
        """The client has closed the connection of the worker's last crawl: it may take the next."""
        if worker.releasing is not None:
            self.selector.unregister(worker.releasing)
            worker.releasing.close()
            worker.releasing = None
        if not self.accepting:
            self._retire(worker)
        elif not worker.retiring:
            worker.idle_since = time.monotonic()

    def _worker_exited(self, worker: Worker) -> None:
        if not worker.retiring:
            self._read_reports(worker)  # a report sent just before it ended is read first
        _, status, usage = os.wait4(worker.pid, 0)
        if worker.client is not None:  # it died in a crawl (killed, crashed): that crawl's end
            _send(worker.client, {"exit": os.waitstatus_to_exitcode(status),
                                  "cpu_s": max(0.0, usage.ru_utime + usage.ru_stime - worker.accounted_cpu_s),
                                  "maxrss_kb": usage.ru_maxrss})
            worker.client.close()
            worker.client = None
        self._retire(worker)
        if worker.releasing is not None:
            self.selector.unregister(worker.releasing)
            worker.releasing.close()
            worker.releasing = None
        self.selector.unregister(worker.pidfd)
        os.close(worker.pidfd)
        del self.workers[worker.pid]

    def _retire(self, worker: Worker) -> None:
        """Close the worker's channel: it ends after its crawl, if any (end of file there)."""
        worker.retiring = True
        worker.idle_since = None
        if worker.channel.fileno() >= 0:
            self.selector.unregister(worker.channel)
            worker.channel.close()

    def _stop_accepting(self) -> None:
        self.selector.unregister(self.lifeline)
        self.selector.unregister(self.listener)
        self.listener.close()
        self.accepting = False
        for worker in list(self.workers.values()):
            if worker.client is None:  # idle, or waiting for its last client: no next crawl to wait for
                self._retire(worker)

    def _close_stale_workers(self) -> None:
        now = time.monotonic()
        idle = sorted((w for w in self.workers.values() if w.idle_since is not None),
                      key=lambda w: w.idle_since or 0.0, reverse=True)
        for rank, worker in enumerate(idle):
            if rank >= MAX_IDLE_WORKERS or now - (worker.idle_since or now) > IDLE_WORKER_S:
                self._retire(worker)
        for worker in list(self.workers.values()):
            if worker.releasing is not None and now > worker.released_by:  # a client that never read its report
                self._released(worker)
                self._retire(worker)

    def _next_timeout(self) -> float | None:
        now = time.monotonic()
        due = [w.idle_since + IDLE_WORKER_S - now for w in self.workers.values() if w.idle_since is not None]
        due += [w.released_by - now for w in self.workers.values() if w.releasing is not None]
        return max(0.0, min(due)) if due else None


def _worker_key(request: dict[str, Any]) -> str:
    """Which crawls a worker may run: those with its first crawl's environment and folder."""
    return json.dumps([request["env"], request["cwd"]], sort_keys=True)


def _close(thing: Any) -> None:
    if thing is None:
        return
    try:
        thing.close() if hasattr(thing, "close") else os.close(thing)
    except OSError:
        pass


def _run_child(request: dict[str, Any], lifeline: int) -> NoReturn:
    """Become the crawl: its log on stdout and stderr, its environment and folder, then Scrapy."""
    try:
        take_stop_signals()
        become_crawl(request)
        args = [*request["args"], "-s", f"GOVWATCH_LIFELINE_FD={lifeline}"]
        sys.argv = ["scrapy", *args]
        from crawler.__main__ import run_scrapy
        from crawler.pool_server import start_warm_forkserver

        if request.get("warm_pools") is True:  # a first crawl: its pools' forkserver, forked while single-threaded
            start_warm_forkserver()
        run_scrapy(args)
    except BaseException:  # noqa: BLE001  (whatever happens, the child must not return into the server)
        import traceback

        traceback.print_exc()
    finally:
        os._exit(1)


def _read_request(conn: socket.socket) -> dict[str, Any]:
    conn.settimeout(REQUEST_TIMEOUT_S)
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            raise ValueError("connection closed before the request ended")
        data += chunk
        if len(data) > MAX_REQUEST_BYTES:
            raise ValueError("request too long")
    request = json.loads(data)
    if not (isinstance(request.get("args"), list) and isinstance(request.get("env"), dict)
            and isinstance(request.get("cwd"), str) and isinstance(request.get("log"), str)):
        raise ValueError("expected args (list), env (object), cwd and log (strings)")  # noqa: TRY004
    return request


def _report_exit(child: Child) -> None:
    _, status, usage = os.wait4(child.pid, 0)
    os.close(child.pidfd)
    _send(child.conn, {"exit": os.waitstatus_to_exitcode(status), "cpu_s": usage.ru_utime + usage.ru_stime,
                       "maxrss_kb": usage.ru_maxrss})
    child.conn.close()


def _send(conn: socket.socket, message: dict[str, Any]) -> None:
    try:
        conn.settimeout(REQUEST_TIMEOUT_S)
        conn.sendall(json.dumps(message).encode() + b"\n")
    except OSError:  # the client went away; the crawl's run is closed by whoever restarts it
        pass


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m crawler.fork_server SOCKET_PATH", file=sys.stderr)
        return 2
    preload()
    serve(args[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
