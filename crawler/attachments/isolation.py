"""Each read in a forked child with hard limits, so a crash in a C library loses one file only.

The readers parse hostile bytes with C and C++ code (PDFium, libxml2, zlib). A PDF bomb makes
PDFium abort() when an allocation fails under the memory cap, and a malformed file can crash a
parser outright: either would take the whole process with it, in a pool worker the next files'
reads too. So every read runs in a child forked for it (a few ms: the parent's pages are shared
copy-on-write), under RLIMIT_AS and RLIMIT_CPU, and the parent waits at most the time budget
and kills it after. The child sends its AttachmentReading back pickled through a pipe; a child
that died instead is a recorded reason. Hand-written on os.fork because multiprocessing would
start (or reuse) a process per call, and a reused one is exactly what a crash must not touch.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable

from .limits import ReadLimits, address_space
from .reading import UNREADABLE, AttachmentReading

_SIGNALS = {signal.SIGABRT: "aborted: out of memory or a malformed file", signal.SIGSEGV: "crashed on a malformed file",
            signal.SIGKILL: "killed", signal.SIGXCPU: "used up its CPU time", signal.SIGBUS: "crashed on a malformed file"}


def _child(read: Callable[[], AttachmentReading], limits: ReadLimits, write_fd: int) -> None:
    """In the child: cap memory and CPU, read, send the result, exit without cleanup."""
    code = 0
    try:
        faulthandler.disable()  # a crash is an outcome the parent reports, not a traceback on stderr
        used = address_space()
        if used:
            resource.setrlimit(resource.RLIMIT_AS, (used + limits.max_memory, used + limits.max_memory))
        cpu = int(limits.max_seconds) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        payload = pickle.dumps(read())
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(payload)
    except BaseException:  # noqa: BLE001 - anything escaping the reader: the parent sees an empty pipe
        code = 1
    finally:
        os._exit(code)


def run_isolated(read: Callable[[], AttachmentReading], kind: str, limits: ReadLimits) -> AttachmentReading:
    """`read()` in a forked child; its result, or why there is none."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its outcome is what the parent reports
        os.close(read_fd)
        _child(read, limits, write_fd)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + limits.max_seconds + 5  # the child's own alarm fires first
    timed_out = False
    with os.fdopen(read_fd, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([pipe], [], [], left)
            if not ready:
                continue
            chunk = pipe.read(1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        return AttachmentReading(UNREADABLE, kind, None, f"reading took longer than {limits.max_seconds:g} s")
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        what = _SIGNALS.get(sig, f"killed by signal {sig}")
        if sig == signal.SIGABRT:
            what = f"aborted (over its {limits.max_memory // (1024 * 1024)} MB memory budget, or a malformed file)"
        if sig == signal.SIGXCPU:
            return AttachmentReading(UNREADABLE, kind, None, f"reading took longer than {limits.max_seconds:g} s")
        return AttachmentReading(UNREADABLE, kind, None, f"the reader {what}")
    try:
        result = pickle.loads(b"".join(chunks))
    except (pickle.UnpicklingError, EOFError, ValueError):
        return AttachmentReading(UNREADABLE, kind, None, "the reader failed without a result")
    return result if isinstance(result, AttachmentReading) else \
        AttachmentReading(UNREADABLE, kind, None, "the reader failed without a result")
