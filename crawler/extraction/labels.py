"""The disclosure-table vocabulary (labels.yaml) and how a written label is normalised.

Government pages write one field many ways: 发文字号 or 文号, 索 引 号 with ASCII or full-width
spaces, a full-width or ASCII colon, now and then a compatibility character.  Everything that
compares labels goes through `label_key` (NFKC, no spaces, no colon), and the synonyms live in
labels.yaml as data, so a new template's wording is one line there, not code.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

LABELS_PATH = Path(__file__).with_name("labels.yaml")
# Sources of the published date that are not labels on the page (labels.yaml `published`).
DATE_SOURCES = frozenset(("meta", "script", "title_line", "list", "url"))
_NOT_LABEL = re.compile(r"[\s\u3000\xa0:：]+")


def _compatibility_forms() -> dict[str, frozenset[str]]:
    """char -> it and every character NFKC folds into it: Kangxi radicals (⽂ for 文, from
    PDF-to-HTML converters), CJK compatibility ideographs, full-width forms."""
    forms: dict[str, set[str]] = {}
    for start, end in ((0x2E80, 0x2FE0), (0xF900, 0xFB00), (0xFF00, 0xFFF0)):
        for cp in range(start, end):
            folded = unicodedata.normalize("NFKC", chr(cp))
            if len(folded) == 1 and folded != chr(cp):
                forms.setdefault(folded, {folded}).add(chr(cp))
    return {ch: frozenset(chars) for ch, chars in forms.items()}


_FOLDS = _compatibility_forms()
_FORMS = {ch: "[" + "".join(sorted(re.escape(c) for c in chars)) + "]" for ch, chars in _FOLDS.items()}


def written_forms(ch: str) -> frozenset[str]:
    """*ch* and every character a page may write for it (NFKC folds them into *ch*)."""
    return _FOLDS.get(ch, frozenset(ch))


def label_pattern(label: str) -> str:
    """A regex for *label* as pages write it: any spaces between its characters (索 引 号, 标　　题,
    &nbsp;), each character in any form NFKC folds into it."""
    return r"[\s\u3000\xa0]*".join(_FORMS.get(ch, re.escape(ch)) for ch in label)


def label_key(written: str) -> str:
    """索　引 号： → 索引号: NFKC (full-width and compatibility forms), spaces and colons dropped."""
    return _NOT_LABEL.sub("", unicodedata.normalize("NFKC", written))


@dataclass(frozen=True)
class DisclosureLabels:
    canonical: dict[str, str]       # written label (label_key form) -> canonical label
    vocabulary: frozenset[str]      # the canonical labels
    rank: dict[str, int]            # written label -> its place among its canonical label's synonyms
    dates: frozenset[str]           # canonical labels whose value is a date
    title: tuple[str, ...]          # canonical labels holding the document's title, by preference
    published: tuple[str, ...]      # sources of the published date, by precedence
    value_stop: re.Pattern[str]     # where an inline disclosure value ends (besides the next label)
    empty_values: frozenset[str]    # what a table writes in a field it has no value for


@lru_cache(maxsize=1)
def load_labels(path: str | None = None) -> DisclosureLabels:
    """labels.yaml, checked: a source of `published` must be a known label or a DATE_SOURCES name."""
    source = Path(path or LABELS_PATH)
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    canonical: dict[str, str] = {}
    rank: dict[str, int] = {}
    for name, written in data["disclosure"].items():
        for i, label in enumerate(written):
            key = label_key(label)
            if key in canonical and canonical[key] != name:
                raise ValueError(f"{source}: label {label!r} is listed under both {canonical[key]} and {name}")
            canonical[key] = name
            rank[key] = i
    published = tuple(data["published"])
    known = set(data["disclosure"]) | DATE_SOURCES | set(data.get("page_dates", []))
    unknown = [p for p in published if p not in known]
    if unknown:
        raise ValueError(f"{source}: published lists unknown sources {unknown}; "
                         f"use a label under disclosure/page_dates or one of {sorted(DATE_SOURCES)}")
    return DisclosureLabels(
        canonical=canonical,
        vocabulary=frozenset(canonical.values()),
        rank=rank,
        dates=frozenset(data["dates"]) | frozenset(data.get("page_dates", [])),
        title=tuple(data["title"]),
        published=published,
        value_stop=re.compile(data["value_stop"]),
        empty_values=frozenset(str(v) for v in data["empty_values"]),
    )
