"""Telling a block page (WAF, anti-bot check, login wall) from an article, as data + one test.

A block page answered with 200 must count as a failed fetch: stored as a version it would
look like the article was rewritten into "访问被拒绝", and then "restored" on the next crawl.
The phrases live in block_pages.yaml so operators can add what their sites show.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import yaml

RULES_PATH = Path(__file__).with_name("block_pages.yaml")
_INVISIBLE = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@cache
def load_rules(path: Path = RULES_PATH) -> dict[str, Any]:
    rules = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {"max_chars": int(rules.get("max_chars", 1200)),
            "phrases": [unicodedata.normalize("NFKC", p).lower() for p in rules.get("phrases") or []]}


def visible_text(html: str) -> str:
    """The text a reader would see, roughly: scripts, styles, comments and tags removed."""
    return _SPACE.sub(" ", _TAG.sub(" ", _INVISIBLE.sub(" ", html))).strip()


def block_reason(html: str, rules: dict[str, Any] | None = None) -> str | None:
    """"block page: <phrase>" when `html` is a short page showing a block phrase, else None."""
    rules = rules or load_rules()
    text = unicodedata.normalize("NFKC", visible_text(html)).lower()
    if len(text) > rules["max_chars"]:
        return None
    for phrase in rules["phrases"]:
        if phrase in text:
            return f"block page: {phrase}"
    return None
