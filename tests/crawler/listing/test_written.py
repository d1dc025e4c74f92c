"""Rows a script writes (TRS templates: ``document.write("<a href='" + str_1 + "'>…")`` in each ``<li>``),
worked out by crawler/listing/written.py and read as ordinary rows."""

from __future__ import annotations

import time

import pytest

from crawler.listing import read_list_page
from crawler.listing.links import parse_html
from crawler.listing.script_links import ScriptLinks
from crawler.listing.written import insert_written_markup

PAGE = "http://www.example.gov.cn/col/tzgg/index.html"
NAV = "<div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a><a href='/hdjl/'>互动交流</a></div>"


def trs_row(i: int) -> str:
    return f"""<li><script>
    var str_1 = "./202311/t202311{i:02d}_5123{i:02d}.html";
    var str_3 = "关于做好2023年第{i}批乡村振兴衔接资金项目公示工作的通知";
    var str_4 = str_3;
    if (str_3.length > 16) {{ str_4 = str_3.substr(0, 16) + "..."; }}
    if (str_1.indexOf("http") == -1) {{
      document.write("<a href='" + str_1 + "' target='_blank' title='" + str_3 + "'>" + str_4 + "</a>");
    }} else {{
      document.write("<a href='" + str_1 + "' target='_blank' title='" + str_3 + "'>" + str_4 + "</a>");
    }}
    </script><span>2023-11-{i:02d}</span></li>"""


def test_rows_written_by_script_are_the_list_with_their_whole_titles():
    html = f"<html><body>{NAV}<ul class='list'>{''.join(trs_row(i) for i in range(1, 9))}</ul></body></html>"
    reading = read_list_page(html, PAGE)
    assert [(a.url, a.anchor, a.date) for a in reading.main_links] == [
        (f"http://www.example.gov.cn/col/tzgg/202311/t202311{i:02d}_5123{i:02d}.html",
         f"关于做好2023年第{i}批乡村振兴衔接资金项目公示工作的通知", f"2023-11-{i:02d}") for i in range(1, 9)]
    assert len(reading.article_links) == 8


def test_only_what_certainly_runs_and_writes_a_link_is_inserted():
    html = """<html><body><div id="a"><script>
      document.write(unescape("%3Cspan id='cnzz_stat_icon'%3E%3C/span%3E"));  // a counter: no link
    </script></div><div id="b"><script>
      if (window.innerWidth > 800) { document.write("<a href='wide.html'>宽屏版本的页面链接</a>"); }
    </script></div><div id="c"><script>
      var u = "show.html"; document.write('<a href="' + u + '">' + $('#t').text() + '</a>');
    </script></div><div id="d"><script>
      var u = "row.html"; document.write('前言 <a href="' + u + '">一行</a> 后记 <em>新</em>');
    </script></div></body></html>"""
    root = parse_html(html)
    assert insert_written_markup(root, ScriptLinks(root, PAGE)) == 1
    assert [a.get("href") for a in root.iter("a")] == ["row.html"]
    row = root.get_element_by_id("d")
    script, link, em = row   # the written markup follows its script, in the order it was written
    assert (script.tag, link.tag, em.tag) == ("script", "a", "em")
    assert [script.tail.strip(), link.text, link.tail.strip(), em.text] == ["前言", "一行", "后记", "新"]


@pytest.mark.parametrize("scripts", [
    "<li><script>document.write('<a href=\"x.html\">' + '{}' + '</a>')</script></li>".format("长" * 200_000),
    "<li><script>var s='<a href=\"a.html\">t</a>';document.write(s);</script></li>" * 5000,
    "<li><script>var s='<a href=\"a.html\">';" + "s = s + s;" * 40 + "document.write(s);</script></li>",
    # every row at the per-link step cap: the page's budget ends it
    ("<li><script>var x = 0; " + "".join(f"if (x == {i}) {{ x = x + 1; }} " for i in range(150))
     + "document.write('<a href=\"p' + x + '.html\">行</a>');</script></li>") * 2000,
])
def test_hostile_writing_scripts_are_capped(scripts):
    root = parse_html(f"<html><body><ul>{scripts}</ul></body></html>")
    started = time.process_time()
    insert_written_markup(root, ScriptLinks(root, PAGE))
    assert time.process_time() - started < 10       # generous: a hang or a blow-up is what fails
    assert len(list(root.iter("a"))) <= 2000


def test_a_date_a_row_writes_by_script_is_the_records_date():
    # the date is nowhere in the page's text: only what the script writes spells it out
    rows = "".join(f'<li><a href="./202405/t202405{i:02d}_{900 + i}.html">第{i}期乡村振兴工作简报正式印发</a>'
                   f'<span><script>var y = "2024", md = "05-{i:02d}"; document.write(y + "-" + md);</script>'
                   f'</span></li>' for i in range(1, 7))
    reading = read_list_page(f"<html><body>{NAV}<ul class='list'>{rows}</ul></body></html>", PAGE)
    assert [a.date for a in reading.main_links] == [f"2024-05-{i:02d}" for i in range(1, 7)]

