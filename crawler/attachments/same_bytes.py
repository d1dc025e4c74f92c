"""One reading per file in a crawl: the same bytes linked from several articles are read once.

Why: a site attaches one file to several notices (a 报名表.docx under every year's call, a policy
and its 政策解读 linking the same 附件, a notice reposted in two columns), and each link is its own
attachment row (fetching.py: `dont_filter`). Reading is the costly part of an attachment (a
0.5 MB PDF is ~18 ms of PDFium, bench/README.md); hashing the bytes, which the store needs
anyway, is ~1 ms. Only settled readings are reused (`read_again` false): a reader that died may
succeed on the next link.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from .reading import AttachmentReading, read_again

# Bounds on what is held: a crawl of thousands of files keeps the most recent, never all texts.
MAX_FILES = 256
MAX_CHARS = 16 * 1024 * 1024


class ReadingsBySha:
    """Readings of this crawl by (SHA-256 of the bytes, the link's declared type); reads in
    flight are shared too, so two links answered together still cost one read."""

    def __init__(self, max_files: int = MAX_FILES, max_chars: int = MAX_CHARS) -> None:
        self.max_files = max_files
        self.max_chars = max_chars
        self.held_chars = 0
        self.reused = 0  # readings given to a link without reading its file
        self._done: OrderedDict[tuple[str, str | None], AttachmentReading] = OrderedDict()
        self._pending: dict[tuple[str, str | None], asyncio.Future[AttachmentReading | None]] = {}

    async def reading(self, sha256: str, declared: str | None,
                      read: Callable[[], Awaitable[AttachmentReading]]) -> AttachmentReading:
        """The reading of these bytes: held, awaited from the read in flight, or `read()` now."""
        key = (sha256, declared)
        if (held := self._done.get(key)) is not None:
            self._done.move_to_end(key)
            self.reused += 1
            return held
        if (pending := self._pending.get(key)) is not None:
            reading = await asyncio.shield(pending)
            if reading is not None and not read_again(reading.status, reading.reason):
                self.reused += 1
                return reading
            return await read()  # the first read failed or its reader died: this link tries again
        future: asyncio.Future[AttachmentReading | None] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        reading = None
        try:
            reading = await read()
        finally:
            del self._pending[key]
            future.set_result(reading)  # None when the read raised: the waiters read for themselves
        if not read_again(reading.status, reading.reason):
            self._hold(key, reading)
        return reading

    def _hold(self, key: tuple[str, str | None], reading: AttachmentReading) -> None:
        size = len(reading.text or "")
        if size > self.max_chars:
            return
        self._done[key] = reading
        self.held_chars += size
        while len(self._done) > self.max_files or self.held_chars > self.max_chars:
            _, dropped = self._done.popitem(last=False)
            self.held_chars -= len(dropped.text or "")
