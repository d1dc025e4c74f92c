"""Issue 19 item 3: crafted links cannot make URL matching blow up.

The old default article pattern took 42 s on one 3,000-digit link; the rewritten one is linear
(bench figures in the final report), URLs over 2,048 characters are dropped before any pattern
sees them, and a real crawl of a list page full of crafted links stays within a generous
budget. The budgets are 50-100x what the fixed code takes, and far below what the old one did."""

from __future__ import annotations

import re
import time

import pytest

from monitor.config import DEFAULT_ARTICLE_PATTERN, DEFAULT_LIST_PATTERN
from tests.security.conftest import REDOS_DIGITS, REDOS_LINKS

# What the old pattern matched and did not: the rewrite must decide the same on ordinary URLs.
SAME_DECISIONS = {
    "http://a.gov.cn/art/2021/12/abc123.html": True, "http://a.gov.cn/art/123/abc.html": False,
    "http://a.gov.cn/news/x/y/z9876-x.shtml": True, "http://a.gov.cn/detail/12.html": False,
    "http://a.gov.cn/zwgk/t20211220_14952.html": True, "http://a.gov.cn/content_1.htm": True,
    "http://a.gov.cn/article/a.b/news/1234.html": True, "http://a.gov.cn/2021/20211220_1.shtml": True,
    "http://a.gov.cn/art/12a3.html": False, "http://a.gov.cn/art/2021/123/a.html": False,
    "http://a.gov.cn/index_2.html": False, "http://a.gov.cn/art/1234.pdf": False,
}


@pytest.mark.parametrize("url", SAME_DECISIONS)
def test_rewritten_pattern_decides_as_before(url):
    assert bool(re.search(DEFAULT_ARTICLE_PATTERN, url)) is SAME_DECISIONS[url]


@pytest.mark.parametrize("crafted", [
    "http://h/art/" + "1" * 12_000 + "x",              # a 12 KB digit run that fails at its end
    "http://h" + "/art/1" * 2_000 + "x",               # 12 KB of prefixes to restart from
    "http://h/t" + "2" * 12_000 + ".htmx",
    "http://h/?page=" + "9" * 12_000 + "&" * 100,
])
def test_default_patterns_are_linear_on_crafted_12kb_urls(crafted):
    started = time.process_time()
    for pattern in (DEFAULT_ARTICLE_PATTERN, DEFAULT_LIST_PATTERN):
        re.search(pattern, crafted)
    assert time.process_time() - started < 2.0  # the fixed patterns take < 0.2 s; the old one, hours


@pytest.mark.slow
def test_a_crawl_of_crafted_list_pages_stays_within_budget(hostile_crawl):
    """12 links of 1,900 digits (each cost the old pattern ~10 s), one over the length cap, and
    5,000 short crafted links: the whole crawl, start-up included, in well under a minute."""
    assert REDOS_LINKS * REDOS_DIGITS > 12_000
    assert hostile_crawl["result"].returncode == 0, hostile_crawl["result"].stderr[-2000:]
    assert hostile_crawl["seconds"] < 60, hostile_crawl["seconds"]
