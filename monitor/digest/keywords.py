"""Keyword filtering of digest items, made for Chinese.

Chinese is written without spaces, so there are no word boundaries to match on: a keyword
matches wherever it occurs as a substring of the title + text. Both sides are NFKC-normalised
(full-width ＡＢＣ１２３ and half-width forms become ordinary ones, compatibility ideographs
their unified form) and case-folded (Latin letters ignore case), and runs of whitespace
become one space. 乡村振兴 therefore matches 全面推进乡村振兴战略, and COVID matches ｃｏｖｉｄ.
The price of substring matching is the occasional false hit (招聘 inside 招聘会): choose
longer keywords when that matters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_SPACES = re.compile(r"\s+")


def normalise(text: str | None) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).casefold()


def keep(text: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """True if `text` has any `include` word (or none are given) and no `exclude` word."""
    haystack = normalise(text)
    if any(normalise(word) in haystack for word in exclude):
        return False
    return not include or any(normalise(word) in haystack for word in include)
