"""glibc malloc tuned for the long-lived service, so its memory stays flat over months.

Two things, both because glibc rarely hands freed memory back to the system by itself:

1. **Two arenas.** glibc gives every thread that allocates under contention its own arena (up
   to 8 per core): a service whose scheduler threads each open SQLite connections, read runs and
   annotate a growing store keeps the high-water mark of every arena. `mallopt(M_ARENA_MAX, n)`
   is glibc's run-time form of the MALLOC_ARENA_MAX environment variable; it governs arenas made
   after the call, so the service calls it before its threads start. An explicit
   MALLOC_ARENA_MAX in the environment wins.
2. **Free pages given back after each batch of work.** Even with two arenas the service's RSS
   followed the high-water mark of its transient work (an annotation batch, a health refresh
   over a store that grows), not what it holds: memray over a 15-minute soak life (25 sources,
   ~1,300 articles, no kills) found ~64 MB of live allocations at the end (62 MB of them the
   imports) while the RSS had grown from 147 to 153 MB and kept growing with the store. The free
   chunks sit between live ones, below the heap's top, where glibc's automatic trim never
   reaches. `malloc_trim(0)` walks every arena and `madvise`s away the free pages wherever
   they are; it costs a few milliseconds, so the service calls it after each annotation batch
   and each all-sources health refresh (monitor/service.py), not after every query.

3. **Python's objects from malloc, not pymalloc** (`PYTHONMALLOC=malloc`, set by re-executing
   the service once as it starts). pymalloc carves small objects out of 1 MiB arenas it returns
   only when every object in one is freed; a long-lived process that keeps a few objects from
   each batch of work strands arenas, and `malloc_trim` cannot reach inside them. Same soak life
   (25 sources, no kills), the lowest anonymous RSS of each minute after the first: pymalloc
   with trims 78.4 -> 84.7 MB in 18 minutes (~21 MB/h, about what no trims gave), system malloc
   with trims 81.2 -> 82.9 MB in 10 minutes and 81.5 -> 85.2 MB in 15 (~10-15 MB/h), the
   annotation batches' spikes (up to +8 MB) given back each time. What is left is not live
   objects (memray: the live heap at the end of a 15-minute life was the imports plus ~2 MB)
   and is not yet explained; bench/README.md "Soak". The service spends its time in
   SQLite and waiting, so malloc's slower small allocations cost it nothing measurable; crawls
   (forked from the fork server, which is started without the setting) keep pymalloc.

Other C libraries (musl, macOS) are left alone: all three are about glibc.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

M_ARENA_MAX = -8  # from glibc's malloc.h
SERVICE_ARENAS = 2
STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT})


def limit_malloc_arenas(arenas: int = SERVICE_ARENAS) -> bool:
    """Cap glibc's malloc arenas; True when the cap was set here."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        return False
    return bool(mallopt(M_ARENA_MAX, arenas))


def give_back_free_memory() -> bool:
    """Return the free pages of every malloc arena to the system (glibc's malloc_trim);
    True when some memory was given back."""
    try:
        malloc_trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return False
    return bool(malloc_trim(0))


REEXEC_MARK = "GOVWATCH_MALLOC_REEXEC"


def run_on_system_malloc() -> None:
    """Re-execute this process once with PYTHONMALLOC=malloc (same pid, same arguments), unless
    the environment already chose an allocator or this is not the service's own process.

    The allocator is fixed when the interpreter starts, hence the re-exec. Only a process started
    as `govwatch ...` or `python -m monitor ...` is re-executed: the command may also run inside
    another program (a test runner's CliRunner), which must never be replaced. After the re-exec
    the setting is taken out of the environment again, so the crawls and helpers the service
    starts use Python's default allocator.
    """
    if os.environ.pop(REEXEC_MARK, None):
        os.environ.pop("PYTHONMALLOC", None)
        return
    if os.environ.get("PYTHONMALLOC") or not sys.platform.startswith("linux") or not _started_as_govwatch():
        return
    os.environ.update({"PYTHONMALLOC": "malloc", REEXEC_MARK: "1"})
    sys.stdout.flush()
    sys.stderr.flush()
    # A stop asked for while the new interpreter imports (~1 s) would find no handler and end it
    # with -15, mid-start. Blocked signals stay blocked across exec and wait, pending: the service
    # unblocks them once its handlers are set (`stop_signals_handled`), and stops cleanly.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
    except OSError:  # no usable interpreter path (an embedded Python): run on as we are
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        for name in ("PYTHONMALLOC", REEXEC_MARK):
            os.environ.pop(name, None)


def stop_signals_handled(handler: Callable[[int, FrameType | None], Any]) -> None:
    """Handle SIGTERM and SIGINT with `handler`, then deliver any that came while they were
    blocked across the re-exec (`run_on_system_malloc`). Call before starting any thread or
    child process: both inherit the signal mask."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _started_as_govwatch() -> bool:
    args = sys.orig_argv[1:]
    while args and args[0].startswith("-") and args[0] != "-m":  # interpreter options (-X, -u, -W x …)
        args = args[2:] if args[0] in ("-X", "-W") else args[1:]
    if args[:2] == ["-m", "monitor"]:
        return True
    return bool(args) and Path(args[0]).name == "govwatch"
