"""Two malloc arenas for the long-lived service, so its memory stays flat over months.

glibc gives every thread that allocates under contention its own arena (up to 8 per core), and
memory freed in an arena is rarely handed back to the system: a service whose scheduler
threads each open SQLite connections, read runs and annotate a growing store keeps the
high-water mark of every arena. Measured with the soak machinery (6 sources, 20 simulated days
in 10 minutes, no kills; bench/README.md "Soak"): RSS 132 -> 155 MB and still rising with
glibc's default, 132 -> 139 MB and flat for the last 3 minutes with two arenas.

`mallopt(M_ARENA_MAX, n)` is glibc's run-time form of the MALLOC_ARENA_MAX environment
variable; it governs arenas made after the call, so the service calls it before its threads
start. An explicit MALLOC_ARENA_MAX in the environment wins; other C libraries are left alone.
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
