"""Links written as script calls with an id, resolved through the page's own inline functions
(crawler/listing/script_links.py): what is named, and what is refused rather than guessed."""

from __future__ import annotations

import time

import pytest

from crawler.listing.links import page_links, parse_html
from crawler.listing.reading import read_list_page
from crawler.listing.script_links import ScriptLinks

PAGE = "http://www.example.gov.cn/col/tzgg/index.html"

SCRIPT = """
var base = "/xxgk/";
const origin = window.location.protocol + "//" + location.host;
function openDetail(id, kind) { var url = base + "detail.jsp?id=" + id; url += "&kind=" + kind; window.open(url, "_blank"); }
function goPage(n) { if (n == 1) { location.href = 'index.html'; } else { location.href = 'index_' + (n - 1) + '.html'; } }
function view(id) { openWin(`show/${id}.html`); }
function openWin(u) { window.open(encodeURI(u), "_blank", "width=800"); }
var Cms = { up: function (a, b, c) { $.get('/count?' + b); } };
window.showInfo = function (guid) { window.location.href = origin + "/info/" + guid.toString() + ".shtml"; };
var byArrow = (id) => { document.location = './a/' + encodeURIComponent(id) + '.htm'; };
function either(id, k) { if (k) { location.href = 'a.html?id=' + id; } else { location.href = 'b.html?id=' + id; } }
function fromDom(id) { location.href = $('#x').val() + id; }
function loop(id) { loop2(id); }
function loop2(id) { loop(id); }
function counted(id) { addClick(id); location.replace("content_" + id + ".html"); }
function addClick(id) { $.post("/hits", {id: id}); }
function byType(id, type) { var url; if (type == 1) { url = 'a.html?id=' + id; } else { url = 'b.html?id=' + id; }
  window.open(url); }
function lone(id) { location.href = `/x/\\ud800${id}.html`; }
function bySwitch(id, t) { var u = ''; switch (t) { case 1: u = 'x' + id; break; default: u = 'y' + id; } location.href = u; }
"""


@pytest.fixture(scope="module")
def calls() -> ScriptLinks:
    return ScriptLinks(parse_html(f"<html><head><script>{SCRIPT}</script></head><body></body></html>"), PAGE)


@pytest.mark.parametrize(("snippet", "expected"), [
    ("openDetail('123', 2)", "/xxgk/detail.jsp?id=123&kind=2"),
    ("javascript:openDetail(\"8a8a81\",'x');return false;", "/xxgk/detail.jsp?id=8a8a81&kind=x"),
    ("return openDetail(7, 'y')", "/xxgk/detail.jsp?id=7&kind=y"),
    ("goPage(1)", "index.html"),                    # the known condition takes one branch
    ("goPage(3)", "index_2.html"),
    ("view(77)", "show/77.html"),                   # handed on to openWin: followed
    ("showInfo('abc-1')", "http://www.example.gov.cn/info/abc-1.shtml"),
    ("byArrow('文件 1')", "./a/%E6%96%87%E4%BB%B6%201.htm"),
    ("either(1, true)", "a.html?id=1"),
    ("either(1, 0)", "b.html?id=1"),
    ("counted(42)", "content_42.html"),             # a counter call before the navigation is no URL
    ("lone(5)", "/x/\ufffd5.html"),                 # a lone surrogate escape: never into a URL (UTF-8 has none)
    ("byType(5, 1)", "a.html?id=5"),                # the variable assigned in the branch the call takes
    ("byType(5, '2')", "b.html?id=5"),
    # the snippet's own navigation, built by concatenation
    ("window.open('/col/detail.jsp?id=' + '42', '_blank')", "/col/detail.jsp?id=42"),
    ("location.href='content.jsp?id='+123;return false;", "content.jsp?id=123"),
    ("window.location.href = base + 'show.html?guid=' + 'ab12'", "/xxgk/show.html?guid=ab12"),
])
def test_a_call_is_resolved_through_the_function_it_calls(calls, snippet, expected):
    assert calls.target(snippet) == expected


@pytest.mark.parametrize("snippet", [
    "Cms.up('', 1, 2)",          # does not navigate
    "either(1, event)",          # two places, and the argument that chooses is not known
    "fromDom(3)",                # the URL is read from the page at run time
    "nosuch(1)",                 # defined in a script this page does not carry
    "openDetail(this, 1)",       # the id comes from the element
    "loop(1)",                   # calls that never navigate, however deep
    "byType(5, this)",           # which branch assigned the URL is not known
    "bySwitch(5, 1)",            # a switch case: refused rather than the last case taken
    "alert('x')",
    "",
    "void(0)",
])
def test_a_call_whose_target_cannot_be_known_gives_no_link(calls, snippet):
    assert calls.target(snippet) is None


def test_rows_and_anchors_that_call_a_function_become_article_links_in_a_list():
    rows = "".join(
        f'<tr onclick="openArticle(\'{n}\')"><td>关于第{n}批乡村振兴项目的公示</td><td>2024-03-{n:02d}</td></tr>'
        for n in range(1, 9))
    anchors = "".join(
        f'<li><a href="javascript:void(0)" onclick="openArticle(\'{n}\');return false;">第{n}期工作简报</a>'
        f'<span>2024-04-{n:02d}</span></li>' for n in range(11, 19))
    html = f"""<html><head><script>
      function openArticle(id) {{ window.open("/col/tzgg/content_" + id + ".html"); }}
    </script></head><body><div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div>
    <table class="list">{rows}</table><ul class="news">{anchors}</ul></body></html>"""
    urls = [link.url for link in page_links(parse_html(html), PAGE)]
    assert [u for u in urls if "content_" in u] == [
        f"http://www.example.gov.cn/col/tzgg/content_{n}.html" for n in [*range(1, 9), *range(11, 19)]]
    reading = read_list_page(html, PAGE)
    assert {a.url for a in reading.article_links} == {
        f"http://www.example.gov.cn/col/tzgg/content_{n}.html" for n in [*range(1, 9), *range(11, 19)]}


def test_a_page_without_such_calls_never_parses_its_scripts():
    calls = ScriptLinks(parse_html("<html><body><script>function f(){}</script></body></html>"), PAGE)
    assert calls.target("void(0)") is None and calls.target("#") is None
    assert not calls.parsed


@pytest.mark.parametrize("junk", [
    "(" * 200_000 + "1" + ")" * 200_000,          # nested 200,000 deep
    "{" * 300_000,                                # never closed: one error node of 300,000 tokens
    "[" * 300_000,
    "var s = '" + "\\'" * 200_000,                 # an unterminated string of escapes
    "a={b:" * 100_000,
    "function g(a){" * 50_000,
    "x=1;" * 400_000,                             # past the cap: the rest is not read
])
def test_hostile_scripts_cost_time_linear_in_their_capped_size(junk):
    html = f"<html><head><script>function f(a){{ location.href = 'x' + a; }}\n{junk}</script></head></html>"
    started = time.process_time()
    calls = ScriptLinks(parse_html(html), PAGE)
    assert calls.target("f(1)") == "x1"
    assert calls.target("g(1)") is None
    # generous (each takes ~0.1 s): a hang or a blow-up is what fails (a tree-sitter query took 22 s on "{")
    assert time.process_time() - started < 5


def test_an_external_or_non_javascript_script_is_not_read():
    html = ('<html><head><script src="common.js">function g(id){location.href="a"+id}</script>'
            '<script type="text/template">function g(id){location.href="b"+id}</script></head></html>')
    assert ScriptLinks(parse_html(html), PAGE).target("g(1)") is None


def _rows_calling(n: int) -> str:
    rows = "".join(f'<li><a href="javascript:void(0)" onclick="showArticle(\'{i}\')">关于第{i}批项目资金的公示</a>'
                   f'<span>2024-05-{i:02d}</span></li>' for i in range(1, n + 1))
    return (f'<html><head><script src="/js/jquery-3.6.0.min.js"></script><script src="/js/list.js"></script>'
            f'<script src="http://cdn.example.com/stat.js"></script></head><body><ul class="list">{rows}</ul></body></html>')


def test_a_list_calling_a_function_it_does_not_define_names_its_script_files():
    reading = read_list_page(_rows_calling(8), PAGE)
    assert reading.article_links == []
    # jQuery never defines a site's showArticle; the spider keeps only the on-site ones
    assert reading.scripts_wanted == ["http://www.example.gov.cn/js/list.js", "http://cdn.example.com/stat.js"]
    again = read_list_page(_rows_calling(8), PAGE, scripts=[
        "function showArticle(id) { location.href = '/col/tzgg/' + id + '.html'; }", ""])
    assert again.scripts_wanted == []
    assert [a.url for a in again.article_links] == [f"http://www.example.gov.cn/col/tzgg/{i}.html" for i in range(1, 9)]


def test_two_calls_to_an_unknown_function_are_a_tab_switch_not_a_list():
    assert read_list_page(_rows_calling(2), PAGE).scripts_wanted == []


def test_a_literal_that_is_only_the_start_of_a_concatenation_is_not_taken_for_the_url():
    html = "".join(f'''<tr onclick="window.open('show.jsp?id=' + {n})"><td>第{n}号公告的标题文字</td></tr>'''
                   for n in range(1, 4))
    links = page_links(parse_html(f"<html><body><table>{html}</table></body></html>"), PAGE)
    assert [link.url for link in links] == [f"http://www.example.gov.cn/col/tzgg/show.jsp?id={n}" for n in range(1, 4)]


@pytest.mark.parametrize(("ifs", "expected"), [(5, "p5"), (18, "p18"), (300, None)])
def test_conditions_that_read_each_other_cannot_make_a_link_cost_exponential_time(ifs, expected):
    # each condition reads what the one before assigned: five of these took minutes before conditions and
    # variables were remembered per call; 300 run out of the step budget (no link) rather than time
    chain = "".join(f"if (x == {i}) {{ x = x + 1; }} " for i in range(ifs))
    html = f"<html><head><script>function f(x) {{ {chain} location.href = 'p' + x; }}</script></head></html>"
    started = time.process_time()
    assert ScriptLinks(parse_html(html), PAGE).target("f(0)") == expected
    assert time.process_time() - started < 5


@pytest.mark.parametrize(("row", "reads"), [
    ('<li onclick="showDetail(this)" data-id="{n}">', "'detail.html?id=' + $(obj).attr('data-id')"),
    ('<li onclick="showDetail(this)" url="show/{n}.html">', "obj.getAttribute('url')"),
    ('<li onclick="showDetail(this);" data-info-id="{n}">', "'detail.html?id=' + obj.dataset.infoId"),
    ('<li onclick="showDetail(this)" data-info-id="{n}">', "'detail.html?id=' + $(obj).data('infoId')"),
    ('<li onclick="showDetail(this)" id="{n}">', "'detail.html?id=' + obj.id"),
])
def test_a_call_given_its_element_reads_the_elements_attributes(row, reads):
    rows = "".join(row.format(n=n) + f"第{n}条关于乡村振兴的通知公告</li>" for n in range(1, 4))
    html = (f"<html><head><script>function showDetail(obj) {{ window.location.href = {reads}; }}</script></head>"
            f"<body><ul>{rows}</ul></body></html>")
    urls = [link.url for link in page_links(parse_html(html), PAGE)]
    expected = "show/{n}.html" if "url=" in row else "detail.html?id={n}"
    assert urls == [f"http://www.example.gov.cn/col/tzgg/{expected.format(n=n)}" for n in range(1, 4)]


def test_an_attribute_the_element_does_not_have_gives_no_link():
    html = ("<html><head><script>function showDetail(obj) { location.href = 'd.html?id=' + $(obj).attr('data-id'); }"
            "</script></head><body><ul><li onclick='showDetail(this)' data-key='1'>第一条通知的标题文字</li></ul></body></html>")
    assert [link.url for link in page_links(parse_html(html), PAGE)] == []


def _bound_page(rows: str, script: str) -> str:
    return (f"<html><head><script src='/js/jquery.min.js'></script></head><body><ul id='list' class='news'>{rows}"
            f"</ul><script>$(function () {{ {script} }});</script></body></html>")


ROWS = "".join(f"<li data-id='{n}' data-url='/col/tzgg/{n}.html'><span class='t'>关于第{n}批乡村振兴项目的公示公告</span>"
               f"<span class='d'>2024-05-{n:02d}</span></li>" for n in range(1, 5))


@pytest.mark.parametrize(("script", "expected"), [
    ("$('.news li').click(function () { window.open($(this).attr('data-url')); });", "/col/tzgg/{n}.html"),
    ("$('#list').on('click', 'li', function (e) { location.href = 'detail.html?id=' + $(this).data('id'); });",
     "/col/tzgg/detail.html?id={n}"),
    ("jQuery('#list').delegate('li', 'click', function () { window.location = './show_' + this.id + '.html'; });",
     None),   # the rows have no id attribute: no link rather than show_undefined.html
    (("$('ul.news > li').bind('mouseover click', function () { openDetail($(this).attr('data-id')); });"
     "function openDetail(id) { window.open('content.jsp?id=' + id); }"), "/col/tzgg/content.jsp?id={n}"),
])
def test_rows_a_jquery_click_handler_binds_are_links(script, expected):
    links = page_links(parse_html(_bound_page(ROWS, script)), PAGE)
    rows = [link for link in links if link.element.tag == "li"]
    if expected is None:
        assert rows == []
        return
    assert [(link.url, link.anchor) for link in rows] == [
        ("http://www.example.gov.cn" + expected.format(n=n), f"关于第{n}批乡村振兴项目的公示公告") for n in range(1, 5)]


@pytest.mark.parametrize("script", [
    "$('.news li').click(function () { $(this).addClass('on').siblings().removeClass('on'); });",   # a tab
    "$('.news li:visible').click(function () { window.open($(this).attr('data-url')); });",      # not CSS
    "$('.news li').on('mouseover', function () { window.open($(this).attr('data-url')); });",     # not a click
])
def test_handlers_that_do_not_navigate_on_click_bind_no_links(script):
    links = page_links(parse_html(_bound_page(ROWS, script)), PAGE)
    assert [link for link in links if link.element.tag == "li"] == []


def test_a_clickable_rows_caption_is_its_title_cell_or_else_the_whole_row():
    html = ("<html><body><table><tr onclick=\"location.href='a.html'\"><td>关于做好防汛工作的紧急通知</td>"
            "<td>2024-05-01</td><td>123</td></tr><tr onclick=\"location.href='b.html'\">关于印发实施方案的通知"
            "<span>2024-05-02</span></tr></table></body></html>")
    assert [link.anchor for link in page_links(parse_html(html), PAGE)] == [
        "关于做好防汛工作的紧急通知", "关于印发实施方案的通知2024-05-02"]


def test_numbers_stay_javascripts_doubles_however_a_script_grows_them():
    squares = "x = x * x; " * 40                      # Python ints would reach 2**40 digits
    html = (f"<html><head><script>function f(x) {{ {squares} location.href = 'p' + (x > 0 ? 'big' : 'small'); }}"
            "</script></head></html>")
    started = time.process_time()
    assert ScriptLinks(parse_html(html), PAGE).target("f(99999)") == "pbig"
    assert ScriptLinks(parse_html(html.replace("f(x)", "g(x)")), PAGE).target(f"g({'9' * 5000})") is None
    infinite = "<html><head><script>function h(x) { location.href = 'p.html'.substr(0, x * 1e308); }</script></head></html>"
    assert ScriptLinks(parse_html(infinite), PAGE).target("h(10)") is None      # substr(0, Infinity): no link, no error
    assert time.process_time() - started < 5
