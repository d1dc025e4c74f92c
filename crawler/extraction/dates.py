"""Chinese and numeric date strings → ISO 8601 ``YYYY-MM-DD``.

Gov and news pages write dates as 2021年6月7日, 2021-06-07 14:28, 2021/6/7,
2021.06.07, 20210607 or in Chinese numerals (二〇二一年六月七日, common in 公文).

A page often shows several dates (a disclosure table's 发布日期 and 成文日期, the CMS's
发布时间 line, a <meta> tag, the URL).  `choose_published` takes the first of them in one
documented order (labels.yaml's `published`, with the reasons there), and returns every
candidate with the one chosen marked, so a reader can see which date was taken and why:

    1. 发布日期 (公开日期)  2. 发文日期  3. 生成日期        — the disclosure table
    4. 发布时间  5. 日期  6. 时间                           — the page's own publication line
    7. 成文日期 (成文时间)  8. 印发日期                      — when the text was signed
    9. <meta> publication date  10. script variable  11. unlabelled date under the title
    12. date in the URL's path; and, only when none of these exists, htmldate's guess.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

MIN_YEAR = 1990
MAX_YEAR = 2100

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "0": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = "〇○零Ｏ一二两三四五六七八九十"
_FULLWIDTH = str.maketrans("０１２３４５６７８９／－．：", "0123456789/-.:")

# Ordered: the first pattern that matches wins.
NUMERIC_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})(?!\d)\s*日?"
)
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")
_CHINESE = re.compile(rf"([{_CN_NUM}O0]{{4}})\s*年\s*([{_CN_NUM}]{{1,3}})\s*月\s*([{_CN_NUM}]{{1,3}})\s*日")


def _cn_int(s: str) -> int | None:
    """二十七 → 27, 十 → 10, 〇七 → 7, 二〇二一 → 2021."""
    if "十" in s:
        head, _, tail = s.partition("十")
        tens = _CN_DIGITS.get(head, None) if head else 1
        ones = _CN_DIGITS.get(tail, None) if tail else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    value = 0
    for ch in s:
        d = _CN_DIGITS.get(ch)
        if d is None:
            return None
        value = value * 10 + d
    return value


def iso_date(y: int, m: int, d: int) -> str | None:
    """``YYYY-MM-DD`` of a real day in the years pages are dated (MIN_YEAR..MAX_YEAR), else None."""
    if not (MIN_YEAR <= y <= MAX_YEAR):
        return None
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def find_dates(text: str, compact: bool = False) -> list[tuple[int, str]]:
    """All valid dates in *text* as (position, ISO) in order of appearance."""
    if not text:
        return []
    text = text.translate(_FULLWIDTH)
    found: list[tuple[int, str]] = []
    for m in NUMERIC_DATE.finditer(text):
        iso = iso_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            found.append((m.start(), iso))
    for m in _CHINESE.finditer(text):
        y, mo, d = (_cn_int(g) for g in m.groups())
        if None not in (y, mo, d):
            iso = iso_date(y, mo, d)  # type: ignore[arg-type]
            if iso:
                found.append((m.start(), iso))
    if compact or not found:
        for m in _COMPACT.finditer(text):
            iso = iso_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if iso:
                found.append((m.start(), iso))
    found.sort()
    return found


def is_bare_date(text: str) -> bool:
    """The text is one date and nothing else: a notice's 落款 date (2025年4月3日, 二〇二五年四月三日)."""
    t = text.strip().translate(_FULLWIDTH)
    return bool(NUMERIC_DATE.fullmatch(t) or _CHINESE.fullmatch(t))


def normalise_date(text: str | None) -> str | None:
    """First date in *text* as ``YYYY-MM-DD``, or None."""
    if not text:
        return None
    found = find_dates(text, compact=True)
    return found[0][1] if found else None


def choose_published(candidates: dict[str, tuple[str, str]],
                     precedence: Sequence[str]) -> tuple[str | None, list[dict[str, str | bool]]]:
    """The published date and every candidate, in precedence order.

    *candidates* maps a source (a canonical label such as 发布日期, or meta/script/title_line/url)
    to (the label as the page wrote it, ISO date).  Returns (ISO date or None, [{"source",
    "label", "value", "chosen"}, …]); exactly one candidate is chosen when any exists.
    """
    ranked = [s for s in precedence if s in candidates] + sorted(s for s in candidates if s not in precedence)
    out: list[dict[str, str | bool]] = []
    chosen: str | None = None
    for source in ranked:
        label, value = candidates[source]
        pick = chosen is None and source in precedence
        if pick:
            chosen = value
        out.append({"source": source, "label": label, "value": value, "chosen": pick})
    return chosen, out
