"""`govwatch extract`: the crawler's own extractor on files, directories or URLs.

Operators debug a source with it, so it runs exactly the code the pipeline runs.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from crawler.extraction import extract_page

USER_AGENT = "govwatch/0.1 (+https://github.com/govwatch/govwatch; extract)"
# The crawler's DOWNLOAD_MAXSIZE: a "page" larger than this is an attachment or garbage.
MAX_BYTES = 10 * 1024 * 1024


class NotAPage(ValueError):
    """Input that is not an HTML page we should extract; the message says what it is."""
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}


def expand_inputs(inputs: Iterable[str]) -> Iterator[str]:
    """Each input as given; a directory becomes its HTML files in name order."""
    for item in inputs:
        path = Path(item)
        if not item.startswith(("http://", "https://")) and path.is_dir():
            yield from sorted(str(p) for p in path.rglob("*") if p.suffix.lower() in HTML_SUFFIXES)
        else:
            yield item


def extract_inputs(inputs: Iterable[str], *, encoding: str | None = None) -> Iterator[dict[str, Any]]:
    """One record per page, in input order; a page that cannot be read gets an `error` field."""
    for item in expand_inputs(inputs):
        try:
            body, url, declared = _read(item, encoding)
            check_page(body)
            record = extract_page(body, url, declared_encoding=declared).to_dict()
        except Exception as exc:  # noqa: BLE001 - one bad input must not stop the others
            yield {"input": item, "error": f"{type(exc).__name__}: {exc}"}
            continue
        yield {"input": item, **record}


def check_page(body: bytes) -> None:
    """Refuse empty, oversized and binary input with a reason, before the extractor sees it."""
    if not body.strip():
        raise NotAPage(f"empty page ({len(body)} bytes)")
    if len(body) > MAX_BYTES:
        raise NotAPage(f"page larger than the {MAX_BYTES // (1024 * 1024)} MB limit ({len(body):,} bytes)")
    head = body[:4096]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in head or controls > len(head) * 0.05:
        raise NotAPage("not HTML: the bytes look binary")


def _read_capped(response) -> bytes:
    """At most MAX_BYTES of the body: a larger page is refused after reading one byte past the
    limit, never held whole (a 300 MB stream took 681 MB of memory when read first and checked after)."""
    announced = response.headers.get("Content-Length")
    if announced and announced.isdigit() and int(announced) > MAX_BYTES:
        raise NotAPage(f"page larger than the {MAX_BYTES // (1024 * 1024)} MB limit ({int(announced):,} bytes announced)")
    body = response.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise NotAPage(f"page larger than the {MAX_BYTES // (1024 * 1024)} MB limit (stopped reading)")
    return body


def _read(item: str, encoding: str | None) -> tuple[bytes, str | None, str | None]:
    if item.startswith(("http://", "https://")):
        request = urllib.request.Request(item, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(request, timeout=30) as response:
            return _read_capped(response), response.geturl(), response.headers.get_content_charset() or encoding
    return Path(item).read_bytes(), None, encoding
