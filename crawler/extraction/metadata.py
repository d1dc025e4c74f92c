"""Labelled fields (索引号, 发文机关, 来源, 发布时间 …) read from rendered lines.

Works on the output of textlines.render_lines, so table cells, label+value in
one cell, definition lists and ``label：value`` info bars all look alike:
``label：value  label：value``.  A value runs to the next label, a UI widget
(【字体, 打印 …) or a wide gap.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import find_dates
from .rules import Rules, canonical_label

_TRIM = " \t\xa0\u3000:：|｜丨,，;；、.。()（）【】[]<>《》\"'“”"
# A byline "文/张三" or "（文/张三 李四）" at the end of the body.
_BYLINE = re.compile(r"[（(]?\s*(?:文|文字|撰文|作者)\s*[/／|]\s*([\u4e00-\u9fff·]{2,4}(?:[ 、，,][\u4e00-\u9fff·]{2,4}){0,3})\s*[）)]?")


@dataclass(frozen=True)
class Labelled:
    line: int        # index into the rendered lines
    label: str       # canonical label
    value: str       # cleaned value, may be ""


def find_labelled(lines: list[str], rules: Rules) -> list[Labelled]:
    """Every ``label：value`` found in *lines*, in page order."""
    found: list[Labelled] = []
    max_len = int(rules.thresholds["metadata_line_max_chars"]) * 3
    for i, line in enumerate(lines):
        if "：" not in line and ":" not in line:
            continue
        if len(line) > max_len:
            continue
        matches = list(rules.label_re.finditer(line))
        for j, m in enumerate(matches):
            label = canonical_label(rules, m.group("label"))
            if label in rules.weak_labels and m.start() > 0 and not _after_gap(line, m.start()):
                continue
            end = matches[j + 1].start() if j + 1 < len(matches) else len(line)
            raw = line[m.end():end].lstrip(" \t\xa0\u3000")
            found.append(Labelled(i, label, clean_value(raw, label, rules)))
    return found


def _after_gap(line: str, pos: int) -> bool:
    """True when the label follows a tab, two spaces or a separator: a new field, not prose."""
    before = line[max(0, pos - 2):pos]
    return "\t" in before or before == "  " or before[-1:] in "|｜丨【[ "


def clean_value(raw: str, label: str, rules: Rules) -> str:
    """Cut a raw value at UI widgets; dates keep their time part."""
    stop = rules.value_stop_re.search(raw)
    if stop:
        raw = raw[: stop.start()]
    raw = raw.split("\t", 1)[0]
    if label not in rules.date_labels:
        # "作者：张三 2021-03-15 14:28" – a date glued after a name is not part of it.
        dates = find_dates(raw)
        if dates and dates[0][0] > 0:
            raw = raw[: dates[0][0]]
    return raw.strip(_TRIM)


def byline_author(text: str) -> str | None:
    """Author from a 文/… byline, usually the last lines of a gov article."""
    m = None
    for m in _BYLINE.finditer(text[-300:]):
        pass
    return m.group(1).strip() if m else None
