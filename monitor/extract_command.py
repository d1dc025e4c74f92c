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
            record = extract_page(body, url, declared_encoding=declared).to_dict()
        except Exception as exc:  # one bad input must not stop the others
            yield {"input": item, "error": f"{type(exc).__name__}: {exc}"}
            continue
        yield {"input": item, **record}


def _read(item: str, encoding: str | None) -> tuple[bytes, str | None, str | None]:
    if item.startswith(("http://", "https://")):
        request = urllib.request.Request(item, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read(), response.geturl(), response.headers.get_content_charset() or encoding
    return Path(item).read_bytes(), None, encoding
