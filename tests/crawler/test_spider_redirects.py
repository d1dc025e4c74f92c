"""Without an article pattern, a redirect is judged by where it goes: another article is
followed (with the list's anchor), a list or home page means the article was withdrawn."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import Response

from crawler.spiders.source import SourceSpider
from storage.outcomes import ArticleGone, FetchFailure

URL = "http://a.gov.cn/col/2021/art_1.html"


@pytest.fixture
def spider() -> SourceSpider:
    spider = SourceSpider(source="county")
    spider.configure({"allowed_domains": ["a.gov.cn"], "start_urls": ["http://a.gov.cn/col/index.html"],
                      "list_pattern": r"/index_\d+\.html$"})
    spider.list_urls = {"http://a.gov.cn/col/index.html"}
    return spider


def redirect(location: str, anchor: str | None = "关于做好示范村建设工作的通知") -> Response:
    request = Request(URL, meta={"govwatch_anchor": anchor})
    return Response(URL, status=301, headers={"Location": location}, request=request)


def test_moved_to_another_article_is_followed_with_its_anchor(spider):
    assert spider.detect_lists
    [follow] = list(spider.parse_article(redirect("/col/2021/art_1_new.html")))
    assert isinstance(follow, Request) and follow.url == "http://a.gov.cn/col/2021/art_1_new.html"
    assert follow.meta["govwatch_anchor"] == "关于做好示范村建设工作的通知"
    assert follow.meta["govwatch_redirects"] == [URL]


@pytest.mark.parametrize("location", ["/col/index.html", "/", "/col/", "/col/list_2.html", "/default.aspx"])
def test_sent_to_a_list_or_home_page_is_a_withdrawal(spider, location):
    [gone] = list(spider.parse_article(redirect(location)))
    assert isinstance(gone, ArticleGone) and gone.url == URL


def test_sent_to_another_site_is_a_failure(spider):
    [failure] = list(spider.parse_article(redirect("http://evil.example/col/2021/art_1.html")))
    assert isinstance(failure, FetchFailure) and "redirect to another site" in failure.reason
