"""Hostile input: a crafted 10 MB page must be read within a generous budget, and bounded in what it yields."""
from __future__ import annotations

import time

import pytest

from crawler.listing import read_list_page
from crawler.listing.links import MAX_LINKS, MAX_URL
from crawler.listing.pagination import MAX_GENERATED

BUDGET_SECONDS = 5.0


def crafted_page() -> str:
    parts = ["<html><body>",
             # a pager script with an absurd page count, and a pager link that is 100 KB of digits
             '<script>createPageHTML(99999999, 0, "index", "html");</script>',
             '<a href="/col/' + "9" * 100_000 + '.html">2</a>',
             '<a href="javascript:window.open(\'' + "1" * 100_000 + '\')">js</a>',
             '<tr onclick="location.href=\'' + "/" * 100_000 + '\'"><td>row</td></tr>',
             # one table row of 3,000 cells, each an action link (查看) that would read the whole row for its caption
             "<table><tr>" + "".join(f"<td><a href='/col/x{i}.html'>查看</a></td>" for i in range(3_000)) + "</tr></table>",
             # 100k list items (titled, dated): more links than any list page has
             "<ul>" + "".join(f'<li><a href="/col/a/{i}.html">关于开展第{i}项工作的通知</a><span>2021-01-01</span></li>'
                              for i in range(100_000)) + "</ul>",
             '<div><a href="/col/big.html">' + "长" * 2_000_000 + "</a></div>",   # a 2 MB anchor
             "<div>" * 20_000 + '<a href="/col/deep.html">deep</a>' + "</div>" * 20_000,   # deep nesting
             "</body></html>"]
    return "".join(parts)


@pytest.mark.slow
def test_crafted_page_is_read_within_budget_and_bounded():
    html = crafted_page()
    assert len(html) > 10_000_000
    start = time.process_time()  # this process's CPU: the other test worker sharing the cores does not count
    reading = read_list_page(html, "http://example.gov.cn/col/index.html")
    elapsed = time.process_time() - start
    assert elapsed < BUDGET_SECONDS, f"{elapsed:.1f}s of CPU"
    # the list is found, from the links read (the first MAX_LINKS in page order)
    assert 1000 < len(reading.main_links) <= MAX_LINKS
    assert reading.main_links[0].url == "http://example.gov.cn/col/a/0.html"
    assert reading.main_links[0].date == "2021-01-01"
    assert all(len(a.url) <= MAX_URL and len(a.anchor) <= 300 for a in reading.article_links)
    # the generated pager pages are capped
    assert len(reading.pagination.urls) == MAX_GENERATED
    assert reading.pagination.urls[0] == "http://example.gov.cn/col/index_1.html"


def test_empty_and_garbage_pages_yield_nothing():
    for html in ("", "   ", "\x00\x01\x02", "<html>", "<?xml version='1.0' encoding='gbk'?><html><body>x</body></html>"):
        reading = read_list_page(html, "http://example.gov.cn/")
        assert reading.main_links == [] and reading.article_links == [] and reading.profile is None


FRAGMENTS = ['<a href="', "javascript:", "'", '"', "<", ">", "</div>", "<table>", "&#0;", "\x00", "http://[::1",
             '<base href="http://[x">', '<script type="text/xml"><record><![CDATA[', "]]>", "onclick=\"location.href='",
             "%", "\\", "\u3000", "<o:p>", "createPageHTML(", "countPage = 99999999", "<!-- x -->", "<li>", "</ul>"]


@pytest.mark.slow
def test_real_pages_with_hostile_fragments_never_crash(realsites):
    """Seeded fuzzing: real list pages with broken markup, bad URLs, data islands and pager scripts spliced
    in (this found two crashes: Word-pasted tag names in XPaths, comments inside data islands)."""
    import random
    rng = random.Random(17)
    pages = sorted((realsites / "_lists").glob("*.html"))
    for _ in range(60):
        html = rng.choice(pages).read_text(encoding="utf-8", errors="replace")
        for _ in range(rng.randint(1, 40)):
            pos = rng.randint(0, len(html))
            html = html[:pos] + rng.choice(FRAGMENTS) + html[pos:]
        if rng.random() < 0.3:
            html = html[: rng.randint(0, len(html))]
        reading = read_list_page(html, "http://127.0.0.1:8000/a/b/index.html")
        if reading.profile is not None:
            read_list_page(html, "http://127.0.0.1:8000/a/b/index.html", reading.profile)
