"""The CPU-only part of storing an article page, computed before any SQL.

Kept apart from storage/articles.py (which writes) so that a crawl's extraction worker can
compute it without the database, and the one writing process (one core, the store's lock)
spends its time on SQL alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from storage.fingerprint import change_fields, content_hash
from storage.raw_bodies import compress_plain
from storage.search import cjk_bigrams
from storage.unicode_fold import nfkc


@dataclass
class PreparedContent:
    """What storing a page computes without the database: its fingerprint, the zstd of its
    body and its search tokens. Pure, so a crawl can compute it in an extraction worker."""

    content_hash: str
    raw_zstd: bytes  # storage/raw_bodies.py: plain zstd, given a dictionary after the crawl
    raw_sha256: str
    raw_size: int
    search_title: str
    search_text: str


def prepare_content(content: Mapping[str, str | None], body: bytes) -> PreparedContent:
    """`content`: the article's fields under the store's names (at least storage.fingerprint's
    CHANGE_FIELDS); `body`: the response body as received."""
    # The fingerprint and the search tokens both fold with NFKC; folded once here, their own
    # nfkc only confirms it (a quick check in C) instead of folding the article twice.
    fields = change_fields(content)
    text = fields["text"]
    fields["text"] = nfkc(text) if text else text
    return PreparedContent(
        content_hash=content_hash(fields),
        raw_zstd=compress_plain(body),
        raw_sha256=hashlib.sha256(body).hexdigest(),
        raw_size=len(body),
        search_title=cjk_bigrams(fields["title"]),
        search_text=cjk_bigrams(fields["text"]),
    )
