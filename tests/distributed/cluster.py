"""A real distributed cluster for tests: redis-server on 127.0.0.1, worker processes and the
store writer (a thread) around one database. Used by tests/distributed and by the fault suite's
distributed mode (tests/faults/conftest.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import PROJECT_ROOT

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
# Why the distributed tests are skipped, or "" when they can run.
NO_REDIS = "" if os.path.exists(REDIS_SERVER) else "redis-server is not installed (apt-get install redis-server)"


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A throw-away redis-server on 127.0.0.1 (no persistence); its URL."""
    import redis

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(workdir)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


class Cluster:
    """Workers (real processes) and the store writer (a thread) around one Redis and one database."""

    def __init__(self, redis_url: str, db_path: Path, log_dir: Path) -> None:
        self.redis_url = redis_url
        self.db_path = db_path
        self.log_dir = log_dir
        self.workers: dict[str, subprocess.Popen] = {}
        self.stop = threading.Event()
        self.writer_thread: threading.Thread | None = None

    def start_worker(self, worker_id: str, **settings) -> subprocess.Popen:
        from monitor.distributed import worker_command, worker_env

        command = worker_command(self.redis_url, lease_ttl_s=3, exit_idle_s=30,
                                 extra_settings={"GOVWATCH_WORKER_ID": worker_id, **settings})
        with open(self.log_dir / f"{worker_id}.log", "wb") as log:  # the child keeps its own descriptor
            process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=worker_env(), stdout=log, stderr=subprocess.STDOUT)
        self.workers[worker_id] = process
        return process

    def start_writer(self) -> None:
        from monitor.distributed import StoreWriter

        writer = StoreWriter(self.redis_url, self.db_path, housekeeping_s=0.5, block_ms=200)
        self.writer_thread = threading.Thread(target=writer.run, args=(self.stop,), daemon=True)
        self.writer_thread.start()

    def wait_for_runs(self, run_ids: list[int], timeout: float) -> list[dict]:
        from storage import open_db

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            db = open_db(self.db_path)
            try:
                runs = [db["crawl_runs"].get(r) for r in run_ids]
            finally:
                db.close()
            if all(r["status"] != "running" for r in runs):
                return runs
            time.sleep(0.2)
        raise AssertionError(f"runs still open after {timeout} s:\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n" + p.read_text(errors="replace")[-3000:] for p in self.log_dir.glob("*.log"))

    def shutdown(self) -> None:
        self.stop.set()
        for process in self.workers.values():
            if process.poll() is None:
                process.terminate()
        for process in self.workers.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.writer_thread:
            self.writer_thread.join(timeout=10)


