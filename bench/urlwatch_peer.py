"""The same unchanged re-check done by urlwatch, the usual tool for "tell me when this page changes".

Why urlwatch: it is what an operator would otherwise reach for, and it also stores ETags and
sends conditional GETs, so the comparison is of two re-checkers on equal terms (nginx answers
both with 304s). urlwatch is run as its command, with its own defaults (10 worker threads),
a temp urls.yaml/cache/config, and every reporter off, so only the checking is timed. It is
run twice: the first run fills its cache (every job "new"), the second is the measured re-check.

Needs `pip install urlwatch==2.29` in the venv; without it the figures are reported as missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.nginx import Nginx

CONFIG = """\
display: {new: false, error: true, unchanged: false, empty-diff: false}
report:
  stdout: {enabled: false}
  email: {enabled: false}
"""


def urlwatch_command() -> str | None:
    """The urlwatch script next to this interpreter (the venv's), or on PATH."""
    beside = Path(sys.executable).parent / "urlwatch"
    return str(beside) if beside.exists() else shutil.which("urlwatch")


def recheck(urls: Sequence[str], server: Nginx) -> dict[str, Any] | None:
    """Fill urlwatch's cache with `urls`, then time its unchanged re-check of all of them."""
    peer = Urlwatch.start(urls, server)
    if peer is None:
        return None
    try:
        return peer.recheck()
    finally:
        peer.close()


class Urlwatch:
    """urlwatch with its cache filled, re-checking the same URLs as often as asked (a bench that
    alternates it with another checker, so both see the same load on a shared machine)."""

    def __init__(self, command: str, urls: Sequence[str], server: Nginx,
                 started: Callable[[int], None] | None = None) -> None:
        """`started` is told each urlwatch process's pid as it starts: a bench that reaps the orphans
        it adopted (bench.many_sources) must leave this child, whose rusage `_run` reads, alone."""
        self.command, self.urls, self.server, self.started = command, list(urls), server, started
        self.workdir = Path(tempfile.mkdtemp(prefix="govwatch-bench-urlwatch-"))
        jobs = "---\n".join(f"name: p{i}\nurl: {url}\n" for i, url in enumerate(self.urls))
        (self.workdir / "urls.yaml").write_text(jobs, encoding="utf-8")
        (self.workdir / "urlwatch.yaml").write_text(CONFIG, encoding="utf-8")
        self.args = [command, "--urls", str(self.workdir / "urls.yaml"), "--cache", str(self.workdir / "cache.db"),
                     "--config", str(self.workdir / "urlwatch.yaml"), "--hooks", str(self.workdir / "hooks.py")]
        self.first_seconds = _run(self.args, server, started)["seconds"]

    @classmethod
    def start(cls, urls: Sequence[str], server: Nginx, started: Callable[[int], None] | None = None) -> Urlwatch | None:
        """urlwatch after its filling run (every job "new"), or None when it is not installed."""
        command = urlwatch_command()
        return None if command is None else cls(command, urls, server, started)

    def recheck(self) -> dict[str, Any]:
        """One timed unchanged re-check of every URL."""
        again = _run(self.args, self.server, self.started)
        return {
            "version": _version(self.command),
            "checks": len(self.urls),
            "first_seconds": self.first_seconds,
            "seconds": again["seconds"],
            "checks_per_s": len(self.urls) / again["seconds"],
            "cpu_ms_per_check": 1000 * again["cpu_s"] / len(self.urls),
            "peak_rss_mb": again["peak_rss_mb"],
            "bytes": again["bytes"],
            "not_modified": again["not_modified"],
            "load": os.getloadavg()[0],
        }

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


def _run(args: list[str], server: Nginx, started: Callable[[int], None] | None = None) -> dict[str, Any]:
    offset = server.log_offset()
    began = time.monotonic()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                               env={**os.environ, "NO_COLOR": "1"})
    if started is not None:
        started(process.pid)
    assert process.stderr is not None
    err = process.stderr.read()  # drain while it runs; urlwatch reports errors there
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - began
    if process.returncode != 0:
        raise RuntimeError(f"urlwatch exited {process.returncode}: {err.decode(errors='replace')[-2000:]}")
    traffic = server.traffic_since(offset)
    return {"seconds": seconds, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024,
            "bytes": traffic.bytes_sent, "not_modified": traffic.by_status.get(304, 0)}


def _version(command: str) -> str:
    out = subprocess.run([command, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return out.removeprefix("urlwatch ").strip()
