"""A crawl killed -9 takes its pool workers with it (crawler/orphan_guard.py).

Before the guard, every killed crawl left its extraction and attachment workers and their
multiprocessing forkserver waiting forever (~40 MB a crawl); the soak's random kill -9s piled up
1,242 of them and the OOM killer ended the test run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.soak import children
from tests.conftest import PROJECT_ROOT

# Both pools a crawl starts, started as a crawl starts them; then the pids of every process the
# crawl's pools made (the forkserver is the crawl's child, the workers the forkserver's).
CRAWL = """
import os, sys, time
from crawler.attachments.pool import AttachmentReaders
from crawler.extraction_pool import ExtractionPool, _warm
extraction = ExtractionPool(workers=2, start_after=0)
extraction._start()
[f.result(timeout=60) for f in extraction.warming]
readers = AttachmentReaders(workers=1)
readers.start()
readers.executor.submit(os.getpid).result(timeout=60)
print(os.getpid(), flush=True)
time.sleep(600)
"""


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for child in children(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="pidfds (Linux >= 5.3)")
@pytest.mark.slow
def test_workers_and_their_forkserver_end_when_the_crawl_is_killed():
    crawl = subprocess.Popen([sys.executable, "-c", CRAWL], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    try:
        assert int(crawl.stdout.readline()) == crawl.pid
        pool_processes = descendants(crawl.pid)
        assert len(pool_processes) >= 4  # a forkserver, two extraction workers, one reader
    finally:
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in pool_processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in pool_processes if alive(pid)]
    for pid in left:  # do not leave them to the next test either
        os.kill(pid, signal.SIGKILL)
    assert left == []
