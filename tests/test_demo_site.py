"""Tests for the demo site (demo/): the local HTTP site that govwatch's crawler and monitor use."""
from __future__ import annotations

import gzip
import html
import json
import re
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

import pytest

from demo.server import ARTICLE_PATH_RES, DemoSite

SOURCES = ("gov", "paper", "news", "mirror")


def fetch(url: str, headers: dict[str, str] | None = None, data: bytes | None = None):
    """(status, headers, body bytes) without raising on 3xx/4xx."""
    req = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def post(site: DemoSite, action: str, payload: dict):
    status, _, body = fetch(f"{site.base_url}/__demo__/{action}", {"Content-Type": "application/json"},
                            json.dumps(payload).encode("utf-8"))
    return status, json.loads(body.decode("utf-8"))


def links(base: str, body: str) -> list[str]:
    return [urlsplit(urljoin(base, html.unescape(h))).path for h in re.findall(r'href="([^"]+)"', body)]


@pytest.fixture(scope="module")
def site():
    s = DemoSite()
    s.start(port=0)
    yield s
    s.stop()


@pytest.fixture()
def fresh():
    s = DemoSite()
    s.start(port=0)
    yield s
    s.stop()


def by_source(site: DemoSite, source: str) -> list[dict]:
    return [a for a in site.catalogue() if a["source"] == source]


def test_catalogue_counts_and_determinism(site):
    counts = {s: len(by_source(site, s)) for s in SOURCES}
    assert counts == {"gov": 14, "paper": 14, "news": 14, "mirror": 12}
    again = DemoSite().catalogue()
    strip = lambda cat: [{k: v for k, v in a.items() if k != "url"} for a in cat]
    assert strip(again) == strip(site.catalogue())
    for a in site.catalogue():
        assert a["status"] == 200 and a["revision"] == 0 and a["text"] and a["title"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", a["date"])
        assert ARTICLE_PATH_RES[a["source"]].match(a["path"])


@pytest.mark.parametrize("source", SOURCES)
def test_list_pages_reach_exactly_the_sources_articles(site, source):
    urls = site.list_urls(source)
    assert len(urls) >= 2
    found: set[str] = set()
    other: set[str] = set()
    for url in urls:
        status, _headers, body = fetch(url)
        assert status == 200
        text = body.decode("gbk" if source == "paper" else "utf-8")
        for path in links(url, text):
            if ARTICLE_PATH_RES[source].match(path):
                found.add(path)
            else:
                other.add(path)
            for s in SOURCES:
                if s != source:
                    assert not ARTICLE_PATH_RES[s].match(path), f"{source} list links to a {s} article"
    assert found == {a["path"] for a in by_source(site, source)}
    assert other, "list pages also carry non-article links (nav, about, 网站地图)"
    # the start URL links (directly or via a chain) to page 2
    first = fetch(urls[0])[2].decode("gbk" if source == "paper" else "utf-8")
    assert urlsplit(urls[1]).path in links(urls[0], first)
    assert ("下一版" if source == "paper" else "下一页") in first


def test_article_pages_contain_body_and_boilerplate(site):
    marks = {"gov": ["您现在所在的位置", "索引号", "扫一扫在手机打开当前页", "湘公网安备", "浏览次数"],
             "paper": ["版面导航", "标题导航", "下一版", "放大", "湘ICP备10011883号"],
             "news": ["首页 &gt; <a", "来源：红网时刻", "上一篇", "相关新闻", "责任编辑"],
             "mirror": ["工作台厂家", "热门搜索", "投稿邮箱", "联系电话"]}
    for source in SOURCES:
        art = by_source(site, source)[3]
        status, _, body = fetch(art["url"])
        assert status == 200
        text = body.decode(art["encoding"])
        assert html.escape(art["title"]) in text
        for para in art["text"].split("\n"):
            assert html.escape(para) in text
        for mark in marks[source]:
            assert mark in text, (source, mark)


def test_gbk_paper_has_no_charset_header(site):
    art = by_source(site, "paper")[0]
    status, headers, body = fetch(art["url"])
    assert status == 200 and art["encoding"] == "gbk"
    assert headers["Content-Type"] == "text/html"
    assert b'<meta charset="gbk">' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gbk")
    assert f"<h1>{html.escape(art['title'])}</h1>" in text
    assert "2022年12月17日" in text and art["metadata"]["作者"] in text


def test_conditional_get_and_noise(site):
    art = by_source(site, "gov")[0]
    s1, h1, b1 = fetch(art["url"])
    s2, h2, b2 = fetch(art["url"])
    assert s1 == s2 == 200
    assert h1["ETag"] == h2["ETag"] and h1["Last-Modified"] == h2["Last-Modified"]
    views = [re.search(r'浏览次数：<em id="ViewCount">(\d+)<', b.decode()).group(1) for b in (b1, b2)]
    assert views[0] != views[1] and b1 != b2
    assert fetch(art["url"], {"If-None-Match": h1["ETag"]})[0] == 304
    assert fetch(art["url"], {"If-Modified-Since": h1["Last-Modified"]})[0] == 304
    assert fetch(art["url"], {"If-None-Match": '"stale"'})[0] == 200
    list_url = site.list_urls("news")[0]
    etag = fetch(list_url)[1]["ETag"]
    assert fetch(list_url, {"If-None-Match": etag})[0] == 304


def test_gzip(site):
    art = by_source(site, "news")[0]
    status, headers, body = fetch(art["url"], {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert html.escape(art["title"]) in gzip.decompress(body).decode("utf-8")
    # the (weak) gzip ETag validates too
    assert fetch(art["url"], {"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(art["url"], {"If-None-Match": headers["ETag"]})[0] == 304


def test_edit_changes_etag_and_body(fresh):
    art = by_source(fresh, "gov")[2]
    _, h0, _ = fetch(art["url"])
    old = art["text"].split("\n")[3][:6]
    edited = fresh.edit(art["path"], replace=(old, "【已更正】"))
    assert edited.revision == 1
    status, h1, body = fetch(art["url"], {"If-None-Match": h0["ETag"]})
    assert status == 200 and h1["ETag"] != h0["ETag"]
    assert "【已更正】" in body.decode()
    assert fetch(art["url"], {"If-Modified-Since": h0["Last-Modified"]})[0] == 200
    cat = {a["path"]: a for a in fresh.catalogue()}[art["path"]]
    assert cat["revision"] == 1 and "【已更正】" in cat["text"]
    fresh.edit(art["path"], title="新标题：测试", append="新增的一段说明文字。")
    text = fetch(art["url"])[2].decode()
    assert "新标题：测试" in text and "新增的一段说明文字。" in text
    assert "新标题：测试" in fetch(fresh.list_urls("gov")[0])[2].decode()


@pytest.mark.parametrize("status", [404, 410])
def test_withdraw_and_restore(fresh, status):
    art = by_source(fresh, "news")[0]
    fresh.withdraw(art["path"], status=status) if status != 404 else fresh.withdraw(art["path"])
    code, _, body = fetch(art["url"])
    assert code == status and "您访问的页面不存在" in body.decode()
    assert art["path"] not in {a["path"] for a in fresh.catalogue()}
    assert art["path"] not in fetch(fresh.list_urls("news")[0])[2].decode()
    fresh.restore(art["path"])
    assert fetch(art["url"])[0] == 200
    assert art["path"] in fetch(fresh.list_urls("news")[0])[2].decode()


def test_publish_appears_first_on_page_one(fresh):
    for source in SOURCES:
        first = fresh.list_urls(source)[0]
        etag = fetch(first)[1]["ETag"]
        art = fresh.publish(source, title=f"新发布的{source}测试文章", paragraphs=["第一段内容。", "第二段内容。"])
        status, _, body = fetch(first, {"If-None-Match": etag})
        assert status == 200
        text = body.decode("gbk" if source == "paper" else "utf-8")
        article_links = [p for p in links(first, text) if ARTICLE_PATH_RES[source].match(p)]
        assert article_links[0] == art.path
        page = fetch(fresh.base_url + art.path)[2].decode(art.encoding)
        assert "第二段内容。" in page
    assert len(fresh.catalogue()) == 54 + 4
    generated = fresh.publish("news")           # title/body generated from the corpus
    assert generated.title and len(generated.paragraphs) >= 3


def test_mirror_copies(site):
    cat = {a["path"]: a for a in site.catalogue()}
    copies = [a for a in by_source(site, "mirror") if a["copy_of"]]
    assert len(copies) >= 6
    assert {cat[c["copy_of"]]["source"] for c in copies} == {"news", "gov"}
    for c in copies:
        orig = cat[c["copy_of"]]
        assert c["title"] == orig["title"] and c["text"] == orig["text"]
    page = fetch(copies[0]["url"])[2].decode()
    assert "彩神" in page and "投稿邮箱" in page


def test_admin_http_endpoints(fresh):
    status, cat = fetch(f"{fresh.base_url}/__demo__/catalogue")[0], json.loads(fetch(f"{fresh.base_url}/__demo__/catalogue")[2])
    assert status == 200 and len(cat) == 54
    status, art = post(fresh, "publish", {"source": "gov", "title": "关于测试发布的通知", "paragraphs": ["甲。", "乙。"]})
    assert status == 201 and art["path"].startswith("/gov/")
    assert art["path"] in fetch(fresh.list_urls("gov")[0])[2].decode().replace("./", "/gov/")
    status, art2 = post(fresh, "edit", {"path": art["path"], "replace": ["乙", "丙"]})
    assert status == 200 and art2["revision"] == 1 and art2["text"] == "甲。\n丙。"
    status, _ = post(fresh, "withdraw", {"path": art["path"], "status": 410})
    assert status == 200 and fetch(fresh.base_url + art["path"])[0] == 410
    status, _ = post(fresh, "restore", {"path": art["path"]})
    assert status == 200 and fetch(fresh.base_url + art["path"])[0] == 200
    assert post(fresh, "edit", {"path": "/gov/nope.html", "title": "x"})[0] == 404
    assert post(fresh, "publish", {"source": "blog"})[0] == 400


def test_robots_and_unknown_paths(site):
    status, _headers, body = fetch(site.base_url + "/robots.txt")
    robots = body.decode()
    assert status == 200 and "Disallow: /private/" in robots and "Disallow: /__demo__/" in robots
    assert "/private/" in fetch(site.list_urls("gov")[0])[2].decode()
    for path in ("/nope", "/gov/2021/01/t20210101_1.html", "/gov/index_99.html", "/news/list/index_1.html",
                 "/mirror/news/1.html", "/paper/html/2022-12/17/node_9.htm"):
        status, _, body = fetch(site.base_url + path)
        assert status == 404, path
        assert "您访问的页面不存在" in body.decode()
