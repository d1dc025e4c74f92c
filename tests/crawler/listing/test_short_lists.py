"""A column of one or two items (crawler/listing/short_lists.py): read by what each item shows, and
refused wherever a pair of links is not plainly a column's dated headlines."""
from __future__ import annotations

import pytest

from crawler.listing import read_list_page

URL = "http://www.example.gov.cn/tzgg/index.html"
MENU = "".join(f"<li><a href='/{c}/index.html'>{c}</a></li>" for c in ("xwzx", "tzgg", "zcwj", "bsfw", "hdjl"))
NOTICES = [("/tzgg/202105/t20210507_5007.html", "关于做好2021年度乡村振兴示范村申报工作的通知", "2021-05-07"),
           ("/tzgg/202104/t20210420_4998.html", "关于公布第一批农村人居环境整治示范县名单的公告", "2021-04-20")]


def _page(column: str, side: str = "") -> str:
    return (f"<html><body><ul class='nav'>{MENU}</ul><div class='main'><h2>通知公告</h2>{column}</div>"
            f"<div class='side'>{side}</div><div class='foot'><a href='/about.html'>关于我们</a>"
            "<a href='/map.html'>网站地图</a> 版权所有</div></body></html>")


def as_ul(items) -> str:
    return "<ul class='list'>" + "".join(f"<li><a href='{h}'>{t}</a><span>{d}</span></li>" for h, t, d in items) + "</ul>"


def as_table(items) -> str:
    return "<table>" + "".join(f"<tr><td><a href='{h}'>{t}</a></td><td>[{d}]</td></tr>" for h, t, d in items) + "</table>"


def as_cards(items) -> str:
    # fj_snpo's layout: an image, the headline, a teaser with a date of its own and a [详情] link, then the date
    return "<ul>" + "".join(
        f"<li><img src='/p.jpg'><a href='{h}'>{t}</a><p>2021年3月1日上午，活动在本市举行……<a href='{h}'>[详情]</a></p>"
        f"<span>{d}</span></li>" for h, t, d in items) + "</ul>"


def as_nested(items) -> str:
    # gz_fezx_hosp's layout: each row a little list of its own, the date in its second line
    return "<ul class='newslist'>" + "".join(
        f"<li class='content'><div class='newstitle'><ul><li class='title'><h3><a href='{h}'>{t}</a></h3></li>"
        f"<li class='date'>{d}</li></ul></div></li><li class='clearBoth'></li>" for h, t, d in items) + "</ul>"


@pytest.mark.parametrize("layout", [as_ul, as_table, as_cards, as_nested])
@pytest.mark.parametrize("count", [1, 2])
def test_a_column_of_one_or_two_dated_items_is_its_list(layout, count):
    reading = read_list_page(_page(layout(NOTICES[:count])), URL)
    assert [(m.url, m.anchor, m.date) for m in reading.main_links] == [
        ("http://www.example.gov.cn" + h, t, d) for h, t, d in NOTICES[:count]]
    assert [a.url for a in reading.article_links] == [m.url for m in reading.main_links]
    assert reading.profile is not None and reading.profile.records == count
    assert reading.region_summary.startswith(f"learned: {count} records at ")


@pytest.mark.parametrize("layout", [as_ul, as_nested])
def test_a_profile_learned_from_one_item_is_provisional_until_the_column_grows(layout):
    profile = read_list_page(_page(layout(NOTICES[:1])), URL).profile
    # the next crawl, still one item (another one): read at the stored region, nothing learned again
    same = read_list_page(_page(layout(NOTICES[1:])), URL, profile)
    assert same.relearned is False and same.profile == profile
    assert [m.url for m in same.main_links] == ["http://www.example.gov.cn" + NOTICES[1][0]]
    # grown to seven: the page is mined first, and the whole list is learned (the region of the first item's
    # row, as gz_fezx_hosp's nested layout stores it, would have read one row only)
    grown = [(f"/tzgg/202106/t202106{d:02d}_60{d:02d}.html", f"关于做好第{d}批次重点项目建设工作的通知", f"2021-06-{d:02d}")
             for d in range(1, 6)] + NOTICES
    again = read_list_page(_page(layout(grown)), URL, profile)
    assert again.relearned is True and again.profile.records == 7
    assert len(again.main_links) == 7
    assert read_list_page(_page(layout(grown)), URL, again.profile).relearned is False


@pytest.mark.parametrize("column", [
    # no date beside the headlines: a pair of links, not a column
    "<ul>" + "".join(f"<li><a href='{h}'>{t}</a></li>" for h, t, _ in NOTICES) + "</ul>",
    # the only date is inside the headline
    "<ul><li><a href='/tzgg/202105/t20210507_5007.html'>2021年5月7日乡村振兴工作例会纪要公布</a></li></ul>",
    # short labels, dated: a tab bar's entries are not headlines
    "<ul>" + "".join(f"<li><a href='{h}'>通知</a><span>{d}</span></li>" for h, _, d in NOTICES) + "</ul>",
    # another site's pages
    ("<ul><li><a href='http://www.other.com.cn/a/1.html'>关于做好2021年度乡村振兴示范村申报工作的通知</a>"
     "<span>2021-05-07</span></li></ul>"),
    # one element holding both headlines and a date is a block, not an item
    "<p>" + "".join(f"<a href='{h}'>{t}</a> " for h, t, _ in NOTICES) + "2021-05-07</p>",
    # a link to a column page, however long and dated
    "<ul><li><a href='/xwzx/index.html'>新闻中心工作动态与重要通知公告汇总</a><span>2021-05-07</span></li></ul>",
    # an article page's neighbour, its attachment (a download URL without an extension) and an address
    # written out, each beside the article's date: an article given as a start URL
    ("<div class='info'>发布日期：2021-05-07</div><p>正文。</p><p>上一条：<a href='/tzgg/202105/t20210506_5006.html'>"
     "关于做好2021年度乡村振兴示范村申报工作的通知</a></p>"),
    ("<p>附件：<a href='/system/_content/download.jsp?wbfileid=2207499'>乡村振兴示范村申报汇总表.xls</a>"
     "</p><p>2021-05-07</p>"),
    "<p><a href='/tzgg/202105/t20210506_5006.html'>http://www.example.gov.cn/tzgg/</a> 2021-05-07</p>",
])
def test_links_that_are_not_plainly_a_columns_dated_headlines_are_no_list(column):
    reading = read_list_page(_page(column), URL)
    assert reading.profile is None and reading.main_links == [] and reading.article_links == []


def test_dated_items_in_two_places_are_no_list_rather_than_a_guess():
    # the column shows one notice and a sidebar widget another: which is the column cannot be told
    side = as_ul([("/xwzx/202105/t20210501_4000.html", "全市乡村振兴工作推进会议在我县召开", "2021-05-01")])
    reading = read_list_page(_page(as_ul(NOTICES[:1]), side), URL)
    assert reading.profile is None and reading.main_links == []
    # the same widget beside a column of three is no obstacle: record mining reads that
    three = NOTICES + [("/tzgg/202103/t20210301_4900.html", "关于开展2021年春季农村环境卫生大扫除的通知", "2021-03-01")]
    assert len(read_list_page(_page(as_ul(three), side), URL).main_links) == 3


def test_a_dated_item_in_a_menus_drop_down_is_no_list():
    entries = "".join(f"<li><a href='/c{i}/index.html'>栏目{i}</a></li>" for i in range(5))
    panel = f"<li><a href='/c5/index.html'>栏目5</a><div class='sub'>{as_ul(NOTICES[:1])}</div></li>"
    reading = read_list_page(f"<html><body><ul class='nav'>{entries}{panel}</ul><div class='main'></div></body></html>",
                             URL)
    assert reading.profile is None and reading.main_links == []


def test_the_pages_own_sections_are_not_a_list_of_three_around_a_short_column():
    """icama's and nfu's pages cut to a column of two: the body's header, main and footer <div>s, each
    "titled" by its longest link, were mined as a list of three (English, a menu entry, the footer's record
    number) and the column's two items lost."""
    header = "".join(f"<li><a href='/c{i}/index.html'>{name}</a></li>" for i, name in enumerate(
        ["首页", "机构概况", "政务动态", "法规政策文件", "田试区域指南与试验单位名录查询", "办事指南", "信息公示", "联系我们"]))
    footer = ("<a href='/about.html'>关于我们</a> <a href='/map.html'>网站地图</a> <a href='/law.html'>法律声明</a> "
              "<a href='http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=44011702000081'>粤公网安备 "
              "44011702000081号</a> <a href='https://beian.miit.gov.cn/'>粤ICP备11077779号-1</a> "
              "<a href='/contact.html'>联系方式</a> <a href='/help.html'>使用帮助</a>")
    html = (f"<html><body><div class='top'><a href='/en/'>English</a><ul>{header}</ul></div>"
            f"<div class='main'><h2>通知公告</h2>{as_ul(NOTICES)}</div><div class='foot'>{footer}</div></body></html>")
    reading = read_list_page(html, URL)
    assert [m.url for m in reading.main_links] == ["http://www.example.gov.cn" + h for h, _, _ in NOTICES]
