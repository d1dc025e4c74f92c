"""Hanweb jpage pagers (crawler/listing/jpage.py): the later record groups a column's script POSTs for, named so
the crawl can ask for them, and the datastore answers read as pages of records. The crawl itself is tested
against a real server in tests/crawler/test_list_discovery.py."""

from __future__ import annotations

import time
from urllib.parse import parse_qs

import pytest

from crawler.listing import read_list_page
from crawler.listing.jpage import MAX_GROUPS, split_post_page

PAGE = "http://www.example.gov.cn/col/col7372/index.html"
PROXY = "http://www.example.gov.cn/module/web/jpage/dataproxy.jsp"
FORM = ("{col: 1, appid: 1, webid: 49, path: '/', columnid: 7372, sourceContentType: 1, unitid: '25630', "
        "webname: '东台市人民政府', permissiontype: 0}")


def record(n: int) -> str:
    return (f'<record><![CDATA[<li><a href="/art/2021/9/{n % 28 + 1}/art_7372_{1000 + n}.html">关于第{n}号乡村振兴'
            f'项目的公示</a><span>2021-09-{n % 28 + 1:02d}</span></li>]]></record>')


def column(settings: str, records: int = 15, next_group: str = "") -> str:
    rows = "".join(record(n) for n in range(records, 0, -1))
    return (f"<html><body><div class='nav'><a href='/'>首页</a></div><div id='25630'><script type='text/xml'>"
            f"<datastore><nextgroup><![CDATA[{next_group}]]></nextgroup><recordset>{rows}</recordset></datastore>"
            f"</script></div><script>$(function () {{ $('#25630').jpage({{{settings}}}); }});</script></body></html>")


def groups(html: str) -> list[tuple[str, dict[str, str]]]:
    return [(url, {k: v[0] for k, v in parse_qs(form or "").items()})
            for url, form in map(split_post_page, read_list_page(html, PAGE).pagination.urls)]


def test_the_later_groups_are_posted_with_the_pages_form_as_jpage_js_asks_for_them():
    html = column(f"dataStore: dataStore, proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 5, groupSize: 3, "
                  f"totalRecord: 52, ajaxParam: {FORM}")
    reading = read_list_page(html, PAGE)
    assert reading.pagination.kind == "jpage" and reading.pagination.unsupported is None
    assert len(reading.main_links) == 15
    found = groups(html)
    assert [url for url, _ in found] == [f"{PROXY}?startrecord={s}&endrecord={e}&perpage=5"
                                         for s, e in ((16, 30), (31, 45), (46, 52))]
    assert found[0][1] == {"col": "1", "appid": "1", "webid": "49", "path": "/", "columnid": "7372",
                           "sourceContentType": "1", "unitid": "25630", "webname": "东台市人民政府",
                           "permissiontype": "0"}


def test_without_ajax_param_the_form_is_the_next_group_links_query():
    link = '<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=49&path=/&columnid=7372&unitid=25630"></a>'
    html = column("proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 15, totalRecord: '40'", next_group=link)
    assert groups(html) == [(f"{PROXY}?startrecord=16&endrecord=30&perpage=15", {
        "webid": "49", "path": "/", "columnid": "7372", "unitid": "25630"}),
        (f"{PROXY}?startrecord=31&endrecord=40&perpage=15", {
            "webid": "49", "path": "/", "columnid": "7372", "unitid": "25630"})]


@pytest.mark.parametrize(("settings", "why"), [
    ("proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 15, totalRecord: total, ajaxParam: " + FORM,
     "no literal totalRecord"),
    ("proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 15, totalRecord: 90, ajaxParam: {columnid: col}",
     "no literal ajaxParam"),
    ("proxyUrl: 'http://other.example.com/module/web/jpage/dataproxy.jsp', perPage: 15, totalRecord: 90, "
     "ajaxParam: " + FORM, "not on the page's site"),
    ("proxyUrl: base + '/module/web/jpage/dataproxy.jsp', perPage: 15, totalRecord: 90", "not written as literals"),
])
def test_a_pager_whose_settings_are_computed_or_elsewhere_is_reported_not_guessed(settings, why):
    reading = read_list_page(column(settings), PAGE)
    assert reading.pagination.urls == []
    assert why in (reading.pagination.unsupported or "")
    assert len(reading.main_links) == 15   # the first group is still the list


def test_a_huge_total_is_capped_and_a_page_without_jpage_names_no_group():
    html = column(f"proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 1, totalRecord: 999999999, ajaxParam: {FORM}")
    assert len(read_list_page(html, PAGE).pagination.urls) == MAX_GROUPS
    plain = read_list_page(column("dataStore: dataStore"), PAGE).pagination
    assert plain.urls == [] and plain.unsupported is None


def test_a_datastore_naming_its_next_group_without_jpage_settings_is_reported():
    link = '<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=49&path=/&columnid=7372&unitid=25630"></a>'
    reading = read_list_page(column("dataStore: dataStore", records=45, next_group=link), PAGE)
    assert len(reading.main_links) == 45 and reading.pagination.urls == []
    assert "no jpage() settings" in (reading.pagination.unsupported or "")


def answer(records: range, head: str = '<?xml version="1.0" encoding="UTF-8"?>') -> str:
    return f"{head}<datastore><totalrecord>52</totalrecord><recordset>{''.join(record(n) for n in records)}" \
           "</recordset></datastore>"


def test_a_group_answer_is_read_as_its_records_with_the_start_pages_profile():
    start = read_list_page(column(f"proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 5, totalRecord: 52, "
                                  f"ajaxParam: {FORM}"), PAGE)
    url = start.pagination.urls[0]
    # the stored region (an XPath into the column page) cannot apply to a bare answer; every record is a row
    group = read_list_page("\ufeff" + answer(range(30, 15, -1)), url, profile=start.profile)
    assert not group.relearned
    assert [(a.url, a.date) for a in group.main_links] == [
        (f"http://www.example.gov.cn/art/2021/9/{n % 28 + 1}/art_7372_{1000 + n}.html", f"2021-09-{n % 28 + 1:02d}")
        for n in range(30, 15, -1)]
    # the last group may hold a single record
    assert len(read_list_page(answer(range(1, 2), head=""), url, profile=start.profile).article_links) == 1


def test_a_group_answer_of_other_links_is_not_taken_for_the_column():
    start = read_list_page(column(f"proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 5, totalRecord: 52, "
                                  f"ajaxParam: {FORM}"), PAGE)
    menu = "".join(f"<record><![CDATA[<li><a href='/col/col{n}/index.html'>栏目{n}</a></li>]]></record>"
                   for n in range(10))
    reading = read_list_page(f"<datastore><recordset>{menu}</recordset></datastore>", start.pagination.urls[0],
                             profile=start.profile)
    assert reading.article_links == []


def test_hostile_jpage_settings_are_read_in_bounded_time():
    unclosed = "proxyUrl: '/module/web/jpage/dataproxy.jsp', ajaxParam: {" + "a: {" * 100_000
    many = ", ".join(f"k{i}: '{'v' * 300}'" for i in range(5000))
    wide = f"proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 5, totalRecord: 99, ajaxParam: {{{many}}}"
    for settings in (unclosed, wide):
        started = time.process_time()
        reading = read_list_page(column(settings), PAGE)
        assert time.process_time() - started < 5
        assert all(len(url) <= 2048 for url in reading.pagination.urls)


def test_only_a_jpage_groups_name_carries_a_form():
    # a site's own pager link written with a "#post:" fragment is a GET of the page, never a POST
    rows = "".join(f"<li><a href='/col/col7372/art_{n}.html'>关于第{n}号乡村振兴项目的公示</a><span>2021-09-{n:02d}</span></li>"
                   for n in range(1, 11))
    html = f"<html><body><ul>{rows}</ul><div><a href='index_1.html#post:columnid=1'>下一页</a></div></body></html>"
    urls = read_list_page(html, PAGE).pagination.urls
    assert urls == ["http://www.example.gov.cn/col/col7372/index_1.html"]
    assert split_post_page(urls[0]) == (urls[0], None)
