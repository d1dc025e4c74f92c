"""The service's malloc arena cap: with it, eight allocating threads share two arenas."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

# Eight threads allocate at once; glibc's malloc_info() then lists one <heap> per arena.
PROBE = """
import ctypes, sys, tempfile, threading, time
from monitor.malloc_arenas import limit_malloc_arenas
if sys.argv[1] == "cap":
    assert limit_malloc_arenas() is True
libc = ctypes.CDLL(None)
done = threading.Event()
def allocate():
    held = [bytearray(1000) for _ in range(20000)]
    done.wait()
threads = [threading.Thread(target=allocate) for _ in range(8)]
for t in threads:
    t.start()
time.sleep(0.5)
path = tempfile.mktemp()
libc.fopen.restype = ctypes.c_void_p
handle = libc.fopen(path.encode(), b"w")
libc.malloc_info(0, ctypes.c_void_p(handle))
libc.fclose(ctypes.c_void_p(handle))
done.set()
print(open(path).read().count("<heap nr="))
"""


def arenas(mode: str, env: dict[str, str] | None = None) -> int:
    import os

    environment = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    result = subprocess.run([sys.executable, "-c", PROBE, mode], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=60, check=True, env={**environment, **(env or {}), "PYTHONPATH": str(PROJECT_ROOT)})
    return int(result.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's arenas")
def test_capped_service_uses_two_arenas_where_threads_would_make_more():
    assert arenas("default") > 2
    assert arenas("cap") <= 2


def test_an_explicit_environment_setting_wins():
    import os

    from monitor.malloc_arenas import limit_malloc_arenas

    os.environ["MALLOC_ARENA_MAX"] = "4"
    try:
        assert limit_malloc_arenas() is False
    finally:
        del os.environ["MALLOC_ARENA_MAX"]


# Many 1 KB buffers (above pymalloc's 512-byte limit, so they come from malloc), nine of ten freed:
# the freed chunks lie between live ones, below the heap's top, so glibc keeps their pages.
TRIM_PROBE = """
import re
from monitor.malloc_arenas import give_back_free_memory
def rss_mb():
    return int(re.search(r"VmRSS:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024
held = [bytes(1024) + bytes([i % 256]) for i in range(150_000)]
kept = held[::10]
del held
before = rss_mb()
assert give_back_free_memory() is True
print(before, rss_mb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_memory_between_live_chunks_goes_back_to_the_system():
    result = subprocess.run([sys.executable, "-c", TRIM_PROBE], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=60, check=True, env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"})
    before, after = (float(v) for v in result.stdout.split())
    assert before - after > 60, (before, after)  # ~135 MB of the ~150 MB freed comes back
