"""Anchor-aware titles: the list page's link text picks the headline when the page's own title is
the site's or a column's name (realsites-dev: fj_snpo, zjg_ggzy, js_price_assoc), and is never
returned blindly."""
from __future__ import annotations

import pytest

from crawler.extraction import extract_page
from crawler.extraction.title import anchor_key, matches_anchor

HEADLINE = "关于福建慈善成果展准备工作的通知"
BODY = ("<p>各有关单位：为做好福建慈善成果展准备工作，现将有关事项通知如下，请各单位认真组织，按时报送展品和材料。</p>"
        "<p>一、展览时间和地点。展览定于九月在福州举办，具体时间另行通知，请各单位提前做好准备工作。</p>")
MENU = "".join(f'<li><a href="/c{i}/">栏目{i}</a></li>' for i in range(8))


def site_page(headline_html: str, title_tag: str = "福建信息网-福建民间组织信息网") -> str:
    return f"""<html><head><title>{title_tag}</title></head><body><ul class="menu">{MENU}</ul>
<div class="logo"><h2>福建民间组织信息网</h2></div>
<div class="main">{headline_html}<p>发布时间：2020-08-18</p>{BODY}</div></body></html>"""


def test_site_name_title_gives_way_to_the_headline_matching_the_anchor():
    html = site_page(f'<p align="center" style="font-size:24px">{HEADLINE}</p>')
    assert extract_page(html).title == "福建民间组织信息网"  # without the hint: the site's name
    got = extract_page(html, anchor=HEADLINE)
    assert got.title == HEADLINE
    assert "各有关单位" in got.text


def test_the_headline_not_the_block_holding_it_and_its_info_bar():
    # <div><p>headline</p><div>时间：… 来源：</div><p><img></p></div>: the block matches the anchor too
    html = site_page(f'<div class="news-list1"><p align="center">{HEADLINE}</p>'
                     '<div align="center">时间：2020-08-18 17:36:52&nbsp;&nbsp;来源：</div><p><img src="/a.jpg"></p></div>')
    assert extract_page(html, anchor=HEADLINE).title == HEADLINE
    # of two headlines, the one written as the list wrote it
    html = site_page("<div><p>江苏省价格条例</p><p>《江苏省价格条例》</p></div>")
    assert extract_page(html, anchor="《江苏省价格条例》").title == "《江苏省价格条例》"


def test_anchor_cut_with_an_ellipsis_and_a_list_bullet():
    html = site_page(f"<h3>{HEADLINE}</h3>")
    assert extract_page(html, anchor="• 关于福建慈善成果展准备…").title == HEADLINE
    assert extract_page(html, anchor="关于福建慈善成果展准备...").title == HEADLINE


def test_a_link_with_the_anchor_text_is_not_the_headline():
    # a sidebar linking to a page with the list's wording is not this page's headline
    html = site_page(f'<h1>社会组织机构职能介绍</h1><div class="side"><a href="/x.html">{HEADLINE}</a></div>',
                     title_tag="社会组织机构职能介绍_福建民间组织信息网")
    assert extract_page(html, anchor=HEADLINE).title == "社会组织机构职能介绍"


def test_anchor_is_the_fallback_only_when_the_title_is_plainly_the_site_name():
    no_headline = site_page("")
    assert extract_page(no_headline, anchor=HEADLINE).title == HEADLINE  # title = the <title>'s site part
    own = site_page("<h1>中国福利彩票发行管理中心领导简介</h1>", title_tag="领导简介_中国福彩网")
    # the list said 领导介绍; the page shows a headline of its own and it stays
    assert extract_page(own, anchor="领导介绍").title == "中国福利彩票发行管理中心领导简介"


def test_matching_title_is_kept_without_looking_further():
    html = site_page(f"<h1>{HEADLINE}</h1>", title_tag=f"{HEADLINE}_福建民间组织信息网")
    assert extract_page(html, anchor=HEADLINE).title == HEADLINE
    assert extract_page(html, anchor=None).title == HEADLINE
    assert extract_page(html, anchor="   ").title == HEADLINE


@pytest.mark.parametrize("text, anchor, expected", [
    (HEADLINE, HEADLINE, True),
    (HEADLINE, f"• {HEADLINE}", True),
    (HEADLINE, "关于福建慈善成果展…", True),
    (HEADLINE, "关于福建慈善成果展准备工作", True),   # cut at a fixed width, no mark, long enough
    (HEADLINE, "关于福建", False),                    # too short to trust without a mark
    ("福建民间组织信息网", HEADLINE, False),
    ("关于福建慈善成果展", HEADLINE, False),            # the anchor is longer than the text
])
def test_matches_anchor(text, anchor, expected):
    assert matches_anchor(text, anchor_key(anchor)) is expected
