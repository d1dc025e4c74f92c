"""Lists shipped as data in an inline script and drawn by it: ``var list = [{"title": …, "url": …}, …]``.

Pages built with Vue or a jQuery template carry the column's records as an array of objects (in a variable, a
``window.__INITIAL_STATE__`` blob or a ``<script type="application/json">``) and render them in the browser;
the markup holds no row at all. Each such array (at least MIN_RECORDS objects, found by tree-sitter's
JavaScript grammar, which reads JSON too) is turned into plain rows, ``<li><a href=url>title</a> date</li>``,
appended to the body, so the list reader weighs them like any other block: a menu shipped as data still
looks like a menu. Which key holds the URL, the title and the date is read from the values, not from a
list of names: URLs look like URLs, titles are longer text, dates look like dates.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable

from lxml.html import Element, HtmlElement
from tree_sitter import Node, Parser

from crawler.extraction.dates import find_dates, normalise_date

from .script_links import capped_join, inline_scripts, javascript_language, literal_fields

MIN_RECORDS = 3
MAX_DATA_CHARS = 1_000_000   # script read for data lists per page
MAX_ARRAYS = 50              # arrays turned into rows per page
MAX_RECORDS = 500            # records read from one array
MAX_VALUE = 2048
MAX_NODES = 400_000          # syntax nodes walked per page (1 MB of JSON has a few hundred thousand)
_URL = re.compile(r"^(?:https?://|/|\./|\.\./)[^\s<>\"']{0,2040}$|^[\w./-]{1,200}\.(?:s?html?|jsp|aspx?|php)(?:\?\S*)?$",
                  re.IGNORECASE)
# A data or asset file is never an item's page (Hanweb's relationUrl: …-RelationArticle.json beside the page)
_ASSET = re.compile(r"\.(?:json|js|xml|css|png|jpe?g|gif|svg|webp|ico|txt)(?:[?#]|$)", re.IGNORECASE)
_PAGE_EXTENSION = re.compile(r"\.(?:s?html?|jsp|aspx?|php)(?:[?#]|$)", re.IGNORECASE)
MAX_NESTED_FIELDS = 20       # fields of a JSON object held in a string field ("urls": "{\"pc\": …}") read
_CJK = re.compile(r"[\u4e00-\u9fff]")
_HAS_ARRAY_OF_OBJECTS = re.compile(r"\[\s*\{")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")   # lxml refuses them in text and attributes


def inline_data_lists(root: HtmlElement) -> int:
    """Append the records of each list shipped as script data to the body; returns how many lists."""
    body = root.find("body")
    if body is None:
        return 0
    source = _data_scripts(root)
    if not source:
        return 0
    tree = Parser(javascript_language()).parse(source.encode("utf-8", "replace"))
    added = 0
    stack = [tree.root_node]
    for _ in range(MAX_NODES):
        if not stack or added >= MAX_ARRAYS:
            break
        node = stack.pop()
        if node.type == "array":
            rows = _rows(node)
            if rows:
                body.append(_markup(rows))
                added += 1
                continue
        stack.extend(reversed(node.named_children))
    return added


def _data_scripts(root: HtmlElement) -> str:
    texts = (s.text or "" for s in inline_scripts(root, also_data=True))
    return capped_join((text for text in texts if _HAS_ARRAY_OF_OBJECTS.search(text)), MAX_DATA_CHARS)


def _rows(array: Node) -> list[tuple[str, str, str]]:
    """(url, title, date) of the array's records when it is a list of linked items, else []."""
    records = [_string_fields(item) for item in array.named_children[:MAX_RECORDS] if item.type == "object"]
    if len(records) < MIN_RECORDS:
        return []
    url_key = _best_key(records, _is_page_url, score=lambda v: 2 if _PAGE_EXTENSION.search(v) else 1)
    title_key = _best_key(records, _looks_like_title, score=len)
    if url_key is None or title_key is None:
        return []
    date_key = _best_key(records, _is_date)
    rows = [(r[url_key], r[title_key], normalise_date(r.get(date_key, "")[:40]) or "" if date_key else "")
            for r in records if url_key in r and title_key in r]
    # records of a list link different pages (a template's "/front" on every record is not a list)
    return rows if len({url for url, _, _ in rows}) >= MIN_RECORDS else []


def _is_page_url(value: str) -> bool:
    return bool(_URL.match(value)) and not _ASSET.search(value)


def _looks_like_title(value: str) -> bool:
    """A headline: words (Chinese, or with spaces), not a path, a URL or a date."""
    return (len(value) >= 6 and "/" not in value and not _is_date(value)
            and (_CJK.search(value) is not None or " " in value.strip()))


def _is_date(value: str) -> bool:
    """The value starts with a date (``2024-05-01 10:00:00``, ``2024年5月1日``): one parser for the
    project (crawler.extraction.dates)."""
    found = find_dates(value[:40])
    return bool(found) and found[0][0] == 0


def _best_key(records: list[dict[str, str]], fits: Callable[[str], bool],
              score: Callable[[str], int] = lambda v: 1) -> str | None:
    """The key whose values fit in most records (at least half of them), ties to the larger score."""
    best: tuple[int, int, str] | None = None
    keys = {k for r in records for k in r}
    for key in sorted(keys):
        values = [r[key] for r in records if key in r]
        fitting = [v for v in values if fits(v)]
        if len(fitting) * 2 < len(records):
            continue
        candidate = (len(fitting), sum(score(v) for v in fitting), key)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


def _string_fields(obj: Node) -> dict[str, str]:
    """The object's string-valued fields (script_links.literal_fields), control characters out, non-empty and
    at most MAX_VALUE long."""
    fields: dict[str, str] = {}
    for name, value in literal_fields(obj).items():
        text = _CONTROL.sub("", value).strip() if isinstance(value, str) else ""
        if text and len(text) <= MAX_VALUE:
            fields[name] = text
            if text[0] == "{" and text[-1] == "}":
                fields.update(_nested(name, text))
    return fields


def _nested(name: str, text: str) -> dict[str, str]:
    """The string fields of a JSON object written as a string (Hanweb: "urls": "{\\"pc\\": \\"/col/…/content_1.html\\"}"),
    as name.key."""
    try:
        inner = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(inner, dict):
        return {}
    return {f"{name}.{key}": value.strip() for key, value in list(inner.items())[:MAX_NESTED_FIELDS]
            if isinstance(key, str) and isinstance(value, str) and value.strip() and len(value) <= MAX_VALUE}


def _markup(rows: list[tuple[str, str, str]]) -> HtmlElement:
    """Plain rows, built as elements (never as a string: the values are the site's)."""
    container = Element("ul", {"class": "govwatch-script-data"})
    for url, title, date in rows:
        item = Element("li")
        link = Element("a", {"href": url})
        link.text = title
        item.append(link)
        if date:
            span = Element("span")
            span.text = date
            item.append(span)
        container.append(item)
    return container
