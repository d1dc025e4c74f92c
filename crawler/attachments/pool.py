"""Attachment reading in worker processes, so the reactor never parses a PDF.

Its own small ProcessPoolExecutor rather than the article extraction pool's
(crawler/extraction_pool.py): a read sets a process-wide alarm and address-space cap
(limits.py), which must not land on an article extraction sharing the worker, and a reader
that still manages to kill its worker breaks only this pool, never article extraction. Workers
come from a forkserver that has imported the readers, as the extraction pool's do (in a forked
crawl, a copy of the crawl that holds every reader library: crawler/pool_server.py), and the
pool starts on the first attachment, so a crawl without attachments never pays for it.

The workers (and their reader children) run at low priority, nice 10. A crawl keeps the
machine's cores ~90 % busy extracting its pages; at the crawl's priority the reads competed with
that work and slowed the pages, at nice 10 they take mostly the CPU the page work leaves and the
rest once the pages are done (bench/README.md, "Twenty-ninth session: reading at idle priority").
Not nice 19: against each busy nice-0 process a nice-19 read gets ~1.5 % of a core, a nice-10
read ~10 %, and the bench's read crawl was no faster at 19 than at 10 or 5; on a machine busy
with other work nice 19 starved the reads, and with them the end of the run (bench/README.md,
"Thirtieth session: nice 10, not 19"). A read's budget is CPU time (limits.py), with only a
generous wall-time backstop.
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
READER_NICENESS = 10  # low priority: reads yield to the crawl's page work without starving under load


def start_worker(crawl_pid: int, niceness: int = READER_NICENESS) -> None:
    """The pool's initializer: the worker ends with the crawl, and reads at low priority (its
    reader children inherit the niceness). Raising one's own niceness needs no privilege."""
    exit_with_process(crawl_pid)
    os.nice(max(0, niceness - os.nice(0)))


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

    def __init__(self, workers: int = 1, limits: ReadLimits | None = None, niceness: int = READER_NICENESS) -> None:
        self.workers = max(1, workers)
        self.niceness = niceness
        self.limits = limits or ReadLimits()
        self.executor: ProcessPoolExecutor | None = None
        self.restarts = 0
        self.cpu_s = 0.0  # the workers' CPU seconds: their start, their reads and their reader children's
        self.start_cpu_s = 0.0  # of which their start (imports)
        # Files handed to the executor at once: one per worker, so a file's backstop below starts
        # when a worker takes it, not while it waits behind others (at low priority, a while).
        self.slots: asyncio.Semaphore | None = None

    def start(self) -> None:
        """Start the workers (and their imports, ~1 s) now: called when the first attachment is
        asked for, so they are ready by the time its bytes arrive."""
        if self.executor is None and self.restarts < MAX_RESTARTS:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["crawler.attachments", "crawler.attachments.pool"])
            # initializer: workers end with this crawl, even when it is killed -9
            # (crawler/orphan_guard.py), and read at low priority
            self.executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=start_worker,
                                                initargs=(os.getpid(), self.niceness))
            for _ in range(self.workers):
                self.executor.submit(warm_worker).add_done_callback(self._count_start)

    def _count_start(self, future: Future) -> None:
        if not future.cancelled() and future.exception() is None:
            self.cpu_s += future.result()
            self.start_cpu_s += future.result()

    async def read(self, data: bytes, declared: str | None) -> AttachmentReading:
        """The reading; a dead worker is a reason, never an exception. The workers' CPU (their
        start included) adds up in `cpu_s`."""
        self.slots = self.slots or asyncio.Semaphore(self.workers)
        try:
            async with self.slots:
                self.start()  # the pool may have broken while this file waited for a slot
                if self.executor is None:  # ... too often (MAX_RESTARTS): no more reads in this crawl
                    return AttachmentReading(UNREADABLE, "unknown", None,
                                             "attachment readers crashed too often in this crawl")
                future = self.executor.submit(read_in_worker, data, declared, self.limits)
                # The reader child's CPU limit stops a read, and the worker's own wall backstop a
                # stuck child (max_wall_seconds); this catches a worker that hangs itself.
                reading, cpu_s = await asyncio.wait_for(asyncio.wrap_future(future), self.limits.max_wall_seconds * 2 + 5)
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
