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
