"""The disclosure table (政府信息公开) read from labelled lines: fields, original labels, dates, title.

metadata.find_labelled finds every ``label：value`` on the page; this module decides what they
mean for the document a researcher cites:

- the typed fields (index_no, doc_no, publisher, category) with labels.yaml's synonym order
  (发布机构 beats 责任部门 on a page that shows both; the loser is kept under its own label);
- the label each field was written with (metadata["labels"]: canonical -> written, and
  metadata["field_labels"]: ExtractedPage field -> written), so 发文字号 is shown as 发文字号;
- the candidates for the published date (dates.choose_published orders them);
- the document's title from the table's 标题/名称 row when the page's <title> is missing,
  generic or the site's name.

Pure functions over the Labelled list; no lxml, no Scrapy.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dates import choose_published, normalise_date
from .labels import DisclosureLabels, load_labels
from .metadata import Labelled
from .rules import Rules
from .title import locate

# Matching titles ignores spaces and punctuation (<title> often writes —— as - or drops quotes).
_KEY_DROP = re.compile(r"[\s\xa0\u3000\-‐‑‒–—―－_·•.,，。:：;；!！?？'\"“”‘’()（）\[\]【】《》<>〈〉|｜/、~～…]+")
# A table title shorter than this (after dropping punctuation) is a placeholder ("无"), not a title.
TITLE_MIN_CHARS = 4
# How a date candidate that has no label on the page is named to a reader.
SOURCE_NAMES = {"meta": "<meta>", "script": "script", "title_line": "line under the title", "list": "list page",
                "url": "URL"}


@dataclass
class Disclosure:
    fields: dict[str, str | None] = field(default_factory=dict)  # index_no, doc_no, publisher, category
    field_labels: dict[str, str] = field(default_factory=dict)   # ExtractedPage field -> written label


def _norm(text: str) -> str:
    return _KEY_DROP.sub("", text)


def _distance(item: Labelled, title_idx: int | None) -> int:
    return abs(item.line - title_idx) if title_idx is not None else item.line


def _near_title(items: list[Labelled], title_idx: int | None, rules: Rules) -> list[Labelled]:
    """Items within the metadata window around the title, or all of them when none is (the same
    window page.py's fields use: a disclosure table sits just above or below the title)."""
    if title_idx is None:
        return items
    window = int(rules.thresholds["date_window_lines"]) * 4
    return [i for i in items if abs(i.line - title_idx) <= window] or items


def _best(items: list[Labelled], title_idx: int | None, labels: DisclosureLabels) -> Labelled:
    """The most specific synonym (labels.yaml order) first, then the occurrence nearest the title."""
    return min(items, key=lambda i: (labels.rank.get(i.written, len(labels.rank)), _distance(i, title_idx)))


def disclosure_fields(labelled: list[Labelled], title_idx: int | None, rules: Rules,
                      labels: DisclosureLabels) -> Disclosure:
    """The ExtractedPage fields fed by disclosure labels (rules.yaml `fields` whose labels are all
    in labels.yaml), each with the label the page wrote."""
    out = Disclosure()
    for name, canonicals in rules.fields.items():
        if not set(canonicals) <= labels.vocabulary:
            continue
        out.fields[name] = None
        for canonical in canonicals:
            items = _near_title([i for i in labelled if i.label == canonical and i.value], title_idx, rules)
            if items:
                best = _best(items, title_idx, labels)
                out.fields[name], out.field_labels[name] = best.value, best.written
                break
    if out.fields.get("publisher") is None:
        source = _source_in_table(labelled, labels)
        if source is not None:
            out.fields["publisher"], out.field_labels["publisher"] = source.value, source.written
    return out


def table_lines(labelled: list[Labelled], labels: DisclosureLabels) -> frozenset[int]:
    """The rendered lines of the page's disclosure table(s): runs of consecutive labelled lines
    that hold at least one disclosure field other than a date or a title (索引号, 文号, 发文机关,
    分类, 有效性 …).  The title line between a header block and the info bar under it ends a run,
    so the info bar's 发布日期 or 信息来源 is the page's, not the table's."""
    core = labels.vocabulary - labels.dates - set(labels.title)
    by_line: dict[int, bool] = {}  # line -> holds a core field
    for i in labelled:
        by_line[i.line] = by_line.get(i.line, False) or i.label in core
    out: set[int] = set()
    run: list[int] = []
    for n in [*sorted(by_line), None]:
        if run and (n is None or n != run[-1] + 1):
            if any(by_line[line] for line in run):
                out.update(run)
            run = []
        if n is not None:
            run.append(n)
    return frozenset(out)


def _source_in_table(labelled: list[Labelled], labels: DisclosureLabels) -> Labelled | None:
    """信息来源 inside the disclosure table names the publishing body; elsewhere (an info bar, a
    news page) it names another outlet and is only the source."""
    table = table_lines(labelled, labels)
    return next((i for i in labelled if i.label == "来源" and i.value and i.line in table), None)


def label_metadata(labelled: list[Labelled], metadata: dict, disclosure: Disclosure,
                   labels: DisclosureLabels, title_idx: int | None) -> None:
    """Add the written labels to *metadata* (canonical label -> value, from page.py) in place.

    A canonical disclosure label the page wrote with two synonyms holding different values keeps
    the most specific one under the canonical label and the other under its own written label.
    """
    written: dict[str, str] = {}
    for canonical in list(metadata):
        items = [i for i in labelled if i.label == canonical and i.value]
        if not items:
            continue
        synonyms = {i.written for i in items}
        if len(synonyms) > 1 and canonical in labels.vocabulary:
            best = _best(items, title_idx, labels)
            metadata[canonical] = best.value
            for other in synonyms - {best.written}:
                value = next(i.value for i in items if i.written == other)
                if value != best.value and other not in metadata:
                    metadata[other] = value
                    written[other] = other
        chosen = next((i for i in items if i.value == metadata[canonical]), items[0])
        written[canonical] = chosen.written
    metadata["labels"] = written
    if disclosure.field_labels:
        metadata["field_labels"] = dict(disclosure.field_labels)


def published_candidates(labelled: list[Labelled], title_idx: int | None, rules: Rules,
                         labels: DisclosureLabels, **others: str | None) -> dict[str, tuple[str, str]]:
    """Every source of the published date the page has: each date label of labels.yaml's
    `published` (its occurrence nearest the title that holds a date) and the *others* given by
    page.py (meta, script, title_line, list, url), as {source: (written label, ISO date)}."""
    out: dict[str, tuple[str, str]] = {}
    for source in labels.published:
        if source in others:
            if others[source]:
                out[source] = (SOURCE_NAMES.get(source, source), others[source])  # type: ignore[assignment]
            continue
        items = _near_title([i for i in labelled if i.label == source and i.value], title_idx, rules)
        for item in sorted(items, key=lambda i: _distance(i, title_idx)):
            iso = normalise_date(item.value)
            if iso:
                out[source] = (item.written, iso)
                break
    return out


def table_title(labelled: list[Labelled], title_idx: int | None, rules: Rules, labels: DisclosureLabels,
                title: str | None) -> tuple[str, str] | None:
    """(title, written label) from the disclosure table's 标题/名称 row (only inside table_lines:
    名称 heads many a body table, 采购 lists) when the page's own title should give way to it:
    the title find_title chose does not agree with it (_same_title), as a site name, 首页, a
    column name or a generic <title> does not.  None when the table has no title or agrees."""
    table = table_lines(labelled, labels)
    for canonical in labels.title:
        items = [i for i in labelled if i.label == canonical and len(_norm(i.value)) >= TITLE_MIN_CHARS
                 and i.line in table]
        if items:
            best = _best(_near_title(items, title_idx, rules), title_idx, labels)
            break
    else:
        return None
    if _same_title(_norm(title or ""), _norm(best.value)):
        return None
    return best.value, best.written


def _same_title(current: str, table: str) -> bool:
    """The page's title agrees with the table's: it holds the table's whole (a value cut short
    stays a part of it), or is a part of it at least half its length ("关于…的通知" in
    "某局关于…的通知"); "通知" or a site name does not."""
    if not current or not table:
        return False
    return table in current or (current in table and len(current) * 2 >= len(table))


# ---- the three calls page.py makes --------------------------------------------------------------

def retitle(labelled: list[Labelled], lines: list[str], title: str | None, title_idx: int | None,
            rules: Rules) -> tuple[str | None, int | None, str | None]:
    """(title, its line, the table label it came from or None): the table's title when
    table_title says so, else the page's own."""
    found = table_title(labelled, title_idx, rules, load_labels(), title)
    if found is None:
        return title, title_idx, None
    return found[0], locate(lines, found[0]), found[1]


def apply_disclosure(labelled: list[Labelled], metadata: dict, fields: dict, title_idx: int | None,
                     rules: Rules, title_label: str | None = None) -> None:
    """Overwrite the disclosure fields in *fields* and add the written labels to *metadata*."""
    labels = load_labels()
    found = disclosure_fields(labelled, title_idx, rules, labels)
    fields.update(found.fields)
    if title_label:
        found.field_labels["title"] = title_label
    label_metadata(labelled, metadata, found, labels, title_idx)


def published(labelled: list[Labelled], metadata: dict, title_idx: int | None, rules: Rules,
              **others: str | None) -> str | None:
    """The published date by labels.yaml's precedence; every candidate goes to
    metadata["date_candidates"] and the chosen one's label to metadata["field_labels"]."""
    labels = load_labels()
    date, candidates = choose_published(published_candidates(labelled, title_idx, rules, labels, **others),
                                        labels.published)
    if candidates:
        metadata["date_candidates"] = candidates
        chosen = next(c for c in candidates if c["chosen"])
        metadata.setdefault("field_labels", {})["published"] = chosen["label"]
    return date


# A 文号 on a line of its own: issuer's abbreviation, the year in brackets, the number (财综〔2020〕47号,
# 会协[2011]111号, 中价协字 [2017] 6号, 国办发明电〔2020〕13号).
_DOC_NO_LINE = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*第?\s*\d{1,5}\s*号")
DOC_NO_LINES = 4   # how far into the body a red-header document puts its 文号


HEADER_DOC_NO_LINES = 3  # how far from the title a red header prints its 文号 above or under it


def header_doc_no(lines: list[str], title_idx: int | None) -> str | None:
    """The 文号 a page prints as a line of its own beside the title, outside the body (a penalty
    notice's red header: 国家金融监督管理总局 / 金罚决字〔2024〕36号 / the title): the nearest
    whole-文号 line within a few lines of the title's."""
    if title_idx is None:
        return None
    near = sorted(range(max(0, title_idx - HEADER_DOC_NO_LINES), min(len(lines), title_idx + HEADER_DOC_NO_LINES + 1)),
                  key=lambda i: abs(i - title_idx))
    for i in near:
        if i != title_idx and _DOC_NO_LINE.fullmatch(lines[i].strip()):
            return lines[i].strip()
    return None


def body_doc_no(text: str) -> str | None:
    """The 文号 a document prints as a line of its own at the top of its body, under the red header (a
    page with no disclosure table, or a table without the row): the first of the body's first lines that
    is one whole 文号."""
    for line in text.split("\n", DOC_NO_LINES)[:DOC_NO_LINES]:
        if _DOC_NO_LINE.fullmatch(line.strip()):
            return line.strip()
    return None
