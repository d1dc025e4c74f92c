"""The kept reader child (crawler/attachments/isolation.py): reused between clean reads, and still
one file lost per crash, stall or bad file, each with its own CPU budget."""

from __future__ import annotations

import os
import signal
import time

import pytest

from crawler.attachments import READ, UNREADABLE, AttachmentReading, ReadLimits
from crawler.attachments.isolation import ReaderChild
from crawler.attachments.reading import read_again


def _pid_reading(what: str) -> AttachmentReading:
    """A target that answers with its pid, or misbehaves as asked."""
    if what == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    if what == "spin":
        while True:
            pass
    if what == "sleep":
        time.sleep(60)  # stuck without using CPU: a lock that never comes free
    if what == "bad":
        return AttachmentReading(UNREADABLE, "pdf", None, "corrupt")
    if what.startswith("burn"):
        until = time.process_time() + float(what[4:])
        while time.process_time() < until:
            pass
    return AttachmentReading(READ, "pdf", str(os.getpid()))


@pytest.fixture
def child():
    reader = ReaderChild(_pid_reading)
    yield reader
    reader.stop(kill=True)


def test_the_child_is_kept_between_clean_reads(child) -> None:
    first = child.run(("ok",), "pdf", ReadLimits())
    second = child.run(("ok",), "pdf", ReadLimits())
    assert first.status == READ and first.text == second.text != str(os.getpid())


def test_a_crash_loses_that_file_only(child) -> None:
    before = child.run(("ok",), "pdf", ReadLimits())
    crashed = child.run(("crash",), "pdf", ReadLimits())
    after = child.run(("ok",), "pdf", ReadLimits())
    assert (crashed.status, crashed.reason) == (UNREADABLE, "the reader crashed on a malformed file")
    assert after.status == READ and after.text != before.text  # a new child
    # the same bytes at the next check: a reader's death is tried again, a reading is not
    assert read_again(crashed.status, crashed.reason) and not read_again(after.status, after.reason)


def test_an_unreadable_file_retires_its_child(child) -> None:
    before = child.run(("ok",), "pdf", ReadLimits())
    bad = child.run(("bad",), "pdf", ReadLimits())
    assert bad.reason == "corrupt" and not read_again(bad.status, bad.reason)  # the file's fault: not again
    assert child.run(("ok",), "pdf", ReadLimits()).text != before.text


@pytest.mark.slow
def test_a_read_that_never_returns_is_stopped_at_its_budget(child) -> None:
    started = time.monotonic()
    reading = child.run(("spin",), "pdf", ReadLimits(max_seconds=0.5))
    assert (reading.status, reading.reason) == (UNREADABLE, "reading took more than 0.5 s of CPU")
    assert not read_again(reading.status, reading.reason)  # a bomb must not cost its budget at every check
    assert time.monotonic() - started < 20  # a budget against the pathological case, not a speed claim
    assert child.run(("ok",), "pdf", ReadLimits()).status == READ


@pytest.mark.slow
def test_each_file_gets_its_own_cpu_budget(child) -> None:
    # The child's CPU limit counts its whole life: a file's budget must start from what the child
    # used before it, or a later file with a small budget is killed for an earlier file's CPU.
    first = child.run(("burn2.5",), "pdf", ReadLimits(max_seconds=30))
    second = child.run(("burn0.05",), "pdf", ReadLimits(max_seconds=0.1))  # alone: 2 s allowed
    assert [first.status, second.status] == [READ, READ]
    assert first.text == second.text  # both in the one kept child


def test_a_reader_stuck_without_using_cpu_is_stopped_at_the_wall_backstop(child) -> None:
    reading = child.run(("sleep",), "pdf", ReadLimits(max_seconds=30, max_wall_seconds=1))
    assert (reading.status, reading.reason) == (
        UNREADABLE, "the reader was stopped after 1 s without finishing (stuck, or the machine too busy to run it)")
    # not over its CPU budget, so perhaps not the file's doing: the same bytes are read again
    assert read_again(reading.status, reading.reason)
    assert child.run(("ok",), "pdf", ReadLimits()).status == READ  # a new child
