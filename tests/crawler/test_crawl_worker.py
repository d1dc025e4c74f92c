"""The reused crawl process (crawler/crawl_worker.py): which command lines it runs, when it ends.

The end-to-end behaviour (a re-check handed to a waiting process, killed, stopped, closed with
the monitor) is in tests/monitor/test_crawl_processes.py.
"""

from __future__ import annotations

import gc
import socket

import pytest

from crawler.crawl_worker import MEMORY_CHECK_EVERY, RECYCLE_GROWTH_BYTES, Worker, crawl_spec
from crawler.gc_tuning import collect_less


def test_only_plain_crawl_command_lines_are_run_in_a_reused_process():
    spec = crawl_spec(["crawl", "source", "-a", "source=demo-gov", "-s", "GOVWATCH_RUN_ID=7", "-s", "X=a=b"])
    assert spec is not None
    assert spec.spider == "source"
    assert spec.spider_args == {"source": "demo-gov"}
    assert spec.settings == {"GOVWATCH_RUN_ID": "7", "X": "a=b"}
    # Anything a worker would silently drop is left to a process of its own.
    for args in (["crawl"], ["runspider", "x.py"], ["crawl", "-o", "out.json", "source"],
                 ["crawl", "source", "-o", "out.json"], ["crawl", "source", "-s"], ["crawl", "source", "-s", "NOVALUE"],
                 ["crawl", "source", "--logfile", "x.log"], ["crawl", "source", "-a", "=x"]):
        assert crawl_spec(args) is None, args


@pytest.mark.slow
def test_a_worker_ends_after_a_failed_crawl_or_when_it_has_grown():
    ours, theirs = socket.socketpair()
    try:
        worker = Worker(theirs)
        worker.crawls = 1
        assert worker._should_retire(1)  # a failed crawl: a fresh process for the next one
        assert not worker._should_retire(0)  # the first clean crawl sets the baseline
        assert not worker._should_retire(0)
        held = bytearray(RECYCLE_GROWTH_BYTES + (16 << 20))  # what a crawl left behind, touched
        held[::4096] = b"x" * len(held[::4096])
        # Memory is read every MEMORY_CHECK_EVERY crawls (a read walks the address space, ~5 ms).
        for _ in range(MEMORY_CHECK_EVERY - 1):
            worker.crawls += 1
            assert not worker._should_retire(0)
        worker.crawls += 1
        assert worker._should_retire(0)
        del held
        worker.stop_asked = True
        worker.baseline_bytes = None
        assert worker._should_retire(0)  # stopped: the process ends with its crawl
    finally:
        ours.close()
        theirs.close()


def test_a_reused_process_does_not_freeze_a_crawls_objects():
    """Frozen, a crawl's start-up state (held in reference cycles) would outlive it in a worker."""
    before = gc.get_freeze_count()
    threshold = gc.get_threshold()
    try:
        collect_less(50_000, freeze=False)
        assert gc.get_freeze_count() == before
        assert gc.get_threshold()[0] == 50_000
    finally:
        gc.set_threshold(*threshold)
