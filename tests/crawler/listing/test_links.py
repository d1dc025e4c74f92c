"""Links in <a href> and in the JavaScript list pages use: resolved, http(s) only, capped."""
from __future__ import annotations

import pytest

from crawler.listing.links import MAX_URL, javascript_target, page_links, parse_html, resolve_url

BASE = "http://www.example.gov.cn/col/sub/index.html"


@pytest.mark.parametrize("raw,expected", [
    ("../2021/t1.html", "http://www.example.gov.cn/col/2021/t1.html"),
    ("t1.html#top", "http://www.example.gov.cn/col/sub/t1.html"),
    ("  /a/1.html\n", "http://www.example.gov.cn/a/1.html"),
    ("//cdn.example.com/x.pdf", "http://cdn.example.com/x.pdf"),
    ("javascript:window.open('detail/5.html')", "http://www.example.gov.cn/col/sub/detail/5.html"),
    ("javascript:showInfo('/info/1011/2345.html','x')", "http://www.example.gov.cn/info/1011/2345.html"),
    ("javascript:;", None), ("javascript:void(0)", None), ("javascript:showInfo(123)", None),
    ("#", None), ("mailto:a@b.cn", None), ("ftp://x/y", None), ("data:text/html,hi", None),
    ("/" + "9" * MAX_URL, None),
])
def test_resolve_url(raw, expected):
    assert resolve_url(raw, BASE) == expected


@pytest.mark.parametrize("js,expected", [
    ("window.location='art/1.html'", "art/1.html"),
    ("location.href = \"/a/2.html\";", "/a/2.html"),
    ("window.location.href='a/3.html'", "a/3.html"),
    ("location.href=encodeURI('index_2.jhtml')", "index_2.jhtml"),
    ("window.open('/a/4.html','_blank')", "/a/4.html"),
    ("location.replace('a/5.html')", "a/5.html"),
    ("doSomething()", None),
])
def test_javascript_target(js, expected):
    assert javascript_target(js) == expected


def test_page_links_reads_onclick_rows_and_keeps_page_order():
    html = """<html><body><table>
      <tr onclick="window.location='art/1.html'"><td>第一条通知的标题</td></tr>
      <tr><td><a href="#" onclick="location.href='art/2.html'">第二条 通知</a></td></tr>
      <tr><td><a href="art/3.html" title="第三条通知的完整标题">第三条…</a></td></tr>
      <tr><td><a href="javascript:;">下一页</a></td></tr>
    </table></body></html>"""
    links = page_links(parse_html(html), BASE)
    urls = [lk.url for lk in links]
    assert urls == ["http://www.example.gov.cn/col/sub/art/1.html", "http://www.example.gov.cn/col/sub/art/2.html",
                    "http://www.example.gov.cn/col/sub/art/3.html", ""]
    assert links[0].anchor == "第一条通知的标题" and links[1].anchor == "第二条 通知"
    assert links[2].title == "第三条通知的完整标题"
    assert links[3].raw == "javascript:;"   # kept (no URL) so the pager reader can see it


def test_base_href_tabs_newlines_backslashes_and_thumbnail_alt():
    from crawler.listing.links import document_base
    html = """<html><head><base href="http://cms.example.gov.cn/site/"></head><body>
      <a href="a/1.html"><img src="x.jpg" alt="图片新闻的标题"></a>
      <a href="a/2
.html">二</a> <a href="a\\3.html">三</a></body></html>"""
    root = parse_html(html)
    base = document_base(root, BASE)
    assert base == "http://cms.example.gov.cn/site/"
    links = page_links(root, base)
    assert [lk.url for lk in links] == ["http://cms.example.gov.cn/site/a/1.html", "http://cms.example.gov.cn/site/a/2.html",
                                        "http://cms.example.gov.cn/site/a/3.html"]
    assert links[0].anchor == "" and links[0].title == "图片新闻的标题"


def test_a_percent_encoded_javascript_url_is_decoded_as_a_browser_does():
    # site copiers (Teleport) rewrite links they did not fetch into a confirm() dialog, quotes escaped
    teleport = ("javascript:if(confirm(%27http://adge.cqjtu.edu.cn/xkxx/xwdgk.htm  \\n\\nThis file was not "
                "retrieved by Teleport Ultra%27))window.location=%27http://adge.cqjtu.edu.cn/xkxx/xwdgk.htm%27")
    assert resolve_url(teleport, "http://yjszs.cqjtu.edu.cn/zsxx1/ssyjs.htm") == "http://adge.cqjtu.edu.cn/xkxx/xwdgk.htm"
    # a literal target keeps its escapes
    assert resolve_url("javascript:window.open('a.html?q=%E6%96%B0')", "http://x.cn/l/") == "http://x.cn/l/a.html?q=%E6%96%B0"


def test_read_more_labels_are_no_titles():
    root = parse_html("""<html><body><ul>
      <li><a href="/zlks/zbz/132.html">使用较广的三种自闭症检测量表<span>【阅读全文】</span></a></li>
      <li><span class="t">穿的太少也会引发滑膜炎</span><a href="/hmy/by/46.html">【查看更多】</a></li></ul></body></html>""")
    anchors = {link.url: link.anchor for link in page_links(root, "http://m.kb.com/zlks/index.html")}
    assert anchors["http://m.kb.com/zlks/zbz/132.html"] == "使用较广的三种自闭症检测量表"
    assert anchors["http://m.kb.com/hmy/by/46.html"] != "【查看更多】"
