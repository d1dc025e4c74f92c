"""Attachment reading in worker processes, so the reactor never parses a PDF.

Its own small ProcessPoolExecutor rather than the article extraction pool's
(crawler/extraction_pool.py): a read sets a process-wide alarm and address-space cap
(limits.py), which must not land on an article extraction sharing the worker, and a reader
that still manages to kill its worker breaks only this pool, never article extraction. Workers
come from a forkserver that has imported the readers, as the extraction pool's do (in a forked
crawl, a copy of the crawl that holds every reader library: crawler/pool_server.py), and the
pool starts on the first attachment, so a crawl without attachments never pays for it.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from crawler.orphan_guard import exit_with_process

from . import UNREADABLE, AttachmentReading, ReadLimits, read_attachment

log = logging.getLogger(__name__)
MAX_RESTARTS = 3


def warm_worker() -> float:
    """Import the PDF reader (most attachments are PDFs) in a new worker, before its first file
    arrives; other formats' libraries are imported by the first file of theirs. Returns the CPU
    seconds the worker has used so far (its start and imports), which the crawl's total counts."""
    import time

    from . import _preload

    _preload("pdf")
    return time.process_time()


def read_in_worker(data: bytes, declared: str | None, limits: ReadLimits) -> tuple[AttachmentReading, float]:
    """`read_attachment` in a worker, and the CPU seconds it took there and in the reader child
    (a crawl's rusage never sees pool workers, so they report their own). The file is not
    compressed here: zstd takes ~1 ms for 0.7 MB in the crawl process, where sending it back
    from here cost more, and importing storage (for its codec) cost each worker 0.17 s."""
    import time

    from . import reader_cpu_s

    cpu = time.process_time()
    reading = read_attachment(data, declared, limits)
    return reading, time.process_time() - cpu + reader_cpu_s()


class AttachmentReaders:
    """A lazily started pool of attachment readers; `read` never raises for a bad file."""

    def __init__(self, workers: int = 1, limits: ReadLimits | None = None) -> None:
        self.workers = max(1, workers)
        self.limits = limits or ReadLimits()
        self.executor: ProcessPoolExecutor | None = None
        self.restarts = 0
        self.cpu_s = 0.0  # the workers' CPU seconds: their start, their reads and their reader children's
        self.start_cpu_s = 0.0  # of which their start (imports)

    def start(self) -> None:
        """Start the workers (and their imports, ~1 s) now: called when the first attachment is
        asked for, so they are ready by the time its bytes arrive."""
        if self.executor is None and self.restarts < MAX_RESTARTS:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["crawler.attachments", "crawler.attachments.pool"])
            # initializer: workers end with this crawl, even when it is killed -9 (crawler/orphan_guard.py)
            self.executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=exit_with_process,
                                                initargs=(os.getpid(),))
            for _ in range(self.workers):
                self.executor.submit(warm_worker).add_done_callback(self._count_start)

    def _count_start(self, future: Future) -> None:
        if not future.cancelled() and future.exception() is None:
            self.cpu_s += future.result()
            self.start_cpu_s += future.result()

    async def read(self, data: bytes, declared: str | None) -> AttachmentReading:
        """The reading; a dead worker is a reason, never an exception. The workers' CPU (their
        start included) adds up in `cpu_s`."""
        if self.restarts >= MAX_RESTARTS:
            return AttachmentReading(UNREADABLE, "unknown", None, "attachment readers crashed too often in this crawl")
        self.start()
        assert self.executor is not None
        try:
            future = self.executor.submit(read_in_worker, data, declared, self.limits)
            # The worker's own alarm stops a read; this is the backstop if the alarm cannot fire
            # (a C loop that never returns to Python).
            reading, cpu_s = await asyncio.wait_for(asyncio.wrap_future(future), self.limits.max_seconds * 2 + 10)
            self.cpu_s += cpu_s
            return reading
        except (BrokenProcessPool, TimeoutError) as e:
            self.restarts += 1
            log.error("attachment reader died (%s); %s", type(e).__name__,
                      "restarting it" if self.restarts < MAX_RESTARTS else "no more attachments read in this crawl")
            self._drop()
            return AttachmentReading(UNREADABLE, "unknown", None, f"the reader died on this file ({type(e).__name__})")

    def _drop(self) -> None:
        executor, self.executor = self.executor, None
        if executor is not None:
            for process in list(getattr(executor, "_processes", {}).values()):
                process.kill()  # a hung worker would otherwise keep the crawl from exiting
            executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
