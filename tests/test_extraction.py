"""Unit tests for crawler.extraction: dates, disclosure tables, boilerplate, attachments, decoding, scoring."""
from __future__ import annotations

import io
import zipfile

import pytest

from crawler.extraction import ExtractedPage, attachment_text, decode_html, extract_page, normalise_date
from crawler.extraction.decode import whole_document
from crawler.extraction.scoring import prf, title_match, tokenize

PARA1 = "初夏，田畴绿浓，脱贫后的三湘大地生机盎然。脱贫摘帽不是终点，而是新生活新奋斗的起点，三湘儿女从百年党史中厚植为民情怀，汲取奋进力量，自觉扛起责任使命。"
PARA2 = "在脱贫攻坚取得全面胜利后，湖南传承脱贫攻坚精神，全省围绕不发生规模性返贫和衔接工作平稳有序推进目标，将百姓生活中的小事当成日常工作中的大事，不断巩固拓展脱贫攻坚成果。"
PARA3 = "湖南结合党史学习教育和全省实际，制定优化帮扶政策，推动脱贫地区乡村特色产业提质发展，完善产业发展工作机制，注重产业后续长期培育，论证确定了一批重点项目。"
BODY = f"<p>{PARA1}</p><p>{PARA2}</p><p>{PARA3}</p>"
TITLE = "汲取奋进力量 推进乡村振兴——湖南高标准高质量推进党史学习教育综述"


def page(body: str, title: str = TITLE + "_永州市乡村振兴局") -> str:
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


# --- dates -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, iso", [
    ("2021年6月7日", "2021-06-07"),
    ("2021年06月07日 14:28", "2021-06-07"),
    ("2021-06-07 14:28", "2021-06-07"),
    ("2021-06-07 14:28:33", "2021-06-07"),
    ("2021/6/7", "2021-06-07"),
    ("2021.06.07", "2021-06-07"),
    ("20210607", "2021-06-07"),
    ("二〇二一年六月七日", "2021-06-07"),
    ("二〇二一年十二月三十一日", "2021-12-31"),
    ("二○二○年十月二十日", "2020-10-20"),
    ("２０２１年６月７日", "2021-06-07"),
    ("发布时间：2020-09-16 03:40:44", "2020-09-16"),
    ("发文日期： 2021 年 6 月 7 日", "2021-06-07"),
    ("2021-13-01", None),
    ("2021-02-30", None),
    ("", None),
    (None, None),
    ("浏览次数：123", None),
])
def test_normalise_date(raw, iso):
    assert normalise_date(raw) == iso


# --- disclosure tables and labelled lines -----------------------------------------------------------

TABLE_CELLS = """
<table class="xxgk">
 <tr><td>索引号：</td><td>430000/2021-00871</td><td>分类：</td><td>党建动态</td></tr>
 <tr><td>发文机关：</td><td>市乡村振兴局</td><td>成文日期：</td><td>2021年06月05日</td></tr>
 <tr><td>发文日期：</td><td>2021-06-07</td><td>主题词：</td><td>乡村振兴</td></tr>
 <tr><td>名称：</td><td colspan="3">{title}</td></tr>
 <tr><td>文号：</td><td>永乡振发〔2021〕3号</td><td>有效性：</td><td>有效</td></tr>
</table>"""
TABLE_NO_COLON = """
<table><tr><th>索引号</th><td>430000/2021-00871</td><th>分类</th><td>党建动态</td></tr>
<tr><th>发文机关</th><td>市乡村振兴局</td><th>发文日期</th><td>2021年6月7日</td></tr>
<tr><th>文 号</th><td>永乡振发〔2021〕3号</td><th>成文日期</th><td>2021年6月5日</td></tr></table>"""
SAME_CELL = """
<table><tr><td>索引号：430000/2021-00871</td><td>分类：党建动态</td></tr>
<tr><td>发文机关：市乡村振兴局</td><td>发文日期：2021-06-07</td></tr>
<tr><td>文&nbsp;&nbsp;号：永乡振发〔2021〕3号</td><td>成文日期：2021-06-05</td></tr></table>"""
DEF_LIST = """
<dl><dt>索引号:</dt><dd>430000/2021-00871</dd><dt>分类:</dt><dd>党建动态</dd>
<dt>发文机关:</dt><dd>市乡村振兴局</dd><dt>发文日期:</dt><dd>2021-06-07</dd>
<dt>文号:</dt><dd>永乡振发〔2021〕3号</dd><dt>成文日期:</dt><dd>2021-06-05</dd></dl>"""
LINES = """
<div class="info"><p>索引号: 430000/2021-00871 &nbsp; 分类: 党建动态</p>
<p>发文机关： 市乡村振兴局　发文日期：2021-06-07</p>
<p>文 号 ：永乡振发〔2021〕3号 &nbsp;&nbsp; 成文日期 ：2021-06-05</p></div>"""

# Fujian's TRS box: each label ends its source line, its value an inline element on the next (a browser
# shows them on one line); a 分类： followed by links on their own lines is a menu, not a value.
VALUE_BELOW = """
<ul class="index_box"><li>
    索引号：
       <font>430000/2021-00871</font>
    </li><li>主题分类：
       <font>党建动态</font></li>
<li>发文机关：

       <font>市乡村振兴局</font>
  </li><li>发文日期：2021-06-07</li><li>文&ensp;&ensp;号：
       <em>永乡振发〔2021〕3号</em></li><li>成文日期：
 <span>2021-06-05</span></li></ul>
<div>栏目：
   <a href="/a.html">乡村振兴</a>
   <a href="/b.html">政策文件</a></div>"""


@pytest.mark.parametrize("table", [TABLE_CELLS, TABLE_NO_COLON, SAME_CELL, DEF_LIST, LINES, VALUE_BELOW],
                         ids=["cells", "cells-no-colon", "same-cell", "dl", "lines", "value-below"])
def test_disclosure_table_forms(table):
    html = page(table.format(title=TITLE) + f"<h1>{TITLE}</h1>" + BODY)
    p = extract_page(html, "http://www.yzcity.gov.cn/xczx/c1/content_1.html")
    assert p.index_no == "430000/2021-00871"
    assert p.category == "党建动态"
    assert p.publisher == "市乡村振兴局"
    assert p.doc_no == "永乡振发〔2021〕3号"
    assert p.date == "2021-06-07"          # 发文日期 beats 成文日期
    assert normalise_date(p.metadata["成文日期"]) == "2021-06-05"
    assert p.title == TITLE
    # metadata rows are not body text
    for label in ("索引号", "发文机关", "文号", "成文日期"):
        assert label not in p.text
    assert PARA1 in p.text and PARA3 in p.text


def test_full_metadata_table_keeps_every_label():
    p = extract_page(page(TABLE_CELLS.format(title=TITLE) + f"<h1>{TITLE}</h1>" + BODY))
    assert p.metadata["主题词"] == "乡村振兴"
    assert p.metadata["名称"] == TITLE
    assert p.metadata["有效性"] == "有效"


def test_news_info_bar():
    html = page(f"""<h1>{TITLE}</h1>
      <div class="info">来源：湖南日报 &nbsp; 作者：向汝莲 &nbsp; 发布时间：2021-03-15 14:28 【字体：大 中 小】 打印</div>
      {BODY}<p>责任编辑：李四</p>""", title=TITLE)
    p = extract_page(html)
    assert (p.source, p.author, p.date) == ("湖南日报", "向汝莲", "2021-03-15")
    assert p.metadata["责任编辑"] == "李四"
    assert "责任编辑" not in p.text and "字体" not in p.text


def test_date_prefers_labelled_line_over_footer_and_related_links():
    html = page(f"""<h1>{TITLE}</h1><div class="info">发布时间：2021-06-07 10:00</div>{BODY}
      <ul class="list"><li><a href="/a.html">另一篇文章的标题在这里</a><span>2023-01-02</span></li></ul>
      <div>更新时间：2024-05-05</div>""", title=TITLE)
    assert extract_page(html).date == "2021-06-07"


def test_unlabelled_date_line_under_title():
    html = page(f"<h1>{TITLE}</h1><div class='ly'>2022年12月17日 星期六</div>{BODY}<p>2019-01-01</p>", title=TITLE)
    assert extract_page(html).date == "2022-12-17"


def test_a_title_the_parser_put_in_the_body_is_not_a_line_of_the_page():
    # junk before <html> (here a corpus's <text> wrapper; a stray tag or script does the same) makes the
    # parser put <title> in <body>; a browser still does not show it, so the headline's line is the
    # heading's, and the info bar under the heading, past the navigation, gives the date
    nav = "".join(f"<div><a href='/c{i}.html'>栏目{i}</a></div>" for i in range(12))
    html = (f"<text id='x'><html><head><title>{TITLE}</title></head><body>{nav}<h1>{TITLE}</h1>"
            f"<div>2005年4月27日 14:32更新 来源：千龙新闻网</div>{BODY}</body></html></text>")
    got = extract_page(html)
    assert (got.title, got.date, got.source) == (TITLE, "2005-04-27", "千龙新闻网")


def test_chinese_numeral_date_in_label():
    html = page(f"<h1>{TITLE}</h1><p>成文日期：二〇二一年六月七日</p>{BODY}", title=TITLE)
    assert extract_page(html).date == "2021-06-07"


# --- title -----------------------------------------------------------------------------------------

def test_title_is_heading_matching_title_tag_not_logo():
    html = page(f"<h1><a href='/'>永州市乡村振兴局</a></h1><h2>党建动态</h2><h2>{TITLE}</h2>{BODY}")
    assert extract_page(html).title == TITLE


def test_title_with_dash_variants_in_title_tag():
    html = page(f"<h1>积极因素不断增多——前4个月我国外贸向好态势进一步巩固</h1>{BODY}",
                title="积极因素不断增多-前4个月我国外贸向好态势进一步巩固-今日头条")
    assert extract_page(html).title == "积极因素不断增多——前4个月我国外贸向好态势进一步巩固"


def test_spam_mirror_title_uses_original_title():
    story = "江门七旬阿婆接来电称其涉黑被骗上百万"
    html = page(f"<h1>[某某化妆品]{story}</h1><p>原标题：{story}</p>{BODY}", title=f"[某某化妆品]{story}-富达传媒")
    assert extract_page(html).title == story


# --- boilerplate -----------------------------------------------------------------------------------

GOV_PAGE = f"""
<div class="header"><a href="/">永州市乡村振兴局</a></div>
<div class="position">您现在所在的位置 : <a href="/">首页</a> &gt; <a href="/dj/">党建动态</a></div>
<table class="xxgk_table"><tr><td>索引号:</td><td>/2021-00871</td><td>分类:</td><td></td></tr>
<tr><td>发文机关:</td><td>市乡村振兴局</td><td>发文日期:</td><td>2021-06-07</td></tr>
<tr><td>名称:</td><td>{TITLE}</td><td>文号 :</td><td>&nbsp;</td></tr></table>
<div class="article">
 <h1>{TITLE}</h1>
 <div class="info"><span>2021-06-07</span> <span>来源: 湖南省人民政府扶贫办网站</span>
   <span>【字体：<a>大</a> <a>中</a> <a>小</a>】</span> <a href="javascript:print()">打印</a></div>
 <div class="bdsharebuttonbox">分享到：<a class="bds_weixin">微信</a><a class="bds_tsina">微博</a></div>
 <div class="content">{BODY}<p>从百年党史中汲取奋进力量，三湘儿女正以苦干实干精神，共走乡村振兴新长征。（文/奉永成）</p></div>
 <div class="qr">扫一扫在手机打开当前页</div>
 <div class="gotop">回到顶部</div>
</div>
<div class="footer"><p>主办单位：永州市乡村振兴局 地址：湖南省永州市冷水滩区湘江东路166号 湘公网安备 43110302000125号</p>
<p>永州市乡村振兴局版权所有 电话：0746-8320023 网站标识码：4311000055 湘ICP备05009375号 联系我们 技术支持：开普云 网站地图</p></div>
"""

BOILERPLATE = ["您现在所在的位置", "首页", "字体", "打印", "分享到", "扫一扫", "回到顶部", "湘ICP备", "湘公网安备",
               "网站标识码", "主办单位", "技术支持", "网站地图", "索引号", "发文机关"]


def test_gov_page_boilerplate_removed_and_metadata_kept():
    p = extract_page(page(GOV_PAGE))
    for junk in BOILERPLATE:
        assert junk not in p.text, junk
    assert PARA1 in p.text and PARA2 in p.text and PARA3 in p.text
    assert p.title == TITLE
    assert p.date == "2021-06-07"
    assert p.source == "湖南省人民政府扶贫办网站"
    assert p.publisher == "市乡村振兴局"
    assert p.index_no == "/2021-00871"
    assert p.category is None and p.doc_no is None
    assert p.author == "奉永成"
    assert p.metadata["名称"] == TITLE


EPAPER = f"""
<div class="banner">第03版：要闻 <a href="p2.htm">上一版</a> 3 4 <a href="p4.htm">下一版</a></div>
<div class="nav"><h3>版面导航</h3><ul><li><a href="p1.htm">第01版：头版</a></li><li><a href="p2.htm">第02版：要闻</a></li></ul></div>
<div class="nav2"><h3>标题导航</h3></div>
<div>首页 | 版面导航 | 标题导航 |</div>
<div class="date">2022年12月17日 星期六</div>
<div class="tools"><a>上一篇</a> <a>下一篇</a> <a>放大</a> <a>缩小</a> <a>默认</a></div>
<div class="article"><h1>奏响新时代“山乡巨变”进行曲</h1><h2>——湖南高质量推动乡村振兴驻村帮扶工作</h2>
<p>湖南日报全媒体记者 周帙恒</p>{BODY}</div>
<div class="tools"><a>上一篇</a> <a>下一篇</a> <a>放大</a> <a>缩小</a> <a>默认</a></div>
<div class="copyright">© 版权所有 湖南日报报业集团<br>copyright © 2008 VOC.COM.CN, Geo Info. All Rights Reserved<br>
互联网新闻信息服务许可证：4312006003 经营许可证：湘ICP证010023 ICP备案号：湘ICP备10011883号</div>
"""


def test_epaper_navigation_removed():
    p = extract_page(page(EPAPER, title="湖南日报 - 奏响新时代“山乡巨变”进行曲"))
    for junk in ["版面导航", "标题导航", "上一版", "下一版", "上一篇", "放大", "缩小", "版权所有", "ICP"]:
        assert junk not in p.text, junk
    assert PARA1 in p.text and "记者 周帙恒" in p.text
    assert p.date == "2022-12-17"
    assert p.author == "周帙恒"
    assert p.title == "奏响新时代“山乡巨变”进行曲"


EPAPER_TABLES = f"""
<table class="top"><tr><td><img src="m.jpg"></td><td class="date">2022年12月17日 星期六</td></tr>
<tr><td colspan="2"><a href="n1.htm">首页</a> | <a href="n1.htm#a">版面导航</a> | <a href="n1.htm#b">标题导航</a></td></tr></table>
<table><tr><td class="left">
  <div>第01版：头版&nbsp;<a href="n2.htm">下一版</a></div>
  <table><tr><td>版面导航</td></tr><tr><td><a href="n1.htm">第01版：头版</a></td></tr><tr><td><a href="n2.htm">第02版：要闻</a></td></tr></table>
  <table><tr><td>标题导航</td></tr><tr><td><a href="c1.htm">奏响新时代“山乡巨变”进行曲</a></td></tr>
    <tr><td><a href="c2.htm">荒山变“金山” 油茶林里养出致富鸡</a></td></tr><tr><td><a href="c3.htm">一支“永不走的驻村工作队”</a></td></tr></table>
</td><td class="right">
  <div>上一篇 <a href="c2.htm">下一篇</a> <a>放大</a> <a>缩小</a> <a>默认</a></div>
  <table><tr><td><h1>奏响新时代“山乡巨变”进行曲</h1><div class="byline">湖南日报全媒体记者 奉永成 通讯员 唐又明</div>
  <div id="ozoom">{BODY}</div></td></tr></table>
</td></tr></table>"""


def test_epaper_table_layout_navigation_is_not_body():
    """Founder e-papers lay the page out in tables; the navigation tables are link lists, not body."""
    p = extract_page(page(EPAPER_TABLES, title="奏响新时代“山乡巨变”进行曲--湖南日报数字报"),
                     "https://epaper.example.cn/html/2022-12/17/content_1.htm")
    assert p.text == f"{PARA1}\n{PARA2}\n{PARA3}"
    assert (p.title, p.date, p.author) == ("奏响新时代“山乡巨变”进行曲", "2022-12-17", "奉永成")
    assert p.metadata["版次"] == "第01版：头版"


def test_prose_with_links_is_not_navigation():
    linked = "".join(f'<a href="/{i}.html">{PARA1[i * 10:i * 10 + 10]}</a>' for i in range(4))
    html = page(f"<h1>{TITLE}</h1><p>{linked}{PARA2}</p>{BODY}", title=TITLE)
    assert PARA2 in extract_page(html).text


def test_author_correspondents_before_editor_and_dateline_dropped():
    lead = "红网时刻7月5日讯（通讯员 罗志勇 邓和明）郴州市嘉禾县是红色革命老区。"
    html = page(f"<h1>{TITLE}</h1><p>{lead}</p>{BODY}<div>责任编辑：李四</div>", title=TITLE)
    assert extract_page(html).author == "罗志勇 邓和明"
    html = page(f"<h1>{TITLE}</h1><div>来源：新京报 作者：姚峰 上海报道</div>{BODY}", title=TITLE)
    assert extract_page(html).author == "姚峰"
    # the name written against its dateline word, in the lead
    html = page(f"<h1>{TITLE}</h1><p>记者梁爽报道　6月10日，{PARA1}</p><p>{PARA2}</p>", title=TITLE)
    assert extract_page(html).author == "梁爽"


def test_fields_in_spans_written_back_to_back_are_read_apart():
    # <span>作者：X</span><span>来源：Y</span> with no space between: the page's style sets them apart
    info = ('<span id="spe1">发布时间：2020-11-12</span><span id="spe2">浏览次数：<span id="views"></span></span>'
            '<span id="spe3">作者：药效审评处</span><span id="spe4">来源： 农业农村部农药检定所 </span>')
    got = extract_page(page(f"<h1>{TITLE}</h1>{info}{BODY}", title=TITLE))
    assert (got.author, got.source, got.date) == ("药效审评处", "农业农村部农药检定所", "2020-11-12")
    # both empty: nothing, not the next label
    empty = '<span id="spe3">作者：</span><span id="spe4">来源：  </span>'
    got = extract_page(page(f"<h1>{TITLE}</h1>{empty}{BODY}", title=TITLE))
    assert (got.author, got.source) == (None, None)


@pytest.mark.parametrize(("bar", "source"), [
    ("<p>来源：中央纪委国家监委网站 http：//www.ccdi.gov.cn/yaowen/202009/t20200922_225985.html</p>", "中央纪委国家监委网站"),
    ("<div>来源: 东方网 选稿：曾炟</div>", "东方网"),                       # a label the rules do not know
    ("<div>来源：人民网 www.people.com.cn</div>", "人民网"),
    ("<div>来源：人民网－人民日报 2021年03月15日</div>", "人民网－人民日报"),  # a date after it, as before
])
def test_a_source_ends_where_a_url_or_another_label_follows_it(bar, source):
    assert extract_page(page(f"<h1>{TITLE}</h1>{bar}{BODY}", title=TITLE)).source == source


def test_an_article_after_an_included_headers_end_tag_is_read():
    # www.gov.cn's policy pages: the included header closes the document before the article; libxml2 2.14
    # ends the document at </html>, a browser shows what follows
    header = (f"<html><head><title>{TITLE}_湖南省乡村振兴局</title></head><body><div class='nav'><a href='/'>首页</a>"
              "</div></body></html>")
    html = (f"{header}\n<!--end header--><div class='content'><h1>{TITLE}</h1><div class='info'>来源：湖南日报</div>"
            f"{BODY}</div></BODY></HTML>\n")
    got = extract_page(html)
    assert PARA2 in got.text and got.source == "湖南日报"
    assert whole_document("<html><body><p>a</p></body></html>\n  ") == "<html><body><p>a</p></body></html>\n  "


def test_a_title_block_with_its_info_bar_gives_the_headline_when_the_title_tag_is_the_sites_name():
    block = (f'<div class="detil-new-title"><div>{TITLE}</div><ul><li>来源：新华社</li><li>作者：</li>'
             "<li>2023-12-01 14:43</li></ul></div>")
    got = extract_page(page(f"{block}<div id='content'>{BODY}</div>", title="中国科普网"))
    assert (got.title, got.source, got.date) == (TITLE, "新华社", "2023-12-01")


@pytest.mark.parametrize("bar", [
    "<div class='Date'><a href='http://www.qianlong.com/'>http://www.qianlong.com/</a> 2005-07-18 13:03:17</div>",
    "<div>来源：</div><div>中国福利彩票发行管理中心</div><div>2009-07-07 15:30</div>",
])
def test_without_a_title_tag_or_heading_the_line_above_the_info_bar_is_the_headline(bar):
    nav = "".join(f"<div><a href='/c{i}.html'>栏目名称{i}</a></div>" for i in range(6))
    html = (f"<html><body>{nav}<div class='sidebar'><div>最新消息 2005-07-01</div><div>另一条消息标题</div></div>"
            f"<div class='Heading'>{TITLE}</div>{bar}<div class='Content'>{BODY}</div></body></html>")
    assert extract_page(html).title == TITLE
    # a date line that no paragraph follows (a sidebar's) is not the info bar; a table row is not a headline
    assert extract_page(f"<html><body><div>{TITLE}</div><div>2005-07-01</div><ul><li>另一条消息</li></ul>"
                        "</body></html>").title is None
    assert extract_page(f"<html><body><table><tr><td>序号</td><td>{TITLE}</td><td>单位</td></tr></table>{bar}"
                        f"{BODY}</body></html>").title is None


def test_a_known_cms_container_is_the_body_and_the_prose_outside_it_is_not():
    # a comment box under a TRS article is prose too: trafilatura took it into the body; the CMS's own
    # container says where the article ends.  The unlabelled info bar it opens with and its share bar go.
    comment = ("网友评论：乡村振兴的报道写得很好，我们村里也在发展特色产业，希望政府继续加大支持力度，"
               "让农民的日子越过越好。大家都很关心这件事情的进展情况，期待后续的报道。")
    html = page(f"<h1>{TITLE}</h1><div class='TRS_Editor'><p>2024-05-09 22:30·新华社</p>{BODY}"
                f"<div class='share'>分享到：微信 微博</div></div><div class='box2'><p>{comment}</p><p>{comment}</p></div>",
                title=TITLE)
    assert extract_page(html).text.split("\n") == [PARA1, PARA2, PARA3]
    # a date closing the body (a 公文's signing date) stays, and so does a dated dateline opening it
    signed = page(f"<h1>{TITLE}</h1><div class='TRS_Editor'><p>新华社长沙2021年6月7日 10:00电</p>{BODY}"
                  "<p>2021年6月7日 10:00</p></div>", title=TITLE)
    assert extract_page(signed).text.split("\n") == ["新华社长沙2021年6月7日 10:00电", PARA1, PARA2, PARA3,
                                                      "2021年6月7日 10:00"]


def test_an_interviewers_question_is_not_the_author():
    html = page(f"<h1>{TITLE}</h1><p>记者：请谈谈《规划》编制的背景。</p>{BODY}", title=TITLE)
    assert extract_page(html).author is None


@pytest.mark.parametrize(("tail", "author"), [
    ("。（张三 李四）", "张三 李四"),
    ("。</p><p>（张三）", "张三"),
    ("</p><table><tr><td>10%哌虫啶悬浮剂</td><td>水稻（稻飞虱）</td></tr></table><p>", None),  # a word's gloss
])
def test_trailing_names_close_the_body_only_after_its_last_sentence(tail, author):
    html = page(f"<h1>{TITLE}</h1>{BODY}<p>{PARA1}{tail}</p><div>网站管理：党委办公室（综合部）</div>", title=TITLE)
    assert extract_page(html).author == author


def test_bracketed_source_keeps_its_brackets_and_hotline_header_dropped():
    html = page(f"<div>彩神-安全购彩 免费服务热线：400-000-0000</div><h1>{TITLE}</h1>"
                f"<div>来源:《湘西工作》2021/1 作者:向汝莲 2021-03-15 14:28</div>{BODY}", title=TITLE)
    p = extract_page(html)
    assert (p.source, p.author, p.date) == ("《湘西工作》2021/1", "向汝莲", "2021-03-15")
    assert "热线" not in p.text


PORTAL = f"""
<div class="logo">四海资讯</div><div class="crumbs">首页 &gt; 国内资讯 &gt; 湖南新闻</div>
<h1>嘉禾：党建引领实现全面小康 推进乡村振兴</h1><div class="time">时间：2021-07-05</div>
<div class="text"><p>红网时刻7月5日讯 （通讯员 罗志勇 邓和明）郴州市嘉禾县是红色革命老区。</p>{BODY}</div>
<ul class="page"><li>上一篇：<a href="/1.html">浏阳淳口：唱响主旋律 高歌颂党恩</a></li>
<li>下一篇：<a href="/3.html">零陵区创建国家园林城市成效明显</a></li></ul>
"""


def test_portal_prev_next_removed():
    p = extract_page(page(PORTAL, title="嘉禾：党建引领实现全面小康 推进乡村振兴_四海资讯"))
    for junk in ["上一篇", "下一篇", "浏阳淳口", "国内资讯", "四海资讯"]:
        assert junk not in p.text, junk
    assert "红网时刻7月5日讯" in p.text and PARA2 in p.text
    assert p.date == "2021-07-05"


PREV_NEXT_IN_BODY = f"""
<h1>关于开展2021年度社会组织年检工作的通知</h1><div class="info">发布日期：2021-03-02</div>
<div class="article"><p>各有关社会组织：根据有关规定，现就做好年检工作通知如下。</p>{BODY}
<p>上一篇：<a href="/a/12.html">申报项目注意事项</a></p>
<p>下一篇：<a href="/list.html">返回列表</a></p>
<div>上一篇：</div><div>下一篇：</div><div>【下一页】</div></div>
"""


def test_previous_and_next_article_lines_inside_the_body_are_dropped():
    # A CMS that writes the links to the neighbouring articles into the body container: the lines
    # carry a title (often a link) or nothing after the label, and are never the article's words.
    p = extract_page(page(PREV_NEXT_IN_BODY, title="关于开展2021年度社会组织年检工作的通知_福建省社会组织"))
    for junk in ["上一篇", "下一篇", "申报项目注意事项", "返回列表", "下一页"]:
        assert junk not in p.text, junk
    assert "各有关社会组织" in p.text and PARA2 in p.text


SPAM = f"""
<div class="top">工作台厂家 免费服务热线 010-00000000</div>
<div class="hot-search">热门搜索：<a href="/a">工作台</a> <a href="/b">防静电工作台</a></div>
<div class="weizhi">当前位置：<a href="/">首页</a> &gt; <a href="/news/">技术资讯</a></div>
<h1>两会学习笔记丨咬定精准不放松真抓真干助脱贫</h1>
<div class="info">发布时间：2020-09-16 03:40:44 阅读： 来源：工作台厂家</div>
<div class="content"><p>红网时刻记者 汪衡 北京报道</p>{BODY}</div>
<div class="links"><a href="/g1">放开那三国2</a><br><a href="/g2">灵武世界</a><br><a href="/g3">仙域奇缘破解版</a></div>
<p>投稿邮箱丨xxzxxgz@sina.com</p><p>联系电话丨0743-8221256</p>
"""


def test_spam_mirror_wrapper_dropped_story_kept():
    p = extract_page(page(SPAM, title="两会学习笔记丨咬定精准不放松真抓真干助脱贫-工作台厂家"))
    for junk in ["工作台厂家", "热门搜索", "当前位置", "放开那三国", "灵武世界", "仙域奇缘", "投稿邮箱", "联系电话"]:
        assert junk not in p.text, junk
    assert "红网时刻记者 汪衡 北京报道" in p.text
    assert PARA1 in p.text and PARA2 in p.text and PARA3 in p.text
    assert p.date == "2020-09-16"
    assert p.source == "工作台厂家"


def test_a_notice_keeps_its_signature_when_the_breadcrumb_names_the_same_department():
    # A link's text on a line of its own is navigation, except the one line that signs the body above
    # its date (落款); lines of titled links, each above its date, are still a list.
    crumbs = '<div class="crumb"><a href="/">首页</a> &gt; <a href="/jfj/">市经济发展局</a> &gt; 通知公告</div>'
    html = page(f"""{crumbs}<h1>{TITLE}</h1>{BODY}<p>特此通知。</p>
      <p style="text-align:right">市经济发展局</p><p style="text-align:right">2025年4月3日</p>""")
    p = extract_page(html, "http://www.yzcity.gov.cn/jfj/202504/t20250403_1.html")
    assert p.text.endswith("特此通知。\n市经济发展局\n2025年4月3日")
    assert "首页" not in p.text


def test_correction_and_editor_credit_lines_removed():
    html = page(f"<h1>{TITLE}</h1>{BODY}<p>【纠错】</p><p>（责任编辑：王五）</p><p>编辑：赵六</p>", title=TITLE)
    p = extract_page(html)
    assert "纠错" not in p.text and "王五" not in p.text and "赵六" not in p.text


# --- attachments -----------------------------------------------------------------------------------

def test_attachments_absolute_and_typed():
    html = page(f"""<h1>{TITLE}</h1>{BODY}
      <p>附件：<a href="./P020210607.pdf">1.实施方案.pdf</a></p>
      <p><a href="/files/名单.xlsx?v=2">2.名单</a> <a href="../doc/申报表.DOC">申报表</a>
         <a href="http://x.gov.cn/a.wps">a</a> <a href="b.ofd">电子公文</a> <a href="c.docx">c</a>
         <a href="/news/1.html">不是附件</a> <a href="./P020210607.pdf">重复</a></p>""")
    p = extract_page(html, "http://www.yzcity.gov.cn/xczx/2021/t1.html")
    got = {(a["type"], a["url"]) for a in p.attachments}
    assert got == {
        ("pdf", "http://www.yzcity.gov.cn/xczx/2021/P020210607.pdf"),
        ("xlsx", "http://www.yzcity.gov.cn/files/名单.xlsx?v=2"),
        ("doc", "http://www.yzcity.gov.cn/xczx/doc/申报表.DOC"),
        ("wps", "http://x.gov.cn/a.wps"),
        ("ofd", "http://www.yzcity.gov.cn/xczx/2021/b.ofd"),
        ("docx", "http://www.yzcity.gov.cn/xczx/2021/c.docx"),
    }
    assert p.attachments[0]["name"] == "1.实施方案.pdf"


def test_attachments_without_a_page_url_keep_relative_and_absolute_http_links_only():
    """`govwatch extract FILE` has no page URL: a relative href is kept as written, an absolute
    http(s) one as it is (a notice's file on another host); nothing else can be resolved."""
    html = page(f"""<h1>{TITLE}</h1>{BODY}<p>附件：<a href="./P020210607.pdf">1.实施方案.pdf</a>
      <a href="http://tfile.example.cn/files/C3DD.doc">中标公示.doc</a> <a href="ftp://x.cn/a.pdf">a.pdf</a>
      <a href="//cdn.example.cn/b.pdf">b.pdf</a></p>""")
    assert [(a["url"], a["type"]) for a in extract_page(html).attachments] == [
        ("./P020210607.pdf", "pdf"), ("http://tfile.example.cn/files/C3DD.doc", "doc")]


def test_attachments_a_trs_script_writes_are_found_without_running_it():
    """TRS notices write their files from a script (var file_appendix='<a href=…>'; document.write):
    a page fetched without running scripts shows no link, and the CSRC notice's 反馈意见.docx was lost.
    The same file in both strings is one attachment; a script's link to a page is none."""
    html = page(f"""<h1>{TITLE}</h1>{BODY}<script language="javascript">
      var file_appendix='<a href="./P020201204639988160963.docx">某某银行反馈意见.docx</a>';
      var link='<a href="../t20201203_1.html">上一篇</a>';
      if (file_appendix != "") {{ document.write('<table><tr><td>附件：<a href=\\"./P020201204639988160963.docx\\" class=h12>某某银行反馈意见.docx</a></td></tr></table>'); }}
    </script>""")
    p = extract_page(html, "http://www.example.gov.cn/fxjg/202012/t20201204_1.html")
    assert p.attachments == [{"name": "某某银行反馈意见.docx", "type": "docx",
                              "url": "http://www.example.gov.cn/fxjg/202012/P020201204639988160963.docx"}]


def test_attachments_named_only_by_an_escaped_path_or_by_their_text():
    # The quick skip for plain links must not hide these: the extension %-escaped in the path,
    # or only in the link text (download scripts), or split by whitespace in the text.
    html = page(f"""<h1>{TITLE}</h1>{BODY}
      <p><a href="/files/%E6%96%B9%E6%A1%88%2Epdf">方案</a>
         <a href="/download.jsp?id=7">3.补助标准
            .xls</a> <a href="/download.jsp?id=8">4.申报指南.docx</a>
         <a href="/news/2.html">政策解读</a></p>""")
    p = extract_page(html, "http://www.yzcity.gov.cn/xczx/2021/t1.html")
    assert [(a["type"], a["url"], a["name"]) for a in p.attachments] == [
        ("pdf", "http://www.yzcity.gov.cn/files/%E6%96%B9%E6%A1%88%2Epdf", "方案"),
        ("xls", "http://www.yzcity.gov.cn/download.jsp?id=7", "3.补助标准 .xls"),
        ("docx", "http://www.yzcity.gov.cn/download.jsp?id=8", "4.申报指南.docx"),
    ]


def test_attachments_named_by_a_query_or_a_script():
    # Real sites link files through download scripts (downfile.jsp?filename=…), pdf.js viewers
    # (viewer.html?file=…: the file is the attachment, not the viewer) and scripts: a javascript:
    # href or a row's onclick naming the file in quotes. A script naming no file, or a scheme
    # other than http(s), is no attachment.
    html = page(f"""<h1>{TITLE}</h1>{BODY}
      <p><a href="/module/download/downfile.jsp?classid=0&amp;filename=P020230512.pdf">1.实施细则</a>
         <a href="/pdfjs/web/viewer.html?file=/u/2023/名单.pdf">2.名单（在线查看）</a>
         <a href="/pdfjs/web/viewer.html?file=说明.pdf">2a.说明</a>
         <a href="javascript:downloadFile('/u/2023/申报表.docx')">3.申报表</a>
         <a href="#" onclick="window.open(&quot;./files/统计表.xlsx&quot;)">4.统计表</a></p>
      <table><tr onclick="window.location.href='/u/2023/补贴标准.pdf'"><td>
         <a href="/u/2023/补贴标准.pdf">5.补贴标准</a></td></tr>
         <tr onclick="window.open('/u/2023/公示.ofd')"><td>6.公示</td><td>{"很长的说明" * 100}</td></tr></table>
      <p><a href="javascript:void(0)" onclick="show('intro')">简介</a>
         <a href="#" onclick="window.open('javascript:alert(1)//x.pdf')">坏</a>
         <a href="/search.jsp?q=政策">搜索</a></p>""")
    p = extract_page(html, "http://www.yzcity.gov.cn/xczx/2021/t1.html")
    assert [(a["type"], a["url"], a["name"]) for a in p.attachments] == [
        ("pdf", "http://www.yzcity.gov.cn/module/download/downfile.jsp?classid=0&filename=P020230512.pdf", "1.实施细则"),
        ("pdf", "http://www.yzcity.gov.cn/u/2023/名单.pdf", "2.名单（在线查看）"),
        ("pdf", "http://www.yzcity.gov.cn/pdfjs/web/说明.pdf", "2a.说明"),
        ("pdf", "http://www.yzcity.gov.cn/u/2023/补贴标准.pdf", "5.补贴标准"),
        ("docx", "http://www.yzcity.gov.cn/u/2023/申报表.docx", "3.申报表"),
        ("xlsx", "http://www.yzcity.gov.cn/xczx/2021/files/统计表.xlsx", "4.统计表"),
        ("ofd", "http://www.yzcity.gov.cn/u/2023/公示.ofd", ("6.公示" + "很长的说明" * 100)[:200]),
    ]


def test_attachments_shown_in_place():
    # A document the page shows rather than links: WebPlus's PDF player (often the whole of a notice
    # whose text is only in the PDF), an iframe through a pdf.js viewer, an embed, an object. A link
    # to the same file names it; a frame of another page, or a script URL, is no attachment.
    html = page(f"""<h1>{TITLE}</h1>
      <div class="wp_pdf_player" pdfsrc="/_upload/article/files/4a/b7/名单.pdf"
           sudyfile-attr="{{'title':'2023年度名单.pdf'}}"><img src="/icon_pdf.gif"></div>
      <iframe src="/pdfjs/web/viewer.html?file=/u/2023/细则.pdf" title="实施细则"></iframe>
      <embed src="/u/2023/说明.pdf"> <object data="/u/2023/附表.ofd"></object>
      <iframe src="/u/2023/办法.pdf"></iframe><p><a href="/u/2023/办法.pdf">管理办法（下载）</a></p>
      <iframe src="/video/player.html"></iframe><embed src="javascript:alert(1)//x.pdf">""")
    p = extract_page(html, "http://f.edu.cn/4a/b7/c24260a267191/page.htm")
    assert [(a["type"], a["url"], a["name"]) for a in p.attachments] == [
        ("pdf", "http://f.edu.cn/u/2023/办法.pdf", "管理办法（下载）"),
        ("pdf", "http://f.edu.cn/_upload/article/files/4a/b7/名单.pdf", "2023年度名单.pdf"),
        ("pdf", "http://f.edu.cn/u/2023/细则.pdf", "实施细则"),
        ("pdf", "http://f.edu.cn/u/2023/说明.pdf", "说明.pdf"),
        ("ofd", "http://f.edu.cn/u/2023/附表.ofd", "附表.ofd"),
    ]


def test_attachment_text_docx():
    xml = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
           'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>第一段</w:t></w:r><w:r><w:t>续</w:t></w:r></w:p>'
           '<w:p><w:r><w:t>第二段</w:t></w:r></w:p></w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", xml)
    assert attachment_text(buf.getvalue(), "docx") == "第一段续\n第二段"
    assert attachment_text(b"%PDF-1.4", "pdf") is None
    assert attachment_text(b"not a zip", "docx") is None


# --- decoding --------------------------------------------------------------------------------------

TEXT = "湖南省乡村振兴局关于做好巩固拓展脱贫攻坚成果的通知。𠀀龍"  # includes a GB18030-only character


def _html(charset: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"<html><head>{meta}<title>通知</title></head><body><p>{TEXT}</p></body></html>"


def test_decode_gbk_meta_only():
    body = _html("gb2312").encode("gb18030")
    assert TEXT in decode_html(body)


def test_decode_meta_charset_attribute():
    body = f'<html><head><meta charset="GBK"></head><body><p>{TEXT}</p></body></html>'.encode("gb18030")
    assert TEXT in decode_html(body, None)


def test_decode_gbk_labelled_utf8_in_http_header():
    body = _html("utf-8").encode("gb18030")
    assert TEXT in decode_html(body, "utf-8")


def test_decode_utf8_labelled_gbk():
    body = _html("gbk").encode("utf-8")
    assert TEXT in decode_html(body, "gb2312")
    assert TEXT in decode_html(body)


def test_decode_no_label_detects():
    assert TEXT in decode_html(_html(None).encode("gb18030"))
    assert TEXT in decode_html(_html(None).encode("utf-8"))


def test_extract_page_accepts_bytes():
    body = page(GOV_PAGE).replace("utf-8", "gbk").encode("gb18030")
    p = extract_page(body, declared_encoding="utf-8")
    assert p.title == TITLE and PARA1 in p.text


# --- interface and scoring ---------------------------------------------------------------------------

def test_to_dict_and_empty_input():
    p = extract_page("")
    assert isinstance(p, ExtractedPage) and p.text == "" and p.title is None
    d = extract_page(page(GOV_PAGE)).to_dict()
    assert set(d) == {"url", "title", "text", "date", "author", "source", "publisher", "index_no", "doc_no",
                      "category", "attachments", "language", "metadata", "body_method", "confidence",
                      "low_confidence"}


def test_tokenize_and_prf():
    assert tokenize("习近平 2021年 GDP增长5.7%") == ["习", "近", "平", "2021", "年", "gdp", "增", "长", "5", "7"]
    assert prf("甲乙丙", "甲乙丙").f1 == 1.0
    p = prf("甲乙丙丁", "甲乙")
    assert (p.precision, p.recall) == (0.5, 1.0)
    assert prf("", "甲").f1 == 0.0
    assert title_match("标题 一", "标题一") and not title_match(None, "标题")


POEM = ["三（4）班 窦苏敏", "亲情，是一根无形的线。", "即使是再锋利的匕首。", "也切不断，那紧紧束缚家人的线。",
        "亲情，是一道美味的菜。", "不论是多朴素的盘子。", "也能装饰，那紧紧缠绕味蕾的美味。", "亲情，是一件舒适的衣服。",
        "即使是多褴褛的布。", "也能裁出，那紧紧包围身体的温暖。", "亲情，是一句简单的话语。", "也少不了那支持你人生的力量。"]


def test_a_body_of_short_lines_is_kept():
    # A school's poem: no line reaches the length that counts as prose, and the tuned path kept
    # nothing; the page plainly shows it, so the other extractors are asked (fallback.py).
    menu = "".join(f'<li><a href="/{c}.htm">{n}</a></li>' for c, n in
                   [("xxgk", "学校概况"), ("xwzx", "新闻中心"), ("jyky", "教育科研"), ("dyyd", "德育园地"), ("djzc", "党建之窗")])
    body = "".join(f"<p>{line}</p>" for line in POEM)
    html = (f'<html><head><title>亲情-某市第一初级中学</title></head><body><ul class="nav">{menu}</ul>'
            f'<div class="art-main"><h3>亲情</h3><p><span>发布日期：2022-11-20</span></p>'
            f'<div class="art-body"><div>{body}</div></div>'
            '<div class="pnext"><p>上一条：<a href="4031.htm">拼搏的花蕾</a></p><p>下一条：<a href="3961.htm">觉醒</a></p></div>'
            '</div><div class="footer"><p>©某市第一初级中学版权所有</p></div></body></html>')
    page = extract_page(html, "http://school.example.cn/info/1148/3971.htm", anchor="亲情")
    assert page.title == "亲情" and page.date == "2022-11-20"
    assert page.text.splitlines() == POEM


STEPS = [["申报对象：", "1. 本县范围内从事农产品加工的企业，须在本县注册并依法经营满一年，信用记录良好;",
          "2. 上一年度销售收入在五百万元以上，且近三年没有发生重大安全生产和食品安全事故;",
          "3. 带动农户一百户以上，与农户签订订单收购合同，收购价格不低于当地市场价格。"],
         ["申报材料：", "1. 项目申请表和营业执照复印件，加盖企业公章，一式三份，另附电子文档一份;",
          "2. 上一年度的财务报表和纳税证明，由具有资质的会计师事务所出具审计意见;",
          "3. 与农户签订的订单收购合同复印件，以及乡镇人民政府出具的带动农户情况证明。"],
         ["评审办法：", "1. 县农业农村局会同财政局审核材料，对不符合条件的当场告知并说明理由;",
          "2. 组织专家现场评审打分，按得分高低择优扶持，评审结果在县政府网站公示五个工作日;",
          "3. 公示无异议的列入扶持名单，扶持资金按项目进度分两次拨付，验收合格后拨付剩余资金。"]]
INTRO = [("为促进农产品加工业发展，提高农产品附加值，带动农民增收，县政府决定开展二〇二四年度农产品加工企业扶持项目"
          "申报工作，扶持资金由县财政预算安排，重点支持精深加工、仓储保鲜和品牌建设项目。"),
         ("现将申报对象、申报材料和评审办法通知如下，请各乡镇、各有关单位认真组织，按时报送，逾期不再受理，"
          "申报中弄虚作假的取消三年申报资格，并按有关规定处理；对获得扶持的企业，县农业农村局将跟踪项目进度，"
          "未按期完成建设内容的，收回已拨付的扶持资金，三年内不得再次申报县级农业项目。")]


def test_an_article_in_sibling_blocks_is_kept_whole():
    # Text pasted from another site keeps that site's markup: the article is several sibling
    # blocks of the same classes, and trafilatura (taking the first element of a content-body
    # class), readability and the densest block each keep the first. The nearest container of
    # all the page's prose is the article.
    lead = "市面上常见的扶持方式包括：贷款贴息、以奖代补和先建后补，各有各的适用范围。"
    intro = "<p><span>" + INTRO[0] + "</span></p><p><br /><span>" + "<br />".join([lead, INTRO[1]]) + "</span></p>"
    steps = "".join(f'<li class="exp-content-list list-item-{i}"><div class="content-list-text"><p><span>'
                    + "<br />".join(step) + "</span></p></div></li>" for i, step in enumerate(STEPS, 1))
    html = ('<html><head><title>关于开展农产品加工企业扶持项目申报的通知</title></head><body>'
            '<div class="header"><a href="/">首页</a><a href="/a/xwzx/">新闻中心</a></div>'
            '<div class="newsDeta"><h3><center>关于开展农产品加工企业扶持项目申报的通知</center></h3>'
            f'<center><p class="time">2024-03-15</p></center><br> <br><p><span>{lead}</span></p>'
            '<div class="exp-content-block"><div class="exp-content-body exp-brief-step"><div class="exp-content-listblock">'
            f'<div class="content-listblock-text">{intro}</div></div></div></div>'
            '<div class="exp-content-block"><h2 class="exp-content-head"><span>方法/步骤</span></h2>'
            f'<div class="exp-content-body"><ol class="exp-conent-orderlist">{steps}</ol></div></div>'
            '</div><div class="footer">版权所有</div></body></html>')
    page = extract_page(html, "http://www.example.cn/a/xwzx/xwdt/101.html", anchor="关于开展农产品加工企业扶持项目申报的通知")
    lines = page.text.splitlines()
    assert all(p in lines for p in INTRO) and all(line in lines for step in STEPS for line in step), page.text


def test_a_bare_date_under_the_headline_is_not_the_bodys_first_line():
    body = "".join(f"<p>{p}</p>" for p in INTRO)
    html = ('<html><head><title>关于开展农产品加工企业扶持项目申报的通知</title></head><body>'
            '<div class="newsDeta"><h3><center>关于开展农产品加工企业扶持项目申报的通知</center></h3>'
            f'<center><p class="time">2017-06-23</p></center>{body}<p>2017年6月23日</p></div></body></html>')
    page = extract_page(html, "http://www.example.cn/a/xwzx/xwdt/102.html")
    assert page.date == "2017-06-23"
    assert page.text.splitlines() == [*INTRO, "2017年6月23日"]   # the closing date of a notice stays


def test_the_lists_date_ranks_after_the_pages_own_dates_and_before_the_urls():
    url = "http://www.yzcity.gov.cn/xczx/202106/t20210601_1.html"
    own = extract_page(page(f"<h1>{TITLE}</h1><p>发布时间：2021-06-07</p>{BODY}"), url, list_date="2021-06-08")
    assert own.date == "2021-06-07"
    assert [(c["source"], c["chosen"]) for c in own.metadata["date_candidates"]] == [
        ("发布时间", True), ("title_line", False), ("url", False)]     # the list's date: kept only when taken
    dateless = extract_page(page(f"<h1>{TITLE}</h1>{BODY}"), url, list_date="2021-06-08")
    assert dateless.date == "2021-06-08"
    assert extract_page(page(f"<h1>{TITLE}</h1>{BODY}"), url).date == "2021-06-01"
    assert extract_page(page(f"<h1>{TITLE}</h1>{BODY}"), url, list_date="not a date").date == "2021-06-01"


def test_attachments_of_other_types_and_names_that_only_repeat_the_stored_file_name():
    # EmpireCMS's download box shows the stored name (a hash) as the link and the real one in the title
    # and the box's <legend>; presentations and archives are attachments too.
    html = page(f"""<h1>{TITLE}</h1>{BODY}
      <fieldset><legend>附件一.doc</legend><table><tr><td><a title="附件一.doc"
         href="/d/file/xxgk/2015-07-03/559cef91aa0b3c4d5e6f708192a3b4c5.doc">559cef91aa0b3c4d5e6f708192a3b4c5.doc</a>
         &nbsp;(51.00 KB)</td></tr></table></fieldset>
      <fieldset><legend>2018年第二批扶贫小额贷款贴息明细公示</legend>
         <a href="/d/file/p/dd4b6fd63e898c48edfcebd3a7cbc63c.xlsx">dd4b6fd63e898c48edfcebd3a7cbc63c.xlsx</a></fieldset>
      <p><a href="/files/P020210607123456.pdf">P020210607123456.pdf</a>
         <a href="/files/x.pptx" title="操作流程.pptx">后台操作流程.pptx</a> <a href="/files/名单.rar">名单（压缩包）</a></p>""")
    p = extract_page(html, "http://www.zc.gov.cn/xxgk/2018-07-11/6358.html")
    assert [(a["type"], a["name"]) for a in p.attachments] == [
        ("doc", "附件一.doc"), ("xlsx", "2018年第二批扶贫小额贷款贴息明细公示"),
        ("pdf", "P020210607123456.pdf"), ("pptx", "后台操作流程.pptx"), ("rar", "名单（压缩包）")]


def test_a_generic_title_gives_way_to_a_shown_meta_title_then_to_the_headline_not_its_companions():
    # <title> says nothing; the notice's section labels are styled as titles; ArticleTitle is the headline
    notice = f"""<html><head><meta charset='utf-8'><title>中标公告详细页面</title>
      <meta name="ArticleTitle" content="2021年村级电脑采购项目中标公告"></head><body>
      <table><tr><td><span class="txt2">2021年村级电脑采购项目中标公告</span></td></tr></table>
      <span class="title">一、项目编号：</span><br><span>ZC130800202101632</span><br>
      <span class="title">三、中标（成交）信息</span>{BODY}</body></html>"""
    assert extract_page(notice).title == "2021年村级电脑采购项目中标公告"
    # a site name in og:title that is the logo's link text is not the headline
    logo = f"""<html><head><meta charset='utf-8'><title>通知公告</title>
      <meta property="og:title" content="示范县人民政府门户网站"></head><body>
      <a href="/">示范县人民政府门户网站</a><div class="article-title">{TITLE}</div>{BODY}</body></html>"""
    assert extract_page(logo).title == TITLE
    # Founder e-paper: the 引题 comes first, the headline is main-title
    paper = f"""<html><head><meta charset='utf-8'><title>湖北日报</title></head><body>
      <font id="intro-title">东风公司近4万退休职工划归张湾区管理——</font>
      <font id="main-title">环境升级服务优 居家养老变“享老”</font><font id="sub-title"></font>{BODY}</body></html>"""
    assert extract_page(paper).title == "环境升级服务优 居家养老变“享老”"


def test_a_documents_own_number_line_an_empty_label_and_the_meta_content_source():
    # a red-header document prints its 文号 alone under the title; no table labels it
    html = page(f"<h1>{TITLE}</h1><p>财综〔2020〕47号</p><p>各省、自治区、直辖市财政厅（局）：</p>{BODY}")
    assert extract_page(html).doc_no == "财综〔2020〕47号"
    # a 文号 quoted inside a sentence, or further down, is not the page's
    quoted = page(f"<h1>{TITLE}</h1>{BODY}<p>依据财综〔2020〕47号文件精神，现予公布。</p><p>财综〔2020〕47号</p>")
    assert extract_page(quoted).doc_no is None
    # 来源：<b></b> with nothing in it, then a counter this reader has no label for: no 来源 at all…
    bar = page(f"""<h1>{TITLE}</h1><div class="attr"><span>来源：<b></b></span><span>访问量：<b>199</b></span>
      <span>发布日期：<b>2017-05-15 10:49:00</b></span></div>{BODY}""")
    assert extract_page(bar).source is None
    # …unless the page's ContentSource meta names one (a script fills its 来源 line)
    meta = bar.replace("<head>", "<head><meta name='ContentSource' content='吉林省公共资源交易平台'>")
    assert extract_page(meta).source == "吉林省公共资源交易平台"


def test_a_news_pages_source_meta_and_a_source_linked_on_the_next_line():
    # 人民网 / 新华网 / 中国日报网 write <meta name="source">; it stands in for a 来源 the page does not print
    meta = page(f"<h1>{TITLE}</h1>{BODY}").replace("<head>", "<head><meta name='source' content='来源：人民日报'>")
    assert extract_page(meta).source == "人民日报"
    url_meta = page(f"<h1>{TITLE}</h1>{BODY}").replace("<head>", "<head><meta name='source' content='http://www.x.cn/'>")
    assert extract_page(url_meta).source is None
    # 来源： then, on its own source line, the outlet's one link (and its logo): that link is the value
    linked = page(f"""<h1>{TITLE}</h1><div class="info">来源：
      <a href="/"><img src="logo.png"></a>
      <a href="/gtx/">中国日报网</a></div><div class="info">2023-11-17 15:13</div>{BODY}""")
    assert extract_page(linked).source == "中国日报网"
    # a label followed by several links is a menu, not a value
    menu = page(f"""<h1>{TITLE}</h1><div class="info">来源：
      <a href="/a/">人民日报</a> <a href="/b/">新华社</a></div>{BODY}""")
    assert extract_page(menu).source is None


def test_what_the_page_hides_is_not_body_but_its_hidden_metadata_is_read():
    table = ("<table class='pen'><tr><td>行政处罚决定书文号</td><td>金罚决字〔2024〕36号</td></tr>"
             "<tr><td>被处罚当事人</td><td>某某保险股份有限公司及其责任人员</td></tr></table>")
    twice = page(f"""<h1>{TITLE}</h1><div class="content">{BODY}{table}</div>
      <div class="ng-hide"><div class="content">{table}</div></div>
      <div style="display: none">索引号：000014672/2024-00036</div>""")
    p = extract_page(twice)
    assert p.text.count("金罚决字〔2024〕36号") == 1 and PARA1[:20] in p.text
    assert p.index_no == "000014672/2024-00036"
    # a body a script reveals after load is most of the page's text: kept
    revealed = page(f"""<h1>{TITLE}</h1><div class="content" style="display:none">{BODY}</div>""")
    assert PARA1[:20] in extract_page(revealed).text


def test_word_pasted_numbering_between_comments_is_kept():
    """Word's list numbers sit between conditional comments (<!--[if !supportLists]-->一、<!--[endif]-->);
    trafilatura, given the tree with its comments, dropped the text after each comment: whole
    numbered headings and paragraphs of company, school and 公共资源交易 notices were lost."""
    items = "".join(f'<p class="MsoNormal"><!--[if !supportLists]-->{n}、<!--[endif]--><span>{text}</span><o:p></o:p></p>'
                    for n, text in (("一", "基本信息"), ("1", "极宽的电压输入范围：该产品适应从100-690V的交直流输入。"),
                                    ("二", "产品特点")))
    html = f"""<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body>
      <div class="nav"><a href="/">首页</a> <a href="/a/">新闻中心</a></div><h1>{TITLE}</h1>
      <div class="articleInfo">{items}<p>{PARA1}</p><p>{PARA2}</p></div></body></html>"""
    text = extract_page(html).text
    assert "一、基本信息" in text and "二、产品特点" in text
    assert "1、极宽的电压输入范围：该产品适应从100-690V的交直流输入。" in text
    assert "supportLists" not in text


def test_a_doc_no_printed_beside_the_title_outside_the_body():
    # a red header: the organ, the 文号, then the title; the body starts with the addressees
    header = page(f"""<div class="hd"><div>某某市财政局</div><div>某财发〔2024〕36号</div><h1>{TITLE}</h1>
      <div class="time">2024-07-12 10:00</div></div><div class="content">{BODY}</div>""")
    assert extract_page(header).doc_no == "某财发〔2024〕36号"
    # a 文号 further away (a related document's, in a sidebar after the body) is not the page's
    far = page(f"""<h1>{TITLE}</h1><div class="content">{BODY}</div><ul><li>相关文件</li><li>其他说明</li>
      <li>附件下载</li><li>某财发〔2023〕11号</li></ul>""")
    assert extract_page(far).doc_no is None


def test_teasers_inside_menu_links_are_not_prose_the_body_should_have_held():
    """A dropdown of other articles, each a headline and its summary inside one <a>, written side by
    side: the page's navigation. Counted as prose, the page seemed to hold 4× the body, and the
    fallback swapped a right body for one opening with the menu's lines."""
    from crawler.extraction.boilerplate import link_texts
    from crawler.extraction.fallback import prose_chars
    from crawler.extraction.page import parse_html
    from crawler.extraction.rules import load_rules
    from crawler.extraction.textlines import render_lines

    summary = "近日，接受中国证券报记者采访的多位专家认为，我国货币政策将更加注重灵活性、前瞻性，降准有空间。"
    menu = "".join(f'<a href="/xwzx/hydt/{i}.html" class="xw"><span class="title">资金面料无忧{i}</span> '
                   f'<span class="desc">{summary}</span></a>' for i in range(4))
    root = parse_html(f"<html><body><div class='bd'>{menu}</div><div class='text'><p>{PARA1}</p></div></body></html>")
    rules = load_rules()
    lines = render_lines(root, rules)
    body_only = prose_chars([PARA1], rules, set())
    assert prose_chars(lines, rules, link_texts(root, 1000)) == body_only
    assert prose_chars(lines, rules, link_texts(root, 30)) > 3 * body_only  # what the page seemed to hold


def test_a_body_in_a_footer_named_box_is_kept_when_it_holds_more_than_a_footer_could():
    """<div class="banner-bottom"> held a whole article of short paragraphs; the footer rule judged it
    by its longest paragraph only and dropped it."""
    from crawler.extraction.boilerplate import drop_containers
    from crawler.extraction.page import parse_html
    from crawler.extraction.rules import load_rules

    paragraphs = "".join(f"<p>{i}. {p}</p>" for i, p in enumerate((PARA1, PARA2, PARA3) * 4))  # ~1,000 characters
    root = parse_html(f"""<html><body><h1>{TITLE}</h1><div class="news_content"><div class="banner-bottom">{paragraphs}
      </div></div><div class="footer"><p>版权所有：某某公司 地址：某某路1号</p><p>联系电话：0731-12345678</p></div></body></html>""")
    assert drop_containers(root, load_rules()) == 1
    assert root.find(".//div[@class='banner-bottom']") is not None and root.find(".//div[@class='footer']") is None


def test_a_repost_notice_closing_the_body_and_a_keyword_line_are_not_body():
    html = page(f"""<h1>{TITLE}</h1><div class="content"><p>{PARA1}</p><p>{PARA2}</p>
      <div><span>转载请注明出处</span><span>http://www.hudsonhome.cn</span></div></div>
      <div class="info_key"><span>此文关键字：</span> 复合式换热站的工艺流程,</div>""")
    p = extract_page(html)
    assert p.text == f"{PARA1}\n{PARA2}"
    assert p.metadata["关键词"].startswith("复合式换热站的工艺流程")


def test_a_headline_with_its_date_in_a_child_of_the_heading():
    headline = "习近平：中国经济将保持在合理区间 不会硬着陆"
    html = f"""<html><head><meta charset="utf-8"><title>{headline}_裕渤财行</title></head><body>
      <h3 class="color golden">{headline}<span class="color white">2015-10-22</span></h3>
      <div class="content"><p>{PARA1}</p></div></body></html>"""
    assert extract_page(html).title == headline


def test_a_numbered_section_heading_of_the_body_is_not_the_title():
    headline = "2019光伏补贴新政策 2019年7月1日起执行"
    html = f"""<html><head><meta charset="utf-8"><title>{headline}_湖南万千光伏科技有限公司</title></head><body>
      <div class="news_xaingxi">{headline}</div><div class="news_author">来源：北极星 发表时间：2019-05-05</div>
      <div class="news_content"><p>{PARA1}</p><h2>一、完善集中式光伏发电上网电价形成机制</h2><p>{PARA2}</p></div></body></html>"""
    assert extract_page(html).title == headline


def test_a_title_tag_naming_the_organ_gives_way_to_the_headline_that_opens_with_it():
    html = f"""<html><head><meta charset="utf-8"><title>国家金融监督管理总局</title></head><body>
      <div class="header-title">国家金融监督管理总局</div><div class="header-subtitle">金罚决字〔2024〕36号</div>
      <div class="wenzhang-title">国家金融监督管理总局行政处罚信息公开表</div>{BODY}</body></html>"""
    assert extract_page(html).title == "国家金融监督管理总局行政处罚信息公开表"
    # a block holding the name and a date under it is an info bar, not a longer headline
    dated = html.replace("行政处罚信息公开表", " 2024-07-12")
    assert extract_page(dated).title == "国家金融监督管理总局"


def test_a_page_with_no_text_is_always_flagged_low_confidence():
    empty = page(f"<h1>{TITLE}</h1><div class='content'><img src='/notice.jpg'></div>")
    p = extract_page(empty)
    assert p.text == "" and p.low_confidence


def test_download_endpoints_naming_no_extension_are_attachments_only_inside_an_attachment_block():
    html = page(f"""<h1>{TITLE}</h1>{BODY}
      <div class="attach"><p><a href="/njxm-prod/api/attach/preview?attachId=2c908e9f">招标人信用承诺书</a></p></div>
      <p>附件：<a href="/EpointWebBuilder/attach/downloadztbattach?attachGuid=ab12&amp;appUrlFlag=ztb">招标文件</a></p>
      <p><a href="/download.jsp?id=7">下载中心</a> <a href="/api/attach/preview?attachId=zz"><img src="a.jpg"></a></p>""")
    p = extract_page(html, "http://ggzy.example.gov.cn/jyxx/003001/1.html")
    assert [(a["type"], a["name"], a["url"]) for a in p.attachments] == [
        (None, "招标人信用承诺书", "http://ggzy.example.gov.cn/njxm-prod/api/attach/preview?attachId=2c908e9f"),
        (None, "招标文件", "http://ggzy.example.gov.cn/EpointWebBuilder/attach/downloadztbattach?attachGuid=ab12&appUrlFlag=ztb")]


def test_label_lines_between_paragraphs_are_the_bodys_own():
    # a 招标公告 lists its terms as label lines between its paragraphs; the info bar above the body and
    # the editor's credit under it are still not body text
    terms = "<p>项目名称：示范县农村公路养护工程</p><p>时间：2026年01月08日08时00分至2026年01月16日16时00分</p><p>名 称：示范县交通运输局</p>"
    html = page(f"<h1>{TITLE}</h1><div>发布时间：2026-01-07 来源：示范县公共资源交易中心</div>"
                f"<p>{PARA1}</p>{terms}<p>{PARA2}</p><p>责任编辑：李四</p>")
    p = extract_page(html)
    for line in ("项目名称：示范县农村公路养护工程", "时间：2026年01月08日08时00分至2026年01月16日16时00分", "名 称：示范县交通运输局"):
        assert line in p.text.split("\n"), line
    assert "发布时间" not in p.text and "来源：" not in p.text and "责任编辑" not in p.text


def test_a_bare_attachment_label_ending_the_body_goes():
    # its files are links (kept as attachments), or the block is hidden and empty
    html = page(f"<h1>{TITLE}</h1>{BODY}<p>附件：</p><p><a href='/files/名单.pdf'>名单.pdf</a></p>")
    p = extract_page(html, "http://www.yzcity.gov.cn/xczx/2021/t1.html")
    assert p.text.split("\n")[-1] == PARA3 and [a["name"] for a in p.attachments] == ["名单.pdf"]


def test_the_headline_repeated_in_the_body_with_a_footnote_mark_goes():
    html = page(f"<h1>{TITLE}</h1><p align='center'><span>{TITLE}</span><a href='#_edn1'><sup>[1]</sup></a></p>"
                f"<p align='center'>示范县统计局 国家统计局示范调查队</p>{BODY}")
    assert extract_page(html).text.split("\n")[0] == "示范县统计局 国家统计局示范调查队"


def test_an_info_bar_opening_with_its_date_is_no_body_and_a_chinese_page_under_lang_en_is_zh():
    # VSB's news template: the date glued to empty 作者/浏览次数 labels, over an attachment-only body
    html = (f"<html lang='en'><head><meta charset='utf-8'><title>{TITLE}</title></head><body><h1>{TITLE}</h1>"
            "<div class='time'>2022-03-31<em>作者：</em>浏览次数：<span></span></div>"
            "<div class='v_news_content'><p><a href='/files/名单.pdf'>名单.pdf</a></p></div></body></html>")
    p = extract_page(html, "http://yjszs.example.edu.cn/info/1056/1904.htm")
    assert p.text == "" and p.low_confidence and p.date == "2022-03-31"
    news = html.replace("<p><a href='/files/名单.pdf'>名单.pdf</a></p>", BODY)
    assert extract_page(news).language == "zh"


def test_related_article_teasers_and_what_follows_them_end_the_body():
    teasers = "".join(f"<p>{t}，专家说膝关节疼痛的原因有很多…<a href='/hmy/by/{n}.html'>【详细】</a></p>"
                      for n, t in ((31, "常年膝关节疼痛的原因何在？"), (46, "一场雨，秋的凉爽逐渐凸显")))
    html = page(f"<h1>{TITLE}</h1>{BODY}{teasers}<p>医院地址：某市某路38号 网址：http://h.example.com</p>"
                "<p>预约成功患者名单</p>")
    text = extract_page(html, "http://h.example.com/hmy/by/54.html").text
    assert text.split("\n")[-1] == PARA3 and "详细" not in text and "预约" not in text


def test_a_pdf_shown_by_a_viewer_script_in_the_body_is_an_attachment():
    html = page(f"""<h1>{TITLE}</h1><div class="v_news_content"><p><script>var vsb_pdf_image_data=[];
      showVsbpdfIframe("/__local/A/A2/83/799C149B_F3E9A.pdf","100%","600","48");</script></p></div>
      <script>var help = "/static/help.pdf"; window.PDFObject = null;</script>""")
    p = extract_page(html, "http://yjszs.example.edu.cn/info/1056/1904.htm")
    assert [(a["type"], a["url"]) for a in p.attachments] == [
        ("pdf", "http://yjszs.example.edu.cn/__local/A/A2/83/799C149B_F3E9A.pdf")]


def test_a_short_headline_that_is_the_whole_first_segment_of_the_title():
    html = ("<html><head><meta charset='utf-8'><title>关志忱 - 深圳康贝儿童医院发育行为科_儿童多动症</title></head><body>"
            f"<div class='logo'>深圳康贝儿童医院发育行为科</div><h1 class='title'>关志忱</h1>{BODY}</body></html>")
    assert extract_page(html).title == "关志忱"
    # four and five characters too (a nursing home's service pages): they were neither short nor a reference
    for name in ("临终关怀", "脑梗死护理"):
        page = (f"<html><head><meta charset='utf-8'><title>{name}_北京民众护理院-医疗+养老新模式</title></head><body>"
                f"<div class='logo'>北京民众护理院</div><h1>{name}</h1>{BODY}</body></html>")
        assert extract_page(page).title == name


def test_a_notices_contact_lines_are_its_text_but_not_a_bar_before_it_or_beside_a_footer():
    """联系人/联系电话/传真 under a 征求意见 notice's last paragraph are the notice's (a position-less
    rule dropped 联系电话 and 传真 and kept 联系人 and 电子邮箱 between them); the same lines above the
    first paragraph, or touching a copyright line, are the site's."""
    from crawler.extraction.boilerplate import clean_lines
    from crawler.extraction.rules import load_rules

    notice = [PARA1, PARA2, "联系人：周某某；", "联系电话：010-59194056；", "传真：010-59194111；",
              "电子邮箱：zhou@example.gov.cn。", "农业农村部农药检定所（代章）", "2018年9月25日"]
    rules = load_rules()
    assert clean_lines("\n".join(notice), rules) == notice
    header = ["服务热线：400-123-4567", *notice]
    assert clean_lines("\n".join(header), rules) == notice
    footer = [PARA1, PARA2, "联系电话：0731-12345678", "邮编：410000", "版权所有：某某县人民政府 湘ICP备12345678号"]
    assert clean_lines("\n".join(footer), rules) == [PARA1, PARA2]
    assert clean_lines(f"{PARA1}\n投稿邮箱丨news@example.cn\n{PARA2}", rules) == [PARA1, PARA2]


def test_a_credit_labels_value_on_the_next_line_of_the_same_text_node_is_its_value():
    """www.gov.cn writes `<span>来源： ⏎ 央视网 ⏎ </span>`: a browser shows one line, and the
    label's value was lost as a line of its own. A paragraph after a bare label stays its own line."""
    html = f"""<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body><h1>{TITLE}</h1>
      <div class="pages-date">2026-01-29 22:41
          <span class="font">来源： 
              央视网
          </span></div>
      <div class="pages_content"><p>{PARA1}</p><p>{PARA2}</p></div></body></html>"""
    p = extract_page(html)
    assert p.source == "央视网"
    assert p.text == f"{PARA1}\n{PARA2}"
    from crawler.extraction.textlines import _spaced

    assert _spaced("作者：\n  " + PARA1) == "作者：\n  " + PARA1


def test_an_empty_related_items_box_and_the_font_size_widget_are_not_the_articles():
    """A portal's article ends in 【打印正文】, then a related box's heading and its empty state
    (相关信息 / 暂无资料): neither is the article's last line. 字号：默认 大 超大 is a widget, not a field."""
    html = f"""<html><head><meta charset="utf-8"><title>某某政府网</title></head><body>
      <div class="content"><div class="artshow"><h1>{TITLE}</h1>
      <div class="change"><span>来源：某某新闻网</span> <span>发布时间：2018-07-10</span> <span>字号：默认 大 超大</span></div>
      <div id="text">
        {PARA1}

        {PARA2}
      </div>
      <div id="artshare"><a href="">【打印正文】</a><div id="share"></div></div>
      <div class="rela"><h3>相关信息</h3></div><div class="rela"><div style="margin-top: 20px;">暂无资料</div></div>
      </div></div></body></html>"""
    p = extract_page(html)
    assert p.text == f"{PARA1}\n{PARA2}"
    assert "字号" not in p.metadata and p.source == "某某新闻网"



def test_an_empty_bookmark_anchor_does_not_cost_a_table_its_rows():
    """Word leaves empty bookmarks (<a name="_GoBack"></a>, or a bare <a></a>) in pasted documents;
    trafilatura weighed one in a 预中标结果 table's cell as a link and lost the table as a table (its
    cells came back a line each through a fallback); on realsites-dev the same anchors cost section
    headings (四、人才培养目标) and an act's last article."""
    html = f"""<html><head><meta charset="utf-8"><title>某某街道绿化养护服务采购项目预中标结果公示</title></head><body>
      <div class="detail"><div id="ivs_content" class="infocontent"><div><table><tbody>
      <tr><td><div><p><span>序号</span></p></div></td><td><div><p><span>预中标单位</span></p></div></td>
          <td><div><p><span>投标报价（万元）</span></p></div></td><td><div><p><span>综合得分</span></p></div></td></tr>
      <tr><td><div><p><span>1</span></p></div></td><td><p><span>某某建设有限公司</span></p></td>
          <td><div><p><span>59.7618</span></p></div></td><td><p><a></a><span>79.18 </span></p></td></tr>
      </tbody></table></div><p><span>{PARA1}</span></p></div></div></body></html>"""
    lines = extract_page(html).text.split("\n")
    assert "1 某某建设有限公司 59.7618 79.18" in lines and PARA1 in lines


def test_line_breaks_around_an_inline_elements_text_are_spaces():
    """cwl.gov.cn writes `<small>来源：<span>⏎ ⏎ 中国福彩网⏎ </span></small>`: a browser shows one line,
    and 282 of realsites-dev's articles lost their source to a line break before the value."""
    html = f"""<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body>
      <div class="text_content"><h4>{TITLE}</h4>
      <small>来源：<span>
            
            中国福彩网
            </span></small>
      <small class="sj-zh">&nbsp;&nbsp;2009-07-07&#32;15:30</small>
      <div class="content"><p>{PARA1}</p><p>{PARA2}</p></div></div></body></html>"""
    p = extract_page(html)
    assert p.source == "中国福彩网" and p.text == f"{PARA1}\n{PARA2}"


def test_a_date_labels_value_without_a_number_is_no_value():
    """A list page's search form, 发布时间：[ ] 到 [ ], read as one line: 到 is not a date."""
    html = f"""<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body><h1>{TITLE}</h1>
      <form><span>发布时间：</span><input type="text"><span>
        到
      </span><input type="text"></form><div class="content"><p>{PARA1}</p></div></body></html>"""
    assert "发布时间" not in extract_page(html).metadata


def test_a_news_sites_rights_notes_and_a_copyright_line_in_any_case_are_not_the_article():
    """Two realpages: a 振兴东北网 article closed by the rights notes many Chinese news sites share
    (① 凡本网注明…版权均属于… ② …转载目的在于传递更多信息… ③ 如因作品内容、版权…), and a footer line
    written `CopyRight 2012-2021 …` (the rule knew Copyright and COPYRIGHT only)."""
    from crawler.extraction.boilerplate import clean_lines
    from crawler.extraction.rules import load_rules

    notes = ["① 凡本网注明“来源：某某网”的所有作品，版权均属于某某网，未经本网授权不得转载、摘编或利用其它方式使用上述作品。",
             "② 凡本网注明“来源：XXX（非某某网）”的作品，均转载自其它媒体，转载目的在于传递更多信息，并不代表本网赞同其观点。",
             "③ 如因作品内容、版权和其它问题需要同本网联系的，请在30日内进行。",
             "CopyRight 2012-2021 某某网 版权所有 关于我们 | 网站公告 | 联系方式"]
    assert clean_lines("\n".join([PARA1, PARA2, *notes]), load_rules()) == [PARA1, PARA2]


@pytest.mark.parametrize("line", [
    "《 人民日报 》（ 2024年05月10日 04 版）",       # a reprint's edition credit (人民网, 光明网, school sites)
    "《光明日报》（2024年05月20日 03版）",
    "点击右上角微信好友", "朋友圈", "点击浏览器下方“”分享微信好友Safari浏览器请点击“”按钮",   # a share bar
    "第1页/共1页 << 上一页 | 下一页 >>", "共3页 第1页 首页 下一页 尾页",                  # an article's pager
    "您当前的位置：", "当前位置： 首 页 > 新闻公告 > 教学新闻", ">",                          # a breadcrumb's remains
])
def test_credit_share_pager_and_breadcrumb_lines_around_an_article_are_not_its_text(line):
    from crawler.extraction.boilerplate import clean_lines
    from crawler.extraction.rules import load_rules

    assert clean_lines(f"{PARA1}\n{line}\n{PARA2}", load_rules()) == [PARA1, PARA2]
    # the same words inside a sentence are prose
    prose = f"他在{line[:6]}中写道，要加快推进乡村振兴。"
    assert clean_lines(f"{PARA1}\n{prose}\n{PARA2}", load_rules()) == [PARA1, prose, PARA2]


def test_a_cells_bare_text_beside_its_paragraphs_and_an_inline_table_is_the_articles_text():
    """A 2005 news page (realpages cw13): the article's cell opens with its first paragraph as bare text,
    then <P>s, a small ad table floated left, and a paragraph of bare text after it. trafilatura drops
    a container's own text once it holds blocks: the first paragraph and the one after the table were lost."""
    first = "一个月之后的6月21日，随着两家企业合资基础协议的签署，传闻再次袭来，本报记者首次了解到合资内幕。"
    after = "对方主动找到旗下的客车厂商谈合作，双方坐到了一起，此后进行了多轮艰苦的谈判，终于达成一致意见。"
    html = f"""<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body>
      <div class="nav"><a href="/">首页</a> <a href="/news/">新闻</a></div><h1>{TITLE}</h1>
      <table width="100%"><tr><td class="Content">　　{first}
      <P>　　{PARA1}<table align="left"><tr><td><a href="/ad/1.html">广告</a></td></tr></table>
      　　{after}<P>　　{PARA2}</td></tr></table><div class="foot">版权所有 某某网</div></body></html>"""
    lines = extract_page(html.encode(), "http://www.example.com/news/2005-07/18/1.html").text.split("\n")
    assert [line.strip("　 ") for line in lines] == [first, PARA1, after, PARA2]


def test_loose_text_with_control_characters_is_wrapped_without_an_error():
    # the parser keeps \x01 in a text node; lxml refuses to set it on a new element (the fault site's
    # malformed page raised out of extract_page)
    html = (f"<html><head><meta charset='utf-8'><title>{TITLE}</title></head><body><h1>{TITLE}</h1>"
            f"<div class='content'>{PARA1}\x01\x02<p>{PARA2}</p>尾\x00部</div></body></html>")
    page = extract_page(html.encode(), "http://www.example.gov.cn/a/1.html")
    assert page.text.split("\n")[:2] == [PARA1, PARA2]
