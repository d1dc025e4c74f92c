"""Typical list-page layouts of the CMSs named in the issue, written from their templates' structure:
the main list must be told from menus, hot boxes and sidebars by structure alone."""
from __future__ import annotations

import pytest

from crawler.listing import read_list_page

MENU = "".join(f'<li><a href="/{c}/index.html">{n}</a></li>' for c, n in
               [("xwzx", "新闻中心"), ("zwgk", "政务公开"), ("bsfw", "办事服务"), ("hdjl", "互动交流"), ("zfxxgk", "信息公开")])
TITLES = ["关于开展2021年度安全生产大检查工作的通知", "市人民政府办公室关于印发重点工作任务分解方案的通知",
          "关于公布第二批市级非物质文化遗产代表性项目名录的公告", "我市召开优化营商环境工作推进会",
          "关于2021年清明节期间加强森林防火工作的紧急通知", "市统计局发布2020年国民经济和社会发展统计公报",
          "关于征求《城市管理条例（草案）》意见的公告", "全市春季农业生产工作现场会召开",
          "关于做好2021年普通高校毕业生就业创业工作的通知", "市政府召开第十二次常务会议"]
HOT = "".join(f'<li><a href="/xwzx/hot/{900 + i}.html">{t}</a></li>' for i, t in enumerate(
    ["热点：全市经济运行情况新闻发布会召开", "热点：重点项目建设观摩活动举行", "热点：政务服务改革再出新招"]))


def page(body: str) -> str:
    return (f'<html><head><title>通知公告</title></head><body><div class="top"><ul class="nav">{MENU}</ul></div>'
            f'<div class="left"><h3>热点新闻</h3><ul class="hot">{HOT}</ul></div>{body}'
            '<div class="foot"><a href="/about.html">关于我们</a><a href="/map.html">网站地图</a></div></body></html>')


def siteserver() -> tuple[str, str, list[str]]:
    urls = [f"/contents/12/{3400 + i * 7}.html" for i in range(10)]
    rows = "".join(f'<li><a href="{u}" target="_blank">{t}</a><span class="date">2021-04-{20 - i:02d}</span></li>'
                   for i, (u, t) in enumerate(zip(urls, TITLES)))
    pager = '<div class="page"><a href="12_2.html">2</a><a href="12_3.html">3</a><a href="12_2.html">下一页</a></div>'
    return page(f'<div class="main"><ul class="list">{rows}</ul>{pager}</div>'), "http://s.gov.cn/channels/12.html", urls


def aspnet() -> tuple[str, str, list[str]]:
    urls = [f"/News/NewsShow.aspx?id={5100 + i * 3}" for i in range(10)]
    rows = "".join(f'<tr><td class="t"><a href="..{u}" title="{t}">{t[:14]}…</a></td><td>2021/4/{20 - i}</td></tr>'
                   for i, (u, t) in enumerate(zip(urls, TITLES)))
    pager = ("<a href=\"javascript:__doPostBack('AspNetPager1','2')\">下一页</a>"
             "<a href=\"javascript:__doPostBack('AspNetPager1','9')\">尾页</a>")
    return (page(f'<form id="form1"><table id="GridView1"><tr><th>标题</th><th>日期</th></tr>{rows}</table>{pager}</form>'),
            "http://a.gov.cn/News/NewsList.aspx?cid=3", urls)


def dedecms() -> tuple[str, str, list[str]]:
    urls = [f"/a/news/2021/04{20 - i:02d}/{812 + i * 5}.html" for i in range(10)]
    rows = "".join(f'<li><a href="{u}" class="preview"><img src="/uploads/{i}.jpg"/></a><a href="{u}" class="title">{t}'
                   f'</a><span class="info"><small>日期：</small>2021-04-{20 - i:02d}<small>点击：</small>{i * 13}</span>'
                   f"<p class=\"intro\">{t}。本网讯……</p></li>" for i, (u, t) in enumerate(zip(urls, TITLES)))
    pager = '<ul class="pagelist"><li><a href="list_7_2.html">2</a></li><li><a href="list_7_2.html">下一页</a></li></ul>'
    return page(f'<div class="listbox"><ul class="e2">{rows}</ul></div>{pager}'), "http://d.gov.cn/a/news/", urls


def vsb_divs() -> tuple[str, str, list[str]]:
    urls = [f"/info/1011/{2345 + i * 11}.htm" for i in range(10)]
    rows = "".join(f'<div class="item"><h3><a href="..{u}">{t}</a></h3><p>{t}……</p><span>2021年04月{20 - i:02d}日</span>'
                   "</div>" for i, (u, t) in enumerate(zip(urls, TITLES)))
    pager = '<span class="p_next"><a href="tzgg/2.htm">下页</a></span><span class="p_last"><a href="tzgg/9.htm">尾页</a></span>'
    return page(f'<div class="news-list">{rows}</div>{pager}'), "http://v.edu.cn/xwzx/tzgg.htm", urls


def flat_links() -> tuple[str, str, list[str]]:
    urls = [f"/html/notice/{20210400 + 20 - i}/{77 + i}.shtml" for i in range(10)]
    rows = "".join(f'<a href="{u}">{t}</a>&nbsp;<font color="#999">(2021-04-{20 - i:02d})</font><br/>'
                   for i, (u, t) in enumerate(zip(urls, TITLES)))
    return page(f'<td class="content">{rows}</td>'), "http://f.gov.cn/html/notice/index.shtml", urls


def onclick_rows() -> tuple[str, str, list[str]]:
    urls = [f"/zwgk/detail.jsp?infoid={99000 + i * 17}" for i in range(10)]
    rows = "".join(f"<tr onclick=\"window.open('detail.jsp?infoid={99000 + i * 17}')\"><td>{t}</td><td>2021-04-{20 - i:02d}</td>"
                   "</tr>" for i, t in enumerate(TITLES))
    return page(f"<table class=\"list\">{rows}</table>"), "http://o.gov.cn/zwgk/list.jsp?cat=7", urls


@pytest.mark.parametrize("layout", [siteserver, aspnet, dedecms, vsb_divs, flat_links, onclick_rows])
def test_main_list_found_by_structure(layout):
    html, url, paths = layout()
    reading = read_list_page(html, url)
    origin = url.split("/", 3)[:3]
    expected = ["/".join(origin) + p for p in paths]
    assert [m.url for m in reading.main_links] == expected, reading.region_summary
    assert all(m.date and m.date.startswith("2021-04-") for m in reading.main_links)
    assert all(len(m.anchor) >= 10 for m in reading.main_links)
    found = {a.url for a in reading.article_links}
    assert set(expected) <= found
    assert not [u for u in found if u.endswith(("/index.html", "/about.html", "/map.html"))]


def test_pagers_of_the_layouts():
    assert read_list_page(*siteserver()[:2]).pagination.urls == ["http://s.gov.cn/channels/12_2.html",
                                                                "http://s.gov.cn/channels/12_3.html"]
    assert read_list_page(*aspnet()[:2]).pagination.postback == ("AspNetPager1", "2")
    assert read_list_page(*dedecms()[:2]).pagination.urls == ["http://d.gov.cn/a/news/list_7_2.html"]
    assert read_list_page(*vsb_divs()[:2]).pagination.urls == ["http://v.edu.cn/xwzx/tzgg/2.htm",
                                                              "http://v.edu.cn/xwzx/tzgg/9.htm"]


def test_flat_list_with_dates_before_the_links_gets_each_items_own_date():
    urls = [f"/html/notice/{20210400 + 20 - i}/{77 + i}.shtml" for i in range(10)]
    rows = "".join(f'<font color="#999">[2021-04-{20 - i:02d}]</font>&nbsp;<a href="{u}">{t}</a><br/>'
                   for i, (u, t) in enumerate(zip(urls, TITLES)))
    reading = read_list_page(page(f'<td class="content">{rows}</td>'), "http://f.gov.cn/html/notice/index.shtml")
    assert [m.date for m in reading.main_links] == [f"2021-04-{20 - i:02d}" for i in range(10)]


def test_photo_list_with_short_captions_is_a_list_when_it_links_an_article_family():
    captions = ["学生宿舍", "图书馆", "秋高气爽", "丹桂飘香", "实训中心", "运动会"]
    urls = [f"/html/909/2019-03-0{i + 1}/content-{3636 + i * 3}.html" for i in range(6)]
    rows = "".join(f'<li><a href="{u}"><img src="/p/{i}.jpg" alt="{c}"></a><p><a href="{u}">{c}</a></p></li>'
                   for i, (u, c) in enumerate(zip(urls, captions)))
    reading = read_list_page(page(f'<div class="pics"><ul>{rows}</ul></div>'), "http://w.edu.cn/html/909/index.html")
    assert [m.url for m in reading.main_links] == [f"http://w.edu.cn{u}" for u in urls]
    assert [m.anchor for m in reading.main_links] == captions


def test_card_links_are_titled_by_their_heading_and_dated_by_their_date_tile():
    # A newer VSB template: the link wraps a card of a date tile (day-month large, year small), a
    # heading and a summary that names other days (a 磋商时间, a deadline).
    urls = [f"/info/1065/{10942 - i * 10}.htm" for i in range(10)]
    rows = "".join(f'<li><a href="..{u}" title="{t}"><div class="text-ldata"><div><p>{11 - i // 5:02d}/{20 - i:02d}</p>'
                   f'<span>2024</span></div></div><div class="text-linfo"><h3>{t}</h3><p>现将有关事项公告如下：'
                   f'磋商时间：2024年12月{i + 1}日13：30，地点另行通知。</p></div></a></li>'
                   for i, (u, t) in enumerate(zip(urls, TITLES)))
    reading = read_list_page(page(f'<div class="text-list"><ul>{rows}</ul></div>'), "http://x.edu.cn/xwzx/tzgg.htm")
    assert [m.url for m in reading.main_links] == [f"http://x.edu.cn{u}" for u in urls]
    assert [m.anchor for m in reading.main_links] == TITLES
    assert [m.date for m in reading.main_links] == [f"2024-{11 - i // 5:02d}-{20 - i:02d}" for i in range(10)]


@pytest.mark.parametrize(("text", "expected"), [
    ("11/06 2024 关于校服采购的成交结果公告", "2024-11-06"),        # month-day, then the year
    ("2024 11-06 关于校服采购的成交结果公告", "2024-11-06"),        # the year, then month-day
    ("06 2024-11 关于校服采购的成交结果公告", "2024-11-06"),        # the day, then year-month
    ("2024.11 06 关于校服采购的成交结果公告", "2024-11-06"),        # year-month, then the day
    ("11/062024 关于校服采购的成交结果公告", "2024-11-06"),         # elements written without a space
    ("062024-11 关于校服采购的成交结果公告", "2024-11-06"),
    ("11-06 2023年度部门预算公开", None),                            # a title's year is not the tile's
    ("2024-11-06 关于校服采购的成交结果公告", "2024-11-06"),        # a whole date is read as before
    ("[11-06] 磋商时间：2024年11月5日13：30", None),                 # the list's day is not the summary's
    ("[11-05] 磋商时间：2024年11月5日13：30", "2024-11-05"),         # ... unless it is the same day
    ("第1-2期 2024-05-06", "2024-05-06"),                            # a range of issues is not a month-day
    ("07.03 | 时间约束的极早检测 2024-07-01", "2024-07-01"),            # a talk's day in the title; the list's own date apart
    ("再见吧灰霾成都站视频 16-05-03", "2016-05-03"),                  # DedeCMS's y-m-d
    ("旧闻回顾 98.05.03", "1998-05-03"),
    ("发布于 16-05-03 12:30", "2016-05-03"),
    ("编号 16-05-033", None),                                         # not a date: a longer number
])
def test_the_date_a_record_shows(text, expected):
    from crawler.listing.record_dates import shown_date

    assert shown_date(text) == expected


def test_a_list_showing_month_days_takes_the_year_from_urls_that_agree():
    # TRS lists print 10-19 beside each title; the file name dates the same day (t20171019_…)
    days = [19, 19, 18, 16, 16, 11, 11, 10, 9, 9]
    urls = [f"./201710/t201710{d:02d}_{398276 - i}.html" for i, d in enumerate(days)]
    rows = "".join(f'<tr><td><a href="{u}">{t}</a></td><td><span>10-{d:02d}</span></td></tr>'
                   for u, t, d in zip(urls, TITLES, days))
    reading = read_list_page(page(f'<table class="list">{rows}</table>'), "http://z.gov.cn/zwgk/zhxx/index.html")
    assert [m.date for m in reading.main_links] == [f"2017-10-{d:02d}" for d in days]


@pytest.mark.parametrize(("text", "url", "expected"), [
    ("10-19", "http://z.gov.cn/zwgk/201710/t20171019_398276.html", "2017-10-19"),
    ("10月19日", "http://z.gov.cn/c/2017-10-19/6821.html", "2017-10-19"),
    ("10-19", "http://z.gov.cn/zwgk/201710/398276.html", "2017-10-19"),       # the month folder and the day shown
    ("10-19", "http://z.gov.cn/zwgk/t20171018_398276.html", None),            # another day: no date beats a wrong one
    ("10-19", "http://z.gov.cn/zwgk/201710/t20171018_398276.html", "2017-10-19"),  # made the day before, same month
    ("10-19", "http://z.gov.cn/zwgk/201709/398276.html", None),
    ("", "http://z.gov.cn/zwgk/201710/t20171019_398276.html", None),          # a URL alone is not a date the list shows
])
def test_a_month_day_and_its_urls_date(text, url, expected):
    from crawler.listing.record_dates import year_from_url

    assert year_from_url(text, url) == expected


def test_a_read_more_bar_with_a_counter_is_not_the_cards_title():
    # EmpireCMS card: heading, date, summary, then a bar "评论：0 阅读全文" holding the only link
    urls = [f"/news/hydt/2013-0{i + 1}-08/{56 + i}.html" for i in range(6)]
    cards = "".join(f'<div class="trends"><h2 title="{t}">{t}</h2><div class="pic"><p>admin，2013-0{i + 1}-08 11:37:36</p></div>'
                    f'<div class="text">在行动之前先思考，这是一段摘要文字。</div><div class="reading"><div class="hd">'
                    f'<span class="fr">评论：0</span><b><a href="{u}">阅读全文</a></b></div></div></div>'
                    for i, (u, t) in enumerate(zip(urls, TITLES)))
    reading = read_list_page(page(f'<div class="main">{cards}</div>'), "http://w.com.cn/news/hydt/")
    assert [m.url for m in reading.main_links] == [f"http://w.com.cn{u}" for u in urls]
    assert [m.anchor for m in reading.main_links] == TITLES[:6]


@pytest.mark.parametrize(("caption", "names_nothing"), [
    ("评论：0 阅读全文", True), ("阅读(12) 更多", True), ("浏览次数：35", True),
    ("运动会", False), ("关志忱", False), ("学生宿舍 查看", False), ("点击：5 关于做好春耕的通知", False),
])
def test_a_caption_of_counters_and_actions_names_nothing(caption, names_nothing):
    from crawler.listing.links import _names_nothing

    assert _names_nothing(caption) is names_nothing


ESSAYS = ["为你而行", "距离产生美", "最好的结局", "重新开始", "有爱的打工", "打工之路"]


def test_short_titled_cards_with_a_teaser_each_are_a_list():
    # a DedeCMS 征文 column: a word for a title, the author, two lines of the essay, 阅读全文; no dates
    # ids of two families (digits and letters, digits only): no article-naming family to lean on
    urls = [f"/zhengwen/{i}.html" for i in ("0H43442014", "06292932014", "062H202014", "05292162014", "052R152014",
                                             "052R142014")]
    cards = "".join(f'<li><h4 class="zw-title"><a href="{u}">{t}</a></h4><div class="pad">作者: <a href="{u}"><b>作者{i}</b></a>'
                    f'</div><div class="zw-pco"><p>我们生活在大千世界，每个人都是在为自己而行，前行路上有平坦、有艰辛。</p></div>'
                    f'<p class="more"><a href="{u}">阅读全文&gt;&gt;</a></p></li>' for i, (u, t) in enumerate(zip(urls, ESSAYS)))
    menu = "".join(f'<li><a href="/{c}/">{c}</a></li>' for c in ("zhengwen", "gongzuo", "hefei", "shanghai"))
    reading = read_list_page(page(f'<ul class="nav">{menu}</ul><ul class="essays">{cards}</ul>'),
                             "http://d.com/zhengwen/")
    assert [m.url for m in reading.main_links] == [f"http://d.com{u}" for u in urls]
    assert [m.anchor for m in reading.main_links] == ESSAYS


def test_paragraphs_each_with_a_link_inside_a_sentence_are_not_teaser_cards():
    paragraphs = "".join(f'<p>据了解，{t}是本地企业的一项重要业务，详见<a href="/item/{i}.html">{t}</a>的介绍，欢迎咨询。</p>'
                         for i, t in enumerate(ESSAYS))
    reading = read_list_page(page(f'<div class="article">{paragraphs}</div>'), "http://d.com/news/2013/110.html")
    assert not [m for m in reading.main_links if "/item/" in m.url]


def test_an_e_paper_section_dates_its_articles_by_the_issue_both_paths_name():
    urls = [f"content_{52014 + 2 * i}.htm" for i in range(6)]
    rows = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in zip(urls, TITLES))
    other = '<li><a href="../21/content_51990.htm">昨日要闻：某某市召开全市经济工作会议</a></li>'  # another issue's
    reading = read_list_page(page(f'<ul class="list01">{rows}{other}</ul>'), "http://paper.cn/html/2017-07/22/node_2.htm")
    dates = {m.url.rsplit("/", 3)[-2] + "/" + m.url.rsplit("/", 1)[-1]: m.date for m in reading.main_links}
    assert [dates[f"22/{u}"] for u in urls] == ["2017-07-22"] * 6
    assert dates["21/content_51990.htm"] is None
    # an undated column page names no issue: its links stay undated
    plain = read_list_page(page(f'<ul class="list01">{rows}</ul>'), "http://paper.cn/html/node_2.htm")
    assert {m.date for m in plain.main_links} == {None}


@pytest.mark.parametrize(("page_url", "url", "expected"), [
    ("http://p.cn/html/2017-07/22/node_2.htm", "http://p.cn/html/2017-07/22/content_1.htm", "2017-07-22"),
    ("http://p.cn/paper/20170722/node_2.htm", "http://p.cn/paper/20170722/content_1.htm", "2017-07-22"),
    ("http://p.cn/html/2017-07/22/node_2.htm", "http://p.cn/html/2017-07/21/content_1.htm", None),
    ("http://p.cn/zwgk/index.html", "http://p.cn/zwgk/201707/t20170722_1.html", None),  # the page has no day
])
def test_the_issue_date_two_paths_share(page_url, url, expected):
    from crawler.listing.record_dates import issue_date

    assert issue_date(page_url, url) == expected


def test_a_date_cell_inside_the_link_dates_the_record_and_leaves_its_title():
    # <a><p><span>date</span>title</p></a>: the text runs 2019-05-052019光伏…, and a title may name a day of its own
    dates = ["2019-05-16", "2019-05-16", "2019-05-05", "2019-05-05", "2019-04-19", "2019-04-19"]
    titles = ["2019光伏补贴政策红头文件正式公布！", "国家能源局正式下发2019年光伏发电项目国家补贴竞价结果",
              "2019光伏补贴新政策 2019年7月1日起执行", "湖南公布第二批省级分布式光伏补贴项目名单（154个）",
              "国家统计局：3月太阳能发电增长12.9% 加快9.1个百分点", "太阳能发电原理，取之不尽用之不绝"]
    rows = "".join(f'<li><a href="/news/{60 - i}.html"><p><span>{d}</span>{t} </p></a></li>'
                   for i, (d, t) in enumerate(zip(dates, titles)))
    reading = read_list_page(page(f'<ul class="newslist">{rows}</ul>'), "http://h.com/news/hydt/")
    assert [(m.anchor, m.date) for m in reading.main_links] == list(zip(titles, dates))


def test_the_lists_date_cell_beats_a_date_its_summary_names():
    rows = "".join(f'<li><a href="2020-04-{13 + i}/{5136 + i}.html">{t}</a><p>（民发〔2012〕124号  2012年7月10日）'
                   f'各省、自治区、直辖市民政厅（局）：根据有关规定…<a href="2020-04-{13 + i}/{5136 + i}.html">[详情]</a></p>'
                   f'<span id="time">2020-04-{13 + i}</span></li>' for i, t in enumerate(TITLES[:5]))
    reading = read_list_page(page(f'<ul class="list">{rows}</ul>'), "http://f.org.cn/tzgg/index.html")
    assert [m.date for m in reading.main_links] == [f"2020-04-{13 + i}" for i in range(5)]


def test_links_with_nothing_to_read_are_named_by_their_cards_heading():
    # a thumbnail without alt and an empty <a class="more">: the card's <h4> names the article
    urls = [f"/a/gongsixinwen/20151022/{59 - i}.html" for i in range(6)]
    cards = "".join(f'<li><div class="pic"><a href="{u}"><img src="/uploads/{i}-L.png"/></a></div><div class="txt">'
                    f'<h4><b>{t}</b></h4><p>习近平说，当前，中国经济运行总体平稳。</p><a href="{u}" class="more"></a></div></li>'
                    for i, (u, t) in enumerate(zip(urls, TITLES)))
    reading = read_list_page(page(f'<ul class="newslist">{cards}</ul>'), "http://y.com/a/gongsixinwen/")
    assert [(m.url, m.anchor) for m in reading.main_links] == [(f"http://y.com{u}", t) for u, t in zip(urls, TITLES)]


def test_a_footers_badges_are_not_named_by_its_copyright_line():
    badges = "".join(f'<a href="http://beian{i}.example.cn/"><img src="/b{i}.png"></a>' for i in range(3))
    footer = f'<table><tr><td>版权所有：某某大学 地址：某某路3号 (晋)ICP备05000467号 {badges}</td></tr></table>'
    reading = read_list_page(page(footer), "http://n.edu.cn/info/1094/2344.htm")
    assert not [m for m in reading.main_links if "beian" in m.url]


def test_three_links_to_one_address_are_not_a_list():
    # an EmpireCMS column of two items; its footer links 版权所有, the site's address and ICP备 to the home page
    items = "".join(f"<li><a href='/ecms/xyzx/2016-10-05/{20 + 3 * i}.html'>行业资讯{i}</a><span class='date'>2016-10-05</span></li>"
                    for i in range(2))
    footer = ('<li class="end-title"><a href="/ecms">Copyright@广东奎创科技发展有限公司</a><a href="/ecms">&nbsp;www.kuic.com.cn</a>'
              '<a href="/ecms">&nbsp;粤ICP备11013686号</a></li>')
    html = f"<html><body><ul class='txtList'>{items}</ul><ul>{footer}</ul></body></html>"
    reading = read_list_page(html, "http://k.com/ecms/xyzx/")
    assert not [m for m in reading.main_links if m.url == "http://k.com/ecms"]


def test_a_record_filed_beside_the_others_under_another_id_form_is_an_article():
    # DedeCMS custom names: most ids mix digits and letters, one is digits only; all six are the column's
    ids = ("0H43442014", "06292932014", "062H202014", "052R162014", "052R152014", "052R142014")
    rows = "".join(f'<li><a href="/zhengwen/{i}.html">{t}</a><span>2014-07-2{n}</span></li>'
                   for n, (i, t) in enumerate(zip(ids, TITLES)))
    pinned = '<li><a href="/zhengwen/index.html">【专题】征文活动</a><span>2014-07-28</span></li>'
    reading = read_list_page(page(f'<ul class="list">{rows}{pinned}</ul>'), "http://d.com/zhengwen/")
    article_urls = {a.url for a in reading.article_links}
    assert {f"http://d.com/zhengwen/{i}.html" for i in ids} <= article_urls
    assert "http://d.com/zhengwen/index.html" not in article_urls  # a column page pinned into the list
