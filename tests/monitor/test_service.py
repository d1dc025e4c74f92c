"""The real `govwatch run` service against the demo site, with second-scale schedules."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, govwatch

pytestmark = [pytest.mark.long, pytest.mark.slow, pytest.mark.timeout(240)]


class HangingServer:
    """Accepts connections and never answers: a crawl of it hangs until its time limit."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        """Stop listening and drop every held connection: a crawl of it fails at once.

        `shutdown` first: a bare `close` does not wake the thread blocked in `accept`, which then
        took one more connection and held it."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed
        self.sock.close()
        for conn in self.held:
            conn.close()


def write_config(path: Path, base: str, hang_port: int) -> None:
    polite = "politeness: {autothrottle: false, download_delay: 0, obey_robots: false}"
    path.write_text(f"""
sources:
  - name: demo-gov
    start_urls: ["{base}/gov/index.html"]
    allow_paths: ["/gov/"]
    schedule: every 4s
    {polite}
  - name: demo-news
    start_urls: ["{base}/news/list/index.html"]
    allow_paths: ["/news/"]
    schedule: every 1h
    {polite}
  - name: hung
    start_urls: ["http://127.0.0.1:{hang_port}/list/index.html"]
    schedule: every 1h
    time_limit_s: 10
    politeness: {{autothrottle: false, download_delay: 0, obey_robots: false, download_timeout: 8}}
""", encoding="utf-8")


def runs(db_path: Path, source: str) -> list[dict]:
    if not db_path.exists():
        return []
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("select * from crawl_runs where source = ? order by id", [source])]
    except sqlite3.OperationalError:  # the service has not created its tables yet
        return []
    finally:
        conn.close()


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def start_service(db_path: Path, config: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", "run", "--db", str(db_path), "--config", str(config), "--poll", "0.5"],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop_service(service: subprocess.Popen) -> str:
    service.send_signal(signal.SIGTERM)
    output, _ = service.communicate(timeout=60)
    return output


def test_service_schedules_obeys_operators_and_stops_cleanly(tmp_path, fresh_demo_site):
    hang = HangingServer()
    db_path, config = tmp_path / "govwatch.db", tmp_path / "sources.yaml"
    write_config(config, fresh_demo_site.base_url, hang.port)
    service = start_service(db_path, config)
    try:
        # Runs on schedule: never-crawled sources start at once, then demo-gov every 4 s.
        wait_for(lambda: len([r for r in runs(db_path, "demo-gov") if r["status"] == "ok"]) >= 2, 60,
                 "two scheduled demo-gov runs")
        assert len(runs(db_path, "demo-news")) == 1

        # A hung crawl is stopped at its limit and recorded so, while other sources keep running.
        wait_for(lambda: any(r["status"] in ("timeout", "killed") for r in runs(db_path, "hung")), 90,
                 "the hung crawl to be ended")
        hung = runs(db_path, "hung")[-1]
        assert hung["status"] == "timeout", hung
        assert len(runs(db_path, "demo-gov")) >= 3

        # schedule: demo-news from hourly to every 3 s, applied by the running service.
        govwatch("sources", "schedule", "demo-news", "every 3s", "--db", str(db_path))
        wait_for(lambda: len(runs(db_path, "demo-news")) >= 2, 30, "demo-news on its new schedule")

        # A bad schedule is refused with the reason; nothing changes.
        refused = govwatch("sources", "schedule", "demo-news", "every fortnight", "--db", str(db_path), check=False)
        assert refused.returncode == 2 and "refused" in refused.stderr

        # pause stops new runs; resume starts them again.
        govwatch("sources", "pause", "demo-gov", "--db", str(db_path))
        time.sleep(2)  # a run already started may finish
        paused_count = len(runs(db_path, "demo-gov"))
        time.sleep(6)
        assert len(runs(db_path, "demo-gov")) == paused_count
        govwatch("sources", "resume", "demo-gov", "--db", str(db_path))
        wait_for(lambda: len(runs(db_path, "demo-gov")) > paused_count, 30, "demo-gov resumed")

        # run now: the hourly hung source runs again on request.
        hung_runs = len(runs(db_path, "hung"))
        govwatch("sources", "run", "hung", "--db", str(db_path))
        wait_for(lambda: len(runs(db_path, "hung")) > hung_runs, 20, "the requested run")

        listing = json.loads(govwatch("sources", "list", "--json", "--db", str(db_path)).stdout)
        by_name = {row["name"]: row for row in listing}
        assert by_name["demo-news"]["schedule"] == "every 3s" and by_name["demo-news"]["next_run_at"]
    finally:
        output = stop_service(service)
        hang.close()
    # SIGTERM: the service ends, no run is left "running", the database is consistent.
    assert service.returncode == 0, output
    conn = sqlite3.connect(db_path)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert conn.execute("select count(*) from crawl_runs where status = 'running'").fetchone()[0] == 0
    conn.close()

    # A restart keeps the operator's schedule over sources.yaml's.
    service = start_service(db_path, config)
    try:
        wait_for(lambda: json.loads(govwatch("sources", "list", "--json", "--db", str(db_path)).stdout)[0]
                 .get("next_run_at") is not None, 20, "the restarted service to plan runs")
        listing = {r["name"]: r for r in json.loads(govwatch("sources", "list", "--json", "--db", str(db_path)).stdout)}
        assert listing["demo-news"]["schedule"] == "every 3s"
    finally:
        stop_service(service)
