"""The attachment reader pool (crawler/attachments/pool.py): low priority, and a backstop that
counts a file's own read, never its wait behind other files."""

from __future__ import annotations

import asyncio
import os
import zlib

import pytest

from crawler.attachments import UNREADABLE, ReadLimits
from crawler.attachments.pool import READER_NICENESS, AttachmentReaders
from tests.security import hostile_attachments as h


def test_readers_run_at_low_priority() -> None:
    readers = AttachmentReaders(workers=1)
    try:
        readers.start()
        assert readers.executor is not None
        readers.executor.submit(os.getpid).result(timeout=60)  # the worker is up
        (pid,) = readers.executor._processes
        assert os.getpriority(os.PRIO_PROCESS, pid) == READER_NICENESS > os.nice(0)
    finally:
        readers.close()


@pytest.mark.slow
def test_files_queued_behind_others_are_not_stopped_by_the_backstop() -> None:
    # One worker, 30 files that each take ~0.35 s of CPU (PDFium parses the whole content stream
    # before the 0.1 s budget's alarm can be taken): 10 s and more of reading in all, past the
    # pool's backstop for one file (2 × 2 s + 5 = 9 s). Counted from when each file was handed
    # over, the files at the back of the queue were "reader died" and, three of them later, the
    # pool gave up for the rest of the crawl (before the fix: 37 of 60 files lost with the
    # default budget). At the crawl's priority: a test run keeps both cores busy, and at low
    # priority a read here could wait past its 2 s.
    slow = h.raw_pdf(zlib.compress(b"BT /F1 1 Tf " + b"(x) Tj " * 400_000 + b"ET"))
    readers = AttachmentReaders(workers=1, limits=ReadLimits(max_seconds=0.1, max_wall_seconds=2), niceness=0)

    async def read_all() -> list:
        return await asyncio.gather(*(readers.read(slow, "pdf") for _ in range(30)))

    try:
        readings = asyncio.run(read_all())
    finally:
        readers.close()
    # Each file ends by its own budget: its CPU, or (on a test machine busy enough to hold a read
    # past 2 s) its own wall time, the reader child stopped. Never the pool's backstop.
    assert {r.status for r in readings} == {UNREADABLE}
    assert {r.reason for r in readings} <= {
        "reading took more than 0.1 s of CPU",
        "the reader was stopped after 2 s without finishing (stuck, or the machine too busy to run it)"}
    assert readers.restarts == 0
