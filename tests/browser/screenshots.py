"""Telling a blank screenshot from a drawn one, without an imaging library."""

from __future__ import annotations

import struct
import zlib


def png_stats(png: bytes) -> tuple[int, int, int, float]:
    """Width, height, number of distinct byte values and share of non-background bytes in the pixel data.

    The rows are left filtered (no need to undo PNG filters to tell a blank page, whose
    filtered rows are all one or two values, from a drawn one).
    """
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, data, width, height = 8, b"", 0, 0
    while position < len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        kind, body = png[position + 4:position + 8], png[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            data += body
        position += 12 + length
    pixels = zlib.decompress(data)
    counts = [0] * 256
    for byte in pixels[::7]:  # a sample is plenty
        counts[byte] += 1
    total = sum(counts)
    return width, height, sum(1 for c in counts if c), 1 - max(counts) / total


def assert_not_blank(png: bytes) -> None:
    _, height, distinct, inked = png_stats(png)
    assert height > 100 and distinct > 20 and inked > 0.02, "the screenshot is (nearly) blank"
