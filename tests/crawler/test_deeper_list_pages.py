"""A column's later pages hold older items whose URLs drift from the first page's shape (shorter ids,
another sub-column): read at the same region, they are the same list and are followed, never dropped.

A real HTTP server on 127.0.0.1 serves the column; the real `govwatch crawl` crawls it into SQLite.
"""
from __future__ import annotations

import json

import pytest

from storage import open_db
from tests.conftest import govwatch
from tests.list_site import NAV, served

pytestmark = [pytest.mark.long, pytest.mark.timeout(300), pytest.mark.slow]

FIRST = [(f"/zlks/zbz/{n}.html", f"自闭症儿童康复训练的第{n}个常见问题解答") for n in (132, 131, 129, 128, 125)]
SECOND = [(f"/zlks/ynz/{n}.html", f"语言发育迟缓儿童的第{n}项家庭训练方法") for n in (98, 97, 95, 94, 90)]


def column_page(items: list[tuple[str, str]], pager: str) -> str:
    rows = "".join(f'<li><a href="{href}">{title}<span>【阅读全文】</span></a></li>' for href, title in items)
    return (f"<html><head><meta charset='utf-8'><title>诊疗科室</title></head><body>{NAV}"
            f"<section class='list'><ul>{rows}</ul></section><div class='pager'>{pager}</div></body></html>")


def test_a_later_page_whose_items_drift_from_the_first_pages_shape_is_still_followed(tmp_path):
    root = tmp_path / "site"
    (root / "zlks").mkdir(parents=True)
    (root / "zlks" / "index.html").write_text(
        column_page(FIRST, '<a href="list_2.html">2</a> <a href="list_2.html">下一页</a>'), encoding="utf-8")
    (root / "zlks" / "list_2.html").write_text(
        column_page(SECOND, '<a href="index.html">1</a> <a href="index.html">上一页</a>'), encoding="utf-8")
    for href, title in FIRST + SECOND:
        path = root / href.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{NAV}<h1>{title}</h1>"
                        f"<p>发布时间：2017-12-22</p><div class='content'><p>{title}。家长在日常生活中应注意观察孩子的"
                        "语言、社交和行为表现，发现异常及时到正规医院进行评估和干预。</p></div></body></html>",
                        encoding="utf-8")
    db_path, cfg = tmp_path / "g.db", tmp_path / "sources.yaml"
    with served(root) as base:
        cfg.write_text(f"sources:\n  - name: kids\n    start_urls: {json.dumps([base + '/zlks/index.html'])}\n"
                       "    politeness: {download_delay: 0, autothrottle: false, obey_robots: false}\n", encoding="utf-8")
        govwatch("crawl", "--db", str(db_path), "--config", str(cfg), "kids")
    db = open_db(db_path)
    try:
        stored = {r["url"][len(base):] for r in db.query("select url from articles")}
    finally:
        db.close()
    assert stored == {href for href, _ in FIRST + SECOND}
