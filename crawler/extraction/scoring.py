"""Token-bag scoring for extracted text (pure, no dependencies).

Each CJK character is one token; each run of ASCII letters/digits is one token.
That is the metric used for the realpages benchmark and the gold set, so it
lives next to the extractor and the tests and the bench share it.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

# CJK unified ideographs (+ext A, compatibility) and kana/hangul count per character.
_TOKEN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]"
    r"|[A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+"
)


class PRF(NamedTuple):
    precision: float
    recall: float
    f1: float


def tokenize(text: str | None) -> list[str]:
    """CJK chars one token each, ASCII words/numbers one token each, punctuation ignored."""
    if not text:
        return []
    return [t.lower() for t in _TOKEN.findall(text)]


def prf(predicted: str | None, truth: str | None) -> PRF:
    """Precision/recall/F1 over token bags (multiset intersection)."""
    pred, gold = Counter(tokenize(predicted)), Counter(tokenize(truth))
    if not pred and not gold:
        return PRF(1.0, 1.0, 1.0)
    if not pred or not gold:
        return PRF(0.0, 0.0, 0.0)
    common = sum((pred & gold).values())
    if not common:
        return PRF(0.0, 0.0, 0.0)
    p = common / sum(pred.values())
    r = common / sum(gold.values())
    return PRF(p, r, 2 * p * r / (p + r))


_SPACE = re.compile(r"\s+")


def normalise_title(title: str | None) -> str:
    """Whitespace-insensitive form for exact title comparison."""
    return _SPACE.sub("", title or "")


def title_match(predicted: str | None, truth: str | None) -> bool:
    return bool(truth) and normalise_title(predicted) == normalise_title(truth)
