"""Lists shipped as data in an inline script (crawler/listing/data_lists.py): turned into plain rows only
when the data looks like linked records, never as markup."""

from __future__ import annotations

import json
import time

import pytest

from crawler.listing import read_list_page
from crawler.listing.data_lists import inline_data_lists
from crawler.listing.links import parse_html

PAGE = "http://www.example.gov.cn/col/tzgg/index.html"
RECORDS = [{"id": i, "title": f"关于第{i}批乡村振兴示范项目的公示", "url": f"/col/tzgg/2024/{i}.html",
            "pubDate": f"2024-05-{i:02d} 10:00:00", "hits": 10 * i} for i in range(1, 9)]


def vue_page(records: list[dict], head: str = "") -> str:
    # as JSON encoders write it: Chinese as \\uXXXX, slashes as \\/
    state = json.dumps({"list": records, "total": len(records)}, ensure_ascii=True).replace("/", "\\/")
    return (f"<html><head>{head}</head><body><div id='app'></div><script>window.__INITIAL_STATE__ = {state};"
            "new Vue({el: '#app', data: window.__INITIAL_STATE__});</script></body></html>")


def test_records_shipped_as_script_data_are_the_list():
    reading = read_list_page(vue_page(RECORDS), PAGE)
    assert [(a.url, a.anchor, a.date) for a in reading.main_links] == [
        (f"http://www.example.gov.cn/col/tzgg/2024/{i}.html", f"关于第{i}批乡村振兴示范项目的公示", f"2024-05-{i:02d}")
        for i in range(1, 9)]


def test_a_json_island_is_read_too_and_a_menu_shipped_as_data_is_not_a_list():
    menu = json.dumps([{"name": n, "link": f"/{k}/"} for k, n in [("a", "首页"), ("b", "政务公开"), ("c", "互动交流")]])
    island = f"<script type='application/json' id='data'>{json.dumps(RECORDS[:4], ensure_ascii=False)}</script>"
    root = parse_html(f"<html><head><script>var menus = {menu};</script></head><body>{island}</body></html>")
    assert inline_data_lists(root) == 1
    assert [a.get("href") for a in root.iter("a")] == [f"/col/tzgg/2024/{i}.html" for i in range(1, 5)]


@pytest.mark.parametrize("records", [
    [{"url": "/front", "tpl": "model/content/productDetail.ftl"}] * 5,          # a template's paths
    [{"title": f"第{i}条没有链接的记录标题", "hits": i} for i in range(5)],        # no URL
    RECORDS[:2],                                                                # too few to be a list
])
def test_data_that_is_not_a_list_of_linked_records_adds_nothing(records):
    root = parse_html(f"<html><body><script>var data = {json.dumps(records)};</script></body></html>")
    assert inline_data_lists(root) == 0 and list(root.iter("a")) == []


def test_values_become_text_never_markup():
    records = [{"title": f"<img src=x onerror=alert({i})>第{i}号公告\x01全文", "url": f"javascript:alert({i})//a.html"}
               | {"url": f"/a/{i}.html"} for i in range(3)]
    root = parse_html(f"<html><body><script>var list = {json.dumps(records)};</script></body></html>")
    assert inline_data_lists(root) == 1
    assert list(root.iter("img")) == []
    assert [a.text for a in root.iter("a")] == [f"<img src=x onerror=alert({i})>第{i}号公告全文" for i in range(3)]


def test_a_huge_data_script_is_capped():
    records = [{"title": f"关于第{i}批项目资金安排的公示公告", "url": f"/a/{i}.html"} for i in range(5_000)]
    big = f"<script>var more = {json.dumps(records * 40)};</script>"          # ~26 MB: past the cap, not read
    root = parse_html(f"<html><body><script>var list = {json.dumps(records)};</script>{big}</body></html>")
    started = time.process_time()
    assert inline_data_lists(root) == 1
    assert time.process_time() - started < 10
    assert len(list(root.iter("a"))) == 500      # the first 500 records of the array


def test_escaped_surrogates_never_reach_a_url_or_the_tree():
    # JSON may escape lone surrogates; UTF-8 (URLs, lxml, SQLite) cannot hold them: a pair is joined,
    # a lone one becomes U+FFFD, and the page is read rather than failing whole
    records = ",".join('{"title": "\\ud800第' + str(i) + '批项目的公示公告\\ud83d\\ude00", "url": "/a/' + str(i)
                       + '\\udfff.html"}' for i in range(3))
    reading = read_list_page(f"<html><body><script>var list = [{records}];</script></body></html>", PAGE)
    assert [(a.url, a.anchor) for a in reading.main_links] == [
        (f"http://www.example.gov.cn/a/{i}\ufffd.html", f"\ufffd第{i}批项目的公示公告\U0001F600") for i in range(3)]


def test_a_page_url_held_in_a_nested_json_string_beats_a_data_file_url():
    # Hanweb's newer columns: relationUrl is a .json data file on every record; the page is in "urls"
    records = [{"relationUrl": f"/jx/col42150/relation/{n}-RelationArticle.json",
                "title": f"《江西省生态环境第{n}号办法》政策解读", "pubDate": f"2025-07-{n:02d} 16:59",
                "urls": json.dumps({"pc": f"/jx/col/col42150/content/content_{n}.html"})} for n in range(10, 16)]
    html = ("<html><body><div id='list'></div><script>var listData = { articleList: "
            + json.dumps(records, ensure_ascii=False) + "};</script></body></html>")
    got = read_list_page(html, "http://sthjt.example.gov.cn/jx/col/col42150/index.html").main_links
    assert [m.url for m in got] == [f"http://sthjt.example.gov.cn/jx/col/col42150/content/content_{n}.html"
                                    for n in range(10, 16)]
    assert [m.date for m in got] == [f"2025-07-{n:02d}" for n in range(10, 16)]
