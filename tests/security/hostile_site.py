"""A hostile site on 127.0.0.1: every page is crafted by an attacker who controls every byte.

The security tests crawl it with the real `govwatch crawl`, then look at what was stored and
what the real Datasette serves. Beside it runs an "internal" server on another port of the
same host, standing for a service the crawler must never reach (SSRF); it counts its hits.

    site = HostileSite().start()
    site.url("/gov/index.html"); site.internal_url("/gov/t20240501_9999.html")
    site.add("/gov/new.html", "<html>…</html>")      # later tests add pages of their own
    site.link("/gov/new.html")                       # … and list them on the start page
    site.hits["/gov/index.html"]; site.internal_hits
    site.stop()

The pages a test may extend are plain data (`site.pages`, `site.listed`), so a new attack is
one `add` and one `link`. Standard library only, like tests/faults/server.py.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import urlsplit

from tests.faults.server import PAGE, make_docs

LIST_PATH = "/gov/index.html"

# Attachment hrefs as they appear in the HTML source (entities and all): each one runs script
# (or opens attacker HTML) in some browser if it reaches an <a href> unchanged.
HOSTILE_HREFS = [
    "JavaScript:alert(1)//a.pdf",
    "java&#9;script:alert(2)//b.pdf",
    " JAVASCRIPT:alert(3)//c.pdf",
    "data:text/html,&lt;script&gt;alert(4)&lt;/script&gt;.pdf",
    "&#x6A;avascript:alert(5)//d.pdf",
    "java&#x0A;script:alert(6)//e.pdf",
    "&#1;&#2;javascript:alert(7)//f.pdf",
    "vbscript:msgbox(8)//g.doc",
    "  DATA:application/pdf;base64,JVBERi0=#h.pdf",
    "jav\tascript:alert(10)//i.pdf",
    "JaVaScRiPt&#x3a;alert(11)//j.docx",
    "java\r\nscript:alert(12)//k.xls",
    "\x0cjavascript:alert(13)//l.pdf",
]
# …and the attachments a real notice has, which must survive (relative and absolute).
GOOD_ATTACHMENTS = ["files/实施方案.pdf", "/gov/files/table.xlsx"]


@dataclass
class Page:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    repeat: int = 1  # the body sent this many times, without Content-Length (a stream ended by closing)


def notice_title(n: int) -> str:
    """The headline of notice(n): what the start page lists it as."""
    return make_docs(1, start=n)[0].title


def notice(n: int, extra_body: str = "", head: str = "") -> tuple[str, str]:
    """A realistic TRS notice (path, HTML) from the demo corpus, with attacker HTML inserted."""
    doc = make_docs(1, start=n)[0]
    body = "\n".join(f"<p>{escape(p)}</p>" for p in doc.paragraphs) + extra_body
    html = PAGE.format(charset="utf-8", title=escape(doc.title), date=doc.date, index_no=doc.index_no,
                       doc_no=doc.doc_no, views=1, body=body)
    return doc.path, html.replace("</head>", head + "</head>", 1)


class HostileSite:
    """The hostile site and the internal server beside it; pages can be added between crawls."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.listed: list[str] = []  # paths the start page links to, in order
        self.extra_list_html: list[str] = []  # raw HTML appended to the start page (crafted links)
        self.hits: Counter[str] = Counter()
        self.internal_hits: list[str] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.internal: ThreadingHTTPServer | None = None

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> Self:
        self.server = _Server(("127.0.0.1", 0), _Handler, self)
        self.internal = _Server(("127.0.0.1", 0), _InternalHandler, self)
        for server in (self.server, self.internal):
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        for server in (self.server, self.internal):
            if server is not None:
                server.shutdown()
                server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def internal_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.internal.server_address[1]}{path}"

    # -- content ------------------------------------------------------------------------------
    def add(self, path: str, html: str | bytes, status: int = 200, headers: dict[str, str] | None = None) -> str:
        body = html.encode("utf-8") if isinstance(html, str) else html
        page = Page(body, status)
        if headers:
            page.headers.update(headers)
        with self.lock:
            self.pages[path] = page
        return path

    def add_stream(self, path: str, chunk: bytes, repeat: int) -> str:
        """A page of len(chunk) * repeat bytes, streamed without Content-Length (so no size is announced)."""
        with self.lock:
            self.pages[path] = Page(chunk, repeat=repeat)
        return path

    def link(self, path_or_url: str, text: str = "关于开展网络安全专项检查工作的通知") -> None:
        with self.lock:
            self.listed.append(f'<li><a href="{escape(path_or_url)}">{escape(text)}</a><span>2024-05-01</span></li>')

    def list_page(self) -> bytes:
        # The notices are the column's list; whatever else a test crafts sits in a block of its own,
        # as a real page's sidebar would (the list reader still reads every link of it).
        items, extra = "\n".join(self.listed), "\n".join(self.extra_list_html)
        return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>通知公告</title></head>'
                f'<body><ul class="list">{items}</ul><div class="more"><ul>{extra}</ul></div></body></html>').encode()

    def answer(self, path: str) -> Page:
        with self.lock:
            self.hits[path] += 1
            if path == LIST_PATH:
                return Page(self.list_page())
            return self.pages.get(path) or Page(b"<html><body>not found</body></html>", 404)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, site: HostileSite) -> None:
        super().__init__(address, handler)
        self.site = site


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        page = self.server.site.answer(urlsplit(self.path).path)
        self.send_response(page.status)
        for key, value in page.headers.items():
            self.send_header(key, value)
        if page.repeat == 1:
            self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        try:
            for _ in range(page.repeat):
                self.wfile.write(page.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: what a size limit does

    def log_message(self, *args) -> None:
        pass


class _InternalHandler(_Handler):
    """Stands for an internal service: any request reaching it is the crawler being misled."""

    def do_GET(self) -> None:
        self.server.site.internal_hits.append(self.path)
        _path, html = notice(900)
        body = html.replace("<h1 class=\"title\">", "<h1 class=\"title\">INTERNAL SECRET ").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
