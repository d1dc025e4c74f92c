"""Is a fetched article page the article? Block page, soft 404, charset lie, error title.

These checks read a whole page, so they run where the page is extracted (an extraction
worker on large crawls, see crawler/extraction_pool.py) and not in the spider: the crawl
process is the one core every page passes through (bench/README.md). Pure functions of the
bytes and what the response declared; no Scrapy here.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.block_pages import (
    block_reason,
    error_page_reason,
    folded_if_short,
    is_error_title,
    page_titles,
    visible_text,
)
from crawler.response_checks import charset_lie


@dataclass
class Screening:
    """What an article page turned out to be before extraction, and how to decode it."""

    encoding: str | None              # the encoding to decode the body with (the true one after a lie)
    blocked: str | None = None        # "block page: 访问被拒绝": a failed fetch, nothing stored
    soft_404: str | None = None       # "soft 404: 页面不存在": like a 404 for this article
    charset_note: str | None = None   # "charset lie: …": kept in the run log, the article is stored
    error_title: str | None = None    # "系统提示": the store compares the text with what it holds

    @property
    def is_article(self) -> bool:
        return self.blocked is None and self.soft_404 is None


def screen_article(body: bytes, declared: str | None, encoding: str | None) -> Screening:
    """Screen one 200 article page: `declared` is the charset the response claimed (header or
    <meta>), `encoding` the one the crawler would decode with."""
    actual = charset_lie(body, declared)
    text = body.decode(actual or encoding or "utf-8", errors="replace")
    visible = visible_text(text)
    folded = folded_if_short(visible)  # once for both checks
    if blocked := block_reason(text, visible=visible, folded=folded):
        return Screening(encoding, blocked=blocked)
    if soft_404 := error_page_reason(text, visible=visible, folded=folded):
        return Screening(encoding, soft_404=soft_404)
    return Screening(
        actual or encoding,
        charset_note=f"charset lie: declared {declared}, decoded as {actual} (article kept)" if actual else None,
        error_title=next((t for t in reversed(page_titles(text)) if is_error_title(t)), None),  # h1 first
    )
