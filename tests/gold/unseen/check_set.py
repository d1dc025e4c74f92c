"""Validate the unseen gold set: every truth JSON against the page bytes it describes.

Why a separate checker: the truth here is written by hand from pages nobody tuned the extractor on,
so the cheap mistakes (a paragraph edited by accident, a page swapped after its sha1 was taken, a
title typed from memory) must be caught mechanically before the set is used as a gate.

A set is a folder of ``<id>.html`` (the bytes as saved) + ``<id>.json`` (the truth).  Checks:

* every field of the schema is present with the right type, ``kind`` is a known kind, ``date`` is
  ISO (``YYYY-MM-DD``) or null, attachments are absolute http(s) URLs;
* ``provenance.sha1`` is the sha1 of the html bytes and the bytes decode in the declared encoding;
* the title occurs in the page (its visible text or its ``<title>``), and every line of ``text``
  occurs in the visible text, both after removing all whitespace;
* ``author``, ``source``, ``publisher``, ``index_no`` and ``doc_no`` (when set) occur in the page;
* no site (URL host) holds more than four pages.

Run: ``python -m tests.gold.unseen.check_set [FOLDER]``.  FOLDER defaults to
``$GOVWATCH_GOLD_UNSEEN``, else /work/gold-data/unseen (the pages were brought with `fetch` and
never enter a commit; bench.extraction and tests/test_extraction_unseen.py read the same place).  Exit 0 when clean, 1 when a check fails,
2 on bad usage (one line on stderr).
"""
from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html

KINDS = {"news", "gov", "gov-news", "gov-doc", "gov-disclosure", "paper", "wechat", "institution"}
FIELDS: dict[str, tuple[type, ...]] = {
    "url": (str,), "kind": (str,), "encoding": (str,), "title": (str,), "date": (str, type(None)),
    "text": (str,), "author": (str, type(None)), "source": (str, type(None)),
    "publisher": (str, type(None)), "index_no": (str, type(None)), "doc_no": (str, type(None)),
    "category": (str, type(None)), "attachments": (list,), "metadata": (dict,),
    "provenance": (dict,), "truth_note": (str,),
}
PROVENANCE = ("repo", "commit", "path", "sha1", "licence", "publisher")
IN_PAGE = ("author", "source", "publisher", "index_no", "doc_no")
MAX_PER_SITE = 4
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SPACE = re.compile(r"\s+")


@dataclass
class Report:
    """What one run found: pages checked, pages per site, and the problems as printable lines."""

    pages: int = 0
    sites: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def squash(text: str) -> str:
    """Drop every whitespace character (incl. U+3000 and nbsp) so layout never decides a match."""
    return _SPACE.sub("", text.replace("\u3000", " ").replace("\xa0", " "))


def page_texts(raw: bytes, encoding: str) -> tuple[str, str]:
    """The page's visible text and its ``<title>``, both squashed.

    Script, style, noscript and template bodies are not visible text; comments are dropped by
    ``text_content`` already.  The bytes are decoded with the declared encoding so a wrong
    ``encoding`` field shows up as missing text rather than passing by luck.
    """
    doc = lxml.html.document_fromstring(raw.decode(encoding, errors="replace"))
    for bad in doc.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    title = doc.findtext(".//title") or ""
    body = doc.find("body")
    visible = (body if body is not None else doc).text_content()
    return squash(visible), squash(title)


def check_page(json_path: Path, report: Report) -> None:
    """Check one truth file and its page; append problems to ``report``."""
    name = json_path.stem
    try:
        truth = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        report.problems.append(f"{name}: unreadable JSON ({exc})")
        return
    bad = [f for f, types in FIELDS.items() if f not in truth or not isinstance(truth[f], types)]
    if bad:
        report.problems.append(f"{name}: missing or mistyped fields {bad}")
        return
    report.pages += 1
    report.sites[urlsplit(truth["url"]).hostname or "?"] += 1
    if truth["kind"] not in KINDS:
        report.problems.append(f"{name}: unknown kind {truth['kind']!r}")
    if truth["date"] is not None and not _ISO_DATE.fullmatch(truth["date"]):
        report.problems.append(f"{name}: date {truth['date']!r} is not YYYY-MM-DD")
    for url in truth["attachments"]:
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            report.problems.append(f"{name}: attachment {url!r} is not an absolute http(s) URL")
    missing = [k for k in PROVENANCE if not truth["provenance"].get(k)]
    if missing:
        report.problems.append(f"{name}: provenance lacks {missing}")
    if not truth["truth_note"].strip() or not truth["text"].strip():
        report.problems.append(f"{name}: empty text or truth_note")

    html_path = json_path.with_suffix(".html")
    try:
        raw = html_path.read_bytes()
    except OSError:
        report.problems.append(f"{name}: no {html_path.name} beside the JSON")
        return
    if hashlib.sha1(raw).hexdigest() != truth["provenance"].get("sha1"):
        report.problems.append(f"{name}: sha1 of {html_path.name} differs from provenance.sha1")
    try:
        codecs.lookup(truth["encoding"])
        raw.decode(truth["encoding"])
    except (LookupError, UnicodeDecodeError) as exc:
        report.problems.append(f"{name}: bytes do not decode as {truth['encoding']!r} ({exc})")
        return
    visible, title = page_texts(raw, truth["encoding"])
    want = squash(truth["title"])
    if want not in visible and want not in title:
        report.problems.append(f"{name}: title not found in the page")
    for i, line in enumerate(truth["text"].split("\n")):
        if squash(line) not in visible:
            report.problems.append(f"{name}: text line {i} not in the visible text: {line[:40]!r}")
    for key in IN_PAGE:
        if truth[key] is not None and squash(truth[key]) not in visible:
            report.problems.append(f"{name}: {key} {truth[key]!r} not in the visible text")


def check_set(folder: Path) -> Report:
    """Check every ``*.json`` in ``folder``; the per-site cap is checked over the whole set."""
    report = Report()
    for json_path in sorted(folder.glob("*.json")):
        check_page(json_path, report)
    for site, n in sorted(report.sites.items()):
        if n > MAX_PER_SITE:
            report.problems.append(f"site {site}: {n} pages (at most {MAX_PER_SITE})")
    return report


ENV_VAR = "GOVWATCH_GOLD_UNSEEN"
DEFAULT_DIR = Path("/work/gold-data/unseen")


def gold_dir() -> Path:
    """Where the unseen gold pages are: $GOVWATCH_GOLD_UNSEEN, else DEFAULT_DIR (read at call time)."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        print("usage: python -m tests.gold.unseen.check_set [FOLDER]", file=sys.stderr)
        return 2
    folder = Path(args[0]) if args else gold_dir()
    if not folder.is_dir() or not any(folder.glob("*.json")):
        print(f"check_set: {folder} holds no <id>.json truth files", file=sys.stderr)
        return 2
    report = check_set(folder)
    for line in report.problems:
        print(line)
    print(f"{report.pages} pages, {len(report.sites)} sites, {len(report.problems)} problems")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
