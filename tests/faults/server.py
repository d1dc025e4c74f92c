"""A small TRS-style government site whose pages can be switched, one URL at a time, to a fault.

The fault tests crawl it with the real CLI: first as it is, then with faults switched on, and
check what govwatch recorded and that nothing it stored changed. Standard library only; the
faults a socket has to produce (resets, truncated bodies, bytes trickling in) write to the
connection directly.

    site = FaultSite(articles=24)
    site.start()                                   # 127.0.0.1, a free port
    site.set_fault(site.article_paths[0], "status", status=503, retry_after=1)
    site.set_fault(site.article_paths[1], "reset", times=1)   # only the first request fails
    site.clear_fault(site.article_paths[0]); site.clear_faults()
    site.hits[path]                                # when each request for a path arrived
    site.stop()
"""

from __future__ import annotations

import gzip
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

CORPUS = Path(__file__).resolve().parents[2] / "demo" / "corpus.txt"
LIST_PATH = "/gov/index.html"
PER_PAGE = 10  # notices per list page, newest first: /gov/index.html, /gov/index_1.html …
MB = 1024 * 1024

# Every fault a page can be switched to, with what it does on the wire.
FAULTS = {
    "status": "answers HTTP `status` (500, 502, 503, 429 …), with Retry-After when `retry_after` is given",
    "not_found": "404 with a Chinese error page",
    "gone": "410 with a Chinese error page",
    "timeout": "reads the request and never answers",
    "drip": "announces the page, then sends one byte every `interval` seconds",
    "reset": "reads the request, then resets the connection (TCP RST)",
    "truncated": "announces more bytes (Content-Length) than it sends, then closes",
    "gzip_bomb": "a ~2 MB gzip body that inflates to `inflated_gb` GB (default 2)",
    "huge": "a `size_mb` MB page (default 50), with Content-Length",
    "huge_chunked": "a `size_mb` MB page without Content-Length, ended by closing the connection",
    "binary": "PNG bytes served as text/html",
    "gbk_as_utf8": "the page encoded as GBK but labelled UTF-8 (header and <meta>)",
    "utf8_as_gbk": "the page encoded as UTF-8 but labelled GBK (header and <meta>)",
    "redirect_loop": "302 to a sibling article URL that redirects back",
    "redirect_offsite": "302 to another domain",
    "redirect_port": "302 to another port of 127.0.0.1 (a trap server that counts hits)",
    "redirect_home": "302 to the list page, as CMSs do for a withdrawn page",
    "soft404": "200 with a short 页面不存在 page",
    "error_page": "200 with an error message inside the full site template",
    "error_title": "200 with the full site template titled 系统提示, holding other text and no error phrase",
    "empty": "200 with an empty body",
    "malformed": "the same article with unclosed tags and garbage bytes",
    "slow": "the normal page after `delay` seconds",
}


@dataclass
class Doc:
    path: str
    title: str
    paragraphs: list[str]
    date: str
    doc_no: str
    index_no: str


@dataclass
class Fault:
    kind: str
    options: dict[str, Any] = field(default_factory=dict)
    times: int | None = None  # apply to this many requests, then answer normally
    served: int = 0


@cache
def corpus() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if m := re.fullmatch(r"\[(\w+)\]\s*", line):
            current = sections.setdefault(m.group(1), [])
        elif current is not None:
            current.append(line.strip())
    return sections


def make_docs(count: int, start: int = 0) -> list[Doc]:
    """`count` distinct notices, deterministic: titles and paragraphs dealt from the demo corpus."""
    words = corpus()
    titles, paragraphs = words["gov_titles"], words["paragraphs"]
    docs = []
    for n in range(start, start + count):
        day = 1 + n % 28
        number = 1000 + n
        title = f"{titles[n % len(titles)]}（第{n + 1}号）"
        body = [f"示范乡振发〔2024〕{n + 1}号"] + [paragraphs[(n * 3 + k) % len(paragraphs)] for k in range(3)]
        docs.append(Doc(f"/gov/2024/05/t202405{day:02d}_{number}.html", title, body, f"2024-05-{day:02d}",
                        f"示范乡振发〔2024〕{n + 1}号", f"11430000-2024-{number:05d}"))
    return docs


PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="{charset}">
<title>{title}_示范市乡村振兴局</title>
<meta name="PubDate" content="{date} 09:30">
</head>
<body>
<div class="header"><a href="/gov/index.html">首页</a> | <a href="/gov/index.html">政务公开</a> | 无障碍 | 长者模式</div>
<div class="position">您现在所在的位置：<a href="/gov/index.html">首页</a> &gt; 政务公开 &gt; 通知公告</div>
<table class="xxgk">
<tr><td>索引号：</td><td>{index_no}</td><td>分类：</td><td>通知公告</td></tr>
<tr><td>发文机关：</td><td>示范市乡村振兴局</td><td>发文日期：</td><td>{date}</td></tr>
<tr><td>名称：</td><td>{title}</td><td>文号：</td><td>{doc_no}</td></tr>
</table>
<h1 class="title">{title}</h1>
<div class="info">发布时间：{date} 来源：示范市乡村振兴局 浏览次数：{views} 【字体：大 中 小】 打印 分享到：</div>
<div class="TRS_Editor">
{body}
<p style="text-align:right">示范市乡村振兴局</p>
<p style="text-align:right">{date}</p>
</div>
<div class="footer">
<p>扫一扫在手机打开当前页</p>
<p>主办单位：示范市乡村振兴局 地址：示范市人民路1号</p>
<p>湘ICP备00000000号 湘公网安备 43000000000000号 网站标识码：4300000000</p>
</div>
</body>
</html>
"""

LIST = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>通知公告_示范市乡村振兴局</title></head>
<body>
<div class="position">您现在所在的位置：首页 &gt; 政务公开 &gt; 通知公告</div>
<ul class="list">
{items}
</ul>
<div class="page">{pages}</div>
<div class="footer">主办单位：示范市乡村振兴局 湘ICP备00000000号</div>
</body></html>
"""

SOFT_404 = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>页面不存在</title></head>
<body><div class="error-page"><h1>404</h1><p>抱歉，您访问的页面不存在！</p>
<p>可能原因：网址有错误、网址已失效或该信息已被删除。</p><p><a href="/gov/index.html">返回首页</a></p></div>
</body></html>
"""

ERROR_BODY = """<div class="error">
<p>抱歉，您访问的页面不存在或已被删除，请返回首页继续浏览。</p>
<p>热点新闻：{hot}</p>
<p>{nav}</p>
</div>"""

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
       + bytes(range(256)) * 8 + b"\x00\x00\x00\x00IEND\xaeB`\x82")


@cache
def gzip_bomb(inflated_gb: float = 2.0) -> bytes:
    """Concatenated gzip members of spaces: ~1 KB per MB inflated, so 2 GB is ~2 MB on the wire."""
    member = gzip.compress(b" " * (16 * MB), compresslevel=9, mtime=0)
    head = gzip.compress(b"<html><head><title>x</title></head><body><p>", mtime=0)
    return head + member * int(inflated_gb * 1024 / 16)


class FaultSite:
    """The site and its switchboard of faults; thread-safe, changeable between (and during) crawls."""

    def __init__(self, articles: int = 24) -> None:
        self.docs: dict[str, Doc] = {d.path: d for d in make_docs(articles)}
        self.faults: dict[str, Fault] = {}
        self.hits: dict[str, list[float]] = {}
        self.request_log: list[tuple[str, str, int | None]] = []  # (path, fault or "", status)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.server: ThreadingHTTPServer | None = None
        self.trap: ThreadingHTTPServer | None = None  # another port: redirects there must never be followed
        self.trap_hits: list[str] = []
        self._views = 0

    # -- life cycle ---------------------------------------------------------------------------
    def start(self, port: int = 0) -> Self:
        self.server = _Server(("127.0.0.1", port), _Handler, self)
        self.trap = _Server(("127.0.0.1", 0), _TrapHandler, self)
        for server in (self.server, self.trap):
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        for server in (self.server, self.trap):
            if server is not None:
                server.shutdown()
                server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self.server is not None, "start() the site first"
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def trap_url(self) -> str:
        assert self.trap is not None
        return f"http://127.0.0.1:{self.trap.server_address[1]}"

    @property
    def start_url(self) -> str:
        return self.base_url + LIST_PATH

    @property
    def article_paths(self) -> list[str]:
        return list(self.docs)

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- changing the site ----------------------------------------------------------------------
    def set_fault(self, path: str, kind: str, *, times: int | None = None, **options: Any) -> None:
        """Switch `path` (or a full URL) to a fault of FAULTS; `times`: only the next N requests."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULTS)}")
        with self.lock:
            self.faults[_path(path)] = Fault(kind, options, times)

    def clear_fault(self, path: str) -> None:
        with self.lock:
            self.faults.pop(_path(path), None)

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def publish(self, count: int = 1) -> list[str]:
        """Add `count` new notices to the list; returns their paths."""
        with self.lock:
            new = make_docs(count, start=len(self.docs))
            self.docs.update({d.path: d for d in new})
        return [d.path for d in new]

    def edit(self, path: str, append: str) -> None:
        with self.lock:
            self.docs[_path(path)].paragraphs.append(append)

    def loop_partner(self, path: str) -> str:
        """The sibling URL a `redirect_loop` page bounces between."""
        return re.sub(r"_(\d+)\.html$", lambda m: f"_{int(m.group(1)) + 900000}.html", path)

    # -- pages -----------------------------------------------------------------------------------
    def article_html(self, doc: Doc, charset: str = "utf-8") -> str:
        self._views += 1
        body = "\n".join(f"<p>{escape(p)}</p>" for p in doc.paragraphs)
        return PAGE.format(charset=charset, title=escape(doc.title), date=doc.date, index_no=doc.index_no,
                           doc_no=escape(doc.doc_no), views=12000 + self._views, body=body)

    def list_paths(self) -> list[str]:
        count = max(1, -(-len(self.docs) // PER_PAGE))
        return [LIST_PATH] + [f"/gov/index_{n}.html" for n in range(1, count)]

    def list_html(self, page: int = 0) -> str:
        newest_first = list(self.docs.items())[::-1][page * PER_PAGE:(page + 1) * PER_PAGE]
        items = "\n".join(f'<li><a href=".{p[len("/gov"):]}">{escape(d.title)}</a><span>{d.date}</span></li>'
                          for p, d in newest_first)
        pages = " ".join(f'<a href="{p.rsplit("/", 1)[1]}">{n + 1}</a>' for n, p in enumerate(self.list_paths()))
        return LIST.format(items=items, pages=pages)

    def error_page_html(self) -> str:
        words = corpus()
        hot = " ".join(words["hot_news"])
        nav = " | ".join(words["gov_categories"] * 6) + " " + " ".join(words["hot_news"])
        page = PAGE.format(charset="utf-8", title="错误页面", date="", index_no="", doc_no="", views=0,
                           body=ERROR_BODY.format(hot=escape(hot), nav=escape(nav)))
        return page.replace("<h1 class=\"title\">错误页面</h1>", "<h1 class=\"title\">错误页面</h1>\n"
                            + "<div class=\"sidebar\">" + escape(" ".join(words["hot_news"] * 3)) + "</div>")

    def error_title_html(self) -> str:
        """What some CMSs answer for a deleted page: their template, a 系统提示 title, the front page's news."""
        words = corpus()
        body = "\n".join(f"<p>{escape(line)}</p>" for line in words["hot_news"])
        return PAGE.format(charset="utf-8", title="系统提示", date="", index_no="", doc_no="", views=0, body=body)

    def malformed_html(self, doc: Doc) -> bytes:
        """The same notice as broken markup real CMSs produce: unclosed tags, stray bytes, no end tags."""
        html = self.article_html(doc)
        html = html.replace("</p>", "").replace("</div>", "", 2).replace("</td>", "")
        html = html.replace("</body>\n</html>", "<div><span><b>")
        raw = html.encode("utf-8")
        return raw.replace(b"<div class=\"footer\">", b"<!-- \x00\xff\xfe\x81 --><div class=\"footer\">\x01\x02") \
            + b"\x00\xfe\xff garbage after the page"


def _path(path_or_url: str) -> str:
    return urlsplit(path_or_url).path if path_or_url.startswith("http") else path_or_url


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, site: FaultSite) -> None:
        self.site = site
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # broken pipes and resets are what this server is for


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass

    @property
    def site(self) -> FaultSite:
        return self.server.site

    def do_GET(self) -> None:
        site = self.site
        path = urlsplit(self.path).path
        with site.lock:
            site.hits.setdefault(path, []).append(time.monotonic())
            fault = site.faults.get(path)
            if fault is not None and fault.times is not None:
                fault = fault if fault.served < fault.times else None
            if fault is not None:
                fault.served += 1
            partner_of = next((p for p, f in site.faults.items()
                               if f.kind == "redirect_loop" and site.loop_partner(p) == path), None)
            doc = site.docs.get(path)
        if partner_of:
            return self._redirect(partner_of, "redirect_loop")
        if fault is not None:
            return getattr(self, f"_fault_{fault.kind}")(doc, **fault.options)
        if path in site.list_paths():
            return self._send(200, site.list_html(site.list_paths().index(path)).encode("utf-8"))
        if doc is None:
            return self._send(404, SOFT_404.encode("utf-8"))
        return self._send(200, site.article_html(doc).encode("utf-8"))

    # -- plumbing ---------------------------------------------------------------------------------
    def _log(self, status: int | None, fault: str = "") -> None:
        with self.site.lock:
            self.site.request_log.append((urlsplit(self.path).path, fault, status))

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None, fault: str = "") -> None:
        self._log(status, fault)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            self.close_connection = True

    def _head(self, status: int, headers: dict[str, str], fault: str) -> None:
        self._log(status, fault)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.flush()

    def _redirect(self, location: str, fault: str) -> None:
        self._send(302, b"", headers={"Location": location}, fault=fault)

    def _hold(self, seconds: float) -> None:
        self.site.stopping.wait(seconds)
        self.close_connection = True

    # -- faults -----------------------------------------------------------------------------------
    def _fault_status(self, doc: Doc | None, status: int = 503, retry_after: float | str | None = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        body = f"<html><head><title>{status}</title></head><body><h1>{status}</h1><p>服务暂时不可用</p></body></html>"
        self._send(status, body.encode("utf-8"), headers=headers, fault=f"status {status}")

    def _fault_not_found(self, doc: Doc | None) -> None:
        self._send(404, SOFT_404.encode("utf-8"), fault="not_found")

    def _fault_gone(self, doc: Doc | None) -> None:
        self._send(410, SOFT_404.encode("utf-8"), fault="gone")

    def _fault_timeout(self, doc: Doc | None, hold: float = 60) -> None:
        self._log(None, "timeout")
        self._hold(hold)

    def _fault_drip(self, doc: Doc | None, interval: float = 0.2) -> None:
        body = self.site.article_html(doc).encode("utf-8") if doc else SOFT_404.encode("utf-8")
        self._head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))}, "drip")
        for byte in body:
            if self.site.stopping.wait(interval):
                break
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                break
        self.close_connection = True

    def _fault_reset(self, doc: Doc | None) -> None:
        self._log(None, "reset")
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _fault_truncated(self, doc: Doc | None, missing: int = 4096) -> None:
        body = self.site.article_html(doc).encode("utf-8") if doc else b""
        self._head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body) + missing)},
                   "truncated")
        try:
            self.wfile.write(body)
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True

    def _fault_gzip_bomb(self, doc: Doc | None, inflated_gb: float = 2.0) -> None:
        self._send(200, gzip_bomb(inflated_gb), headers={"Content-Encoding": "gzip"}, fault="gzip_bomb")

    def _fault_huge(self, doc: Doc | None, size_mb: float = 50) -> None:
        self._stream(int(size_mb * MB), with_length=True, fault="huge")

    def _fault_huge_chunked(self, doc: Doc | None, size_mb: float = 50) -> None:
        self._stream(int(size_mb * MB), with_length=False, fault="huge_chunked")

    def _stream(self, size: int, *, with_length: bool, fault: str) -> None:
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if with_length:
            headers["Content-Length"] = str(size)
        else:
            headers["Connection"] = "close"
        self._head(200, headers, fault)
        chunk = ("<p>" + "填充内容" * 2000 + "</p>\n").encode("utf-8")
        sent = 0
        try:
            while sent < size and not self.site.stopping.is_set():
                piece = chunk[: size - sent]
                self.wfile.write(piece)
                sent += len(piece)
        except OSError:
            pass
        self.close_connection = True

    def _fault_binary(self, doc: Doc | None) -> None:
        self._send(200, PNG, fault="binary")

    def _fault_gbk_as_utf8(self, doc: Doc | None) -> None:
        body = self.site.article_html(doc, charset="utf-8").encode("gbk")
        self._send(200, body, ctype="text/html; charset=utf-8", fault="gbk_as_utf8")

    def _fault_utf8_as_gbk(self, doc: Doc | None) -> None:
        body = self.site.article_html(doc, charset="gbk").encode("utf-8")
        self._send(200, body, ctype="text/html; charset=gbk", fault="utf8_as_gbk")

    def _fault_redirect_loop(self, doc: Doc | None) -> None:
        self._redirect(self.site.loop_partner(urlsplit(self.path).path), "redirect_loop")

    def _fault_redirect_offsite(self, doc: Doc | None, to: str = "http://www.example.invalid/gov/index.html") -> None:
        self._redirect(to, "redirect_offsite")

    def _fault_redirect_port(self, doc: Doc | None) -> None:
        self._redirect(self.site.trap_url + urlsplit(self.path).path, "redirect_port")

    def _fault_redirect_home(self, doc: Doc | None) -> None:
        self._redirect(LIST_PATH, "redirect_home")

    def _fault_soft404(self, doc: Doc | None) -> None:
        self._send(200, SOFT_404.encode("utf-8"), fault="soft404")

    def _fault_error_page(self, doc: Doc | None) -> None:
        self._send(200, self.site.error_page_html().encode("utf-8"), fault="error_page")

    def _fault_error_title(self, doc: Doc | None) -> None:
        self._send(200, self.site.error_title_html().encode("utf-8"), fault="error_title")

    def _fault_empty(self, doc: Doc | None) -> None:
        self._send(200, b"", fault="empty")

    def _fault_malformed(self, doc: Doc | None) -> None:
        self._send(200, self.site.malformed_html(doc), fault="malformed")

    def _fault_slow(self, doc: Doc | None, delay: float = 0.5) -> None:
        if self.site.stopping.wait(delay):
            return
        self._send(200, self.site.article_html(doc).encode("utf-8") if doc else b"", fault="slow")


class _TrapHandler(_Handler):
    """The other port: anything arriving here is a redirect govwatch should not have followed."""

    def do_GET(self) -> None:
        with self.site.lock:
            self.site.trap_hits.append(self.path)
        self._send(200, self.site.article_html(next(iter(self.site.docs.values()))).encode("utf-8"))
