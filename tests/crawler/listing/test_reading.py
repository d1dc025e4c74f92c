"""read_list_page end to end: the demo site's list pages, and a stored profile reused or relearned."""
from __future__ import annotations

import re
import urllib.request
from urllib.parse import urljoin, urlsplit

import pytest

from crawler.listing import ListProfile, read_list_page
from crawler.listing.links import page_links, parse_html
from demo.server import ARTICLE_PATH_RES, DemoSite

SOURCES = ("gov", "paper", "news", "mirror")


@pytest.fixture(scope="module")
def demo():
    site = DemoSite()
    site.start(port=0)
    yield site
    site.stop()


def fetch(url: str, source: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return resp.read().decode("gbk" if source == "paper" else "utf-8")


def article_paths_on(body: str, url: str, source: str) -> set[str]:
    """The demo's own definition of an article, applied to every href of the page."""
    paths = {urlsplit(urljoin(url, h)).path for h in re.findall(r'href="([^"]+)"', body)}
    return {p for p in paths if ARTICLE_PATH_RES[source].match(p)}


@pytest.mark.parametrize("source", SOURCES)
def test_demo_list_pages_articles_and_pager_without_a_pattern(demo, source):
    list_urls = demo.list_urls(source)
    reached = {list_urls[0]}
    todo = [list_urls[0]]
    while todo:   # follow the pager from the first page only, as a crawl does
        url = todo.pop()
        body = fetch(url, source)
        reading = read_list_page(body, url)
        found = {urlsplit(a.url).path for a in reading.article_links}
        assert found == article_paths_on(body, url, source), url
        assert reading.main_links and all(m.anchor for m in reading.main_links)
        assert reading.profile is not None and reading.profile.records == len(reading.main_links)
        for nxt in reading.pagination.urls:
            if nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    assert set(list_urls) <= reached


def test_demo_gov_main_list_has_dates_and_the_summary_says_so(demo):
    url = demo.list_urls("gov")[0]
    reading = read_list_page(fetch(url, "gov"), url)
    dated = [m for m in reading.main_links if m.date]
    assert dated and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", m.date) for m in dated)
    assert f"{len(reading.main_links)} records" in reading.region_summary
    assert reading.profile.region in reading.region_summary


def _page(items: list[tuple[str, str]], wrapper: str = "div") -> str:
    menu = "".join(f'<li><a href="/{c}/index.html">{c}</a></li>' for c in ("xwzx", "tzgg", "zcwj", "bsfw"))
    rows = "".join(f'<li><a href="{href}">{title}</a><span>2021-05-0{i % 9 + 1}</span></li>'
                   for i, (href, title) in enumerate(items))
    return (f'<html><body><ul class="nav">{menu}</ul><{wrapper} class="main"><ul class="list">{rows}</ul>'
            f"</{wrapper}></body></html>")


ITEMS = [(f"/tzgg/202105/t2021050{i}_{5000 + i}.html", f"关于做好第{i}批次重点工作的通知公告") for i in range(1, 9)]
URL = "http://www.example.gov.cn/tzgg/index.html"


def test_profile_round_trips_and_is_reused_on_the_next_crawl():
    first = read_list_page(_page(ITEMS), URL)
    stored = first.profile.to_dict()
    profile = ListProfile.from_dict(stored)
    assert profile == first.profile
    newer = [("/tzgg/202106/t20210601_6001.html", "关于新增一批次重点工作的通知公告")] + ITEMS
    again = read_list_page(_page(newer), URL, profile)
    assert again.relearned is False and again.profile == profile
    assert again.main_links[0].url == "http://www.example.gov.cn/tzgg/202106/t20210601_6001.html"
    assert len(again.main_links) == 9


def test_profile_that_no_longer_fits_is_relearned():
    profile = read_list_page(_page(ITEMS), URL).profile
    redesigned = read_list_page(_page(ITEMS, wrapper="section"), URL, profile)
    assert redesigned.relearned is True
    assert redesigned.profile is not None and redesigned.profile != profile
    assert len(redesigned.main_links) == len(ITEMS)


def test_page_with_only_a_menu_has_no_list():
    reading = read_list_page(_page([]), URL)
    assert reading.profile is None and reading.main_links == [] and reading.article_links == []
    assert reading.region_summary.startswith("no list found")


@pytest.mark.parametrize("bad,error", [({}, ValueError), ({"region": "x", "url_shape": "y"}, ValueError),
                                       ({"region": 1, "url_shape": "y", "records": 3}, TypeError)])
def test_profile_from_bad_json(bad, error):
    with pytest.raises(error):
        ListProfile.from_dict(bad)


def test_hanweb_records_in_a_script_data_island_are_read():
    records = "".join(
        f'<record><![CDATA[<li><a href="/art/2021/4/{d}/art_4567_{3120000 + d}.html">关于开展第{d}批专项检查工作的通知</a>'
        f"<span>2021-04-{d:02d}</span></li>]]></record>" for d in range(1, 16))
    html = ('<html><body><div class="nav"><a href="/col/col1/index.html">首页</a></div><div id="4567">'
            f'<script type="text/xml"><datastore><recordset>{records}</recordset></datastore></script></div>'
            "<script>$('#4567').jpage({proxyUrl:'/module/web/jpage/dataproxy.jsp',perPage:15});</script>"
            "</body></html>")
    reading = read_list_page(html, "http://www.x.gov.cn/col/col4567/index.html")
    assert len(reading.main_links) == 15
    assert reading.main_links[0].url == "http://www.x.gov.cn/art/2021/4/1/art_4567_3120001.html"
    assert reading.main_links[0].date == "2021-04-01"
    # no total and no form in the page: the later groups cannot be asked for (test_jpage.py: when they can)
    assert reading.pagination.urls == [] and "no literal totalRecord, ajaxParam" in reading.pagination.unsupported


TOPICS = "".join(f'<li><a href="/zt/{c}/index.html">专题专栏{c}的入口页面链接</a></li>' for c in "abcdefghijkl")


def test_stored_region_that_now_points_at_other_links_is_relearned():
    profile = read_list_page(_page(ITEMS), URL).profile
    # the list's position now holds a box of topic links (a redesign moved the list into a new block)
    moved = _page(ITEMS).replace('<div class="main"><ul class="list">',
                                 f'<div class="main"><ul class="list">{TOPICS}</ul></div><div><ul class="list">')
    reading = read_list_page(moved, URL, profile)
    assert reading.relearned is True
    assert [m.url for m in reading.main_links] == [f"http://www.example.gov.cn{h}" for h, _ in ITEMS]


def test_stored_region_keeps_only_its_items_when_it_also_selects_other_rows():
    profile = read_list_page(_page(ITEMS), URL).profile
    shared = _page(ITEMS).replace('<div class="main">', f'<div class="main"><ul class="list">{TOPICS[:300]}</ul>')
    reading = read_list_page(shared, URL, profile)
    assert reading.relearned is False
    assert [m.url for m in reading.main_links] == [f"http://www.example.gov.cn{h}" for h, _ in ITEMS]


def test_friend_links_to_other_sites_do_not_outrank_a_short_column_list():
    friends = "".join(f'<li><a href="http://www.{d}.gov.cn/">中华人民共和国{d}部门户网站</a></li>'
                      for d in ("mof", "mps", "moe", "mee", "mohrss", "miit", "mct", "nhc", "most", "mnr"))
    html = _page(ITEMS[:4]).replace("</body>", f'<div class="yqlj"><ul>{friends}</ul></div></body>')
    reading = read_list_page(html, URL)
    assert [m.url for m in reading.main_links] == [f"http://www.example.gov.cn{h}" for h, _ in ITEMS[:4]]


def test_documents_stay_in_the_main_list_but_are_not_fetched_as_articles():
    items = [(f"/xxgk/{2000 + i}.html", f"关于第{i}批次公开信息的公告通知") for i in range(5)]
    items += [(f"/uploads/2021/{i}.pdf", f"第{i}季度财务报告全文下载文件") for i in range(3)]
    reading = read_list_page(_page(items), "http://www.example.gov.cn/xxgk/index.html")
    assert len(reading.main_links) == 8
    assert {a.url for a in reading.article_links} == {f"http://www.example.gov.cn/xxgk/{2000 + i}.html" for i in range(5)}


def test_word_pasted_tags_in_the_list_do_not_break_the_region_xpath():
    rows = "".join(f'<st1:row><o:p><a href="/tzgg/202105/t2021050{i}_{5000 + i}.html">关于做好第{i}批次重点工作的通知公告</a>'
                   f"</o:p><span>2021-05-0{i}</span></st1:row>" for i in range(1, 8))
    html = f'<html><body><ul class="nav"><li><a href="/a/index.html">首页</a></li></ul><div>{rows}</div></body></html>'
    first = read_list_page(html, URL)
    assert len(first.main_links) == 7
    again = read_list_page(html, URL, first.profile)
    assert again.relearned is False and [m.url for m in again.main_links] == [m.url for m in first.main_links]


def test_comments_inside_a_data_island_are_not_read_as_records():
    records = "".join(f'<record><![CDATA[<!-- item --><a href="/art/2021/4/{d}/art_9_{900 + d}.html">关于开展第{d}批专项检查工作的'
                      f"通知</a><!-- date --><span>2021-04-{d:02d}</span><br>]]></record>" for d in range(1, 9))
    html = f'<html><body><div><script type="text/xml"><datastore><recordset>{records}</recordset></datastore></script></div></body></html>'
    reading = read_list_page(html, "http://www.x.gov.cn/col/col9/index.html")
    assert [m.date for m in reading.main_links] == [f"2021-04-{d:02d}" for d in range(1, 9)]


def test_word_named_articles_do_not_drag_in_column_pages():
    items = [(f"/news/{w}.html", f"关于{w}项目建设情况的通报说明") for w in ("bridge", "school", "hospital", "library", "stadium")]
    html = _page(items).replace("</body>", '<div><a href="/news/index.html">新闻中心栏目首页入口</a>'
                                           '<a href="/news/list_2.html">新闻列表第二页入口链接</a>'
                                           '<a href="/news/museum.html">关于museum项目建设情况的通报说明</a></div></body>')
    reading = read_list_page(html, "http://www.example.gov.cn/news/index.html")
    found = {a.url.rsplit("/", 1)[1] for a in reading.article_links}
    assert found == {"bridge.html", "school.html", "hospital.html", "library.html", "stadium.html", "museum.html"}


def test_a_block_of_column_links_with_long_names_is_not_the_list():
    columns = [(f"/{c}/index.html", f"{name}栏目（含历年公开信息汇总）") for c, name in
               [("xxgk", "政府信息公开"), ("zcwj", "政策文件发布"), ("ghjh", "规划计划公开"), ("tjsj", "统计数据发布")]]
    reading = read_list_page(_page(columns), URL)
    assert reading.profile is None and reading.article_links == []


SHORT_TITLES = ["瓷砖铺贴方案", "怎样清洁瓷砖", "如何选购瓷砖", "瓷砖保养常识", "地砖防滑知识", "墙砖空鼓处理"]


def _undated_short_list(hrefs: list[str]) -> str:
    menu = "".join(f'<li><a href="/{c}/index.html">{n}</a></li>' for c, n in
                   [("gsjj", "公司简介"), ("cpzs", "产品展示"), ("zszx", "知识中心"), ("lxwm", "联系我们")])
    rows = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in zip(hrefs, SHORT_TITLES))
    return f'<html><body><ul class="nav">{menu}</ul><ul class="prolist">{rows}</ul></body></html>'


def test_undated_short_titles_filed_by_date_under_the_column_are_its_list():
    """Short undated titles (a menu has those too) are a list when their URLs are the column's dated articles."""
    page = "http://www.example.com/cpyfw/zszx/index.html"
    hrefs = [f"/cpyfw/zszx/2014-10-{10 + i}/{900 + i}.html" for i in range(len(SHORT_TITLES))]
    reading = read_list_page(_undated_short_list(hrefs), page)
    assert [m.url for m in reading.main_links] == [urljoin(page, h) for h in hrefs]
    assert [m.anchor for m in reading.main_links] == SHORT_TITLES
    # the same names pointing at other columns' directories are a menu: nothing is read from it
    elsewhere = [f"/about/2014-10-{10 + i}/{900 + i}.html" for i in range(len(SHORT_TITLES))]
    assert read_list_page(_undated_short_list(elsewhere), page).main_links == []


def test_pretty_url_articles_ending_in_a_slash_are_articles_not_columns():
    """WordPress/Hexo/Hugo articles live at /2020/11/13/slug/: the trailing slash does not make them columns."""
    slugs = ["senlin-fanghuo", "gushu-baohu", "shidi-jiance", "yesheng-dongwu", "linye-youhai"]
    rows = "".join(f'<article><time>2020-11-{13 - i:02d}</time><a href="/2020/11/{13 - i:02d}/{s}/">'
                   f"{s}</a></article>" for i, s in enumerate(slugs))
    nav = "".join(f'<a href="/{c}/">{c}</a>' for c in ("archives", "categories", "tags", "about"))
    html = (f'<html><body><nav>{nav}</nav><div class="archives">{rows}</div>'
            f'<aside><a href="/2019/05/02/older-post/">older-post</a></aside></body></html>')
    reading = read_list_page(html, "https://blog.example.org/archives/")
    assert [urlsplit(m.url).path for m in reading.main_links] == [
        f"/2020/11/{13 - i:02d}/{s}/" for i, s in enumerate(slugs)]
    assert [m.date for m in reading.main_links] == [f"2020-11-{13 - i:02d}" for i in range(len(slugs))]
    found = {urlsplit(a.url).path for a in reading.article_links}
    assert "/2019/05/02/older-post/" in found
    assert not found & {"/archives/", "/categories/", "/tags/", "/about/"}


def test_a_record_linking_its_summary_too_is_named_by_its_heading():
    """Title, 80-character excerpt and 详情 all link the article: the anchor is the heading, not the longest text."""
    excerpt = "实际上，今年以来，价格一直较为稳定地处于高位。根据行业协会发布的前三季度供需形势分析预测报告显示的数据"
    rows = "".join(f'<li><div class="pic"><img src="/p/{i}.jpg"></div><div class="bt"><a href="/xwzx/gsxw/{130 + i}.html">'
                   f'<h4>不锈钢扁钢{i}</h4></a><span>【2019-09-0{i}】</span></div>'
                   f'<p><a href="/xwzx/gsxw/{130 + i}.html">{excerpt}{i}</a></p>'
                   f'<a class="xq" href="/xwzx/gsxw/{130 + i}.html">详情&gt;&gt;</a></li>' for i in range(1, 6))
    html = f'<html><body><ul class="news">{rows}</ul></body></html>'
    reading = read_list_page(html, "http://www.example.com/xwzx/gsxw/index.html")
    assert [m.anchor for m in reading.main_links] == [f"不锈钢扁钢{i}" for i in range(1, 6)]
    assert [m.date for m in reading.main_links] == [f"2019-09-0{i}" for i in range(1, 6)]
    # without a heading or title class the longest text stays the name
    plain = html.replace("<h4>", "").replace("</h4>", "").replace('class="bt"', 'class="x"')
    assert read_list_page(plain, "http://www.example.com/xwzx/gsxw/index.html").main_links[0].anchor == excerpt + "1"


def test_a_mega_menu_panel_previewing_a_column_does_not_outrank_the_page_list():
    """Portal templates drop each column's latest items under its menu entry; the page's own
    (shorter) list is the main list, not the panel nested in one entry of the menu bar."""
    panel = "".join(f'<li><a href="/xwzx/tzgg/2021-05-{d:02d}/{700 + d}.html">关于做好二〇二一年第{d}批重点项目申报工作的通知</a>'
                    f"<span>2021-05-{d:02d}</span></li>" for d in range(1, 9))
    entries = "".join(f'<li><a href="/{c}/index.html">{n}</a></li>' for c, n in
                      (("gk", "概况"), ("zwgk", "政务公开"), ("bsfw", "办事服务"), ("hdjl", "互动交流")))
    menu = f'<ul class="menu"><li><a href="/xwzx/index.html">新闻中心</a><div class="drop"><ul>{panel}</ul></div></li>{entries}</ul>'
    own = "".join(f'<div class="card"><a href="/xwzx/gzdt/2021-06-{d:02d}/{800 + d}.html">全县开展安全生产大检查第{d}次</a>'
                  f"<em>2021-06-{d:02d}</em></div>" for d in range(1, 5))
    html = f'<html><body>{menu}<div class="main"><div class="cards">{own}</div></div></body></html>'
    reading = read_list_page(html, "http://www.example.gov.cn/xwzx/gzdt/index.html")
    assert [m.url for m in reading.main_links] == [
        f"http://www.example.gov.cn/xwzx/gzdt/2021-06-{d:02d}/{800 + d}.html" for d in range(1, 5)]


def test_a_list_inside_a_menu_is_still_read_when_the_page_has_no_other():
    panel = "".join(f'<li><a href="/xwzx/tzgg/2021-05-{d:02d}/{700 + d}.html">关于做好二〇二一年第{d}批重点项目申报工作的通知</a>'
                    f"<span>2021-05-{d:02d}</span></li>" for d in range(1, 9))
    entries = "".join(f'<li><a href="/{c}/index.html">{n}</a></li>' for c, n in
                      (("gk", "概况"), ("zwgk", "政务公开"), ("bsfw", "办事服务"), ("hdjl", "互动交流")))
    html = (f'<html><body><ul class="menu"><li><a href="/xwzx/index.html">新闻中心</a><ul>{panel}</ul></li>'
            f"{entries}</ul></body></html>")
    assert len(read_list_page(html, "http://www.example.gov.cn/xwzx/tzgg/index.html").main_links) == 8


def test_single_character_links_are_not_a_list_of_articles_however_article_like_their_urls():
    """A hostile page (or a pager of digits) repeats one-character links to article-shaped URLs;
    the notices listed beside them are the column's list."""
    junk = "".join(f'<li><a href="/gov/art/{n}{"1" * 40}x">x</a></li>' for n in range(300))
    notices = "".join(f'<li><a href="/gov/2024/05/t2024050{d}_{1000 + d}.html">关于开展第{d}批安全生产专项检查工作的通知</a>'
                      f"<span>2024-05-0{d}</span></li>" for d in range(1, 5))
    html = f'<html><body><ul class="list">{notices}</ul><div class="more"><ul>{junk}</ul></div></body></html>'
    reading = read_list_page(html, "http://www.example.gov.cn/gov/index.html")
    assert [m.url for m in reading.main_links] == [
        f"http://www.example.gov.cn/gov/2024/05/t2024050{d}_{1000 + d}.html" for d in range(1, 5)]


def test_a_page_without_a_list_names_the_frames_it_shows():
    html = ("<html><body><div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a></div>"
            "<iframe src='javascript:;'></iframe><iframe src='about:blank'></iframe>"
            "<iframe id='iframepage' src='/module/jslib/list.jsp?columnid=12'></iframe></body></html>")
    reading = read_list_page(html, "http://www.example.gov.cn/col/tzgg/index.html")
    assert reading.profile is None
    assert reading.frames == ["http://www.example.gov.cn/module/jslib/list.jsp?columnid=12"]
    assert reading.region_summary.endswith("the page embeds 1 frame(s)")


def test_a_box_of_topic_links_laid_out_like_a_classless_list_is_not_merged_into_it():
    # no class anywhere: the list (two chunks of one ul each, as TRS templates close them) and a 专题 box
    # beside it share the path div/div/ul/li; only the chunks that file items alike are one list
    def chunk(ns):
        return "<div><ul>" + "".join(f"<li><a href='/dfdt/{18000 + n}.html'>关于第{n}批农药登记评审结果的公示</a>"
                                     f"<span>2020-11-{n:02d}</span></li>" for n in ns) + "</ul></div>"
    topics = "<div><ul>" + "".join(f"<li><a href='/topic/{n}.html'>{t}</a></li>" for n, t in
                                   [(8, "零增长专栏"), (9, "科普宣传"), (10, "CCPR"), (11, "GLP"), (28, "禁限用农药")]) + "</ul></div>"
    html = f"<html><body><div>{chunk(range(1, 6))}{chunk(range(6, 11))}{topics}</div></body></html>"
    reading = read_list_page(html, "http://www.x.gov.cn/dfdt/index.html")
    assert [a.url.rsplit("/", 1)[1] for a in reading.article_links] == [f"{18000 + n}.html" for n in range(1, 11)]


def test_a_list_after_an_included_headers_end_tag_is_read():
    # the header fragment's </html> comes first: libxml2 2.14 would end the document there
    rows = "".join(f"<li><a href='/xxgk/2024/{n}.html'>关于第{n}批乡村振兴示范项目的公示</a><span>2024-05-{n:02d}</span></li>"
                   for n in range(1, 9))
    html = f"<html><body><div><a href='/'>首页</a></div></body></html><div class='list'><ul>{rows}</ul></div>"
    reading = read_list_page(html, "http://www.x.gov.cn/xxgk/index.html")
    assert len(reading.main_links) == 8


NOTICES = ["关于做好2021年度乡村振兴重点帮扶县工作的通知", "湖南省农业农村厅关于印发实施方案的通知",
           "关于公布第二批省级示范村名单的公告", "关于开展农村人居环境整治提升行动的意见", "长沙县召开乡村振兴工作推进会"]


@pytest.mark.parametrize("row", [
    # a 信息公开 table: number, title cell (cut short, whole in its title attribute), an action link; no date
    lambda i, t: f"<tr><td>{i}</td><td title='{t}'>{t[:10]}…</td><td><a class='btn' href='/art/{100 + i}.html'>详情</a></td></tr>",
    lambda i, t: f"<tr><td>{t}</td><td>2021-03-1{i}</td><td><span><a href='/art/{100 + i}.html'>[查看]</a></span></td></tr>",
    # a link to the issuing department in the row names the department, not the record
    lambda i, t: f"<tr><td><a href='/dept/{i}.html'>农业局</a></td><td>{t}</td><td><a href='/art/{100 + i}.html'>详情</a></td></tr>",
])
def test_a_table_whose_links_say_only_what_to_do_is_a_list_named_by_its_title_cells(row):
    nav = "".join(f"<li><a href='/col{i}/index.html'>栏目{i}</a></li>" for i in range(8))
    html = (f"<html><body><ul class='nav'>{nav}</ul><table>{''.join(row(i, t) for i, t in enumerate(NOTICES))}"
            "</table></body></html>")
    reading = read_list_page(html, "http://www.example.gov.cn/col/index.html")
    assert [urlsplit(m.url).path for m in reading.main_links] == [f"/art/{100 + i}.html" for i in range(5)]
    assert [m.anchor for m in reading.main_links] == NOTICES


SUMMARY = "为深入贯彻落实党中央、国务院关于全面推进乡村振兴的决策部署，现就有关事项通知如下。"


@pytest.mark.parametrize(("box", "card"), [
    # a heading above a summary that is longer than it
    ("ul", lambda i, t: f"<li><h3>{t}</h3><p>{SUMMARY}</p><span>2021-03-1{i}</span><a href='/art/{100 + i}.html'>查看详情</a></li>"),
    ("div", lambda i, t: f"<div class='item'><div class='item-title'>{t}</div><div class='date'>2021-03-1{i}</div>"
                         f"<div class='more'><a href='/art/{100 + i}.html'>详情&gt;&gt;</a></div></div>"),
    ("div", lambda i, t: f"<dl><dt>{t}</dt><dd>{SUMMARY}</dd><dd><a href='/art/{100 + i}.html'>阅读全文</a></dd></dl>"),
    # the action closes the summary's line; the headline is a link of its own to the same page
    ("ul", lambda i, t: f"<li><a href='/art/{100 + i}.html'>{t}</a><span>2021-03-1{i}</span>"
                        f"<p>{SUMMARY}<a href='/art/{100 + i}.html'>[<font>详情</font>]</a></p></li>"),
])
def test_cards_whose_links_say_only_what_to_do_are_named_by_their_headings(box, card):
    nav = "".join(f"<li><a href='/col{i}/index.html'>栏目{i}</a></li>" for i in range(8))
    html = (f"<html><body><ul class='nav'>{nav}</ul><{box} class='list'>{''.join(card(i, t) for i, t in enumerate(NOTICES))}"
            f"</{box}></body></html>")
    reading = read_list_page(html, "http://www.example.gov.cn/col/index.html")
    assert [urlsplit(m.url).path for m in reading.main_links] == [f"/art/{100 + i}.html" for i in range(5)]
    assert [m.anchor for m in reading.main_links] == NOTICES


def test_a_box_of_several_records_is_not_one_records_name():
    # the action link's nearest container with text holds every record: no record names it
    rows = "".join(f"<span>{t}</span><a href='/art/{100 + i}.html'>详情</a>" for i, t in enumerate(NOTICES))
    links = page_links(parse_html(f"<html><body><div class='box'>{rows}</div></body></html>"), "http://x.gov.cn/")
    assert [link.anchor for link in links] == ["详情"] * 5


def test_a_menus_undated_drop_down_is_not_taken_for_a_list_whose_items_are_in_a_frame():
    """chinaclear's rules column: the page's list is an <iframe>, and the only repeated block of links
    is the 快捷入口 entry's drop-down of services. That panel was read as the column (70 menu links
    crawled as articles) and the frame never looked at."""
    entries = "".join(f"<li><a href='/zdjs/c{i}/index.shtml'>栏目{i}</a></li>" for i in range(7))
    panel = "".join(f"<dd><a href='/zdjs/syzfw/plat_{i}.shtml' title='业务平台{i}'>投资人登记业务电子平台{i}</a></dd>"
                    for i in range(6))
    html = (f"<html><body><div class='nav'><ul class='flex'>{entries}<li class='m-hide'><a href='javascript:;'>快捷入口</a>"
            f"<div class='sNav'><dl><dt><a>常用服务</a></dt>{panel}</dl></div></li></ul></div>"
            "<div class='bd'><ul class='newslist'><iframe id='code_1' src='law_flist/code_1.shtml'></iframe></ul></div>"
            "</body></html>")
    reading = read_list_page(html, "http://www.example.cn/zdjs/fywgz/law_flist.shtml")
    assert reading.profile is None and reading.main_links == []
    assert reading.frames == ["http://www.example.cn/zdjs/fywgz/law_flist/code_1.shtml"]
    dated = html.replace("</a></dd>", "</a><span>2024-05-01</span></dd>")
    assert read_list_page(dated, "http://www.example.cn/zdjs/fywgz/law_flist.shtml").main_links  # a dated one stands in


def test_an_empty_column_under_a_pager_that_goes_nowhere_is_said_to_be_drawn_by_script():
    """An association's list page (a jQuery front end over a REST API): an empty <ul> and 首页/上一页/
    下一页/末页 controls written javascript:void(0). Without a word, an operator saw an empty column."""
    pager = "".join(f"<a class='p' href='javascript:void(0);'>{w}</a>" for w in ("首页", "上一页", "下一页", "末页"))
    html = (f"<html><body><ul class='nav'>{''.join(f'<li><a href=/c{i}.html>栏目{i}</a></li>' for i in range(5))}</ul>"
            f"<div class='right'><h2>行业动态</h2><ul class='listMain'></ul><div class='changePage'>{pager}"
            "第<span class='current'></span>页 共<span class='totalPage'></span>页</div></div>"
            "<script src='js/pageLoad/listLoad.js'></script></body></html>")
    reading = read_list_page(html, "http://www.example.org.cn/list.html?id=12")
    assert reading.main_links == [] and reading.pagination.urls == []
    assert reading.pagination.unsupported and "drawn by script" in reading.pagination.unsupported
    assert "drawn by script" in reading.region_summary
    # a static column showing its only page writes its controls so too: nothing is said there, with its
    # list or (a VSB content page under a column's pager) without one, its counts filled in
    static = read_list_page(_page(ITEMS).replace("</body>", f"{pager}</body>"), URL)
    assert len(static.main_links) == len(ITEMS) and static.pagination.unsupported is None
    vsb = ("<html><body><div class='text'><p>学校现设五个专业。</p></div><div class='pb'>共1页 1/1 首页 上页 "
           "<a href='javascript:;'>下页</a> <a href='javascript:;'>尾页</a></div></body></html>")
    assert read_list_page(vsb, "http://www.example.edu.cn/xyjj/zyjs.htm").pagination.unsupported is None
