"""`govwatch sources try URL`: what a crawl would do with a list page, before it is a source.

Honest by construction: the page goes through the crawl's own pieces (the list detector,
crawler/listing; Scrapy's decoding, w3lib's html_to_unicode; the crawl's extraction and
screening, crawler/extraction_pool.extract_for_store) with the crawl's size cap and user
agent. Only the fetch differs: one plain GET at a time (httpx) instead of a Scrapy crawl,
because a preview needs four pages, not a reactor. Nothing is written.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from w3lib.encoding import html_to_unicode

from crawler.response_checks import binary_type, declared_charset

if TYPE_CHECKING:  # the list reader is imported when a page is read, not when the CLI starts
    from crawler.listing import ListReading

MAX_BYTES = 10 * 1024 * 1024  # the crawl's DOWNLOAD_MAXSIZE (crawler/settings.py)
TIMEOUT_S = 20.0
PREVIEW_ARTICLES = 3
FIRST_LINE_CHARS = 120
# Control characters (C0 but tab, DEL, C1): a page's text must not drive the operator's terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class TryError(ValueError):
    """The list page cannot be previewed (bad URL, fetch failed, not HTML): one line for the user."""


@dataclass
class FetchedPage:
    url: str  # after redirects
    status: int
    body: bytes
    content_type: str | None

    def decoded(self) -> tuple[str, str]:
        """(encoding, text) as Scrapy's TextResponse decodes the page: header, BOM, <meta>, then guess."""
        return html_to_unicode(self.content_type, self.body)


def fetch(client: httpx.Client, url: str, *, max_bytes: int = MAX_BYTES) -> FetchedPage:
    """One GET, redirects followed, the body cut off (refused) past `max_bytes` of decoded content."""
    try:
        with client.stream("GET", url) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise TryError(f"{url}: larger than {max_bytes // (1024 * 1024)} MB, refused")
                chunks.append(chunk)
            return FetchedPage(str(response.url), response.status_code, b"".join(chunks),
                               response.headers.get("content-type"))
    except httpx.HTTPError as exc:
        raise TryError(f"{url}: cannot fetch: {type(exc).__name__}: {exc}") from None


def same_site(url: str, base: str) -> bool:
    """On the start page's host and port: what a source made from it may crawl by default."""
    a, b = urlsplit(url), urlsplit(base)
    return a.scheme in ("http", "https") and (a.hostname, a.port) == (b.hostname, b.port)


def try_list_page(url: str, *, articles: int = PREVIEW_ARTICLES, timeout_s: float = TIMEOUT_S,
                  user_agent: str | None = None) -> dict[str, Any]:
    """Read `url` as a source's start page; extract its first `articles` articles. Raises TryError."""
    from crawler.extraction_pool import extract_for_store
    from crawler.settings import USER_AGENT

    if not url.startswith(("http://", "https://")) or not urlsplit(url).hostname:
        raise TryError(f"{url!r} is not an http(s) URL")
    started = time.monotonic()
    headers = {"User-Agent": user_agent or USER_AGENT}
    with httpx.Client(timeout=timeout_s, follow_redirects=True, max_redirects=5, headers=headers) as client:
        page = _refreshed(client, fetch(client, url))
        if page.status != 200:
            raise TryError(f"{url}: HTTP {page.status}")
        sniffed = binary_type(page.body)
        if sniffed or not page.body.strip():
            raise TryError(f"{url}: not an HTML page ({sniffed or 'empty'})")
        encoding, text = page.decoded()
        reading = _read_list(client, url, text, page.url)
        frames = [frame for frame in reading.frames if same_site(frame, page.url)]
        list_frame = None
        if not reading.article_links:  # as the crawl does: the list pages the start shows in frames
            for frame in frames:
                try:
                    shown = fetch(client, frame)
                except TryError:
                    continue
                if shown.status == 200 and not binary_type(shown.body) and shown.body.strip():
                    inner = _read_list(client, frame, shown.decoded()[1], shown.url)
                    if inner.article_links:
                        reading, list_frame = inner, shown.url
                        break
        links = [{"url": link.url, "anchor": link.anchor, "date": link.date, "in_scope": same_site(link.url, page.url)}
                 for link in reading.article_links]
        previews = []
        for link in [entry for entry in links if entry["in_scope"]][:articles]:
            previews.append(_preview(client, link, extract_for_store))
    return {
        "url": url,
        "final_url": page.url,
        "encoding": encoding,
        "region": reading.region_summary,
        "profile": reading.profile.to_dict() if reading.profile is not None else None,
        "article_links": links,
        "pagination": {"urls": list(reading.pagination.urls), "kind": reading.pagination.kind,
                       "unsupported": reading.pagination.unsupported,
                       "postback": list(reading.pagination.postback) if reading.pagination.postback else None},
        "frames": frames,
        "list_frame": list_frame,
        "articles": previews,
        "seconds": round(time.monotonic() - started, 2),
    }


MAX_REFRESHES = 3        # a chain of <meta http-equiv="refresh"> entry pages followed, as the crawl does
MAX_REFRESH_DELAY_S = 100  # Scrapy's METAREFRESH_MAXDELAY: a slower refresh is a page of its own


def _refreshed(client: httpx.Client, page: FetchedPage) -> FetchedPage:
    """The page a same-site meta refresh leads to (an e-paper's paperindex.htm → today's node_2.htm), as
    the crawl's QuickMetaRefreshMiddleware follows it; the page itself when it has none."""
    from w3lib.html import get_meta_refresh

    for _ in range(MAX_REFRESHES):
        if page.status != 200 or b"refresh" not in page.body[:16384].lower():
            return page
        delay, target = get_meta_refresh(page.decoded()[1][:16384], page.url, ignore_tags=("script", "noscript"))
        if not target or delay is None or delay > MAX_REFRESH_DELAY_S or not same_site(target, page.url) \
                or target == page.url:
            return page
        page = fetch(client, target)
    return page


def _read_list(client: httpx.Client, url: str, text: str, final_url: str) -> ListReading:
    """read_list_page as the crawl reads the page: with the site's script files its links call into."""
    from crawler.listing import read_list_page

    try:
        reading = read_list_page(text, final_url)
        wanted = [script for script in reading.scripts_wanted if same_site(script, final_url)]
        if wanted:
            reading = read_list_page(text, final_url, scripts=[_script_text(client, script) for script in wanted])
    except Exception as exc:  # noqa: BLE001 - as the crawl reports it: the page's failure, one line
        raise TryError(f"{url}: the list detector failed on this page: {type(exc).__name__}: {exc}") from None
    return reading


def _script_text(client: httpx.Client, url: str) -> str:
    """A script file a list page calls into, as the crawl reads it: "" when it cannot be had."""
    from crawler.listing.script_links import MAX_SCRIPT_FILE_BYTES

    try:
        script = fetch(client, url, max_bytes=MAX_SCRIPT_FILE_BYTES)
    except TryError:
        return ""
    return script.decoded()[1] if script.status == 200 else ""


def _preview(client: httpx.Client, link: dict[str, Any], extract: Any) -> dict[str, Any]:
    """One article as the crawl would store it: title, date, text length and first line (or why not)."""
    try:
        page = fetch(client, link["url"])
    except TryError as exc:
        return {"url": link["url"], "error": str(exc)}
    if page.status != 200:
        return {"url": link["url"], "error": f"HTTP {page.status}"}
    encoding, _ = page.decoded()
    try:
        result = extract(page.body, page.url, encoding, (), declared_charset(page.content_type, page.body),
                         link["anchor"])
    except Exception as exc:  # noqa: BLE001 - as the crawl's pipeline: a failure of this page alone
        return {"url": link["url"], "error": f"extraction failed: {type(exc).__name__}: {exc}"}
    screening = result.screening
    if screening.blocked or screening.soft_404:
        return {"url": link["url"], "error": screening.blocked or screening.soft_404}
    fields = result.fields
    body = (fields.get("text") or "").strip()
    first_line = next((line.strip() for line in body.split("\n") if line.strip()), "")
    return {"url": link["url"], "title": fields.get("title"), "date": fields.get("published"), "text_chars": len(body),
            "first_line": first_line[:FIRST_LINE_CHARS],
            **({"error": "no article text found on the page"} if result.prepared is None else {})}


def _page_line(name: str) -> str:
    """A pager page as the crawl asks for it: its URL, or POST, the URL and the form for a jpage group."""
    from crawler.listing.jpage import split_post_page

    url, form = split_post_page(name)
    return url if form is None else f"POST {url}  form: {form}"


def render_text(result: dict[str, Any]) -> str:
    """The preview for a terminal: region, links, pagination, articles (the site's text made inert)."""
    return _CONTROL.sub("\ufffd", _render(result))


def _render(result: dict[str, Any]) -> str:
    links = result["article_links"]
    outside = sum(not link["in_scope"] for link in links)
    lines = [f"list page: {result['final_url']} ({result['encoding']}, {result['seconds']} s)",
             f"list region: {result['region'] or 'none found'}",
             f"article links: {len(links)}" + (f" ({outside} on another site, not crawled)" if outside else "")]
    for number, link in enumerate(links, start=1):
        lines.append(f"  {number:3}. {link['date'] or '          '}  {link['anchor'] or '(no text)'}")
        lines.append(f"       {link['url']}")
    if result.get("list_frame"):
        lines.append(f"no list on the page itself: read from the page it shows in a frame, {result['list_frame']}"
                     " (as the crawl does)")
    elif result.get("frames"):
        lines.append("no list here, nor in the pages it shows in frames:")
        lines += [f"  {frame}" for frame in result["frames"]]
    pagination = result["pagination"]
    lines.append(f"pagination: {pagination['kind'] or 'none found'}"
                 + (f", {len(pagination['urls'])} page(s) followed" if pagination["urls"] else ""))
    lines += [f"  {_page_line(url)}" for url in pagination["urls"][:10]]
    if len(pagination["urls"]) > 10:
        lines.append(f"  … {len(pagination['urls']) - 10} more")
    if pagination.get("postback"):
        target, argument = pagination["postback"]
        lines.append(f"  next page: the page's form posted as its 下一页 does (__doPostBack('{target}', '{argument}')),"
                     " one page after another")
    if pagination["unsupported"]:
        lines.append(f"  not followed (unsupported): {pagination['unsupported']}")
    lines.append(f"first {len(result['articles'])} article(s) extracted:")
    for article in result["articles"]:
        lines.append(f"  {article['url']}")
        if article.get("title") is not None or "text_chars" in article:
            lines.append(f"    title: {article.get('title') or '(none)'}")
            lines.append(f"    date: {article.get('date') or '(none)'}   text: {article.get('text_chars', 0)} chars")
            lines.append(f"    first line: {article.get('first_line') or ''}")
        if article.get("error"):
            lines.append(f"    problem: {article['error']}")
    return "\n".join(lines)
