"""HTTP server for the demo site: routing, conditional GET (ETag / Last-Modified → 304), gzip,
per-source encodings, and the /__demo__/ control API.

Why: govwatch's crawler, extractor and change monitor are tested against this server instead of
the live web.  It behaves like the real sites in the ways that matter to them — TRS-style
pagination, a GBK e-paper that declares its charset only in <meta>, gzip, 304s keyed on content
(not on the view counter / clock noise in every page), 404/410 for withdrawn articles, robots.txt —
and it can be changed between crawls, in-process (DemoSite methods) or over HTTP (for
``govwatch demo-site`` running in another process).
"""
from __future__ import annotations

import email.utils
import functools
import gzip
import hashlib
import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from . import templates as T
from .article import SOURCES, Article
from .attachment_files import demo_attachment
from .content import DEFAULT_SEED
from .state import SiteState

TEMPLATE_VERSION = "1"          # bump when templates change so cached ETags are invalidated
HTML_UTF8 = "text/html; charset=utf-8"
HTML_NO_CHARSET = "text/html"   # the e-paper: charset only in <meta charset="gbk">

ROBOTS = """User-agent: *
Disallow: /private/
Disallow: /__demo__/
Allow: /

Sitemap: {base}/sitemap.xml
"""

ATTACHMENT_PATH = re.compile(r"/gov/\d{4}/\d{2}/P0\d+\.(pdf|docx|xlsx|ofd)")


@functools.lru_cache(maxsize=256)
def _attachment(title: str, number: int, ext: str, revision: int) -> tuple[bytes, str]:
    """A demo attachment's bytes, built once per content (a PDF takes ~10 ms to write)."""
    return demo_attachment(title, number, ext, revision)

GOV_ARTICLE_RE = re.compile(r"^/gov/\d{4}/\d{2}/t\d{8}_\d+\.html$")
PAPER_ARTICLE_RE = re.compile(r"^/paper/html/\d{4}-\d{2}/\d{2}/content_\d+\.htm$")
NEWS_ARTICLE_RE = re.compile(r"^/news/content/\d{4}/\d{2}/\d{8}_\d+\.html$")
MIRROR_ARTICLE_RE = re.compile(r"^/mirror/news/\d+\.html$")
ARTICLE_PATH_RES = {"gov": GOV_ARTICLE_RE, "paper": PAPER_ARTICLE_RE, "news": NEWS_ARTICLE_RE, "mirror": MIRROR_ARTICLE_RE}


@dataclass
class Page:
    """What a route produces.  ``render`` is only called when a full body is needed (not on 304)."""
    status: int = 200
    render: Callable[[T.Noise], str] | None = None
    body: bytes = b""
    content_type: str = HTML_UTF8
    encoding: str = "utf-8"
    etag_key: str | None = None           # content state → ETag; None = no validators
    last_modified: float | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _error(status: int, home: str = "/") -> Page:
    return Page(status, body=T.error_page(status, home).encode("utf-8"))


def _redirect(location: str) -> Page:
    return Page(302, body=b"", headers={"Location": location})


class DemoSite:
    """The demo site: deterministic content + a ThreadingHTTPServer on 127.0.0.1.

    >>> site = DemoSite(); site.start(port=0); site.base_url  # doctest: +SKIP
    """

    def __init__(self, seed: int = DEFAULT_SEED, verbose: bool = False):
        self.state = SiteState(seed)
        self.verbose = verbose
        self.server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._hits = itertools.count(1)
        # (method, path, status, body bytes sent, User-Agent) of every request, for tests
        # and benchmarks that check what a crawler asked for and what it cost.
        self.request_log: list[tuple[str, str, int, int, str]] = []

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
        """Start serving in a daemon thread; returns once the socket is listening."""
        if self.server is not None:
            return self.server
        self.server = self.make_server(host, port)
        self._thread = threading.Thread(target=self.server.serve_forever, name="demo-site", daemon=True)
        self._thread.start()
        return self.server

    def make_server(self, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
        handler = type("DemoHandler", (DemoHandler,), {"site": self})
        server = ThreadingHTTPServer((host, port), handler)
        server.daemon_threads = True
        return server

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self.server is None:
            raise RuntimeError("DemoSite is not started")
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def _base(self) -> str:
        return self.base_url if self.server is not None else ""

    # -- queries -----------------------------------------------------------------------------
    def catalogue(self, include_withdrawn: bool = False) -> list[dict[str, Any]]:
        """One dict per currently live article (all articles with include_withdrawn=True)."""
        with self.state.lock:
            arts = sorted(self.state.all_articles(), key=lambda a: (SOURCES.index(a.source), -a.order))
            return [a.to_dict(self._base()) for a in arts if include_withdrawn or a.live]

    def start_urls(self) -> dict[str, str]:
        """Each source's first list page (what a crawler of that source starts from)."""
        return {s: self._base() + T.HOMES[s] for s in SOURCES}

    def list_urls(self, source: str) -> list[str]:
        """All list pages of a source, in pagination order."""
        n = len(self.state.list_pages(source))
        names = {"gov": lambda i: "/gov/" + T.GOV_LIST_NAME(i),
                 "paper": lambda i: T.paper_dir() + f"node_{i + 1}.htm",
                 "news": lambda i: "/news/list/" + T.NEWS_LIST_NAME(i),
                 "mirror": lambda i: f"/mirror/list_{i + 1}.html"}[source]
        return [self._base() + names(i) for i in range(n)]

    # -- control API -------------------------------------------------------------------------
    def publish(self, source: str, title: str | None = None, paragraphs: list[str] | None = None,
                date: str | None = None, metadata: dict[str, str] | None = None,
                copy_of: str | None = None, page: int = 1) -> Article:
        """Publish a new article; it is listed first on page 1 of its source.  Omitted title/body
        are generated deterministically; ``copy_of`` (mirror only) copies another article verbatim."""
        return self.state.publish(source, title, paragraphs, date, metadata, copy_of, page)

    def edit(self, url_path: str, title: str | None = None, paragraphs: list[str] | None = None,
             append: str | list[str] | None = None, replace: tuple[str, str] | None = None,
             date: str | None = None, metadata: dict[str, str] | None = None) -> Article:
        """Edit an article (new revision, new ETag, new Last-Modified); no change = re-render only."""
        return self.state.edit(_path(url_path), title, paragraphs, append, replace, date, metadata)

    def withdraw(self, url_path: str, status: int = 404) -> Article:
        """Withdraw an article: it then answers ``status`` (404 or 410; 301/302 redirect to the
        source's home page) and leaves the lists."""
        return self.state.withdraw(_path(url_path), status)

    def restore(self, url_path: str) -> Article:
        return self.state.restore(_path(url_path))

    # -- routing -----------------------------------------------------------------------------
    def route(self, path: str, query: dict[str, list[str]]) -> Page:
        st = self.state
        if path == "/":
            links = "".join(f'<li><a href="{u}">{T.SITE_NAMES[s]}</a></li>' for s, u in T.HOMES.items())
            return Page(render=lambda n: T.simple_page("govwatch 演示站点", f"<ul>{links}</ul>", n),
                        etag_key="home")
        if path == "/robots.txt":
            return Page(body=ROBOTS.format(base=self._base()).encode(), content_type="text/plain; charset=utf-8")
        if path == "/sitemap.xml":
            return Page(body=self._sitemap().encode("utf-8"), content_type="application/xml; charset=utf-8")
        if path.startswith("/private/"):
            return Page(render=lambda n: T.simple_page("内部办公系统", "<p>仅限内部人员访问。</p>", n, "gov"))
        src = path.split("/")[1] if path.count("/") >= 2 else ""
        if src not in SOURCES:
            return _error(404)
        home = T.HOMES[src]
        m = re.fullmatch(rf"/{src}/(about|sitemap|search)\.html", path)
        if m:
            return self._misc(src, m.group(1))
        if ARTICLE_PATH_RES[src].match(path):
            art = st.get(path)
            if art is None:
                return _error(404, home)
            if art.status in (301, 302):
                return Page(art.status, body=b"", headers={"Location": home})
            if not art.live:
                return _error(art.status, home)
            renderer = {"gov": T.gov_article, "paper": T.paper_article,
                        "news": T.news_article, "mirror": T.mirror_article}[src]
            return self._html(src, lambda n: renderer(st, art, n), art.content_key(), art.last_modified)
        with st.lock:
            pages = st.list_pages(src)
        index = self._list_index(src, path, len(pages))
        if index == "redirect":
            return _redirect(home)
        if isinstance(index, int):
            renderer = {"gov": T.gov_list, "news": T.news_list, "mirror": T.mirror_list,
                        "paper": lambda s, i, n: T.paper_node(s, i + 1, n)}[src]
            items = pages[index]
            key = f"{src}|{index}|{len(pages)}|" + "|".join(a.content_key() for a in items)
            lm = max([st.list_changed[src]] + [a.last_modified for a in items])
            return self._html(src, lambda n: renderer(st, index, n), key, lm)
        if src == "gov" and (m := ATTACHMENT_PATH.fullmatch(path)):
            owner = next((a for a in st.live("gov") if path in a.extra.get("attachments", [])), None)
            if owner is not None:
                revision, replaced = st.attachment_revisions.get(path, (0, 0.0))
                number = owner.extra["attachments"].index(path) + 1
                body, ctype = _attachment(owner.title, number, m.group(1), revision)
                return Page(body=body, content_type=ctype, etag_key=f"{path}|{revision}",
                            last_modified=max(owner.last_modified, replaced))
        return _error(404, home)

    def _list_index(self, src: str, path: str, n: int) -> int | str | None:
        """Map a list-page path to its 0-based index (or 'redirect' for a bare source root)."""
        if path in (f"/{src}/", f"/{src}/index.html") and src in ("paper", "news", "mirror"):
            return "redirect"
        # (pattern, number of the first page in that naming scheme) per source
        if src == "gov":
            if path in ("/gov/", "/gov/index.html"):
                return 0
            pattern, first = r"/gov/index_(\d+)\.html", 1           # index.html, index_1.html, …
        elif src == "paper":
            pattern, first = re.escape(T.paper_dir()) + r"node_(\d+)\.htm", 0
        elif src == "news":
            if path == "/news/list/index.html":
                return 0
            pattern, first = r"/news/list/index_(\d+)\.html", 2     # index.html, index_2.html, …
        else:
            pattern, first = r"/mirror/list_(\d+)\.html", 0
        m = re.fullmatch(pattern, path)
        if not m:
            return None
        num = int(m.group(1))
        i = num if src == "gov" else (num - 1)
        if num < max(first, 1) or not 0 <= i < n:
            return None
        return i

    def _html(self, src: str, render: Callable[[T.Noise], str], key: str, lm: float) -> Page:
        gbk = src == "paper"
        return Page(render=render, content_type=HTML_NO_CHARSET if gbk else HTML_UTF8,
                    encoding="gbk" if gbk else "utf-8", etag_key=f"{TEMPLATE_VERSION}|{key}", last_modified=lm)

    def _misc(self, src: str, kind: str) -> Page:
        name = T.SITE_NAMES[src]
        if kind == "sitemap":
            links = "".join(f'<li><a href="{u}">第{i + 1}页</a></li>' for i, u in enumerate(self.list_urls(src)))
            title, html = f"网站地图-{name}", f"<ul>{links}</ul>"
        elif kind == "about":
            title, html = f"关于我们-{name}", f"<p>{escape(name)}，联系电话：0746-8320023。</p>"
        else:
            title, html = f"搜索结果-{name}", "<p>没有找到相关信息。</p>"
        gbk = src == "paper"
        return Page(render=lambda n: T.simple_page(title, html, n, src), etag_key=f"{src}|{kind}",
                    last_modified=self.state.list_changed[src], encoding="gbk" if gbk else "utf-8",
                    content_type=HTML_NO_CHARSET if gbk else HTML_UTF8)

    def _sitemap(self) -> str:
        urls = [u for s in SOURCES for u in self.list_urls(s)]
        urls += [a["url"] for a in self.catalogue()]
        body = "".join(f"<url><loc>{escape(u)}</loc></url>" for u in urls)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>\n')

    # -- admin (HTTP control API) ------------------------------------------------------------
    def admin(self, method: str, action: str, data: dict[str, Any], query: dict[str, list[str]]) -> tuple[int, Any]:
        try:
            if method == "GET" and action == "catalogue":
                return 200, self.catalogue(include_withdrawn=query.get("all", ["0"])[0] in ("1", "true"))
            if method == "GET" and action == "":
                return 200, {"endpoints": ["GET /__demo__/catalogue[?all=1]", "POST /__demo__/publish",
                                           "POST /__demo__/edit", "POST /__demo__/withdraw", "POST /__demo__/restore",
                                           "POST /__demo__/replace_attachment"],
                             "start_urls": self.start_urls()}
            if method != "POST":
                return 405, {"error": "use POST"}
            if action == "publish":
                art = self.publish(data["source"], data.get("title"), data.get("paragraphs"), data.get("date"),
                                   data.get("metadata"), data.get("copy_of"), int(data.get("page", 1)))
                return 201, art.to_dict(self._base())
            if action == "edit":
                rep = data.get("replace")
                art = self.edit(data["path"], data.get("title"), data.get("paragraphs"), data.get("append"),
                                tuple(rep) if rep else None, data.get("date"), data.get("metadata"))
            elif action == "withdraw":
                art = self.withdraw(data["path"], int(data.get("status", 404)))
            elif action == "restore":
                art = self.restore(data["path"])
            elif action == "replace_attachment":
                return 200, {"path": data["path"], "revision": self.state.replace_attachment(_path(data["path"]))}
            else:
                return 404, {"error": f"unknown action {action!r}"}
            return 200, art.to_dict(self._base())
        except KeyError as exc:
            return 404, {"error": f"not found / missing field: {exc}"}
        except (ValueError, TypeError) as exc:
            return 400, {"error": str(exc)}


def _path(url_or_path: str) -> str:
    """Accept either a path or a full URL for the control API."""
    return urlsplit(url_or_path).path if "://" in url_or_path else url_or_path


class DemoHandler(BaseHTTPRequestHandler):
    """Request handler; ``site`` is bound per DemoSite by DemoSite.make_server."""

    site: DemoSite
    protocol_version = "HTTP/1.1"
    server_version = "nginx"

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        if self.site.verbose:
            super().log_message(format, *args)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not url.path.startswith("/__demo__/"):
            self._send(405, b"", "text/plain")
            return
        try:
            data = json.loads(raw.decode("utf-8") or "{}")
            if not isinstance(data, dict):
                raise TypeError("JSON object expected")
        except (ValueError, TypeError) as exc:
            self._json(400, {"error": f"bad JSON: {exc}"})
            return
        self._json(*self.site.admin("POST", url.path[len("/__demo__/"):], data, parse_qs(url.query)))

    # -- helpers -----------------------------------------------------------------------------
    def _log_request(self, status: int, size: int) -> None:
        self.site.request_log.append((self.command, self.path, status, size, self.headers.get("User-Agent", "")))

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8"),
                   "application/json; charset=utf-8", {"Cache-Control": "no-store"})

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None,
              head: bool = False) -> None:
        self.send_response(status)
        self._log_request(status, 0 if head else len(body))
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _serve(self, head: bool) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path.startswith("/__demo__/"):
            if head:
                self._send(405, b"", "text/plain", head=True)
            else:
                self._json(*self.site.admin("GET", url.path[len("/__demo__/"):], {}, query))
            return
        page = self.site.route(url.path, query)
        headers = dict(page.headers)
        gz = "gzip" in (self.headers.get("Accept-Encoding") or "").lower()
        if page.etag_key is not None:
            tag = hashlib.sha1(page.etag_key.encode("utf-8")).hexdigest()[:20]
            etag = f'W/"{tag}"' if gz else f'"{tag}"'
            headers["ETag"] = etag
            if page.last_modified is not None:
                headers["Last-Modified"] = email.utils.formatdate(page.last_modified, usegmt=True)
            headers["Cache-Control"] = "no-cache"
            if self._not_modified(tag, page.last_modified):
                self.send_response(304)
                self._log_request(304, 0)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                return
        body = page.body
        if page.render is not None:
            hit = next(self.site._hits)
            text = page.render(T.Noise(hit=hit))
            body = text.encode(page.encoding, errors="xmlcharrefreplace")
        if gz and body and page.status != 302:
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        if page.etag_key is not None or page.render is not None:
            headers["Vary"] = "Accept-Encoding"
        self._send(page.status, body, page.content_type, headers, head=head)

    def _not_modified(self, tag: str, last_modified: float | None) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm:
            tags = [t.strip() for t in inm.split(",")]
            return any(t == "*" or t.removeprefix("W/").strip('"') == tag for t in tags)
        ims = self.headers.get("If-Modified-Since")
        if ims and last_modified is not None:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
            return int(last_modified) <= since
        return False


def serve_forever(host: str = "127.0.0.1", port: int = 8765, verbose: bool = False, seed: int = DEFAULT_SEED) -> None:
    """Run the demo site in the foreground (used by ``python -m demo`` / ``govwatch demo-site``)."""
    site = DemoSite(seed=seed, verbose=verbose)
    server = site.make_server(host, port)
    site.server = server
    print(f"govwatch demo site on {site.base_url}/  (control API: {site.base_url}/__demo__/)", flush=True)
    for src, url in site.start_urls().items():
        print(f"  {src:6s} {url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        site.server = None
