"""Short texts for the digest: an article's two-line lead and what an edit changed.

The change excerpt comes from the change monitor (`monitor.diffs.diff_excerpt` over the
version's JSON diff) when that module is installed, and otherwise from the version's
`diff_summary` text: the digest never computes diffs itself.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

LEAD_LINES = 2
LEAD_LINE_CHARS = 70
EXCERPT_CHARS = 240


def lead(text: str | None, lines: int = LEAD_LINES, width: int = LEAD_LINE_CHARS) -> str:
    """The first `lines` non-empty paragraphs of the clean text, each cut to `width` characters."""
    paragraphs = [p.strip() for p in (text or "").splitlines() if p.strip()]
    return "\n".join(shorten(p, width) for p in paragraphs[:lines])


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def change_excerpt(diff: str | None, diff_summary: str | None, max_chars: int = EXCERPT_CHARS) -> str | None:
    """What changed in a version, in at most `max_chars` characters; None when nothing is known yet."""
    diffs = _diffs_module()
    if diffs is not None and diff:
        try:
            excerpt = diffs.diff_excerpt(_parsed(diff), max_chars)
            if excerpt:
                return str(excerpt)
        except Exception:  # a diff format we do not understand must not stop the digest
            log.warning("monitor.diffs.diff_excerpt failed; using diff_summary", exc_info=True)
    if diff_summary and diff_summary.strip():
        return shorten(diff_summary, max_chars)
    return None


def _parsed(diff: str) -> Any:
    try:
        return json.loads(diff)
    except ValueError:
        return diff


def _diffs_module() -> ModuleType | None:
    if importlib.util.find_spec("monitor.diffs") is None:
        return None
    module = importlib.import_module("monitor.diffs")
    return module if hasattr(module, "diff_excerpt") else None
