"""QuickMetaRefreshMiddleware decides exactly as Scrapy's MetaRefreshMiddleware, on the pages
where it matters: a refresh tag in UTF-8, GBK and UTF-16 pages, one after 3,000 Chinese
characters (still inside Scrapy's 4,096-character window), one inside <noscript> (ignored),
one with a long delay (ignored), and pages without the tag (passed on undecoded)."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler import settings as govwatch_settings
from crawler.middlewares import QuickMetaRefreshMiddleware

URL = "http://127.0.0.1:8000/gov/index.html"
TAG = '<meta http-equiv="Refresh" content="0; url=/gov/moved.html">'
PAGES = {
    "utf-8 refresh": ("<html><head><meta charset='utf-8'>" + TAG + "<title>跳转</title></head><body>正在跳转</body></html>", "utf-8"),
    "gbk refresh": ("<html><head><meta charset='gbk'>" + TAG + "<title>跳转</title></head><body>正在跳转</body></html>", "gbk"),
    "utf-16 refresh": ("<html><head>" + TAG + "<title>跳转</title></head><body>正在跳转</body></html>", "utf-16"),
    "refresh after 3,000 characters": ("<html><head><meta charset='utf-8'><title>通知</title></head><body>"
                                        + "乡村振兴" * 750 + TAG + "</body></html>", "utf-8"),
    "refresh in noscript": ("<html><head><meta charset='utf-8'><noscript>" + TAG + "</noscript></head>"
                            "<body>请开启脚本</body></html>", "utf-8"),
    "slow refresh": ("<html><head><meta charset='utf-8'><meta http-equiv='refresh' content='600'></head>"
                     + "<body>每十分钟刷新</body></html>", "utf-8"),
    "article": ("<html><head><meta charset='utf-8'><title>关于做好乡村振兴工作的通知</title></head><body><p>"
                + "各乡镇人民政府：请认真贯彻落实。" * 200 + "</p></body></html>", "utf-8"),
    "article in gbk": ("<html><head><meta charset='gbk'><title>通知</title></head><body><p>"
                       + "各乡镇人民政府：请认真贯彻落实。" * 200 + "</p></body></html>", "gbk"),
}


def middleware(cls: type[MetaRefreshMiddleware]) -> MetaRefreshMiddleware:
    """The middleware as a crawl with govwatch's settings builds it."""
    settings = {k: getattr(govwatch_settings, k) for k in dir(govwatch_settings) if k.isupper()}
    return cls.from_crawler(get_crawler(settings_dict=settings))


def decided(middleware: MetaRefreshMiddleware, body: bytes) -> tuple[str, str | None]:
    request = Request(URL)
    response = HtmlResponse(URL, body=body, request=request)
    result = middleware.process_response(request, response)
    return ("redirect", result.url) if isinstance(result, Request) else ("page", None)


@pytest.mark.parametrize("name", PAGES)
def test_same_decision_as_scrapys_meta_refresh(name):
    html, encoding = PAGES[name]
    body = html.encode(encoding)
    ours = decided(middleware(QuickMetaRefreshMiddleware), body)
    assert ours == decided(middleware(MetaRefreshMiddleware), body)
    should_redirect = "refresh" in name and "noscript" not in name and "slow" not in name
    assert ours == (("redirect", "http://127.0.0.1:8000/gov/moved.html") if should_redirect else ("page", None))


def test_a_page_without_the_tag_is_not_decoded():
    """The point of it: Scrapy's check decodes every page; ours leaves the bytes alone."""
    html, encoding = PAGES["article"]
    request = Request(URL)
    response = HtmlResponse(URL, body=html.encode(encoding), request=request)
    assert middleware(QuickMetaRefreshMiddleware).process_response(request, response) is response
    assert response._cached_ubody is None  # Scrapy's decoded-text cache, filled by response.text
    middleware(MetaRefreshMiddleware).process_response(request, response)
    assert response._cached_ubody is not None
