"""The labels Word draws before numbered paragraphs (一、 1. （三） ①), which are not in the text runs.

A 实施方案 or 申报书 whose headings are Word's automatic numbering has "一、总体要求" on the page and
"总体要求" in its runs: read without the labels its headings lose their order and a search for
"二、工作任务" misses. python-docx does not number paragraphs, so this follows the numbering part
(ECMA-376 §17.9) far enough for the lists such documents use: a paragraph's own `w:numPr` or its
style's (through `w:basedOn`), a counter per abstract list and level (a level restarts when a
level above it moves on), `w:start` and `w:startOverride`, `w:lvlText` with several levels
("%1.%2"), a list restarted by a new `w:num` over the same list, and the number formats of
Chinese and Western documents. Bullets are glyphs, not text, and get no label; an unknown format
is written as a decimal rather than dropped.
"""

from __future__ import annotations

from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LEVELS = 9  # Word's list levels, 0-8; a level past them is ignored (a label walks the levels above it)
_DIGITS = "零一二三四五六七八九"
_TRADITIONAL = "甲乙丙丁戊己庚辛壬癸"
_ZODIAC = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _chinese(n: int) -> str:
    """一 … 九百九十九 as counted in headings (十, 十一, 二十, 一百零五 …); larger numbers as digits."""
    if n <= 0 or n >= 1000:
        return str(n)
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    out = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and units:
        out += "零"
    return out + (_DIGITS[units] if units else "")


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def _roman(n: int) -> str:
    out = ""
    for value, digits in _ROMAN:
        while n >= value:
            out += digits
            n -= value
    return out


def format_number(n: int, fmt: str) -> str:
    """`n` in an ST_NumberFormat (decimal when the format is one this does not know, and for
    letters and Roman numerals past 4,000: a hostile `w:start` must not make a long loop)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "japaneseCounting",
               "ideographDigital", "taiwaneseCounting", "taiwaneseCountingThousand"):
        return _chinese(n)
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _TRADITIONAL[n - 1]
    if fmt == "ideographZodiac" and 1 <= n <= 12:
        return _ZODIAC[n - 1]
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("upperLetter", "lowerLetter", "upperRoman", "lowerRoman") and not 0 < n <= 4000:
        return str(n)
    if fmt in ("upperLetter", "lowerLetter"):
        return _letters(n).upper() if fmt == "upperLetter" else _letters(n)
    if fmt in ("upperRoman", "lowerRoman"):
        return _roman(n).upper() if fmt == "upperRoman" else _roman(n)
    return str(n)


def _val(element: Any, tag: str) -> str | None:
    found = element.find(W + tag) if element is not None else None
    return found.get(W + "val") if found is not None else None


def _number(value: str | None, default: int) -> int:
    """A count or level as the file gives it, `default` when it is missing or not a sane number
    (the file is the site's: "9" * 5000 would stop int() itself)."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) <= 9 else default


class Numbering:
    """Labels for a document's paragraphs, in document order (counting is stateful: call `label`
    once per paragraph, in the order they appear)."""

    def __init__(self, numbering: Any | None, styles: Any | None) -> None:
        self.levels: dict[str, dict[int, dict[str, Any]]] = {}  # abstractNumId -> ilvl -> level
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstractNumId, start overrides)
        self.style_num: dict[str, tuple[str | None, str | None]] = {}  # styleId -> (numId, ilvl)
        self.counters: dict[str, dict[int, int]] = {}
        self.seen_nums: set[str] = set()  # a num's start overrides take effect where it is first used
        if numbering is not None:
            self._read_numbering(numbering)
        if styles is not None:
            self._read_styles(styles)

    def _read_numbering(self, root: Any) -> None:
        for abstract in root.iter(W + "abstractNum"):
            levels = {}
            for lvl in abstract.iter(W + "lvl"):
                if (ilvl := _number(lvl.get(W + "ilvl"), 0)) >= LEVELS:
                    continue
                levels[ilvl] = {
                    "start": _number(_val(lvl, "start"), 1), "fmt": _val(lvl, "numFmt") or "decimal",
                    "text": _val(lvl, "lvlText"), "suffix": _val(lvl, "suff") or "tab"}
            self.levels[abstract.get(W + "abstractNumId")] = levels
        for num in root.iter(W + "num"):
            overrides = {}
            for override in num.iter(W + "lvlOverride"):
                start = _val(override, "startOverride")
                if start is not None:
                    overrides[_number(override.get(W + "ilvl"), 0)] = _number(start, 1)
            self.nums[num.get(W + "numId")] = (_val(num, "abstractNumId") or "", overrides)

    def _read_styles(self, root: Any) -> None:
        based_on: dict[str, str] = {}
        own: dict[str, tuple[str | None, str | None]] = {}
        for style in root.iter(W + "style"):
            style_id = style.get(W + "styleId")
            parent = _val(style, "basedOn")
            if parent:
                based_on[style_id] = parent
            num_pr = style.find(f"{W}pPr/{W}numPr")
            if num_pr is not None:
                own[style_id] = (_val(num_pr, "numId"), _val(num_pr, "ilvl"))
        for style_id in {*own, *based_on}:
            seen, current = set(), style_id
            while current and current not in own and current not in seen:
                seen.add(current)
                current = based_on.get(current)
            if current in own:
                self.style_num[style_id] = own[current]

    def label(self, paragraph: Any) -> str:
        """The label Word draws before `paragraph` (with the space after it, if any), or ""."""
        p_pr = paragraph.find(W + "pPr")
        num_pr = p_pr.find(W + "numPr") if p_pr is not None else None
        num_id, ilvl = (_val(num_pr, "numId"), _val(num_pr, "ilvl")) if num_pr is not None else (None, None)
        style = self.style_num.get(_val(p_pr, "pStyle") or "") if p_pr is not None else None
        if style:
            num_id, ilvl = num_id or style[0], ilvl or style[1]
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.levels.get(abstract_id, {})
        level = _number(ilvl, 0)
        if level not in levels:
            return ""
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.seen_nums:
            self.seen_nums.add(num_id)
            if overrides:  # Word's "restart numbering": a new num over the same list, from its override
                for restarted in [k for k in counters if k >= min(overrides)]:
                    del counters[restarted]
        start = overrides.get(level, levels[level]["start"])
        counters[level] = counters[level] + 1 if level in counters else start
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]  # a level restarts when one above it moves on
        definition = levels[level]
        if definition["fmt"] in ("bullet", "none") or not definition["text"]:
            return ""
        text = definition["text"]
        for shown in range(level, -1, -1):
            if f"%{shown + 1}" in text:
                value = counters.get(shown, overrides.get(shown, levels.get(shown, {}).get("start", 1)))
                text = text.replace(f"%{shown + 1}", format_number(value, levels.get(shown, definition)["fmt"]))
        if definition["suffix"] == "nothing" or not text or not text[-1].isascii():
            return text  # "一、" "（三）" run into their heading as printed
        return text + " "
