"""ReadingsBySha: one read per content, shared with links answered at the same time, never a
reading that may go better the next time (a reader that died)."""

from __future__ import annotations

import asyncio

from crawler.attachments.reading import READ, UNREADABLE, AttachmentReading
from crawler.attachments.same_bytes import ReadingsBySha


def _reader(results: list[AttachmentReading], delay: float = 0.0):
    calls: list[int] = []

    async def read() -> AttachmentReading:
        calls.append(1)
        await asyncio.sleep(delay)
        return results[min(len(calls), len(results)) - 1]
    return read, calls


def test_links_answered_together_share_one_read():
    good = AttachmentReading(READ, "pdf", "正文")
    read, calls = _reader([good], delay=0.05)

    async def main():
        cache = ReadingsBySha()
        got = await asyncio.gather(*(cache.reading("ab", "pdf", read) for _ in range(3)))
        later = await cache.reading("ab", "pdf", read)
        other_type = await cache.reading("ab", "doc", read)
        return cache, got, later, other_type
    cache, got, later, other_type = asyncio.run(main())
    assert got == [good] * 3 and later == good and other_type == good
    assert len(calls) == 2  # one for "pdf", one for the same bytes declared "doc"
    assert cache.reused == 3


def test_a_reader_that_died_is_not_reused():
    died = AttachmentReading(UNREADABLE, "unknown", None, "the reader died on this file (TimeoutError)")
    good = AttachmentReading(READ, "pdf", "正文")
    read, calls = _reader([died, good])

    async def main():
        cache = ReadingsBySha()
        return [await cache.reading("ab", "pdf", read) for _ in range(3)], cache.reused
    readings, reused = asyncio.run(main())
    assert readings == [died, good, good] and len(calls) == 2 and reused == 1


def test_a_read_that_raised_leaves_the_waiters_to_read_for_themselves():
    good = AttachmentReading(READ, "pdf", "正文")
    attempts: list[int] = []

    async def read() -> AttachmentReading:
        attempts.append(1)
        await asyncio.sleep(0.02)
        if len(attempts) == 1:
            raise RuntimeError("pool gone")
        return good

    async def main():
        cache = ReadingsBySha()
        return await asyncio.gather(cache.reading("ab", "pdf", read), cache.reading("ab", "pdf", read),
                                    return_exceptions=True)
    first, second = asyncio.run(main())
    assert isinstance(first, RuntimeError) and second == good and len(attempts) == 2


def test_what_is_held_is_bounded_by_files_and_characters():
    cache = ReadingsBySha(max_files=2, max_chars=10)

    async def fill():
        for i, text in enumerate(["一二三四五六", "七八九", "十", "x" * 11]):
            reading = AttachmentReading(READ, "pdf", text)

            async def read(reading=reading):
                return reading
            await cache.reading(str(i), "pdf", read)
    asyncio.run(fill())
    assert [k for k, _ in cache._done] == ["1", "2"]  # the oldest dropped; an 11-char text never held
    assert cache.held_chars == 4
