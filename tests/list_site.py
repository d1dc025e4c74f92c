"""A small column site written here, served by a real HTTP server on 127.0.0.1: a list page
(`/col/index.html`, its list as a <ul> or, after a template change, a <table>) and 8 articles;
or Hanweb jpage columns (write_jpage_column), whose later record groups the server answers to a
POST of `/module/web/jpage/dataproxy.jsp` as Hanweb does.

Shared by the list-discovery crawl tests and the `govwatch sources try` tests.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

TITLES = [f"关于做好第{n}批乡村振兴示范村建设工作的通知" for n in range(1, 9)]
NAV = '<div class="nav"><a href="/index.html">首页</a><a href="/about.html">机构概况</a><a href="/contact.html">联系我们</a></div>'
BODY_TEXT = ("各县市区乡村振兴局：为深入贯彻落实中央和省委关于全面推进乡村振兴的决策部署，现就有关工作通知如下。"
             "一、提高思想认识，切实加强组织领导。二、突出工作重点，扎实推进示范创建。三、强化督促检查，确保取得实效。")


def list_as_ul(items: list[tuple[str, str, str]]) -> str:
    rows = "".join(f'<li><a href="{href}" title="{t}">{t}</a><span class="date">{d}</span></li>' for href, t, d in items)
    return f'<div class="main"><h2>通知公告</h2><ul class="news-list">{rows}</ul></div>'


def list_as_table(items: list[tuple[str, str, str]]) -> str:
    rows = "".join(f'<tr><td class="t"><a href="{href}">{t}</a></td><td>[{d}]</td></tr>' for href, t, d in items)
    return f'<div id="content"><table class="lb">{rows}</table></div>'


# What a click on a row of list_as_script_calls runs: the page's own function, or the site's script file's.
SHOW_ARTICLE = ("var columnPath = '/col/';\n"
                "function showArticle(year, id) { var url = columnPath + year + '/' + id + '.html'; "
                "window.open(url, '_blank'); }")


def list_as_script_calls(items: list[tuple[str, str, str]], script: str = f"<script>{SHOW_ARTICLE}</script>") -> str:
    """Rows that name no URL: a click calls a function with the article's year and id."""
    rows = "".join(
        f'<li><a href="javascript:void(0)" onclick="showArticle(\'{href.split("/")[-2]}\', '
        f'\'{href.split("/")[-1].split(".")[0]}\');return false;">{t}</a><span class="date">{d}</span></li>'
        for href, t, d in items)
    return f'<div class="main"><h2>通知公告</h2><ul class="news-list">{rows}</ul></div>{script}'


def list_calling_a_script_file(items: list[tuple[str, str, str]]) -> str:
    """list_as_script_calls with the function in the site's /js/list.js (write SHOW_ARTICLE there), after a
    jQuery the reader never asks for and a script file that answers 404."""
    return list_as_script_calls(items, '<script src="/js/jquery-1.8.3.min.js"></script>'
                                       '<script src="/js/missing.js"></script><script src="/js/list.js"></script>')


def list_written_by_script(items: list[tuple[str, str, str]]) -> str:
    """A TRS template's rows: each writes its own link with document.write, its title cut short on screen."""
    rows = "".join(
        f'<li><script>var str_1 = ".{href[len("/col"):]}"; var str_3 = "{t}"; var str_4 = str_3;'
        'if (str_3.length > 12) { str_4 = str_3.substr(0, 12) + "..."; }'
        'document.write("<a href=\'" + str_1 + "\' title=\'" + str_3 + "\'>" + str_4 + "</a>");'
        f'</script><span class="date">{d}</span></li>'
        for href, t, d in items)
    return f'<div class="main"><h2>通知公告</h2><ul class="news-list">{rows}</ul></div>'


# An ASP.NET pager outside any form (a page cut from its template): its 下一页 has nothing to post, said in the run log.
POSTBACK_PAGER = ('<div class="pager"><span>1</span> <a href="javascript:__doPostBack(\'pager\',\'2\')">2</a> '
                  '<a href="javascript:__doPostBack(\'pager\',\'2\')">下一页</a></div>')


def write_site(root: Path, layout=list_as_ul, pager: str = "") -> None:
    items = [(f"/col/2021/art_{n}.html", t, f"2021-06-{n:02d}") for n, t in enumerate(TITLES, start=1)]
    page = (f"<html><head><meta charset='utf-8'><title>示范县人民政府</title></head><body>{NAV}"
            f"{layout(items)}{pager}<div class='foot'>版权所有 示范县人民政府</div></body></html>")
    (root / "col").mkdir(parents=True, exist_ok=True)
    (root / "col" / "index.html").write_text(page, encoding="utf-8")
    (root / "col" / "2021").mkdir(exist_ok=True)
    for href, title, date in items:
        write_article(root, href, title, date)


def write_article(root: Path, href: str, title: str, date: str) -> None:
    article = (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{NAV}<h1>{title}</h1>"
               f"<div class='info'>发布时间：{date} 来源：示范县乡村振兴局</div>"
               f"<div class='content'><p>{BODY_TEXT}</p><p>{BODY_TEXT}</p></div></body></html>")
    path = root / href.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(article, encoding="utf-8")


JPAGE_PROXY = "/module/web/jpage/dataproxy.jsp"
WEBFORMS_PAGE = "/News/List.aspx"
WEBFORMS_PAGER = "ctl00$Main$AspNetPager1"


def _viewstate(page: int) -> str:
    """The hidden state an ASP.NET page N carries (and must come back with the post for page N + 1)."""
    return f"/wEPDwUKMTY{page:04d}" + "QWxhZGRpbjpvcGVuIHNlc2FtZQ" * 20


def webforms_page(root: Path, page: int) -> str:
    """Page *page* of an ASP.NET WebForms column: its rows, and a pager whose 下一页 posts the page's form."""
    items = json.loads((root / "_webforms.json").read_text(encoding="utf-8"))
    pages = (len(items) + 7) // 8
    rows = "".join(f'<li><a href="{href}" title="{t}">{t}</a><span class="date">{d}</span></li>'
                   for href, t, d in items[(page - 1) * 8:page * 8])
    pager = " ".join(f"<a href=\"javascript:__doPostBack('{WEBFORMS_PAGER}','{n}')\">{n}</a>" if n != page
                     else f"<span>{n}</span>" for n in range(1, pages + 1))
    if page < pages:
        pager += f" <a href=\"javascript:__doPostBack('{WEBFORMS_PAGER}','{page + 1}')\">下一页</a>"
    return (f"<html><head><meta charset='utf-8'><title>示范县人民政府</title></head><body>{NAV}"
            f'<form method="post" action="./List.aspx?cid=12" id="aspnetForm">'
            f'<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />'
            f'<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />'
            f'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{_viewstate(page)}" />'
            '<input type="text" name="ctl00$Search$q" value="" />'
            '<input type="submit" name="ctl00$Search$go" value="搜索" />'
            f'<div class="main"><h2>通知公告</h2><ul class="news-list">{rows}</ul></div>'
            f'<div class="pager">{pager}</div></form></body></html>')


def write_webforms_column(root: Path, records: int) -> dict[str, str]:
    """An ASP.NET column at WEBFORMS_PAGE?cid=12, eight rows a page, its later pages only by postback;
    returns {url path: title} of all its articles."""
    items = [(f"/News/Show.aspx?id={5000 + n}", f"关于第{n}批乡村振兴示范项目的公示",
              f"2021-{1 + n % 12:02d}-{1 + n % 28:02d}") for n in range(records, 0, -1)]
    (root / "_webforms.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return {href: title for href, title, _ in items}


def _jpage_record(href: str, title: str, date: str) -> str:
    return (f'<record><![CDATA[<table width="100%"><tr><td><a href="{href}" target="_blank" title="{title}">{title}'
            f'</a></td><td class="bt_time">{date}</td></tr></table>]]></record>')


def write_jpage_column(root: Path, column: int, records: int, per_page: int = 5, group_size: int = 2,
                       with_form: bool = True) -> dict[str, str]:
    """A Hanweb column page at /col/col{column}/index.html showing its first per_page × group_size records in
    a datastore island, the rest for the server to answer by POST, and its articles; returns {url path: title}.

    *with_form* False leaves ajaxParam out of the jpage call: the form is then only in the <nextgroup> link."""
    unit = column * 10 + 1
    items = [(f"/art/2021/{1 + n % 12}/{1 + n % 28}/art_{column}_{100000 + n}.html",
              f"关于第{n}批{column}号栏目乡村振兴示范项目的公示", f"2021-{1 + n % 12:02d}-{1 + n % 28:02d}")
             for n in range(records, 0, -1)]
    for item in items:
        write_article(root, *item)
    jpage_dir = root / "_jpage"
    jpage_dir.mkdir(exist_ok=True)
    (jpage_dir / f"{column}.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    first = "".join(_jpage_record(*item) for item in items[:per_page * group_size])
    form = (f"ajaxParam: {{col: 1, appid: 1, webid: 3, path: '/', columnid: {column}, sourceContentType: 1, "
            f"unitid: '{unit}', webname: '示范县人民政府', permissiontype: 0}}," if with_form else "")
    page = (f"<html><head><meta charset='utf-8'><title>示范县人民政府</title></head><body>{NAV}"
            f'<div class="main"><h2>通知公告</h2><div id="{unit}"><script type="text/xml"><datastore><nextgroup>'
            f'<![CDATA[<a href="{JPAGE_PROXY}?page=1&appid=1&webid=3&path=/&columnid={column}&unitid={unit}'
            f'&webname=%E7%A4%BA%E8%8C%83%E5%8E%BF&permissiontype=0"></a>]]></nextgroup><recordset>{first}'
            f'</recordset></datastore></script></div></div>'
            f'<script src="/module/web/jpage/jquery.jpage.js"></script>'
            f"<script>$(document).ready(function () {{ $('#{unit}').jpage({{ dataStore: dataStore, "
            f"proxyUrl: '{JPAGE_PROXY}', perPage: {per_page}, groupSize: {group_size}, totalRecord: {records}, "
            f"barPosition: 'bottom', {form} dataBefore: '<table>', dataAfter: '</table>' }}); }});</script>"
            "<div class='foot'>版权所有 示范县人民政府</div></body></html>")
    path = root / "col" / f"col{column}" / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return {href: title for href, title, _ in items}


POSTS_LOG = "_posts.jsonl"   # every POST the server was sent (Hanweb's and ASP.NET's alike)


def posts_received(root: Path) -> list[dict[str, object]]:
    """The POSTs the server was sent: path with query, and the form, in order."""
    log = root / POSTS_LOG
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


@contextmanager
def served(root: Path) -> Iterator[str]:
    """`root` served on 127.0.0.1 (any free port), index.html for directories; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        """An ASP.NET column (write_webforms_column) and its articles; files otherwise."""
        parts = urlsplit(self.path)
        root = Path(self.directory)
        if (root / "_webforms.json").is_file() and parts.path in (WEBFORMS_PAGE, "/News/Show.aspx"):
            if parts.path == WEBFORMS_PAGE:
                self._send(webforms_page(root, 1).encode("utf-8"))
                return
            items = {href: (t, d) for href, t, d in json.loads((root / "_webforms.json").read_text(encoding="utf-8"))}
            if self.path not in items:
                self.send_error(404)
                return
            title, date = items[self.path]
            self._send((f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{NAV}<h1>{title}</h1>"
                        f"<div class='info'>发布时间：{date}</div><div class='content'><p>{BODY_TEXT}</p></div>"
                        "</body></html>").encode())
            return
        super().do_GET()

    def _send(self, body: bytes, kind: str = "text/html; charset=utf-8") -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        """Hanweb's dataproxy.jsp: records startrecord..endrecord of the form's columnid, as a datastore;
        an ASP.NET page's postback: the page its pager control names, when the post carries the state of
        the page before it (as a browser's would)."""
        parts = urlsplit(self.path)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0))
                                              .decode("utf-8"), keep_blank_values=True).items()}
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        root = Path(self.directory)
        with (root / POSTS_LOG).open("a", encoding="utf-8") as log:
            log.write(json.dumps({"path": self.path, "form": form}, ensure_ascii=False) + "\n")
        if parts.path == WEBFORMS_PAGE:
            argument = form.get("__EVENTARGUMENT") or ""
            page = int(argument) if argument.isdigit() else 0
            if form.get("__EVENTTARGET") != WEBFORMS_PAGER or page < 2 or form.get("__VIEWSTATE") != _viewstate(page - 1):
                self.send_error(500, "Validation of viewstate MAC failed")
                return
            self._send(webforms_page(root, page).encode("utf-8"))
            return
        records = root / "_jpage" / f"{form.get('columnid', '')}.json"
        if (parts.path != JPAGE_PROXY or not form.get("columnid", "").isdigit() or not records.is_file()
                or not query.get("startrecord", "").isdigit()):
            self.send_error(404)
            return
        items = json.loads(records.read_text(encoding="utf-8"))
        start, end = int(query["startrecord"]), int(query.get("endrecord") or 0)
        body = (f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{len(items)}</totalrecord>'
                "<recordset>" + "".join(_jpage_record(*item) for item in items[start - 1:end]) +
                "</recordset></datastore>").encode("utf-8")
        self._send(body, "text/xml;charset=UTF-8")
