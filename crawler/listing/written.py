"""Lists whose rows a script writes: each ``<li>`` holds a ``<script>`` that ``document.write``s its link.

TRS WCM templates, on many county and provincial portals, write every row so (the URL, the title and its
cut-down form in variables, then one ``document.write``); without this the page shows no link at all. The
markup each script writes is worked out by ``ScriptLinks.written`` (evaluated, never run) and, when it holds a
link or a date (a row's date is often written so too), put right after the script, so the list reader sees
ordinary rows. The scripts stay where they were: a pager script
(``createPageHTML``) is still read from them.
"""
from __future__ import annotations

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from crawler.extraction.dates import find_dates

from .script_links import ScriptLinks, inline_scripts

MAX_WRITING_SCRIPTS = 2000   # scripts worked out per page: a list page has one a row, a few hundred at most
MAX_PAGE_WRITTEN = 2_000_000  # markup added to one page in all
MAX_DATE_SCRIPT = 1024       # characters of a script worked out for the date it writes


def _may_write_a_row(script: str) -> bool:
    """A script that writes a link spells out ``<a``; one that writes a row's date is a line or two
    (the calendars and clocks of page headers that also write are kilobytes, and never a row's)."""
    return "document.write" in script and ("<a" in script.lower() or len(script) <= MAX_DATE_SCRIPT)


def insert_written_markup(root: HtmlElement, calls: ScriptLinks) -> int:
    """Put the links (or a row's date) each inline script writes after it; returns how many scripts wrote some."""
    inserted = 0
    total = 0
    body = root.find("body")
    candidates = [s for s in inline_scripts(body if body is not None else root) if _may_write_a_row(s.text or "")]
    for script in candidates[:MAX_WRITING_SCRIPTS]:
        markup = calls.written(script.text or "")
        lowered = markup.lower()
        if not ("<a" in lowered and ("href" in lowered or "onclick" in lowered)) and not find_dates(markup):
            # counters and calendars: nothing the list reader wants (a row's link, or its date:
            # document.write(str_date.substr(0, 10)) — dates mark a list's records)
            continue
        total += len(markup)
        if total > MAX_PAGE_WRITTEN:
            break
        try:
            fragments = lxml.html.fragments_fromstring(markup)
        except (etree.ParserError, ValueError):
            continue
        anchor = script
        for fragment in fragments:
            if isinstance(fragment, str):          # text before the first element (the rest is elements' tails)
                script.tail = (script.tail or "") + fragment
                continue
            anchor.addnext(fragment)               # after the anchor and its tail
            anchor = fragment
        inserted += 1
    return inserted
