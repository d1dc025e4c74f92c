"""Telling a block page or an error page from an article, as data + one test each.

A block page (WAF, anti-bot check, login wall) answered with 200 must count as a failed fetch:
stored as a version it would look like the article was rewritten into "访问被拒绝", and then
"restored" on the next crawl. An error page answered with 200 (a "soft 404": 页面不存在) is a sign
the article is gone, like a 404. The phrases live in block_pages.yaml and error_pages.yaml so
operators can add what their sites show.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from storage.unicode_fold import nfkc

RULES_PATH = Path(__file__).with_name("block_pages.yaml")
ERROR_RULES_PATH = Path(__file__).with_name("error_pages.yaml")
_INVISIBLE = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>|<h1[^>]*>(.*?)</h1\s*>", re.DOTALL | re.IGNORECASE)
# "错误页面_示范市乡村振兴局", "404 - 某某网": the site's name after a separator is not the title
_SITE_SUFFIX = re.compile(r"\s*[-_|–—｜]+\s*[^-_|–—｜]*$")


@cache
def load_rules(path: Path = RULES_PATH) -> dict[str, Any]:
    rules = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {"max_chars": int(rules.get("max_chars", 1200)),
            "phrases": [unicodedata.normalize("NFKC", p).lower() for p in rules.get("phrases") or []]}


def visible_text(html: str) -> str:
    """The text a reader would see, roughly: scripts, styles, comments and tags removed."""
    return _SPACE.sub(" ", _TAG.sub(" ", _INVISIBLE.sub(" ", html))).strip()


def folded_if_short(visible: str) -> str | None:
    """`nfkc(visible)` when either check below would fold it (a page short enough to be a block
    or error page), else None: to fold a page's text once for both checks."""
    if len(visible) > 2 * max(load_rules()["max_chars"], load_error_rules()["max_chars"]):
        return None  # NFKC never halves a text: both checks skip folding an article-length page
    return nfkc(visible)


def block_reason(html: str, rules: dict[str, Any] | None = None, *, visible: str | None = None,
                 folded: str | None = None) -> str | None:
    """"block page: <phrase>" when `html` is a short page showing a block phrase, else None.

    `visible`: `visible_text(html)` and `folded`: `nfkc(visible)`, when the caller already has
    them (crawler/screening.py asks both checks).
    """
    rules = rules or load_rules()
    visible = visible_text(html) if visible is None else visible
    if len(visible) > 2 * rules["max_chars"]:  # NFKC never halves a text: an article page, skip it
        return None
    text = (nfkc(visible) if folded is None else folded).lower()
    if len(text) > rules["max_chars"]:
        return None
    for phrase in rules["phrases"]:
        if phrase in text:
            return f"block page: {phrase}"
    return None


@cache
def load_error_rules(path: Path = ERROR_RULES_PATH) -> dict[str, Any]:
    rules = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {"max_chars": int(rules.get("max_chars", 1200)),
            "phrases": [unicodedata.normalize("NFKC", p) for p in rules.get("phrases") or []],
            "titles": {unicodedata.normalize("NFKC", str(t)).lower() for t in rules.get("titles") or []}}


def error_page_reason(html: str, rules: dict[str, Any] | None = None, *, visible: str | None = None,
                      folded: str | None = None) -> str | None:
    """"soft 404: <phrase>" when `html` is an error page answered in place of the article, else None.

    Short pages need only an error phrase; a long page (the error message inside the site's
    full template) also needs an error title, so an article that quotes "页面不存在" is safe.
    The title is checked first on long pages: most pages are articles, and it spares them
    normalising their whole text.
    """
    rules = rules or load_error_rules()
    visible = visible_text(html) if visible is None else visible
    long_page = len(visible) > 2 * rules["max_chars"]  # NFKC never halves a text
    if long_page and not any(is_error_title(t, rules) for t in page_titles(html)):
        return None
    text = nfkc(visible) if folded is None else folded
    lowered = text.lower()
    phrase = next((p for p in rules["phrases"] if p.lower() in lowered), None)
    if phrase is None:
        return None
    if len(text) <= rules["max_chars"] or any(is_error_title(t, rules) for t in page_titles(html)):
        return f"soft 404: {phrase}"
    return None


def page_titles(html: str) -> list[str]:
    """The <title> and the first <h1> of a page, as text."""
    found = []
    for match in _TITLE.finditer(html[:200_000]):
        found.append(visible_text(match.group(1) or match.group(2) or ""))
        if match.group(2) is not None:
            break
    return found


def is_error_title(title: str, rules: dict[str, Any] | None = None) -> bool:
    """True for titles such as "404", "页面不存在", "错误页面_示范市乡村振兴局"."""
    rules = rules or load_error_rules()
    title = nfkc(title).strip().lower()
    return title in rules["titles"] or _SITE_SUFFIX.sub("", title) in rules["titles"]
