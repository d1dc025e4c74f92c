"""`python -m bench.distributed`: distributed crawling, 1 and 2 workers, against the nginx bench site.

What it measures, all on this machine:

- the single-machine crawl of the same site (`govwatch crawl`'s child process), as the baseline;
- the same crawl through Redis with 1, then 2 `govwatch worker` processes and one store
  writer process: pages/s from enqueue to the run closed by the writer (workers started and
  warm beforehand: a real cluster keeps them running);
- the store writer alone: stream entries of new pages written per second, which is the
  ceiling of any number of workers while the store is one SQLite file.

Every process shares the same cores (2 here) with nginx and redis-server, so 2 workers on 2
cores measure contention as much as scale-out; the figures say what one more machine would
add only where the writer is not the limit.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.crawl_speed import crawl, prepare_db, source_record
from bench.nginx import Nginx
from bench.site import generate_site
from monitor.locations import PROJECT_ROOT
from storage import open_db
from storage.articles import raw_html

SOURCE = "bench-dist"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
RESULTS = PROJECT_ROOT / "bench" / "results" / "distributed.json"


def parse_args(args: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.distributed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="article pages in the synthetic site (default 1000)")
    parser.add_argument("--heavy-share", type=float, default=0.2, help="share of ~100 KB pages (default 0.2)")
    parser.add_argument("--workers", default="1,2", help="worker counts to measure, comma-separated (default 1,2)")
    parser.add_argument("--writer-rows", type=int, default=2000, help="entries for the writer-only figure (default 2000)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the single-machine crawl")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (databases, logs)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS.relative_to(PROJECT_ROOT)})")
    return parser.parse_args(args)


class RedisServer:
    """redis-server on a free 127.0.0.1 port, nothing written to disk."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="govwatch-bench-redis-"))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(self.dir)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.client = _wait_for_redis(self.url)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def _wait_for_redis(url: str) -> Any:
    import redis

    client = redis.Redis.from_url(url)
    for _ in range(200):
        try:
            client.ping()
            return client
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"redis-server did not answer at {url}")


WRITER_CODE = ("import faulthandler, signal, threading, sys; from monitor.distributed import StoreWriter; "
               "faulthandler.register(signal.SIGUSR1); stop = threading.Event(); "
               "signal.signal(signal.SIGTERM, lambda *_: stop.set()); "
               "StoreWriter(sys.argv[1], sys.argv[2], housekeeping_s=0.5, block_ms=200).run(stop)")


def distributed_crawl(redis: RedisServer, base_url: str, workers: int, workdir: Path, label: str) -> dict[str, Any]:
    """One crawl of the site by `workers` warm workers and one store writer process."""
    from monitor.distributed import enqueue_crawl, worker_command, worker_env

    redis.client.flushdb()
    db_path = workdir / f"dist-{label}.db"
    prepare_db(db_path, [source_record(SOURCE, base_url, "/gov/index.html")])
    logs = []
    writer_log = open(workdir / f"writer-{label}.log", "wb")  # noqa: SIM115 - closed below
    writer = subprocess.Popen([sys.executable, "-c", WRITER_CODE, redis.url, str(db_path)], cwd=PROJECT_ROOT,
                              env=worker_env(), stdout=writer_log, stderr=subprocess.STDOUT)
    processes = []
    for i in range(workers):
        log = open(workdir / f"worker-{label}-{i}.log", "wb")  # noqa: SIM115 - closed below
        logs.append(log)
        command = worker_command(redis.url, log_level="WARNING", extra_settings={"GOVWATCH_WORKER_ID": f"bench{i}"})
        processes.append(subprocess.Popen(command, cwd=PROJECT_ROOT, env=worker_env(), stdout=log,
                                          stderr=subprocess.STDOUT))
    try:
        deadline = time.monotonic() + 60
        while redis.client.hlen("govwatch:workers") < workers:
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not start")
            time.sleep(0.1)
        started = time.monotonic()
        run_id = enqueue_crawl(redis.url, db_path, SOURCE, trigger="bench")
        run = _wait_closed(db_path, run_id)
        wall = time.monotonic() - started
        worker_cpu = sum(_cpu_s(p.pid) for p in processes)
        writer_cpu = _cpu_s(writer.pid)
    finally:
        for process in [*processes, writer]:
            process.terminate()
        for process in [*processes, writer]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGUSR1)  # the writer dumps its stack to its log
                time.sleep(1)
                process.kill()
                process.wait()
        for log in [*logs, writer_log]:
            log.close()
    articles = run["articles_new"] + run["articles_changed"] + run["articles_unchanged"]
    return {"workers": workers, "status": run["status"], "articles": articles, "responses": run["pages_fetched"],
            "wall_s": round(wall, 2), "pages_per_s": round(articles / wall, 1), "loadavg": os.getloadavg()[0],
            "worker_cpu_ms_per_page": round(1000 * worker_cpu / max(articles, 1), 1),
            "writer_cpu_ms_per_page": round(1000 * writer_cpu / max(articles, 1), 1),
            "db": str(db_path)}


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a running process so far (Linux /proc), startup included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_closed(db_path: Path, run_id: int, timeout_s: float = 3600) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        db = open_db(db_path)
        try:
            run = db["crawl_runs"].get(run_id)
        finally:
            db.close()
        if run["status"] != "running":
            return run
        time.sleep(0.1)
    raise RuntimeError(f"run {run_id} did not finish within {timeout_s} s")


def writer_only(redis: RedisServer, crawled_db: Path, rows: int, workdir: Path) -> dict[str, Any]:
    """Stream entries of new pages (real crawled pages, fresh URLs) written per second by one writer."""
    from crawler.frontier import Keys
    from monitor.distributed import StoreWriter
    from storage.runs import start_run

    redis.client.flushdb()
    db_path = workdir / "writer-only.db"
    shutil.copy(crawled_db, db_path)
    db = open_db(db_path)
    try:
        pages = list(db.query(
            "select a.*, v.raw_html_gz, v.raw_sha256, v.response_headers from articles a join article_versions v"
            " on v.id = a.current_version_id"))
        pages = [{**page, "body": raw_html(db, page)} for page in pages]
        run_id = start_run(db, pages[0]["source"], trigger="bench")
    finally:
        db.close()
    keys = Keys()
    redis.client.set(keys.run(run_id, "context"), "{}")  # an open run
    with redis.client.pipeline(transaction=False) as pipe:
        for i in range(rows):
            page = pages[i % len(pages)]
            record = {
                "url": f"{page['url']}?copy={i}", "source": page["source"], "http_status": 200,
                "headers": json.loads(page["response_headers"] or "{}"), "encoding": None, "fetched_at": None,
                "canonical_url": f"{page['url']}?copy={i}", "title": page["title"], "text": page["text"],
                "published": page["published"], "author": page["author"], "origin": page["origin"],
                "publisher": page["publisher"], "doc_no": page["doc_no"], "index_no": page["index_no"],
                "metadata": json.loads(page["metadata"] or "{}"), "attachments": json.loads(page["attachments"] or "[]"),
            }
            pipe.xadd(keys.items, {"kind": "page", "run": run_id, "data": json.dumps(record, ensure_ascii=False),
                                   "body": page["body"]})
        pipe.execute()
    writer = StoreWriter(redis.url, db_path, block_ms=100)
    stop = threading.Event()
    started = time.monotonic()
    writer.run(stop, until=lambda: writer.written >= rows)
    wall = time.monotonic() - started
    return {"rows": rows, "wall_s": round(wall, 2), "rows_per_s": round(rows / wall, 1), "batch": writer.batch}


def main(args: Sequence[str] | None = None) -> int:
    options = parse_args(args)
    if not Path(REDIS_SERVER).exists():
        print("redis-server is not installed (apt-get install redis-server)", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="govwatch-bench-dist-"))
    results: dict[str, Any] = {"pages": options.pages, "heavy_share": options.heavy_share, "crawls": []}
    site = generate_site(workdir / "site", options.pages, options.heavy_share)
    redis = RedisServer()
    try:
        with Nginx(site.root) as server:
            if not options.no_baseline:
                db_path = workdir / "single.db"
                prepare_db(db_path, [source_record(SOURCE, server.base_url, "/gov/index.html")])
                figures = crawl(db_path, SOURCE, server)
                results["single_machine"] = {"articles": figures.articles, "wall_s": round(figures.wall_s, 2),
                                             "pages_per_s": round(figures.pages_per_s, 1), "loadavg": figures.loadavg}
                print(f"single machine (govwatch crawl): {figures.articles} pages in {figures.wall_s:.1f} s "
                      f"= {figures.pages_per_s:.1f} pages/s (load {figures.loadavg:.1f})")
            for i, count in enumerate(int(n) for n in options.workers.split(",")):
                result = distributed_crawl(redis, server.base_url, count, workdir, f"{i}-{count}w")
                results["crawls"].append(result)
                print(f"distributed, {count} worker(s): {result['articles']} pages in {result['wall_s']} s "
                      f"= {result['pages_per_s']} pages/s (run {result['status']}, load {result['loadavg']:.1f}; CPU per page:"
                      f" workers {result['worker_cpu_ms_per_page']} ms, writer {result['writer_cpu_ms_per_page']} ms)")
        last_db = Path(results["crawls"][-1]["db"])
        results["writer_only"] = writer_only(redis, last_db, options.writer_rows, workdir)
        print(f"store writer alone: {results['writer_only']['rows']} new pages in {results['writer_only']['wall_s']} s "
              f"= {results['writer_only']['rows_per_s']} rows/s")
    finally:
        redis.stop()
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not options.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
