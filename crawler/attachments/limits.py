"""How much one attachment may cost to read: bytes in, seconds, memory, text out.

Every byte an attachment holds is the site's, and a hostile or broken one is cheap to make: a
PDF whose streams inflate to gigabytes, a DOCX whose zip declares a terabyte, a spreadsheet of a
million empty rows, a content stream that loops. A reader gets a `budget`: a CPU-time alarm that raises
`ReadTimeout` in the reading process, and an address-space cap (the soft RLIMIT_AS, raised back
afterwards) under which an allocation past the budget raises MemoryError instead of taking the
machine's memory. Both are per process, so a budget is only entered in a process that does
nothing else at the time: an attachment reader worker (crawler/attachments/pool.py), or a test.
"""

from __future__ import annotations

import resource
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """Caps for reading one attachment; defaults sized for real government files.

    The largest real attachments in the gold set (bench/attachments.py) are a few MB and read
    in well under a second each; these caps are one to two orders of magnitude above that.
    """

    max_bytes: int = 30 * MB  # the file itself (the fetch skips larger files before this)
    max_seconds: float = 30.0  # CPU time for one read
    # Wall time for one read, waiting for the CPU included: readers run at low priority
    # (pool.py), so a busy machine slows a read without its file costing more. Only the backstop
    # for a reader stuck without using CPU; far above any read the machine gets to run.
    max_wall_seconds: float = 600.0
    max_memory: int = 768 * MB  # address space the read may add to the process
    max_unzipped: int = 256 * MB  # declared size of all members of a zip container (DOCX, XLSX, OFD)
    max_pages: int = 1000  # PDF pages / OFD pages read
    max_rows: int = 200_000  # spreadsheet rows read, over all sheets
    max_chars: int = 5_000_000  # text kept (more is cut, and the cut is recorded)


def over_cpu_budget(limits: ReadLimits) -> str:
    """The reason for a read stopped at its CPU budget, by its own alarm or its child's RLIMIT_CPU."""
    return f"reading took more than {limits.max_seconds:g} s of CPU"


class ReadTimeout(BaseException):
    """Raised inside a read that ran past its time budget.

    A BaseException, as KeyboardInterrupt is: the readers catch every Exception a broken file
    raises and turn it into a reason, and the timeout must get past them to `read_attachment`.
    """


def _on_alarm(signum: int, frame: object) -> None:
    raise ReadTimeout()


def address_space(pid: int | str = "self") -> int | None:
    """A process's mapped address space (VmSize) in bytes, this one's by default; None where /proc
    is missing or the process is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


@contextmanager
def budget(limits: ReadLimits) -> Iterator[None]:
    """Run the body under `limits`' time and memory caps; both are undone on the way out.

    The alarm counts the process's CPU time (ITIMER_PROF), not the clock: the readers run at
    low priority and may wait for the CPU far longer than they use it, and that wait is no
    fault of the file. It needs the main thread (Python delivers signals there); elsewhere the
    read runs with the memory cap only, and the reader child's CPU limit and the wall-time
    backstops (isolation.py, pool.py) stop it.
    """
    main = threading.current_thread() is threading.main_thread()
    previous_handler = None
    if main:
        previous_handler = signal.signal(signal.SIGPROF, _on_alarm)
        signal.setitimer(signal.ITIMER_PROF, limits.max_seconds)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    used = address_space()
    if used is not None:
        cap = used + limits.max_memory
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        if soft == resource.RLIM_INFINITY or cap < soft:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        if main:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, previous_handler)
