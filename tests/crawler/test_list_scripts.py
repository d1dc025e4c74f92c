"""A list page waiting for its site's script files is plain data: the distributed frontier stores the
script request's meta as JSON, and another worker may read the page again from it."""

from __future__ import annotations

from scrapy.http import TextResponse

from crawler.frontier import dumps, loads
from crawler.spiders.source import ListScripts


def test_the_waiting_page_survives_the_frontiers_json_and_is_read_again_as_fetched():
    page = TextResponse("http://www.example.gov.cn/col/index.html", status=200, encoding="gbk",
                        body="<html><body>通知公告</body></html>".encode("gbk"),
                        headers={"ETag": '"5f2a"', "Last-Modified": "Tue, 01 Dec 2026 08:00:00 GMT",
                                 "Set-Cookie": "sid=1"})
    waiting = ListScripts.of(page, 2, "http://www.example.gov.cn/col/index.html",
                             ["http://www.example.gov.cn/js/list.js"])
    waiting.texts["http://www.example.gov.cn/js/list.js"] = "function showArticle(id) {}"
    again = ListScripts(**loads(dumps({"meta": waiting.as_meta()}))["meta"]).page()
    assert (again.url, again.status, again.encoding, again.text) == (page.url, 200, "gbk", page.text)
    # the visit keeps the validators for the next conditional GET; nothing else of the headers travels
    assert again.headers.get("ETag") == b'"5f2a"' and again.headers.get("Last-Modified")
    assert again.headers.get("Set-Cookie") is None
