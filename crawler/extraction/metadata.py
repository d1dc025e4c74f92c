"""Labelled fields (索引号, 发文机关, 来源, 发布时间 …) read from rendered lines.

Works on the output of textlines.render_lines, so table cells, label+value in
one cell, definition lists and ``label：value`` info bars all look alike:
``label：value  label：value``.  A value runs to the next label, a UI widget
(【字体, 打印 …) or a wide gap; a disclosure label's value (labels.yaml) is cut more
gently, and not at all when it has a table cell of its own.  What the labels mean for
the document (its typed fields, the published date, the title) is disclosure.py's job.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import find_dates
from .labels import label_key, load_labels
from .rules import Rules, canonical_label

_TRIM_PLAIN = " \t\xa0\u3000:：|｜丨,，;；、.。\"'"
# A byline "文/张三" or "（文/张三 李四）" at the end of the body.
_BYLINE = re.compile(r"[（(]?\s*(?:文|文字|撰文|作者)\s*[/／|]\s*([\u4e00-\u9fff·]{2,4}(?:[ 、，,][\u4e00-\u9fff·]{2,4}){0,3})\s*[）)]?")


_NAME = r"[\u4e00-\u9fff·]{2,4}(?![\u4e00-\u9fff])"
# "本报记者 张三", "新京报记者 彭冲 山东冠县报道", "（记者陈智 整合）": a short media prefix, then names.
_REPORTER = re.compile(
    rf"(?:^|[\s（(□■●【])[^\s，。,；;：:“”\"]{{0,12}}?记者[\s\u3000/]*"
    rf"((?:{_NAME}[ \u3000、，,]*){{1,4}}?)(?=[\s\u3000）)/、]|$|报道|摄|通讯员|发自)",
    re.MULTILINE,
)
# "……。（张三 李四）" closing the body: after the last sentence or on a line of its own; "水稻（稻飞虱）" in a
# table's last cell annotates the word before it.
_TRAILING_NAMES = re.compile(
    rf"(?:^|(?<=[\s。！？!?”\"」』）)]))[（(]\s*((?:{_NAME}[ \u3000、]*){{1,4}})\s*[）)]\s*\Z", re.MULTILINE)
_NAME_SPLIT = re.compile(r"[\s\u3000、，,]+")
# Words that follow 记者 but are not names.
_NOT_NAMES = frozenset(["整合", "报道", "摄影", "综合", "编译", "发自", "实习生", "通讯员", "采写", "见习", "特约", "完", "待续", "全文完", "图", "未完待续", "本报", "联合", "专电", "电"])
# E-paper page label: "第03版：要闻" (版次), shown above the article and in the 版面导航 list.
_EDITION = re.compile(r"(?:^|\s)(第\s*\d+\s*版\s*[:：]\s*[^\s|｜:：]+)")
_ORIGINAL_TITLE = re.compile(r"^原标题\s*[:：]\s*(.+)$")
_SPACES = re.compile(r"[\s\u3000\xa0]+")
# A value that opens with a short word and a colon is the next field (a label this module does not know).
_ANOTHER_FIELD = re.compile(r"[\u4e00-\u9fff]{2,6}\s*[:：]")


@dataclass(frozen=True)
class Labelled:
    line: int         # index into the rendered lines
    label: str        # canonical label
    value: str        # cleaned value, may be ""
    written: str = ""  # the label as the page wrote it (NFKC, no spaces): 发文字号 where label is 文号


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
            raw = line[m.end():end]
            own_cell = raw.lstrip(" \xa0\u3000")[:1] == "\t"
            raw = raw.lstrip(" \t\xa0\u3000")
            if _ANOTHER_FIELD.match(raw):
                raw = ""  # 来源：<b></b> 访问量：199 — the label is empty; what follows is a field unknown here
            found.append(Labelled(i, label, clean_value(raw, label, rules, own_cell), label_key(m.group("label"))))
    return found


def _after_gap(line: str, pos: int) -> bool:
    """True when the label follows a tab, two spaces or a separator: a new field, not prose."""
    before = line[max(0, pos - 2):pos]
    return "\t" in before or before == "  " or before[-1:] in "|｜丨【[ "


def clean_value(raw: str, label: str, rules: Rules, own_cell: bool = False) -> str:
    """Cut a raw value at UI widgets; dates keep their time part.

    A disclosure label's value is cut more gently (labels.yaml value_stop): 文号 京政发[2021]3号
    and a 标题 with 阅读 or 【解读】 in it are values, not widgets.  A value in a cell of its
    own (*own_cell*: the label had its own cell) is that cell whole."""
    disclosure = load_labels()
    if label in disclosure.vocabulary:
        stop = None if own_cell else disclosure.value_stop.search(raw)
    else:
        stop = rules.value_stop_re.search(raw)
    if stop:
        raw = raw[: stop.start()]
    raw = raw.split("\t", 1)[0]
    if label not in rules.date_labels and label not in disclosure.vocabulary:
        # "作者：张三 2021-03-15 14:28" – a date glued after a name is not part of it.
        dates = find_dates(raw)
        if dates and dates[0][0] > 0:
            raw = raw[: dates[0][0]]
    value = _trim(raw)
    if label in disclosure.vocabulary and _says_none(value, disclosure.empty_values):
        return ""  # 文号：无 — the table says there is none
    if label in rules.date_labels and not _DATE_LIKE.search(value):
        return ""  # a search form's 发布时间：[ ] 到 [ ]: no number, no date
    return value


# Something a date is written with: a digit or a Chinese numeral (二〇二一年五月).
_DATE_LIKE = re.compile(r"[0-9０-９〇零一二三四五六七八九十]")


# A placeholder of dashes, slashes and spaces (a template's "—&nbsp;&nbsp;—" for an empty 文件编号).
_NO_VALUE_RE = re.compile(r"[-－—–_/／\\s]+")


def _says_none(value: str, empty_values: frozenset[str]) -> bool:
    """Whether a table's value is its way of saying there is none (labels.yaml empty_values,
    with the spaces a template put inside it ignored, or a run of dashes and slashes)."""
    return "".join(value.split()) in empty_values or bool(_NO_VALUE_RE.fullmatch(value))


_PAIRS = {"《": "》", "（": "）", "(": ")", "【": "】", "[": "]", "“": "”", "<": ">", "〈": "〉"}


def _trim(value: str) -> str:
    """Strip separators and stray brackets, but keep a bracket pair the value opens and closes
    (来源：《湘西工作》2021/1 keeps its 《…》)."""
    value = value.strip(_TRIM_PLAIN)
    while value:
        head, tail = value[0], value[-1]
        if head in _PAIRS and _PAIRS[head] not in value[1:]:
            value = value[1:].strip(_TRIM_PLAIN)
        elif tail in _PAIRS.values() and not any(o in value[:-1] for o, c in _PAIRS.items() if c == tail):
            value = value[:-1].strip(_TRIM_PLAIN)
        else:
            break
    return value


_CORRESPONDENT = re.compile(rf"通讯员[\s\u3000:：]*((?:{_NAME}[ \u3000、，,]*){{1,4}}?)(?=[\s\u3000）)/、]|$)", re.MULTILINE)
# Trailing words of a person field that are not names: "姚峰 上海报道", "张三 摄".
_NOT_NAME_SUFFIX = re.compile(r"(报道|摄|发自\S*|摄影|整理|采写)$")


def person_names(value: str) -> str:
    """"姚峰 上海报道" → "姚峰": drop dateline words a reporter field often carries; a name written
    against its dateline word with nothing else ("记者梁爽报道") loses the word."""
    tokens = [n for n in _NAME_SPLIT.split(value) if n and n not in _NOT_NAMES]
    names = [n for n in tokens if not _NOT_NAME_SUFFIX.search(n)]
    if not names and len(tokens) == 1 and len(bare := _NOT_NAME_SUFFIX.sub("", tokens[0])) >= 2:
        return bare
    return " ".join(names) if names else value


def correspondents(text: str, header: str = "") -> str | None:
    """Correspondents (通讯员 X Y) in the lines under the title or the body's lead."""
    head = "\n".join(text.split("\n")[:2])[:400]
    for part in (header, head):
        m = _CORRESPONDENT.search(part)
        if m:
            names = [n for n in _NAME_SPLIT.split(m.group(1)) if n and n not in _NOT_NAMES]
            if names:
                return " ".join(names)
    return None


def body_byline(text: str, header: str = "") -> str | None:
    """Author named in a byline: 记者 X under the title (*header*) or near the top or bottom of the
    body, 文/X, or trailing （X Y）."""
    found = _byline(text, header)
    return person_names(found) if found else None


def _byline(text: str, header: str) -> str | None:
    lines = text.split("\n")
    head, tail = "\n".join(lines[:4])[:400], "\n".join(lines[-3:])[-300:]
    for part in (header, head, tail):
        m = _REPORTER.search(part)
        if m:
            names = [n for n in _NAME_SPLIT.split(m.group(1)) if n and n not in _NOT_NAMES]
            if names:
                return " ".join(names)
    m = None
    for m in _BYLINE.finditer(tail):
        pass
    if m:
        return m.group(1).strip()
    m = _TRAILING_NAMES.search(tail)
    if m and not set(_NAME_SPLIT.split(m.group(1))) & _NOT_NAMES:
        return " ".join(n for n in _NAME_SPLIT.split(m.group(1)) if n)
    return None


def original_title(lines: list[str], title: str | None) -> str | None:
    """The 原标题 of a republished story when the page title merely wraps it (spam mirrors add prefixes)."""
    if not title:
        return None
    key = _SPACES.sub("", title)
    for line in lines[:200]:
        m = _ORIGINAL_TITLE.match(line)
        if m:
            original = m.group(1).strip()
            if len(original) >= 6 and _SPACES.sub("", original) in key and _SPACES.sub("", original) != key:
                return original
    return None


def edition(lines: list[str], title_idx: int | None) -> str | None:
    """The 版次 of an e-paper article ("第01版：头版"): the first page label before the title."""
    for line in lines[: title_idx if title_idx is not None else 60]:
        m = _EDITION.search(line)
        if m:
            return _SPACES.sub("", m.group(1))
    return None
