"""The date each record of a list shows, read the way lists write it.

Inside the record (``<li><a>…</a><span>2021-04-29</span></li>``), beside it for flat runs of links
(``<a>…</a>(2021-04-29)<br>`` or ``[2021-04-29] <a>…</a>``), and outside the title when the title holds a
date of its own; a date tile (``<p>11/06</p><span>2024</span>``) before any other. Full dates are found by
crawler.extraction's ``find_dates`` (one parser for the project); month-day text (``04-29``) counts as
"shows a date" for ranking lists, without an ISO date, and keeps a later full date of another day (a
deadline in a card's summary) from being taken for it.
"""
from __future__ import annotations

import re
from datetime import date
from itertools import islice
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from crawler.extraction.dates import NUMERIC_DATE, find_dates, iso_date

from .links import date_cell_text, element_text

DATE_TEXT = 200         # characters of a record read when looking for its date
_MONTH_DAY = re.compile(r"(?<!\d)(?:0?[1-9]|1[0-2])[-/.月](?:0?[1-9]|[12]\d|3[01])(?!\d)")
# A date tile: the month-day and the year in elements of their own, the day large and the year small
# (<p>11/06</p><span>2024</span>, <b>06</b><i>2024-11</i>), which the record's text gives as neighbouring
# tokens. Read before the record's other dates: a card's summary below it names meeting days and deadlines.
# Elements written without whitespace between them run together (11/062024): a two-digit day then joins
# the year directly.
_M, _D, _Y = r"(?P<m>0?[1-9]|1[0-2])", r"(?P<d>0?[1-9]|[12]\d|3[01])", r"(?P<y>(?:19|20)\d{2})"
_DD = r"(?P<d>0[1-9]|[12]\d|3[01])"
_TILES = [re.compile(rf"(?<![\d./-]){tile}(?![\d年月日:：./-])")
          for tile in (rf"{_M}[-/.]{_D}\s+{_Y}", rf"{_Y}\s+{_M}[-/.]{_D}", rf"{_D}\s+{_Y}[-/.]{_M}", rf"{_Y}[-/.]{_M}\s+{_D}",
                       rf"{_M}[-/.]{_DD}{_Y}", rf"{_DD}{_Y}[-/.]{_M}")]
# A two-digit year (DedeCMS's MyDate('y-m-d'), old ASP lists): 16-05-03, read only when the record shows no
# date with its whole year; the same separator twice, month and day zero-padded as those templates write them.
_SHORT_YEAR = re.compile(r"(?<![\d./:-])(\d{2})([-./])(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?![\d./:-])")
_APART = " \t\n[]()（）【】|"  # what sets a date apart from the text around it
# A month-day a list shows on its own (04-29, 04/29, 4月29日): a full date after it in the same record is
# another day's (a deadline in the summary), not the one the list shows.
_SHOWN_MONTH_DAY = re.compile(r"(?<![\d./-])(?:(0[1-9]|1[0-2])[-/.](0[1-9]|[12]\d|3[01])|(\d{1,2})月(\d{1,2})日)(?![\d./-])")


def _beside(rec: HtmlElement, stop: HtmlElement | None, forward: bool) -> str:
    """Text beside a record up to the neighbouring record (at most 3 siblings): where flat lists
    (``<a>…</a><span>date</span><br>``) keep the date."""
    parts = [rec.tail or ""] if forward else []
    sib = rec.getnext() if forward else rec.getprevious()
    for _ in range(3):
        if sib is None or sib is stop:
            break
        parts.append(element_text(sib, DATE_TEXT) + ("" if forward else " " + (sib.tail or "")))
        sib = sib.getnext() if forward else sib.getprevious()
    return " ".join(parts)[:DATE_TEXT]


def _outside_title(rec: HtmlElement, title: str) -> str:
    """The record's text with its title taken out when the rest still shows a date: the date a list shows
    beside a title wins over one inside it (…2020年6月30日基金净值公告 published 2020-07-01)."""
    text = element_text(rec, DATE_TEXT * 2)
    if title and title in text:
        rest = text.replace(title, " ", 1)
        if _has_date(rest):
            return rest[:DATE_TEXT]
    return text[:DATE_TEXT]


def date_outside_title(rec: HtmlElement, title: str) -> str | None:
    """The date an element shows outside its headline (a date cell, or a date in its text once the title is
    taken out), or None: the date inside a headline (2020年6月30日基金净值公告) is not the item's."""
    cell = _date_element(rec)
    if cell:
        return cell
    text = element_text(rec, DATE_TEXT * 2)
    rest = text.replace(title, " ", 1) if title else text
    return shown_date(rest[:DATE_TEXT]) if _has_date(rest) else None


def record_dates(records: list[tuple[HtmlElement, str]], urls: list[str] | None = None
                 ) -> tuple[list[str | None], float]:
    """For (record element, title text) pairs: (ISO date shown in each record or None, share of records
    showing a date, full or month-day).

    A record's own text is read first. Records without a date inside (flat runs of links) take the text
    beside them, after or before: whichever side shows dates for more records, so a list written
    ``date link`` does not get each item's neighbour's date. *urls* (each record's link): a record that
    shows only a month-day (10-19) takes its year from a date in its URL that agrees (t20171019_…,
    /201710/…), see `year_from_url`.
    """
    own = [_outside_title(el, title) for el, title in records]
    elements = [el for el, _ in records]
    if all(_has_date(t) for t in own):
        texts = own
    else:
        after = [_beside(el, elements[i + 1] if i + 1 < len(elements) else None, True) for i, el in enumerate(elements)]
        before = [_beside(el, elements[i - 1] if i > 0 else None, False) for i, el in enumerate(elements)]
        side = after if sum(map(_has_date, after)) >= sum(map(_has_date, before)) else before
        texts = [t if _has_date(t) else f"{t} {b}" for t, b in zip(own, side)]
    dates = [_date_element(el) or shown_date(t) for el, t in zip(elements, texts, strict=True)]
    if urls is not None:
        dates = [d if d is not None else year_from_url(t, u) for d, t, u in zip(dates, texts, urls, strict=True)]
    shown = sum(1 for d, t in zip(dates, texts) if d is not None or _has_date(t))
    return dates, shown / len(records) if records else 0.0


DATE_ELEMENT_LOOKAHEAD = 40  # elements of a record searched for one showing its date


def _date_element(record: HtmlElement) -> str | None:
    """The date of the first date cell inside the record (links.date_cell_text: <span>2019-05-05</span>):
    the list's own date, however its text runs into the title's around it (<a><p><span>2019-05-05</span>
    2019光伏补贴新政策 2019年7月1日起执行</p></a> read as 2019-05-052019…)."""
    for el in islice(record.iter(), 1, DATE_ELEMENT_LOOKAHEAD):
        text = date_cell_text(el)
        if text:
            found = find_dates(text, compact=True)
            if found:
                return found[0][1]
    return None


def shown_date(text: str) -> str | None:
    """The ISO date a record's text shows: a date tile, else its first full date unless a month-day of
    another day comes before it (the list shows that day without its year: no date beats a wrong one)."""
    tile = min((m for pattern in _TILES if (m := pattern.search(text))), key=lambda m: m.start(), default=None)
    found = find_dates(text, compact=True)
    if tile and (not found or tile.start() <= found[0][0]):
        return iso_date(int(tile["y"]), int(tile["m"]), int(tile["d"]))
    if not found:
        short = _SHORT_YEAR.search(text)
        if short is None:
            return None
        year = int(short.group(1))  # 16 is 2016, 98 is 1998: list dates are of the past
        return iso_date(year + (2000 if year <= date.today().year % 100 + 1 else 1900), int(short.group(3)),
                        int(short.group(4)))
    at, iso = found[0]
    whole = NUMERIC_DATE.match(text, at)
    end = whole.end() if whole else at
    if (at == 0 or text[at - 1] in _APART) and (end == len(text) or text[end] in _APART):
        return iso   # a date in an element of its own (<div class="news_meta">2024-07-01</div>): the list's
    for shown in _SHOWN_MONTH_DAY.finditer(text, 0, at):
        if _month_day(shown) != (int(iso[5:7]), int(iso[8:10])):
            return None
    return iso


def _month_day(shown: re.Match[str]) -> tuple[int, int]:
    """(month, day) of a _SHOWN_MONTH_DAY match, written 04-29 or 4月29日."""
    return (int(shown.group(1)), int(shown.group(2))) if shown.group(1) else (int(shown.group(3)), int(shown.group(4)))


# A date in a URL's path: a whole day (t20171019_, /20171019/, /2017-10-19/, /2017/10/19/, /2017-10/19/)
# or a month folder (/201710/, /2017-10/).
_URL_DAY = re.compile(r"(?<!\d)((?:19|20)\d\d)[-/]?(0[1-9]|1[0-2])[-/]?(0[1-9]|[12]\d|3[01])(?!\d)")
_URL_MONTH = re.compile(r"/((?:19|20)\d\d)-?(0[1-9]|1[0-2])/")


def year_from_url(text: str, url: str) -> str | None:
    """The date of a record that shows a month-day only (TRS lists print 10-19 beside each title), when
    its URL's path dates the same day (t20171019_398276.html), or the same month (/201710/) and the day
    is the one shown. Both must agree: a URL's date is when the file was made, which the list's day
    confirms; alone it is not the date shown."""
    shown = _SHOWN_MONTH_DAY.search(text)
    if shown is None:
        return None
    month, day = _month_day(shown)
    path = urlsplit(url).path
    for m in _URL_DAY.finditer(path):
        if (int(m.group(2)), int(m.group(3))) == (month, day):
            return iso_date(int(m.group(1)), month, day)
    for m in _URL_MONTH.finditer(path):
        if int(m.group(2)) == month:
            return iso_date(int(m.group(1)), month, day)
    return None


def issue_date(page_url: str, url: str) -> str | None:
    """The day a dated page and a link it lists share in their paths: an e-paper's section page
    (html/2017-07/22/node_2.htm) lists that issue's articles (html/2017-07/22/content_52014.htm),
    whose records show no date, since the whole page is one day's. Never a date of one URL alone."""
    page = _URL_DAY.search(urlsplit(page_url).path)
    if page is None:
        return None
    day = (page.group(1), page.group(2), page.group(3))
    for m in _URL_DAY.finditer(urlsplit(url).path):
        if (m.group(1), m.group(2), m.group(3)) == day:
            return iso_date(int(day[0]), int(day[1]), int(day[2]))
    return None


def _has_date(text: str) -> bool:
    return _MONTH_DAY.search(text) is not None
