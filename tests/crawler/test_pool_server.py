"""A forked crawl's pools fork their workers from a warm copy of the crawl (crawler/pool_server.py).

Each test runs a stand-in for a crawl forked by crawler/fork_server.py in a process of its own
(the forkserver state is per process, and a kill -9 must hit only the stand-in)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.crawler.test_orphan_guard import alive, descendants

PAGE = ("<html><head><title>关于开展乡村振兴示范创建的通知</title></head><body><h1>关于开展乡村振兴示范创建的通知</h1>"
        + "<p>各县市区乡村振兴局：为深入推进乡村振兴示范创建工作，现将有关事项通知如下。</p>" * 6 + "</body></html>")

# As a forked crawl does: everything imported before the warm forkserver is forked, then the
# pools; prints the pids involved and what the pool extracted against the same in-process.
CRAWL = f"""
import json, os, sys, time
from crawler.extraction_pool import ExtractionPool, extract_for_store
from crawler.attachments.pool import AttachmentReaders
from crawler.pool_server import start_warm_forkserver
server = start_warm_forkserver()
pool = ExtractionPool(workers=2, start_after=0)
pool._start()
[f.result(timeout=60) for f in pool.warming]
page = {PAGE!r}.encode()
pooled = pool.executor.submit(extract_for_store, page, "http://127.0.0.1/gov/t20230630_1.html", "utf-8").result(timeout=60)
here = extract_for_store(page, "http://127.0.0.1/gov/t20230630_1.html", "utf-8")
readers = AttachmentReaders(workers=1)
readers.start()
reader = readers.executor.submit(os.getpid).result(timeout=60)
workers = [p.pid for p in pool.executor._processes.values()]
print(json.dumps({{"me": os.getpid(), "server": server, "workers": workers, "reader": reader,
                  "same": pooled.fields == here.fields, "text": pooled.fields["text"][:20]}}), flush=True)
time.sleep(600)
"""


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


@pytest.mark.slow
def test_pool_workers_fork_from_a_warm_copy_of_the_crawl_and_end_with_it():
    crawl = subprocess.Popen([sys.executable, "-c", CRAWL], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    try:
        seen = json.loads(crawl.stdout.readline())
        assert seen["me"] == crawl.pid and seen["server"] is not None
        assert seen["same"] and seen["text"].startswith("各县市区乡村振兴局")
        # The forkserver is the crawl's own fork, not a new Python started with
        # `-c "from multiprocessing.forkserver import main…"`, and both pools' workers are its.
        assert parent_of(seen["server"]) == crawl.pid
        assert Path(f"/proc/{seen['server']}/cmdline").read_bytes() == Path(f"/proc/{crawl.pid}/cmdline").read_bytes()
        assert len(seen["workers"]) == 2
        assert {parent_of(pid) for pid in [*seen["workers"], seen["reader"]]} == {seen["server"]}
        started = descendants(crawl.pid)
        assert not any(b"multiprocessing.forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
                       for pid in started if alive(pid))
    finally:
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
    deadline = time.monotonic() + 20  # killed -9: the forkserver sees its alive pipe close, the workers the crawl's pidfd
    while any(alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in started if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []


def test_nothing_is_forked_once_the_process_has_a_thread():
    """Forking a process with threads would copy their locks into the forkserver: then the pools
    start multiprocessing's own forkserver, as a spawned crawl's do."""
    script = ("import threading, time\n"
              "from crawler.pool_server import start_warm_forkserver\n"
              "threading.Thread(target=time.sleep, args=(5,), daemon=True).start()\n"
              "from multiprocessing import forkserver\n"
              "print(start_warm_forkserver(), forkserver._forkserver._forkserver_pid)\n")
    result = subprocess.run([sys.executable, "-c", script], check=True, cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert result.stdout.split() == ["None", "None"]
