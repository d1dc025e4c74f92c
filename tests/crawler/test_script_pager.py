"""A column whose script pager (TRS's createPageHTML) names every one of its pages on every page.

A real HTTP server on 127.0.0.1 serves the column; the real `govwatch crawl` crawls it into a
real SQLite file. Every page and article is fetched once, and a page already asked for is not
asked for again: Scrapy's duplicate filter would drop such a request, but only after building it
and passing it through every middleware, n² times for a column of n pages (bench/README.md).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from storage import open_db
from tests.conftest import govwatch
from tests.list_site import BODY_TEXT, NAV, list_as_ul, served

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]

PAGES = 12
PER_PAGE = 6


def page_name(index: int) -> str:
    return "index.html" if index == 0 else f"index_{index}.html"


def write_column(root: Path) -> list[str]:
    """The column's pages, each with its own articles and the whole pager; returns the article paths."""
    column = root / "col"
    (column / "2021").mkdir(parents=True)
    articles = []
    for index in range(PAGES):
        items = []
        for k in range(PER_PAGE):
            n = index * PER_PAGE + k + 1
            title = f"关于做好第{n}批乡村振兴示范村建设工作的通知"
            href = f"/col/2021/art_{n}.html"
            items.append((href, title, f"2021-06-{n % 28 + 1:02d}"))
            (root / href.lstrip("/")).write_text(
                f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{NAV}<h1>{title}</h1>"
                f"<div class='info'>发布时间：2021-06-{n % 28 + 1:02d}</div>"
                f"<div class='content'><p>{BODY_TEXT}</p><p>{BODY_TEXT}</p></div></body></html>", encoding="utf-8")
            articles.append(href)
        pager = f'<div class="page"><script>createPageHTML({PAGES}, {index}, "index", "html");</script></div>'
        (column / page_name(index)).write_text(
            f"<html><head><meta charset='utf-8'><title>示范县人民政府</title></head><body>{NAV}"
            f"{list_as_ul(items)}{pager}<div class='foot'>版权所有 示范县人民政府</div></body></html>", encoding="utf-8")
    return articles


def test_a_script_pager_naming_every_page_asks_for_each_page_once(tmp_path):
    root = tmp_path / "site"
    articles = write_column(root)
    db_path = tmp_path / "g.db"
    with served(root) as base:
        cfg = tmp_path / "sources.yaml"
        cfg.write_text(f"sources:\n  - name: county\n    start_urls: {json.dumps([base + '/col/index.html'])}\n"
                       "    max_list_pages: 50\n"
                       "    politeness: {download_delay: 0, autothrottle: false, obey_robots: false}\n",
                       encoding="utf-8")
        govwatch("crawl", "--db", str(db_path), "--config", str(cfg), "county")
    db = open_db(db_path)
    try:
        stored = {row["url"] for row in db.query("select url from articles")}
        visited = {row["url"] for row in db.query("select url from list_pages")}
        run = next(db.query("select status, log_tail from crawl_runs order by id desc limit 1"))
    finally:
        db.close()
    assert run["status"] == "ok"
    assert stored == {base + href for href in articles}
    assert visited == {f"{base}/col/{page_name(i)}" for i in range(PAGES)}
    assert "'item_scraped_count'" in run["log_tail"]  # the stats are in the tail the test reads
    filtered = re.search(r"'dupefilter/filtered': (\d+)", run["log_tail"])
    dropped = int(filtered.group(1)) if filtered else 0
    # Before: every page asked again for the n - 1 others it names, 121 requests built and dropped.
    assert dropped < PAGES, dropped
