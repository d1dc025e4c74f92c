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
the monitor): the client sends one JSON line {"args", "env", "cwd", "log", "warm_pools"}; the
server answers {"pid": N} once forked, then {"exit": code, "cpu_s": s, "maxrss_kb": k} once it
has reaped it.

Lifetime: stdin is a pipe whose write end only the monitor holds (its "lifeline"). Children
inherit the read end and their ParentWatchExtension stops them when it reads EOF, i.e. when
the monitor is gone. The server then stops accepting, waits for its children (so each is
still reaped, and a monitor's process-tree check sees them end) and exits.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import selectors
import signal
import socket
import sys
import threading
from dataclasses import dataclass
from typing import Any, NoReturn

MAX_REQUEST_BYTES = 1 << 20
REQUEST_TIMEOUT_S = 10.0
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


def preload() -> None:
    """Import everything a crawl imports, and warm the extractor, without starting anything."""
    import scrapy.commands.crawl
    import scrapy.crawler  # noqa: F401
    from scrapy.utils.misc import load_object, walk_modules_iter
    from scrapy.utils.project import get_project_settings

    import crawler.__main__  # noqa: F401  (run_scrapy, and with it scrapy.cmdline)

    settings = get_project_settings()
    for package in ["scrapy.commands", *settings.getlist("SPIDER_MODULES")]:
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
    _cache_command_entry_points()
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


def _cache_command_entry_points() -> None:
    """Look up Scrapy's command plugins (the `scrapy.commands` entry points) once, for every child.

    Why: `scrapy crawl` scans every installed distribution's entry points to list its commands,
    on each run; the installed packages cannot change under a running server any more than the
    modules it preloaded. Skipped if Scrapy no longer looks them up through that name.
    """
    import scrapy.cmdline

    lookup = getattr(scrapy.cmdline, "entry_points", None)
    if callable(lookup):
        scrapy.cmdline.entry_points = functools.cache(lookup)
        scrapy.cmdline.entry_points(group="scrapy.commands")


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
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(lifeline, selectors.EVENT_READ, "lifeline")
    children: dict[int, Child] = {}
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    os.dup2(devnull, 1)
    accepting = True
    while accepting or children:
        for key, _ in selector.select():
            if key.data == "accept":
                conn, _ = listener.accept()
                child = _start_child(conn, lifeline, listener, selector, children)
                if child is not None:
                    children[child.pid] = child
                    selector.register(child.pidfd, selectors.EVENT_READ, child.pid)
            elif key.data == "lifeline":
                selector.unregister(lifeline)
                selector.unregister(listener)
                listener.close()
                accepting = False
            else:
                child = children.pop(key.data)
                selector.unregister(child.pidfd)
                _report_exit(child)
    # A monitor killed with -9 cannot remove the socket's folder: the server does, as it leaves.
    for remove, path in ((os.unlink, socket_path), (os.rmdir, os.path.dirname(socket_path))):
        try:
            remove(path)
        except OSError:
            pass


def _start_child(conn: socket.socket, lifeline: int, listener: socket.socket, selector: selectors.BaseSelector,
                 children: dict[int, Child]) -> Child | None:
    try:
        request = _read_request(conn)
    except (OSError, ValueError) as exc:
        _send(conn, {"error": f"bad request: {exc}"})
        conn.close()
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError as exc:  # out of memory or processes: this crawl fails, the server and its crawls go on
        _send(conn, {"error": f"fork failed: {exc}"})
        conn.close()
        return None
    if pid == 0:  # the crawl: never returns into this loop
        try:
            for other in children.values():
                other.conn.close()
                os.close(other.pidfd)
            selector.close()
            listener.close()
            conn.close()
        finally:
            _run_child(request, lifeline)
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


def _run_child(request: dict[str, Any], lifeline: int) -> NoReturn:
    """Become the crawl: its log on stdout and stderr, its environment and folder, then Scrapy."""
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
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
