"""Pool workers that end with the crawl that started them.

A crawl's process pools (extraction, attachment readers) are `ProcessPoolExecutor`s on
multiprocessing's forkserver, so their workers are children of the forkserver, not of the crawl.
When the crawl is killed -9 (at its time limit, by the service's stop, by the OOM killer, by an
operator), nobody tells them: each worker holds the write end of its own call queue (a
multiprocessing Queue pickles both of its ends), so none ever sees end-of-file and they wait
forever; each also holds the forkserver's "alive" pipe, so the forkserver stays too. Found by
the soak (`python -m bench.soak` kills crawls -9 at random): after two hours of probes and soaks
1,242 such processes held 23 GB and the OOM killer took the test run. So each worker watches the
crawl through a pidfd (never a recycled pid) and exits the moment the crawl is gone; then the
forkserver sees its last "alive" holder go and exits by itself.

`exit_with_process` is the pools' `initializer`; the watch is one sleeping thread per worker.
"""

from __future__ import annotations

import os
import select
import threading


def exit_with_process(pid: int) -> None:
    """In a pool worker: end this process as soon as process `pid` (the crawl) ends."""
    try:
        watched = os.pidfd_open(pid)
    except ProcessLookupError:  # the crawl ended before this worker started
        os._exit(0)
    except (AttributeError, OSError):  # no pidfds (not Linux >= 5.3): the old behaviour
        return
    threading.Thread(target=_exit_when_readable, args=(watched,), name="govwatch-orphan-guard", daemon=True).start()


def _exit_when_readable(watched: int) -> None:
    select.select([watched], [], [])  # a pidfd becomes readable when its process has ended
    os._exit(0)  # no clean-up to do: the crawl that wanted the results is gone
