"""Which candidate list is the page's own when the best-scored one is not: an e-paper page's image map
names its articles, and a list leaving the site loses to one of the site's own pages."""
from __future__ import annotations

from crawler.listing import read_list_page

PAGE = "http://paper.example.cn/html/2017-07/22/node_2.htm"
OWN = ["铭记光辉历史 传承红色基因 为把人民军队建设成为世界一流军队而不懈奋斗", "重庆：坚定不移深化政治巡视",
       "上海：对标规则加强自我监督", "这则通报有深意，当引以为鉴举一反三", "百余家中央部门集中晒“花钱清单”",
       "江苏：推动巡视工作向纵深发展", "中国证监会原党委委员严重违纪被开除党籍和公职"]
ELSEWHERE = ["管好身边人 严防“灯下黑”", "昆明：严格日常管理 规范监督执纪", "完善条例 巡视再出发",
             "对胆敢向扶贫物资动心思的严惩不贷", "讷于言 勿怯言", "多走出办公室接接地气"]


def epaper(with_map: bool = True) -> str:
    """A Founder 版面 page: the page image's map and list name this page's 7 articles; a 今日关注 box beside
    them shows 4 of those and 6 from the issue's other pages, in one table per row (so it has more rows)."""
    own = [(52014 + i, t) for i, t in enumerate(OWN)]
    others = [(52022 + 3 * i, t) for i, t in enumerate(ELSEWHERE)]
    areas = "".join(f'<area shape="rect" coords="0,{i * 40},300,{i * 40 + 30}" href="content_{n}.htm?div=0">'
                    for i, (n, _) in enumerate(own))
    items = "".join(f'<li><a href="content_{n}.htm?div=-1"><div id="mp{n}">{t}</div></a></li>' for n, t in own)
    box = "".join(f'<table><tr><td class="px12"><a href="content_{n}.htm?div=-1">{t}</a></td></tr></table>'
                  for n, t in own[:4] + others)
    image_map = f'<img src="page.jpg" usemap="#pagepicmap"><map name="pagepicmap">{areas}</map>' if with_map else ""
    return (f"<html><head><meta charset='utf-8'><title>中国纪检监察报</title></head><body>"
            f"<div class='pager'><a href='node_1.htm'>第01版：要闻</a> <a href='node_3.htm'>第03版：综合</a></div>"
            f"<table><tr><td>{image_map}</td><td><ul class='list01'>{items}</ul></td></tr></table>"
            f"<table><tr><td class='bm06'>今日关注</td></tr><tr><td><div class='bm07'>{box}</div></td></tr></table>"
            f"</body></html>")


def titles(html: str, url: str = PAGE) -> list[str]:
    return [m.anchor for m in read_list_page(html, url).main_links]


def test_the_image_map_names_the_pages_own_list_over_a_longer_box_of_highlights():
    assert titles(epaper(with_map=False)) != OWN          # the box of 10 rows outscores the list of 7
    assert titles(epaper()) == OWN


def test_a_list_of_other_sites_pages_loses_to_one_of_the_sites_own():
    own = ["花香春意浓", "春到田间", "冰雪之约", "古镇新颜"]
    about = ["科技日报", "历史沿革", "机构设置", "记者站", "人才招聘", "法律声明", "报纸订阅", "广告合作", "联系我们", "常见问题"]
    items = "".join(f'<li><a href="content_{548659 + i}.htm">{t}</a></li>' for i, t in enumerate(own))
    footer = " | ".join(f'<span class="info"><a href="http://www.stdaily.com/kjrb/content/2009-05/31/content_{64670 + i}.htm">'
                        f'{t}</a></span>' for i, t in enumerate(about))
    html = (f"<html><head><meta charset='utf-8'><title>科技日报</title></head><body><ul class='list'>{items}</ul>"
            f"<div class='foot'>{footer}</div></body></html>")
    # a mirror (or a paper on a domain of its own) whose footer links the publisher's corporate site
    assert titles(html, "http://epaper.example.cn/kjrb/html/2023-02/10/node_9.htm") == own


def test_a_list_filed_under_the_columns_directory_beats_a_better_scored_one_elsewhere():
    # a DedeCMS column of cards (heading + summary + [详细]) beside a sidebar box of another column,
    # whose longer titles score it higher
    cards = "".join(f'<div class="list1"><h1><a href="/hmy/by/{n}.html">{t}</a></h1><p>{t}的原因有很多，要看具体情况…'
                    f'<a href="/hmy/by/{n}.html">[详细]</a></p></div>'
                    for n, t in ((31, "常年膝关节疼痛的原因何在？专家解答"), (46, "穿的太少也会引发膝关节滑膜炎"),
                                 (51, "膝盖积水了怎么办？骨科专家有话说"), (54, "关节弹响是怎么回事？要不要治疗"),
                                 (56, "骨质增生的早期信号有哪些？早知道")))
    box = "".join(f'<dt><span>{i}</span><a href="/tslf/{370 + i}.html">净骨疗法体系的第{i}项康复工程与核心理念</a></dt>'
                  for i in range(1, 6))
    html = (f"<html><head><meta charset='utf-8'><title>膝关节</title></head><body><div class='list'>{cards}</div>"
            f"<div id='list_right_con4'><dl>{box}</dl></div></body></html>")
    got = [m.url for m in read_list_page(html, "http://h.example.com/hmy/by/index.html").main_links]
    assert got == [f"http://h.example.com/hmy/by/{n}.html" for n in (31, 46, 51, 54, 56)]


CRUMB = "<div class='location'>当前位置：<a href='/'>首页</a> &gt; <a href='/djgz/djdt/'>党建动态</a></div>"
HOT = ("<div class='side'><h3>一周热点排行</h3><ul>" + "".join(
    f"<li><span>{i}</span><a href='/c/2020-12-0{i % 9 + 1}/47{i:04d}.html'>国际志愿者日福彩志愿心奉献温暖爱第{i}期</a></li>"
    for i in range(1, 11)) + "</ul></div>")


def _column(items: int) -> str:
    return "<ul class='list-group'>" + "".join(
        f"<li><a href='/art/2020/{m}/15/art_12_{5000 + m}.html'>福彩系统党支部开展第{m}次主题党日活动</a>"
        f"<span>2020-{m:02d}-15</span></li>" for m in range(1, items + 1)) + "</ul>"


def test_the_first_list_after_the_breadcrumb_is_the_column_over_a_longer_sidebar():
    """cwl_lottery's 党建动态 cut to four items: the right sidebar's ten 热点排行 rows outscored the column
    (its rows then were the column's anchors and profile; with another URL shape, its items were lost)."""
    url = "http://www.example.cn/djgz/djdt/index.html"
    html = f"<html><body>{CRUMB}<div class='content'>{_column(4)}</div>{HOT}</body></html>"
    reading = read_list_page(html, url)
    assert [m.url for m in reading.main_links] == [
        f"http://www.example.cn/art/2020/{m}/15/art_12_{5000 + m}.html" for m in range(1, 5)]
    assert {a.url for a in reading.article_links} >= {m.url for m in reading.main_links}
    # without a breadcrumb the longer list wins, as before: the column's items are then not even fetched
    sidebar = read_list_page(html.replace(CRUMB, ""), url)
    assert len(sidebar.main_links) == 10 and not any("/art/" in a.url for a in sidebar.article_links)


def test_a_short_box_after_the_breadcrumb_does_not_outrank_the_column_below_it():
    # three 置顶 items right under the breadcrumb, then the column's twenty: a box scoring under half
    url = "http://www.example.cn/djgz/djdt/index.html"
    pinned = "<ul class='top'>" + "".join(
        f"<li><a href='/zt/{i}.html'>专题：学习贯彻党的二十大精神第{i}讲</a></li>" for i in range(3)) + "</ul>"
    reading = read_list_page(f"<html><body>{CRUMB}{pinned}{_column(12)}{HOT}</body></html>", url)
    assert len(reading.main_links) == 12 and "/art/2020/" in reading.main_links[0].url


def test_a_hubs_boxes_after_the_breadcrumb_are_not_its_list():
    """cicpa's 国际交流 hub: a box per sub-column (its link over its list) comes first after the
    breadcrumb, but a block holding another candidate list is not a list of items."""
    url = "http://www.example.cn/ztzl/gjjl/index.html"
    boxes = "".join(
        f"<div class='box'><a href='/ztzl/gjjl/sub{b}/'>国际交流子栏目名称第{b}个栏目</a><span>2021-04-2{b}</span>"
        + ("<ul>" + "".join(f"<li><a href='/ztzl/gjjl/sub{b}/202104/t2021042{b}_6{b}{i}00.html'>国际会计师联合会发布"
                            f"第{i}号征求意见稿</a><span>2021-04-2{b}</span></li>" for i in range(5)) + "</ul>"
           if b == 0 else "") + "</div>" for b in range(5))
    reading = read_list_page(f"<html><body>{CRUMB}<div class='main'>{boxes}</div></body></html>", url)
    assert len(reading.main_links) == 5 and all("/202104/" in m.url for m in reading.main_links)
