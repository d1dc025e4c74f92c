"""Crawl → extract → store on the real demo site: what a researcher finds in the database."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from urllib.parse import urlsplit

import pytest

from storage import open_db
from storage.articles import raw_html
from tests.conftest import DEMO_SOURCE_KIND, DEMO_SOURCES

pytestmark = pytest.mark.slow

# Boilerplate of the kinds the seeds' README lists; none may survive in a stored text.
BOILERPLATE = [
    "您现在所在的位置", "当前位置", "【字体", "打印", "分享到", "扫一扫", "回到顶部", "主办单位", "湘公网安备",
    "网站标识码", "ICP备", "技术支持", "网站地图", "彩神", "投稿邮箱", "联系电话", "版面导航", "上一版", "下一版",
    "标题导航", "放大", "缩小", "上一篇", "下一篇", "热门搜索", "责任编辑", "浏览次数", "索引号", "发文机关",
]


@pytest.fixture(scope="module")
def db(crawled_demo):
    database = open_db(crawled_demo)
    yield database
    database.close()


@pytest.fixture(scope="module")
def expected(demo_site):
    return {a["url"]: a for a in demo_site.catalogue()}


def test_every_demo_article_stored_once_per_source(db, expected):
    stored = Counter(r["source"] for r in db.query("select source from articles"))
    wanted = Counter(f"demo-{a['source']}" for a in expected.values())
    assert stored == wanted and sum(wanted.values()) >= 50
    assert {r["url"] for r in db.query("select url from articles")} == set(expected)
    runs = list(db.query("select source, status, errors from crawl_runs"))
    assert sorted(r["source"] for r in runs) == sorted(DEMO_SOURCES)
    assert all(r["status"] == "ok" and r["errors"] == 0 for r in runs)


def test_titles_and_dates_match_the_pages(db, expected):
    for row in db.query("select url, title, published from articles"):
        page = expected[row["url"]]
        assert (row["title"], row["published"]) == (page["title"], page["date"]), row["url"]


@pytest.mark.parametrize("source", DEMO_SOURCES)
def test_stored_text_is_the_article_body(db, expected, source):
    for row in db.query("select url, text from articles where source = ?", [source]):
        assert row["text"] == expected[row["url"]]["text"], row["url"]


def test_no_boilerplate_survives(db, expected):
    assert not [p for p in BOILERPLATE for a in expected.values() if p in a["text"]], "fixture bodies must be clean"
    leaks = [(r["url"], p) for r in db.query("select url, title, text from articles") for p in BOILERPLATE
             if p in r["text"] or p in (r["title"] or "")]
    assert leaks == []


def test_gbk_source_decodes(db, expected, demo_site):
    paper = list(db.query("select url, title, text from articles where source = 'demo-paper'"))
    assert paper and all(expected[r["url"]]["encoding"] == "gbk" for r in paper)
    for row in paper:
        assert row["title"] == expected[row["url"]]["title"]
        assert "\ufffd" not in row["text"]


def test_gov_disclosure_metadata_is_kept(db, expected):
    rows = list(db.query("select url, index_no, publisher, doc_no, metadata from articles where source = 'demo-gov'"))
    assert rows
    for row in rows:
        shown = expected[row["url"]]["metadata"]
        assert row["index_no"] == shown["索引号"] and row["publisher"] == shown["发文机关"]
        if shown.get("文号"):
            assert row["doc_no"] == shown["文号"]


def test_raw_html_is_kept_as_received(db):
    for row in db.query("select v.raw_html_gz, v.raw_sha256, v.raw_size, v.encoding, a.source, a.title "
                        "from article_versions v join articles a on a.id = v.article_id"):
        raw = raw_html(db, row)
        assert hashlib.sha256(raw).hexdigest() == row["raw_sha256"] and len(raw) == row["raw_size"]
        encoding = "gbk" if row["source"] == "demo-paper" else "utf-8"
        assert row["title"].encode(encoding, errors="xmlcharrefreplace") in raw


def test_one_version_and_one_new_event_per_article(db):
    assert db.execute("select count(*) from articles").fetchone()[0] == db.execute(
        "select count(*) from article_versions").fetchone()[0]
    kinds = Counter(r["kind"] for r in db.query("select kind from events where kind != 'republished'"))
    assert kinds == Counter({"new": db.execute("select count(*) from articles").fetchone()[0]})


def test_robots_txt_obeyed_and_user_agent_names_govwatch(crawled_demo, demo_site):
    paths = [urlsplit(p).path for _, p, *_ in demo_site.request_log]
    assert "/robots.txt" in paths
    assert not [p for p in paths if p.startswith("/private/")]
    agents = {ua for *_, ua in demo_site.request_log if ua}
    assert agents and all(ua.startswith("govwatch/") for ua in agents)


def test_source_kind_and_config_are_stored(db):
    for source, kind in DEMO_SOURCE_KIND.items():
        row = db["sources"].get(source)
        assert row["kind"] == kind and json.loads(row["config"])["start_urls"]
