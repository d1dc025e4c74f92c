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

Other C libraries (musl, macOS) are left alone: both calls are glibc's.
"""
from __future__ import annotations

import ctypes
import os

M_ARENA_MAX = -8  # from glibc's malloc.h
SERVICE_ARENAS = 2


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
