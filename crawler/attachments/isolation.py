"""Reads in a forked child with hard limits, so a crash in a C library loses one file only.

The readers parse hostile bytes with C and C++ code (PDFium, libxml2, zlib). A PDF bomb makes
PDFium abort() when an allocation fails under the memory cap, and a malformed file can crash a
parser outright: either would take the whole process with it, in a pool worker the next files'
reads too. So reads run in a child process, one file at a time, under RLIMIT_AS and RLIMIT_CPU
set for that file, and the parent kills it at a generous wall-time backstop (it runs at low
priority, pool.py: its wait for the CPU is not the file's cost). The child
sends its AttachmentReading back pickled through a pipe; a child that died instead is a
recorded reason for that file, and the next file gets a new child.

`ReaderChild` keeps its child for the next file (up to FILES_PER_CHILD, and only after a clean
read): a child forked per file cost ~16 ms of a 30-page PDF's ~55 ms (bench/README.md
"Attachments": the fork, then ~2,800 page faults as the new child's heap is touched), and a
crash still ends one file, since the child holds one file at a time. A file that ended
unreadable (over a budget, corrupt: perhaps left the library in a bad state) retires its child.
`run_isolated` forks a child for one call (any callable; tests use it to crash on purpose).
Hand-written on os.fork because multiprocessing would start a process per pool, not a per-file
budget, and its reused workers share a fate: one crash breaks the whole pool.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import resource
import select
import signal
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

from .limits import ReadLimits, address_space, over_cpu_budget
from .reading import READER_DIED, UNREADABLE, AttachmentReading

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
    deadline = time.monotonic() + limits.max_wall_seconds  # the child's own CPU budget fires first
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
        return _stopped(kind, limits)
    if os.WIFSIGNALED(status):
        return _death_reason(status, kind, limits)
    try:
        result = pickle.loads(b"".join(chunks))
    except (pickle.UnpicklingError, EOFError, ValueError):
        return AttachmentReading(UNREADABLE, kind, None, f"{READER_DIED}failed without a result")
    return result if isinstance(result, AttachmentReading) else \
        AttachmentReading(UNREADABLE, kind, None, f"{READER_DIED}failed without a result")


# A child reads this many files, then a new one is forked (its heap and any state a library keeps
# start clean again; ~1/50 of the fork's cost per file).
FILES_PER_CHILD = 50
# ... or sooner, when its address space grew this much past what it started with.
MAX_GROWTH = 256 * 1024 * 1024
_LENGTH = struct.Struct("!Q")


def _write_frame(fd: int, payload: bytes) -> None:
    view = memoryview(_LENGTH.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd: int, size: int, deadline: float | None = None) -> bytes | None:
    """`size` bytes from `fd`; None at end of file; TimeoutError past `deadline`."""
    chunks: list[bytes] = []
    while size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int, deadline: float | None = None) -> bytes | None:
    head = _read_exact(fd, _LENGTH.size, deadline)
    return None if head is None else _read_exact(fd, _LENGTH.unpack(head)[0], deadline)


def _serve(target: Callable[..., AttachmentReading], jobs_fd: int, results_fd: int) -> None:
    """In a ReaderChild: read a job (target's arguments and the file's limits), run it under a
    CPU limit of its own, send the result; until end of file or an exception escapes."""
    code = 0
    try:
        faulthandler.disable()  # a crash is an outcome the parent reports, not a traceback on stderr
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        while (frame := _read_frame(jobs_fd)) is not None:
            args, limits = pickle.loads(frame)
            usage = resource.getrusage(resource.RUSAGE_SELF)
            used = usage.ru_utime + usage.ru_stime
            # RLIMIT_CPU counts the whole life of the process: this file's budget starts from
            # what the child used so far (the soft limit, raised again for the next file)
            soft = int(used + limits.max_seconds) + 2
            resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
            result = target(*args)
            usage = resource.getrusage(resource.RUSAGE_SELF)
            _write_frame(results_fd, pickle.dumps((result, usage.ru_utime + usage.ru_stime - used)))
    except BaseException:  # noqa: BLE001 - anything escaping the reader: the parent sees the pipe close
        code = 1
    finally:
        os._exit(code)


class ReaderChild:
    """A forked child that runs `target(*args)` for one file at a time, kept for the next file.

    `target` is fixed when the child is forked (it inherits the function and every library the
    parent imported); only its arguments cross the pipe. A live child's CPU is in no rusage of
    ours, so it reports what each file cost (`cpu_s`).
    """

    def __init__(self, target: Callable[..., AttachmentReading]) -> None:
        self.target = target
        self.pid: int | None = None
        self.owner = 0  # the process that forked it: a fork of that process must not use it
        self.jobs_fd = self.results_fd = -1
        self.files = 0
        self.start_size = 0
        self.cpu_s = 0.0  # CPU seconds the child spent on the last file it answered for
        self.lock = threading.Lock()

    def run(self, args: tuple[Any, ...], kind: str, limits: ReadLimits) -> AttachmentReading:
        """`target(*args)` in the child; its result, or why there is none (the child is then gone).
        One file at a time: callers in other threads wait their turn."""
        with self.lock:
            return self._run(args, kind, limits)

    def _run(self, args: tuple[Any, ...], kind: str, limits: ReadLimits) -> AttachmentReading:
        if self.pid is not None and (self.owner != os.getpid() or self.files >= FILES_PER_CHILD
                                     or (address_space(self.pid) or 0) > self.start_size + MAX_GROWTH):
            self.stop()
        if self.pid is None:
            self._fork()
        try:
            _write_frame(self.jobs_fd, pickle.dumps((args, limits)))
        except BrokenPipeError:  # it died between files (killed from outside): one more try, fresh
            self.stop()
            self._fork()
            _write_frame(self.jobs_fd, pickle.dumps((args, limits)))
        self.files += 1
        self.cpu_s = 0.0
        deadline = time.monotonic() + limits.max_wall_seconds  # the child's own CPU budget fires first
        try:
            frame = _read_frame(self.results_fd, deadline)
        except TimeoutError:
            self.stop(kill=True)
            return _stopped(kind, limits)
        if frame is None:  # the child died on this file (its pipe closes as it exits)
            return _death_reason(self.stop(), kind, limits)
        try:
            result, self.cpu_s = pickle.loads(frame)
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError):
            result = None
        if not isinstance(result, AttachmentReading):
            self.stop(kill=True)
            return AttachmentReading(UNREADABLE, kind, None, f"{READER_DIED}failed without a result")
        if result.status == UNREADABLE:
            self.stop()  # over a budget or corrupt: the library may be in any state now
        return result

    def _fork(self) -> None:
        jobs_r, jobs_w = os.pipe()
        results_r, results_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(jobs_w)
            os.close(results_r)
            _serve(self.target, jobs_r, results_w)
        os.close(jobs_r)
        os.close(results_w)
        self.pid, self.owner, self.files = pid, os.getpid(), 0
        self.jobs_fd, self.results_fd = jobs_w, results_r
        self.start_size = address_space(pid) or 0

    def stop(self, kill: bool = False) -> int:
        """End the child (closing its job pipe ends it between files); its wait status."""
        status = 0
        if self.pid is not None and self.owner == os.getpid():
            if kill:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            os.close(self.jobs_fd)
            os.close(self.results_fd)
            _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return status


def _stopped(kind: str, limits: ReadLimits) -> AttachmentReading:
    """A child stopped at the wall-time backstop: not over its CPU budget (that is SIGXCPU or its
    own alarm), so stuck, or starved by a busy machine. Not the file's fault for certain, so the
    reason is a reader's death, and the same bytes are read again at the next check."""
    return AttachmentReading(UNREADABLE, kind, None,
                             f"{READER_DIED}was stopped after {limits.max_wall_seconds:g} s without finishing "
                             "(stuck, or the machine too busy to run it)")


def _death_reason(status: int, kind: str, limits: ReadLimits) -> AttachmentReading:
    """The reason for a child that ended without a result, from its wait status."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return AttachmentReading(UNREADABLE, kind, None, over_cpu_budget(limits))
        what = _SIGNALS.get(sig, f"killed by signal {sig}")
        if sig == signal.SIGABRT:
            what = f"aborted (over its {limits.max_memory // (1024 * 1024)} MB memory budget, or a malformed file)"
        return AttachmentReading(UNREADABLE, kind, None, f"{READER_DIED}{what}")
    return AttachmentReading(UNREADABLE, kind, None, f"{READER_DIED}failed without a result")
