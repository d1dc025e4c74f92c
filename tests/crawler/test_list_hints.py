"""What a list page shows beside a link (its text, its date) is a hint for extracting the article, and
the crawl keeps it for the article's re-checks.

A dateless notice takes the list's date; a page titled with the site's name takes the headline the list
named. A later re-check that no list page leads to must extract the same way: without the hints the
article would look edited (its date gone, its title the site's name) each time it is re-checked. A real
HTTP server on 127.0.0.1 serves the site; the real `govwatch crawl` crawls it into a real SQLite file.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from storage import open_db
from tests.conftest import govwatch
from tests.list_site import NAV, list_as_ul, served

pytestmark = [pytest.mark.long, pytest.mark.timeout(300), pytest.mark.slow]

HEADLINES = ["关于开展乡村振兴示范村申报工作的通知", "关于公布2021年度农村人居环境整治名单的公告",
             "示范县2021年第二季度农产品质量安全抽检情况", "关于做好2021年防汛抗旱工作的通知"]
OTHERS = ["关于召开春季植树造林现场会的通知", "示范县2021年第三季度政务公开工作情况通报",
          "关于进一步加强农村集体资产管理的意见", "关于举办高素质农民培训班的通知"]


def dateless_article(headline: str) -> str:
    # <title> is the site's name and the page prints no date: only the list says when and what
    return (f"<html><head><meta charset='utf-8'><title>示范县人民政府</title></head><body>{NAV}"
            f"<div class='tit'>{headline}</div><div class='content'><p>各乡镇、县直有关单位：现将{headline}有关事项说明如下，"
            f"请结合本地实际认真组织实施。</p><p>{headline}的具体安排，以县人民政府办公室后续通知为准。</p></div>"
            "<div class='foot'>版权所有 示范县人民政府</div></body></html>")


def write_column(root: Path, items: list[tuple[str, str, str]]) -> None:
    page = (f"<html><head><meta charset='utf-8'><title>示范县人民政府</title></head><body>{NAV}"
            f"{list_as_ul(items)}<div class='foot'>版权所有 示范县人民政府</div></body></html>")
    (root / "col").mkdir(parents=True, exist_ok=True)
    (root / "col" / "index.html").write_text(page, encoding="utf-8")
    for href, headline, _ in items:
        path = root / href.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dateless_article(headline), encoding="utf-8")


def items(titles: list[str], first: int, month: int) -> list[tuple[str, str, str]]:
    return [(f"/col/2021/art_{n}.html", t, f"2021-{month:02d}-{n:02d}") for n, t in enumerate(titles, start=first)]


def test_a_dateless_article_takes_the_lists_date_and_headline_and_keeps_them_when_rechecked(tmp_path):
    root = tmp_path / "site"
    first = items(HEADLINES, 1, 6)
    write_column(root, first)
    cfg = tmp_path / "sources.yaml"
    db_path = tmp_path / "g.db"
    with served(root) as base:
        cfg.write_text(
            f"sources:\n  - name: county\n    start_urls: {json.dumps([base + '/col/index.html'])}\n"
            "    politeness: {download_delay: 0, autothrottle: false, obey_robots: false}\n"
            "    recheck: {recent_every: '0', middle_every: '0', old_every: '0'}\n", encoding="utf-8")
        govwatch("crawl", "--db", str(db_path), "--config", str(cfg), "county")
        db = open_db(db_path)
        stored = {r["url"]: r for r in db.query("select url, title, published, list_date, metadata from articles")}
        db.close()
        assert {(r["title"], r["published"], r["list_date"]) for r in stored.values()} == {
            (t, d, d) for _, t, d in first}
        candidates = json.loads(next(iter(stored.values()))["metadata"])["date_candidates"]
        assert [c["source"] for c in candidates if c["chosen"]] == ["list"]

        # newer notices push the four off the list: the second crawl reaches them only as re-checks,
        # and their files are touched so the re-check gets a 200, not a 304
        write_column(root, items(OTHERS, 5, 7))
        for href, _, _ in first:
            os.utime(root / href.lstrip("/"), (time.time() + 60, time.time() + 60))
        govwatch("crawl", "--db", str(db_path), "--config", str(cfg), "county")
    db = open_db(db_path)
    try:
        again = {r["url"]: r for r in db.query("select url, title, published, version_count from articles")
                 if r["url"] in stored}
        runs = list(db.query("select id, articles_changed, articles_unchanged from crawl_runs order by id"))
        events = list(db.query("select kind, count(*) n from events group by kind order by kind"))
    finally:
        db.close()
    # the four were fetched again (unchanged), and nothing looked edited
    assert len(runs) == 2 and runs[1]["articles_changed"] == 0 and runs[1]["articles_unchanged"] >= 4, runs
    assert all(r["version_count"] == 1 for r in again.values()), again
    assert {(r["title"], r["published"]) for r in again.values()} == {(t, d) for _, t, d in first}
    assert {e["kind"]: e["n"] for e in events} == {"new": 8}
