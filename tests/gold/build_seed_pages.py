"""Rebuild the seed-* pages of the gold set: hand-made HTML around the body text of the five seeds.

    cd /work/main && .venv/bin/python -m tests.gold.build_seed_pages

/work/shared/seeds holds what a naive crawler got from five real pages.  Each page here wraps a
seed's body paragraphs in a plausible layout of that kind of site, with a different markup for the
same information (disclosure tables, dl/dt/dd forms, ``label：value`` lines with full-width colons and
&nbsp;, GBK with the charset only in <meta>, div and table e-papers, attachments).  The truth is
written next to the markup, never taken from govwatch's output.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

GOLD = Path(__file__).resolve().parent
SEEDS = Path("/work/shared/seeds")


def paragraphs(seed: str, first: str, count: int) -> list[str]:
    """*count* paragraphs of a seed capture, starting at the one that begins with *first*."""
    text = (SEEDS / seed).read_text(encoding="utf-8")
    paras = [p.strip() for p in text.split("\n") if p.strip()]
    start = next(i for i, p in enumerate(paras) if p.startswith(first))
    out = paras[start:start + count]
    assert len(out) == count and not any("\ufffd" in p for p in out), (seed, first)
    return out


def ps(paras: list[str], indent: str = "") -> str:
    return "\n".join(f"<p>{indent}{html.escape(p, quote=False)}</p>" for p in paras)


GOV = "000_254392cf30fcf8db.txt"
SPAM = "001_74c576e4f0fb466a.txt"
PAPER = "002_5cf97f02876ccf4d.txt"
PORTAL = "003_58fc8abb3474d906.txt"
COPY = "004_49e3d55ca0aeae4f.txt"
GOV_TITLE = "汲取奋进力量 推进乡村振兴——湖南高标准高质量推进党史学习教育综述"
GOV_FOOTER = """<div class="footer">
 <p>主办单位：永州市乡村振兴局&nbsp;&nbsp;地址：湖南省永州市冷水滩区湘江东路166号潇湘大厦10层&nbsp;湘公网安备 43110302000125号</p>
 <p>永州市乡村振兴局版权所有&nbsp;电话：0746-8320023&nbsp;网站标识码：4311000055&nbsp;湘ICP备05009375号&nbsp;&nbsp;<a href="/lxwm.html">联系我们</a>&nbsp;&nbsp;技术支持：开普云&nbsp;<a href="/wzdt.html">网站地图</a></p>
</div>"""
GOV_TAIL = """<div class="ewm">扫一扫在手机打开当前页</div>
<div class="gotop"><a href="#top">回到顶部</a></div>"""


def gov_table_attachments() -> tuple[str, str, dict]:
    """TRS disclosure table (label cells without colons), a PDF and a DOCX attachment, UTF-8."""
    body = paragraphs(GOV, "初夏", 6)
    doc = "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">" \
          f"<title>{GOV_TITLE}_永州市乡村振兴局</title></head><body>\n" \
          """<div class="top"><a href="/">永州市乡村振兴局</a> <a href="/zwgk/">政务公开</a> <a href="/xwzx/">新闻中心</a> <a href="/hdjl/">互动交流</a></div>
<div class="position">您现在所在的位置 : <a href="/">首页</a> &gt; <a href="/djdt/">党建动态</a></div>
<table class="xxgk_table" border="1">
 <tr><th>索引号</th><td>MB1L79532/2021-00871</td><th>分类</th><td>党建动态</td></tr>
 <tr><th>发文机关</th><td>永州市乡村振兴局</td><th>发文日期</th><td>2021年06月07日</td></tr>
 <tr><th>名称</th><td colspan="3">""" + GOV_TITLE + """</td></tr>
 <tr><th>文号</th><td>永乡振发〔2021〕17号</td><th>成文日期</th><td>2021年06月05日</td></tr>
</table>
<div class="article"><h1>""" + GOV_TITLE + """</h1>
<div class="info">2021-06-07&nbsp;&nbsp;&nbsp;来源：湖南省人民政府扶贫办网站 <span class="font">【字体：<a>大</a> <a>中</a> <a>小</a>】</span> <a href="javascript:window.print()">打印</a>
<div class="share">分享到：<a>微信</a><a>微博</a></div></div>
<div class="TRS_Editor">""" + ps(body) + """</div>
<div class="fujian"><p>附件：</p>
<p><a href="./P020210607528881.pdf">1.永州市党史学习教育实施方案.pdf</a></p>
<p><a href="./P020210607528882.docx">2.巩固拓展脱贫攻坚成果工作台账.docx</a></p></div>
</div>
""" + GOV_TAIL + GOV_FOOTER + "</body></html>"
    url = "http://xczx.yzcity.gov.cn/xczx/0400/202106/t20210607_1234567.html"
    truth = {
        "url": url, "kind": "seed-gov", "encoding": "utf-8", "title": GOV_TITLE, "date": "2021-06-07",
        "author": None, "source": "湖南省人民政府扶贫办网站", "publisher": "永州市乡村振兴局",
        "index_no": "MB1L79532/2021-00871", "doc_no": "永乡振发〔2021〕17号", "category": "党建动态",
        "attachments": ["http://xczx.yzcity.gov.cn/xczx/0400/202106/P020210607528881.pdf",
                        "http://xczx.yzcity.gov.cn/xczx/0400/202106/P020210607528882.docx"],
        "metadata": {"成文日期": "2021年06月05日", "名称": GOV_TITLE},
        "text": "\n".join(body),
    }
    return "seed-gov-table-attachments", doc, truth


def gov_dl_gbk() -> tuple[str, bytes, dict]:
    """dl/dt/dd disclosure form, GBK with the charset only in <meta http-equiv>, 文/… byline at the end."""
    body = paragraphs(GOV, "驻村帮扶薪火相传、精准精细", 5)
    last = "从百年党史中汲取奋进力量,三湘儿女在取得脱贫攻坚的全面胜利后,正以苦干实干精神,共走乡村振兴新长征(文/奉永成)"
    title = "乡村振兴驻村帮扶薪火相传 精准精细尽锐出战"
    doc = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title}-永州市人民政府</title></head><body>
<div id="header"><ul class="menu"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="dqwz">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; 工作动态</div>
<div class="govinfo"><dl>
<dt>索 引 号：</dt><dd>431100/2021-06-00123</dd>
<dt>主题分类：</dt><dd>乡村振兴</dd>
<dt>发布机构：</dt><dd>永州市乡村振兴局</dd>
<dt>发文字号：</dt><dd>永乡振函〔2021〕8号</dd>
<dt>成文日期：</dt><dd>2021-05-20</dd>
<dt>公开日期：</dt><dd>2021-05-24</dd>
</dl></div>
<div class="content"><h2 class="title">{title}</h2>
<div class="zoom" id="zoom">{ps(body + [last], "　　")}</div></div>
<div class="bottom"><p>永州市人民政府版权所有&nbsp;&nbsp;湘ICP备05009375号&nbsp;&nbsp;网站标识码：4311000001</p></div>
</body></html>"""
    truth = {
        "url": "http://www.yzcity.gov.cn/cnyz/gzdt/202105/t20210524_7654321.html", "kind": "seed-gov",
        "encoding": "gbk", "title": title, "date": "2021-05-24", "author": "奉永成", "source": None,
        "publisher": "永州市乡村振兴局", "index_no": "431100/2021-06-00123", "doc_no": "永乡振函〔2021〕8号",
        "category": "乡村振兴", "attachments": [], "metadata": {"成文日期": "2021-05-20"},
        "text": "\n".join(body + [last]),
    }
    return "seed-gov-dl-gbk", doc.encode("gb18030"), truth


def gov_label_lines() -> tuple[str, str, dict]:
    """``label：value`` lines with full-width colons and &nbsp; padding, a 文号 line opening the body."""
    body = ["永乡振办〔2021〕9号"] + paragraphs(GOV, "原有政策不变", 3) + ["永州市乡村振兴局", "2021年6月1日"]
    title = "关于建立巩固脱贫攻坚长效机制的通知"
    doc = f"""<html><head><meta charset="utf-8"><title>{title}</title></head><body>
<div class="nav"><a href="/">网站首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/tzgg/">通知公告</a> | <a href="/zcwj/">政策文件</a></div>
<div class="location">当前位置：首页 &gt; 通知公告 &gt; 正文</div>
<div class="xxgk_info">
<p>索&nbsp;引&nbsp;号：MB1L79532/2021-00655&nbsp;&nbsp;&nbsp;&nbsp;信息分类：通知公告</p>
<p>发文单位：永州市乡村振兴局办公室&nbsp;&nbsp;&nbsp;&nbsp;文&nbsp;&nbsp;&nbsp;&nbsp;号：永乡振办〔2021〕9号</p>
<p>发布日期：2021年06月02日&nbsp;&nbsp;&nbsp;&nbsp;有&nbsp;效&nbsp;性：有效</p>
</div>
<div class="detail"><div class="detail-title">{title}</div>
<div class="detail-info">发布时间：2021-06-02 09:30　　信息来源：永州市乡村振兴局　　浏览次数：1024</div>
<div class="TRS_UEDITOR">{ps(body)}</div>
<div class="dayin"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div></div>
{GOV_FOOTER}</body></html>"""
    truth = {
        "url": "http://xczx.yzcity.gov.cn/xczx/tzgg/202106/t20210602_100200.html", "kind": "seed-gov",
        "encoding": "utf-8", "title": title, "date": "2021-06-02", "author": None, "source": "永州市乡村振兴局",
        "publisher": "永州市乡村振兴局办公室", "index_no": "MB1L79532/2021-00655", "doc_no": "永乡振办〔2021〕9号",
        "category": "通知公告", "attachments": [], "metadata": {"有效性": "有效"}, "text": "\n".join(body),
    }
    return "seed-gov-label-lines", doc, truth


def spam_caishen() -> tuple[str, str, dict]:
    """Lottery spam mirror (彩神) copying a magazine article: 来源 《…》, 作者, contact lines."""
    body = paragraphs(SPAM, "做好工作重心衔接", 3)
    title = "做好巩固拓展脱贫攻坚成果 同乡村振兴有效衔接新答卷"
    doc = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}-彩神-安全购彩</title>
<meta name="keywords" content="彩神,彩神app,彩神官网,安全购彩"></head><body>
<div class="header"><div class="logo"><a href="/">彩神-安全购彩</a></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/cp/">彩票资讯</a></li><li><a href="/kj/">开奖公告</a></li><li><a href="/app/">彩神app下载</a></li></ul></div>
<div class="main"><div class="art">
<h1>{title}</h1>
<div class="art-info">来源:《湘西工作》2021/1&nbsp;&nbsp;作者:向汝莲&nbsp;&nbsp;2021-03-15 14:28</div>
<div class="art-body">{ps(body, "&nbsp;&nbsp;")}</div>
<div class="contact"><p>投稿邮箱丨xxzxxgz@sina.com</p><p>联系电话丨0743-8221256</p><p>扫一扫在手机打开当前页</p></div>
</div>
<div class="side"><h3>热门彩种</h3><ul><li><a href="/ssq/">双色球</a></li><li><a href="/dlt/">大乐透</a></li><li><a href="/k3/">快3</a></li><li><a href="/pk10/">北京赛车</a></li></ul></div></div>
<div class="foot">Copyright © 彩神-安全购彩 All Rights Reserved</div></body></html>"""
    truth = {
        "url": "https://www.caishen-example.com/cp/20210315/88812.html", "kind": "seed-spam-mirror",
        "encoding": "utf-8", "title": title, "date": "2021-03-15", "author": "向汝莲", "source": "《湘西工作》2021/1",
        "publisher": None, "index_no": None, "doc_no": None, "category": None, "attachments": [],
        "metadata": {"来源": "《湘西工作》2021/1"}, "text": "\n".join(body),
    }
    return "seed-spam-caishen", doc, truth


def spam_caishen_gbk() -> tuple[str, bytes, dict]:
    """The same kind of mirror in GBK, info bar in one table row, closing （作者系…） line kept as body."""
    body = paragraphs(SPAM, "做好体制机制衔接", 2)
    title = "做好巩固拓展脱贫攻坚成果同乡村振兴有效衔接"
    doc = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"><title>{title}_彩神</title></head><body>
<table width="980" align="center"><tr><td class="logo">彩神-安全购彩</td><td class="tel">免费服务热线：400-000-0000</td></tr></table>
<table width="980" align="center"><tr><td>
<h1>{title}</h1>
<table class="info"><tr><td>稿件来源：《湘西工作》2021/2</td><td>作者：胡晓岚</td><td>发布时间：2021-04-02 09:15</td><td>点击：<span>361</span></td></tr></table>
<div class="con">{ps(body)}</div>
<p class="tel">联系电话丨0743-8221256</p>
</td></tr></table></body></html>"""
    truth = {
        "url": "http://cs.example-lottery.cn/news/2021/0402/5521.html", "kind": "seed-spam-mirror", "encoding": "gbk",
        "title": title, "date": "2021-04-02", "author": "胡晓岚", "source": "《湘西工作》2021/2", "publisher": None,
        "index_no": None, "doc_no": None, "category": None, "attachments": [], "text": "\n".join(body),
    }
    return "seed-spam-caishen-gbk", doc.encode("gb18030"), truth


PAPER_TITLE = "奏响新时代“山乡巨变”进行曲"


def paper_divs() -> tuple[str, bytes, dict]:
    """湖南日报 e-paper page 第03版 in divs and lists, GBK, byline under the title."""
    body = paragraphs(PAPER, "“峰峦叠翠风光美", 8)
    doc = f"""<!DOCTYPE html><html><head><meta charset="gb2312"><title>湖南日报数字报-{PAPER_TITLE}</title></head><body>
<div class="banner"><span class="date">2022年12月17日 星期六</span> <a href="../../../index.htm">首页</a> | <a href="#bmdh">版面导航</a> | <a href="#btdh">标题导航</a> |</div>
<div class="left">
<div class="bm">第03版：要闻 <a href="node_2.htm">上一版</a> <a href="node_2.htm">2</a> <a href="node_4.htm">4</a> <a href="node_4.htm">下一版</a></div>
<div class="bmdh" id="bmdh"><h4>版面导航</h4><ul>
<li><a href="node_1.htm">第01版</a> <a href="node_1.htm">头版</a></li><li><a href="node_2.htm">第02版</a> <a href="node_2.htm">要闻</a></li>
<li><a href="node_3.htm">第03版</a> <a href="node_3.htm">要闻</a></li><li><a href="node_4.htm">第04版</a> <a href="node_4.htm">乡村振兴</a></li></ul></div>
<div class="btdh" id="btdh"><h4>标题导航</h4><ul>
<li><a href="content_1.htm">{PAPER_TITLE}</a></li><li><a href="content_2.htm">湖南决战决胜脱贫攻坚 攻克贫困最后堡垒</a></li>
<li><a href="content_3.htm">一支“永不走的驻村工作队”</a></li></ul></div></div>
<div class="right"><div class="tools"><a href="content_0.htm">上一篇</a>&nbsp;&nbsp;<a href="content_2.htm">下一篇</a>&nbsp;&nbsp;<a href="#">放大</a> <a href="#">缩小</a> <a href="#">默认</a></div>
<h1>{PAPER_TITLE}</h1><h3>——湖南高质量推动乡村振兴驻村帮扶工作</h3>
<p class="author">湖南日报全媒体记者 周帙恒</p>
<div id="ozoom">{ps(body, "　　")}</div>
<div class="tools"><a href="content_0.htm">上一篇</a> <a href="content_2.htm">下一篇</a> <a href="#">放大</a> <a href="#">缩小</a> <a href="#">默认</a></div></div>
<div class="copyright">© 版权所有 湖南日报报业集团<br>copyright © 2008 VOC.COM.CN, Geo Info. All Rights Reserved<br>
互联网新闻信息服务许可证：4312006003 经营许可证：湘ICP证010023 ICP备案号：湘ICP备10011883号</div>
</body></html>"""
    truth = {
        "url": "https://hnrb.voc.com.cn/hnrb_epaper/html/2022-12/17/content_1608925.htm", "kind": "seed-paper",
        "encoding": "gbk", "title": PAPER_TITLE, "date": "2022-12-17", "author": "周帙恒", "source": None,
        "publisher": None, "index_no": None, "doc_no": None, "category": None, "attachments": [],
        "metadata": {"版次": "第03版：要闻"}, "text": "\n".join(body),
    }
    return "seed-paper-divs-gbk", doc.encode("gb18030"), truth


def paper_tables() -> tuple[str, bytes, dict]:
    """The classic Founder e-paper: nested layout tables, navigation as data-table rows, GBK."""
    body = paragraphs(PAPER, "火车跑得快", 4)
    title = "打造一支“永不走的驻村工作队”"
    doc = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=GBK"><title>{title}--湖南日报</title></head><body>
<table width="990" align="center" border="0"><tr><td>
 <table width="100%"><tr><td class="date">2022年12月17日　星期六</td><td><a href="../../../index.htm">首页</a> | <a href="node_1.htm">版面导航</a> | <a href="node_1.htm">标题导航</a></td></tr></table>
</td></tr><tr><td>
 <table width="100%"><tr>
 <td width="300" valign="top">
  <table><tr><td>第04版：乡村振兴</td><td><a href="node_3.htm">上一版</a></td><td><a href="node_5.htm">下一版</a></td></tr></table>
  <table class="bmdh"><tr><td><a href="node_1.htm">第01版：头版</a></td><td><a href="node_2.htm">第02版：要闻</a></td></tr>
  <tr><td><a href="node_3.htm">第03版：要闻</a></td><td><a href="node_4.htm">第04版：乡村振兴</a></td></tr></table>
  <table class="btdh"><tr><td><a href="content_11.htm">{title}</a></td></tr><tr><td><a href="content_12.htm">龙湾渔歌唱响梅山水乡</a></td></tr>
  <tr><td><a href="content_13.htm">荒山变“金山” 油茶林里养出致富鸡</a></td></tr></table>
 </td>
 <td valign="top">
  <table width="100%"><tr><td><a href="content_10.htm">上一篇</a> <a href="content_12.htm">下一篇</a> <a href="#">放大</a> <a href="#">缩小</a> <a href="#">默认</a></td></tr></table>
  <table width="100%"><tr><td>
   <h1>{title}</h1>
   <p>湖南日报全媒体记者 梁庆林 通讯员 唐又明</p>
   <founder-content>{ps(body, "　　")}</founder-content>
  </td></tr></table>
 </td></tr></table>
</td></tr><tr><td class="foot">© 版权所有 湖南日报报业集团　湘ICP备10011883号</td></tr></table>
</body></html>"""
    truth = {
        "url": "https://hnrb.voc.com.cn/hnrb_epaper/html/2022-12/17/content_1608931.htm", "kind": "seed-paper",
        "encoding": "gbk", "title": title, "date": "2022-12-17", "author": "梁庆林", "source": None,
        "publisher": None, "index_no": None, "doc_no": None, "category": None, "attachments": [],
        "metadata": {"版次": "第04版：乡村振兴"}, "text": "\n".join(body),
    }
    return "seed-paper-tables-gbk", doc.encode("gb18030"), truth


PORTAL_TITLE = "嘉禾：党建引领实现全面小康 推进乡村振兴"


def portal() -> tuple[str, str, dict]:
    """News portal republishing a 红网 story: 时间 line, correspondents in the lead, 上一篇/下一篇, 相关新闻."""
    body = paragraphs(PORTAL, "红网时刻7月5日讯", 5)
    doc = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{PORTAL_TITLE}_湖南新闻_四海资讯</title></head><body>
<div class="header"><div class="logo">四海资讯</div><ul class="menu"><li><a href="/">首页</a></li><li><a href="/gn/">国内资讯</a></li><li><a href="/gj/">国际资讯</a></li><li><a href="/cj/">财经</a></li></ul></div>
<div class="crumbs">首页 &gt; <a href="/gn/">国内资讯</a> &gt; <a href="/gn/hn/">湖南新闻</a></div>
<div class="article"><h1>{PORTAL_TITLE}</h1>
<div class="time">时间：2021-07-05&nbsp;&nbsp;来源：红网时刻</div>
<div class="text">{ps(body)}</div>
<ul class="pagenav"><li>上一篇：<a href="/gn/hn/2021/0705/1.html">浏阳淳口：唱响主旋律 高歌颂党恩</a></li>
<li>下一篇：<a href="/gn/hn/2021/0705/3.html">零陵区创建国家园林城市成效明显</a></li></ul>
<div class="xgxw"><h3>相关新闻</h3><ul><li><a href="/a/1.html">郴州：红色资源赋能乡村振兴</a></li><li><a href="/a/2.html">嘉禾县召开乡村振兴工作推进会</a></li><li><a href="/a/3.html">临武：产业帮扶助农增收</a></li></ul></div>
</div><div class="footer">Copyright © 四海资讯 版权所有</div></body></html>"""
    truth = {
        "url": "http://www.sihai-news.example.com/gn/hn/2021/0705/2.html", "kind": "seed-portal", "encoding": "utf-8",
        "title": PORTAL_TITLE, "date": "2021-07-05", "author": "罗志勇 邓和明", "source": "红网时刻", "publisher": None,
        "index_no": None, "doc_no": None, "category": None, "attachments": [], "text": "\n".join(body),
    }
    return "seed-portal", doc, truth


def portal_gbk() -> tuple[str, bytes, dict]:
    """An older portal in GBK: info bar with 作者 and 编辑, subheads, the editor credit after the body."""
    body = paragraphs(PORTAL, "近年来,在党建引领下", 1) + paragraphs(PORTAL, "上下同心", 3)
    title = "嘉禾县高质量打赢脱贫攻坚战"
    doc = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"><title>{title} - 郴州新闻网</title></head><body>
<table width="1000" align="center"><tr><td><a href="/">郴州新闻网</a> <a href="/news/">新闻</a> <a href="/xq/">县区</a> <a href="/zt/">专题</a></td></tr></table>
<div class="wz">您的位置：<a href="/">首页</a> &gt; <a href="/xq/">县区</a></div>
<div class="zw"><h2>{title}</h2>
<div class="zz">2021年07月06日 08:12　来源：红网　作者：邓和明　编辑：李四</div>
<div id="artibody">{ps(body)}</div>
<div class="editor">（责任编辑：李四）</div></div>
<div class="bq">郴州新闻网版权所有 未经授权禁止转载 湘ICP备12345678号</div></body></html>"""
    truth = {
        "url": "http://www.czxww.example.cn/xq/2021/0706/123456.shtml", "kind": "seed-portal", "encoding": "gbk",
        "title": title, "date": "2021-07-06", "author": "邓和明", "source": "红网", "publisher": None,
        "index_no": None, "doc_no": None, "category": None, "attachments": [], "text": "\n".join(body),
    }
    return "seed-portal-gbk", doc.encode("gb18030"), truth


def manufacturer_copy() -> tuple[str, str, dict]:
    """A story copied onto a 工作台厂家 site: hotline header, 热门搜索, game-name spam after the body."""
    body = paragraphs(COPY, "红网时刻记者 汪衡", 4) + paragraphs(COPY, "5年多来", 2)
    title = "两会学习笔记丨咬定精准不放松真抓真干助脱贫"
    doc = f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" /><title>{title}-工作台厂家</title></head><body>
<div class="top"><div class="logo"><a href="/">工作台厂家</a></div><div class="tel">免费服务热线<br/>Free service<br/>hotline<br/>010-00000000</div></div>
<div class="hot-search">热门搜索：<a href="/s?kw=工作台">工作台</a> <a href="/s?kw=防静电工作台">防静电工作台</a> <a href="/s?kw=钳工台">钳工台</a></div>
<div class="weizhi">当前位置：<a href="/">首页</a> &gt; <a href="/news/">技术资讯</a></div>
<div class="arc"><h1>{title}</h1>
<div class="arc-info">发布时间：2020-09-16 03:40:44 阅读： 来源：工作台厂家</div>
<div class="arc-body">{ps(body)}</div>
<div class="spam"><a href="/g/1">放开那三国2</a><br/><a href="/g/2">灵武世界</a><br/><a href="/g/3">仙域奇缘破解版</a><br/><a href="/g/4">王者荣耀</a></div>
</div><div class="foot">工作台厂家 版权所有 京ICP备00000000号</div></body></html>"""
    truth = {
        "url": "http://www.gongzuotai-example.com/news/2461.html", "kind": "seed-copy", "encoding": "utf-8",
        "title": title, "date": "2020-09-16", "author": "汪衡", "source": "工作台厂家", "publisher": None,
        "index_no": None, "doc_no": None, "category": None, "attachments": [], "text": "\n".join(body),
    }
    return "seed-copy-manufacturer", doc, truth


PAGES = (gov_table_attachments, gov_dl_gbk, gov_label_lines, spam_caishen, spam_caishen_gbk, paper_divs,
         paper_tables, portal, portal_gbk, manufacturer_copy)


def build() -> list[str]:
    for old in GOLD.glob("seed-*"):
        old.unlink()
    names = []
    for make in PAGES:
        name, doc, truth = make()
        raw = doc if isinstance(doc, bytes) else doc.encode("utf-8")
        (GOLD / f"{name}.html").write_bytes(raw)
        (GOLD / f"{name}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        names.append(name)
    return names


if __name__ == "__main__":
    built = build()
    print(f"{len(built)} hand-made pages written to {GOLD}")
