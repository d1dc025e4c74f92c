"""Starting a crawl's process: forked from a warm fork server (the default), or spawned.

Why two ways: a spawned `python -m crawler` pays Python's start-up and ~1 s of imports for
every crawl, which at hundreds of small sources is most of the machine's work (bench/README.md,
"Warm crawls"). A fork of crawler/fork_server.py starts with all of that done. Spawning stays
as the fallback (the server cannot start) and for comparison (GOVWATCH_CRAWL_START=spawn).

Either way the monitor holds a handle with Popen's surface — pid, poll, wait, kill, terminate,
returncode — so time limits, stop requests and kill -9 work the same. A forked crawl is the
server's child, not ours: it is signalled through a pidfd (never a pid that may have been
reused), and its exit status and CPU come back from the server on the crawl's own connection.

This module never imports Scrapy or Twisted: the server is a separate process.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

START_METHODS = ("fork", "spawn")
SERVER_START_TIMEOUT_S = 120.0  # the server's imports: ~1 s idle, much more on a loaded machine
FORK_TIMEOUT_S = 30.0
MAX_MESSAGE_BYTES = 65536


class StartMethodError(ValueError):
    """GOVWATCH_CRAWL_START names no start method, or GOVWATCH_CRAWL_REUSE is neither on nor off."""


def start_method(value: str | None = None) -> str:
    """The start method asked for (argument, else $GOVWATCH_CRAWL_START, else fork), validated."""
    method = (value or os.environ.get("GOVWATCH_CRAWL_START") or "fork").strip().lower()
    if method not in START_METHODS:
        raise StartMethodError(f"GOVWATCH_CRAWL_START={method!r}: use one of {', '.join(START_METHODS)}")
    return method


REUSE_VALUES = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def reuse_processes() -> bool:
    """Whether re-checks may run in a reused crawl process (crawler/crawl_worker.py): yes,
    unless $GOVWATCH_CRAWL_REUSE is 0 (for comparison in the bench, or to rule it out)."""
    value = os.environ.get("GOVWATCH_CRAWL_REUSE", "1").strip().lower()
    if value not in REUSE_VALUES:
        raise StartMethodError(f"GOVWATCH_CRAWL_REUSE={value!r}: use 1 or 0")
    return REUSE_VALUES[value]


class CrawlProcess(Protocol):
    """What the monitor needs of a running crawl: subprocess.Popen has it, so has ForkedCrawl."""

    pid: int
    returncode: int | None

    def poll(self) -> int | None: ...
    def wait(self, timeout: float | None = None) -> int: ...
    def kill(self) -> None: ...
    def terminate(self) -> None: ...


@dataclass
class Usage:
    """CPU seconds (user + system) and peak RSS of one ended crawl process."""

    cpu_s: float
    maxrss_kb: int


class ForkedCrawl:
    """A crawl forked by the server: Popen's surface over a pidfd and the server's connection."""

    def __init__(self, conn: socket.socket, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.usage: Usage | None = None
        self._conn: socket.socket | None = conn
        self._buffer = b""
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # already ended and reaped: the server's report is on its way
            self._pidfd = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self._receive(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            self._receive(left if left is not None else 1.0)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None and self._pidfd is not None:
            try:
                signal.pidfd_send_signal(self._pidfd, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def ready_fd(self) -> int | None:
        """What becomes readable when this crawl has ended: the server's connection (its report),
        else the process's pidfd; None once the end is known."""
        if self.returncode is not None:
            return None
        return self._conn.fileno() if self._conn is not None else self._pidfd

    def _receive(self, timeout: float) -> None:
        """Read the server's exit report, if it has come within `timeout` seconds.

        If the server itself died, the crawl (now nobody's child) is watched through its pidfd,
        and its exit status, unknowable, is 255.
        """
        if self._conn is None:
            if self._pidfd is None or select.select([self._pidfd], [], [], timeout)[0]:
                self._ended(255, None)
            return
        if not select.select([self._conn], [], [], timeout)[0]:
            return
        try:
            chunk = self._conn.recv(MAX_MESSAGE_BYTES)
        except OSError:
            chunk = b""
        if not chunk:
            self._conn.close()
            self._conn = None
            log.error("the fork server went away while crawl %s ran; watching the process itself", self.pid)
            return
        self._buffer += chunk
        if b"\n" in self._buffer:
            message = json.loads(self._buffer.split(b"\n", 1)[0])
            self._ended(int(message["exit"]), Usage(float(message["cpu_s"]), int(message["maxrss_kb"])))

    def _ended(self, code: int, usage: Usage | None) -> None:
        self.returncode, self.usage = code, usage
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None


def wait_for_any(processes: Sequence[CrawlProcess], timeout: float) -> None:
    """Up to `timeout` seconds, returning as soon as any of `processes` may have ended.

    Why not wait on the first one: with several crawls at once, a slot freed by a later crawl
    would stay idle until the first one ended or the wait timed out, and a warm re-check of a
    small source takes ~0.15 s. Ending is seen through the fork server's connection (its exit
    report) or the process's pidfd (a spawned crawl); a process already gone returns at once.
    """
    fds: list[int] = []
    opened: list[int] = []
    try:
        for process in processes:
            if isinstance(process, ForkedCrawl):
                fd = process.ready_fd()
                if fd is None:  # its end is known
                    return
            else:
                if process.poll() is not None:
                    return
                try:
                    fd = os.pidfd_open(process.pid)
                except ProcessLookupError:  # ended (a zombie still has its pid): poll() will say so
                    return
                opened.append(fd)
            fds.append(fd)
        if fds:
            select.select(fds, [], [], max(0.0, timeout))
    finally:
        for fd in opened:
            os.close(fd)


class ForkServer:
    """The monitor's end of crawler/fork_server.py: started on first use, restarted if it died."""

    def __init__(self, cwd: str | Path, env: dict[str, str]) -> None:
        self.cwd = str(cwd)
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.folder: Path | None = None
        self._lock = threading.Lock()

    @property
    def socket_path(self) -> str:
        assert self.folder is not None
        return str(self.folder / "s")

    def ensure_running(self) -> None:
        with self._lock:
            if self.process is not None and self.process.poll() is None:
                return
            self._cleanup()
            self.folder = Path(tempfile.mkdtemp(prefix="govwatch-forkserver-"))  # 0700: only we can connect
            # stdin is the lifeline: only this process holds its write end (close_fds keeps it
            # out of every other child), so it closes exactly when we end.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "crawler.fork_server", self.socket_path], cwd=self.cwd, env=self.env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            assert self.process.stdout is not None
            ready = select.select([self.process.stdout], [], [], SERVER_START_TIMEOUT_S)[0]
            line = self.process.stdout.readline() if ready else b""
            if line.strip() != b"ready":
                self._cleanup()
                raise RuntimeError("the crawl fork server did not start (its error is in this process's stderr)")
            self.process.stdout.close()

    def start(self, args: Sequence[str], env: dict[str, str], cwd: str | Path, log_path: str | Path,
              warm_pools: bool = False) -> ForkedCrawl:
        """Fork one crawl running `scrapy ARGS…` with its output in `log_path`; with `warm_pools`
        the crawl first forks a warm forkserver for its worker pools (crawler/pool_server.py)."""
        self.ensure_running()
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.settimeout(FORK_TIMEOUT_S)
            conn.connect(self.socket_path)
            request = {"args": list(args), "env": env, "cwd": str(cwd), "log": str(log_path), "warm_pools": warm_pools,
                       "reuse": not warm_pools and reuse_processes()}
            conn.sendall(json.dumps(request, ensure_ascii=False).encode() + b"\n")
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = conn.recv(MAX_MESSAGE_BYTES)
                if not chunk or len(reply) > MAX_MESSAGE_BYTES:
                    raise RuntimeError("the crawl fork server closed the connection before forking")
                reply += chunk
            message = json.loads(reply)
            if "pid" not in message:
                raise RuntimeError(f"the crawl fork server refused a crawl: {message.get('error')}")
            conn.settimeout(None)
        except BaseException:
            conn.close()
            raise
        return ForkedCrawl(conn, int(message["pid"]))

    def close(self, timeout: float | None = None) -> None:
        """Close the lifeline: the server stops accepting and exits once its crawls have."""
        with self._lock:
            self._cleanup(timeout)

    def _cleanup(self, timeout: float | None = 0) -> None:
        if self.process is not None:
            if self.process.stdin is not None:
                self.process.stdin.close()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
            self.process = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


_servers: dict[tuple[str, str], ForkServer] = {}
_servers_lock = threading.Lock()


@atexit.register
def _close_servers() -> None:
    """At exit, close every lifeline (the servers end once their crawls have) and remove the
    socket folders, without waiting: the crawls' own runs are closed by themselves."""
    for server in list(_servers.values()):
        server._cleanup(timeout=0)


def fork_server(cwd: str | Path, env: dict[str, str]) -> ForkServer:
    """This process's fork server for crawls run from `cwd` with `env`'s Python path.

    One per (cwd, PYTHONPATH): the modules it preloads are found there; the rest of the
    environment travels with each crawl.
    """
    key = (str(cwd), env.get("PYTHONPATH", ""))
    with _servers_lock:
        if key not in _servers:
            _servers[key] = ForkServer(cwd, env)
        return _servers[key]


def launch(args: Sequence[str], *, env: dict[str, str], cwd: str | Path, log_path: str | Path,
           method: str | None = None, warm_pools: bool = False) -> CrawlProcess:
    """Start `python -m crawler ARGS…` the asked way; fork falls back to spawn if the server fails.
    `warm_pools`: see ForkServer.start (a spawned crawl's pools start their forkserver as usual)."""
    if start_method(method) == "fork":
        try:
            return fork_server(cwd, env).start(args, env, cwd, log_path, warm_pools)
        except (OSError, RuntimeError, ValueError) as exc:
            log.error("crawl fork server unavailable (%s); spawning the crawl instead", exc)
    with open(log_path, "ab") as log_file:
        return subprocess.Popen([sys.executable, "-m", "crawler", *args], cwd=cwd, env=env, stdout=log_file,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def wait_with_usage(process: CrawlProcess) -> Usage:
    """Wait for a crawl to end and return its own CPU and peak RSS (os.wait4 for a spawned one)."""
    if isinstance(process, ForkedCrawl):
        process.wait()
        return process.usage or Usage(0.0, 0)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return Usage(usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def describe(process: Any) -> str:
    """'forked' or 'spawned', for logs and the bench."""
    return "forked" if isinstance(process, ForkedCrawl) else "spawned"
