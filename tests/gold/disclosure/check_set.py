"""Validate the disclosure metadata gold set: every truth JSON against the page bytes beside it.

    python -m tests.gold.disclosure.check_set            # per-page checks, prints a summary
    python -m tests.gold.disclosure.check_set --strict   # also demand the issue-25 floor (see FLOOR)

The pages and their truth are not in git: they come from third-party repositories brought in with
`fetch`, which developers must not commit.  They live in $GOVWATCH_GOLD_DISCLOSURE (default
/work/gold-data/disclosure); `--dir` overrides both.

Why a checker and not only review: the truth is typed by hand from the page, so a typo, a value copied
from the wrong cell, a stale sha1 or a date written in the page's own format would silently poison
every score computed on the set.  Each written value must therefore occur in the page's *visible*
text (scripts and styles dropped, NFKC, whitespace collapsed), dates must be ISO and must occur in
the page in one of the forms Chinese portals print, and the bytes must hash to the recorded sha1.
Exit codes: 0 all good, 1 a check failed, 2 unusable input (one line on stderr).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

import lxml.etree
import lxml.html

ENV_VAR = "GOVWATCH_GOLD_DISCLOSURE"
DEFAULT_DIR = Path("/work/gold-data/disclosure")
LEVELS = {"national", "provincial", "city", "county"}
REQUIRED = (
    "url", "layout", "level", "cms", "encoding", "title", "published", "published_label", "written",
    "index_no", "doc_no", "publisher", "category", "labels", "labels_raw", "provenance", "truth_note",
)
PROVENANCE = ("repo", "commit", "path", "sha1", "licence", "publisher")
# Fields whose value, when not null, must be readable on the page.
TEXT_FIELDS = ("title", "index_no", "doc_no", "publisher", "category", "source")
MAX_PER_LAYOUT = 6
# The issue-25 floor counts only what the issue asks for: disclosure pages that carry a 政府信息公开
# metadata block (40 pages, 10 layouts of that block, 3 levels of government).  News items and
# in-tree pages with nothing but a date line are kept in the set, but do not count towards it.
FLOOR = {"pages": 40, "layouts": 10, "levels": 3}
BLOCK_FIELDS = ("index_no", "doc_no", "publisher", "written")


def data_dir() -> Path:
    """The folder of pages + truth: $GOVWATCH_GOLD_DISCLOSURE, else DEFAULT_DIR (read at call time, for tests)."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR)


def counts_towards_cap(truth: dict) -> bool:
    """False for a page marked `cap_excess`: kept and checked, but not counted in the layout cap or the floor.

    Why a flag written in the truth and not "the first six by name": which six pages stand for a layout
    is a choice a person makes (the most varied ones), and it must not change when a page is renamed.
    """
    return not truth.get("cap_excess")


def has_metadata_block(truth: dict) -> bool:
    """A section=disclosure page whose truth holds a 索引号, 文号, 发布机构/发文机关 or 成文日期.

    Why from the truth and not from the markup: the truth is what a reader found on the page, and a
    page that only sits in a 公开 tree with a 发布时间 line has none of these fields, so it is not
    evidence that an extractor can read a metadata block.
    """
    return truth.get("section") == "disclosure" and any(truth.get(f) for f in BLOCK_FIELDS)


def normalise(text: str) -> str:
    """NFKC (full-width colons/digits, ideographic spaces) and one ASCII space for any whitespace run."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def squeeze(text: str) -> str:
    """No whitespace at all: labels are padded differently from page to page (索 引 号 / 索引号)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def visible_text(html: bytes, encoding: str) -> str:
    """The text a reader sees: decoded with the recorded encoding, scripts/styles/comments removed."""
    root = lxml.html.document_fromstring(html.decode(encoding))
    for node in root.xpath("//script|//style|//noscript|//template|//comment()"):
        if node.getparent() is not None:  # a comment before <html> has no parent to drop it from
            node.drop_tree()
    return root.text_content()


def date_forms(iso: str) -> list[str]:
    """The spellings of one day seen on portals: 2024-05-11, 2024年05月11日, 2024年5月11日, 2024/05/11, 2024.05.11."""
    d = date.fromisoformat(iso)
    return [
        f"{d:%Y-%m-%d}", f"{d:%Y年%m月%d日}", f"{d.year}年{d.month}月{d.day}日",
        f"{d:%Y/%m/%d}", f"{d:%Y.%m.%d}", f"{d.year}-{d.month}-{d.day}",
    ]


def occurs(value: str, text_norm: str, text_squeezed: str) -> bool:
    return normalise(value) in text_norm or squeeze(value) in text_squeezed


def check_page(truth_path: Path) -> list[str]:
    """Problems found for one page (empty list = the page passes)."""
    problems: list[str] = []
    try:
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"unreadable JSON: {exc}"]
    missing = [k for k in REQUIRED if k not in truth]
    if missing:
        return [f"missing fields: {', '.join(missing)}"]
    html_path = truth_path.with_suffix(".html")
    if not html_path.is_file():
        return [f"no page bytes at {html_path.name}"]
    raw = html_path.read_bytes()
    prov = truth["provenance"]
    lacking = [k for k in PROVENANCE if k not in prov]
    if lacking:
        problems.append(f"provenance lacks {', '.join(lacking)}")
    elif hashlib.sha1(raw).hexdigest() != prov["sha1"]:
        problems.append("sha1 of the html bytes differs from provenance.sha1")
    if truth["level"] not in LEVELS:
        problems.append(f"level {truth['level']!r} not in {sorted(LEVELS)}")
    try:
        text = visible_text(raw, truth["encoding"])
    except (LookupError, UnicodeDecodeError) as exc:
        return problems + [f"cannot decode with {truth['encoding']!r}: {exc}"]
    except (ValueError, lxml.etree.ParserError) as exc:
        return problems + [f"cannot parse the page: {exc}"]
    text_norm, text_squeezed = normalise(text), squeeze(text)
    for field in TEXT_FIELDS:
        value = truth.get(field)
        if value is not None and not occurs(value, text_norm, text_squeezed):
            problems.append(f"{field} {value!r} not in the visible text")
    for field in ("published", "written", "date"):
        value = truth.get(field)
        if value is None:
            continue
        try:
            forms = date_forms(value)
        except (TypeError, ValueError):
            problems.append(f"{field} {value!r} is not an ISO date")
            continue
        if not any(form in text_norm for form in forms):
            problems.append(f"{field} {value} not shown on the page in any usual form")
    if truth["published"] is None and not truth.get("published_absent"):
        # A page may truly show no publication date (Jiangxi shows 成文日期 only); the truth must then say so
        # and what it saw instead, so that a forgotten date cannot pass as "absent".
        problems.append("published is null without published_absent saying why the page shows no publication date")
    for field, label in truth["labels"].items():
        if not occurs(label, text_norm, text_squeezed):
            problems.append(f"label for {field} {label!r} not in the visible text")
    raw_labels = truth["labels_raw"]
    if set(raw_labels) != set(truth["labels"]):
        problems.append("labels and labels_raw name different fields")
    for field, label in raw_labels.items():
        # Verbatim: the raw label keeps the page's own padding (ASCII, U+3000 or U+2003 spaces).
        if label not in text:
            problems.append(f"labels_raw for {field} {label!r} not verbatim in the visible text")
        elif truth["labels"].get(field) != squeeze(label):
            problems.append(f"labels[{field!r}] is not labels_raw[{field!r}] without whitespace (NFKC)")
    if prov.get("fragment") and not prov.get("note"):
        problems.append("provenance.fragment is set but provenance.note does not say what the bytes are")
    for label, value in truth.get("metadata", {}).items():
        if not occurs(value, text_norm, text_squeezed):
            problems.append(f"metadata {label}={value!r} not in the visible text")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None,
                        help=f"folder of <id>.html + <id>.json (default ${ENV_VAR}, else {DEFAULT_DIR})")
    parser.add_argument("--strict", action="store_true", help="also require the issue-25 floor")
    args = parser.parse_args(argv)
    folder = args.dir or data_dir()
    if not folder.is_dir():
        print(f"check_set: no data folder at {folder} (set ${ENV_VAR} or pass --dir)", file=sys.stderr)
        return 2
    truths = sorted(folder.glob("*.json"))
    if not truths:
        print(f"check_set: no <id>.json files in {folder}", file=sys.stderr)
        return 2
    failed = 0
    excess: Counter[str] = Counter()
    fragments = 0
    layouts: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    sections: Counter[str] = Counter()
    block_layouts: Counter[str] = Counter()
    block_levels: Counter[str] = Counter()
    for truth_path in truths:
        problems = check_page(truth_path)
        for problem in problems:
            print(f"FAIL {truth_path.stem}: {problem}")
        failed += bool(problems)
        try:
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            fragments += bool((truth.get("provenance") or {}).get("fragment"))
            if not counts_towards_cap(truth):
                excess[truth.get("layout")] += 1
                continue
            layouts[truth.get("layout")] += 1
            levels[truth.get("level")] += 1
            sections[truth.get("section")] += 1
            if has_metadata_block(truth):
                block_layouts[truth.get("layout")] += 1
                block_levels[truth.get("level")] += 1
        except ValueError:
            pass
    for layout, count in layouts.items():
        if count > MAX_PER_LAYOUT:
            print(f"FAIL layout {layout}: {count} pages (at most {MAX_PER_LAYOUT})")
            failed += 1
    for layout, count in excess.items():
        if layouts[layout] < MAX_PER_LAYOUT:
            print(f"FAIL layout {layout}: {count} pages marked cap_excess while only {layouts[layout]} "
                  f"are counted (mark a page cap_excess only beyond {MAX_PER_LAYOUT})")
            failed += 1
    print(f"{len(truths)} pages, {len(layouts)} layouts, levels {dict(sorted(levels.items()))}, "
          f"sections {dict(sorted(sections.items()))}; {max(len(truths) - failed, 0)} pages pass")
    print(f"counted: {len(truths) - sum(excess.values())} pages; kept beyond the cap of {MAX_PER_LAYOUT} "
          f"per layout (cap_excess, checked, not counted): {sum(excess.values())}; "
          f"crawler-stored fragments, not served bytes: {fragments}")
    block_pages = sum(block_layouts.values())
    print(f"disclosure pages with a metadata block: {block_pages} pages, {len(block_layouts)} layouts, "
          f"levels {dict(sorted(block_levels.items()))}")
    for layout, count in sorted(layouts.items()):
        extra = f" (+{excess[layout]} cap_excess)" if excess[layout] else ""
        print(f"  {count}  {layout}{extra}{'  [metadata block]' if layout in block_layouts else ''}")
    if args.strict:
        short = {
            "pages": block_pages < FLOOR["pages"],
            "layouts": len(block_layouts) < FLOOR["layouts"],
            "levels": len(block_levels) < FLOOR["levels"],
        }
        for what, is_short in short.items():
            if is_short:
                print(f"FAIL floor: fewer than {FLOOR[what]} {what} of disclosure pages with a metadata block")
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
