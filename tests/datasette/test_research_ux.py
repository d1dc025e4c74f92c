"""The researcher's and operator's pages on a small real store served by a real Datasette:
article links everywhere, cut cells, Beijing time on pages and UTC in data, CSV with a BOM,
feed titles, hidden internal tables, the archived page in a sandbox, the changes-only view,
and the operator page's one health answer."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from storage import open_db
from storage.articles import FetchedArticle, record_page
from storage.runs import close_run, record_fetch_error, start_run
from storage.sources import sync_sources
from tests.datasette.conftest import request_plans, row_reads
from tests.datasette.test_publish import make_datasette

LONG_TEXT = "第一段很长的正文。" * 60 + "\n第二段。"
RAW = b"<html><body><h1>\xe6\xa0\x87\xe9\xa2\x98</h1><script>alert(1)</script><img src='http://evil/x.png'></body></html>"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("ux") / "govwatch.db"
    db = open_db(path)
    sync_sources(db, [{"name": "gov", "schedule": "every 1h"}, {"name": "down", "schedule": "every 1h"}])
    run = start_run(db, "gov")
    record_page(db, run, FetchedArticle(url="http://gov.example.cn/2026/03/t20260310_1.html", source="gov", body=RAW,
                                        title="关于推进乡村振兴的通知", text=LONG_TEXT, published="2026-03-10",
                                        fetched_at="2026-03-10T01:30:00+00:00"))
    close_run(db, run, "ok")
    down = start_run(db, "down")
    record_fetch_error(db, down, "down", "http://down.example.cn/", "DNS lookup failed: down.example.cn")
    close_run(db, down, "failed", message="crawl ended: finished")
    # what an old `govwatch run` wrote: a snapshot saying nothing is wrong
    db["source_health"].insert({"source": "down", "flags": "[]", "checked_at": datetime.now(UTC).isoformat()},
                               alter=True, replace=True)
    db.close()
    return path


@pytest.fixture
async def ds(db_path):
    datasette = make_datasette(db_path)
    await datasette.invoke_startup()
    return datasette


async def test_titles_link_to_the_article_page_and_long_cells_are_cut(ds):
    html = (await ds.client.get("/govwatch/articles")).text
    assert 'class="article-link" href="/-/article/1"' in html
    assert f">{LONG_TEXT[:60]}…</span>" in html and f">{LONG_TEXT[:61]}" not in html  # cut in the table…
    rows = (await ds.client.get("/govwatch/articles.json?_shape=array")).json()
    assert rows[0]["text"] == LONG_TEXT  # …whole in the data
    versions = (await ds.client.get("/govwatch/versions")).text
    assert 'href="/-/article/1"' in versions


async def test_pages_show_beijing_time_and_the_data_keeps_utc(ds):
    html = (await ds.client.get("/govwatch/articles")).text
    assert ">2026-03-10 09:30</time>" in html and 'datetime="2026-03-10T01:30:00+00:00"' in html
    rows = (await ds.client.get("/govwatch/articles.json?_shape=array")).json()
    assert rows[0]["first_seen"] == "2026-03-10T01:30:00+00:00"
    article = (await ds.client.get("/-/article/1")).text
    assert "2026-03-10 09:30（北京时间）" in article


async def test_csv_has_a_bom_only_on_request(ds):
    with_bom = await ds.client.get("/govwatch/articles.csv?_bom=1")
    assert with_bom.status_code == 200 and with_bom.content.startswith(b"\xef\xbb\xbfid,")
    assert "乡村振兴" in with_bom.content.decode("utf-8-sig")
    assert (await ds.client.get("/govwatch/articles.csv")).content.startswith(b"id,")
    menu = (await ds.client.get("/govwatch/articles")).text
    assert "_bom=1" in menu


async def test_feeds_have_titles_not_sql_and_internal_tables_are_hidden(ds):
    feed = (await ds.client.get("/govwatch/atom_new_articles.atom")).text
    assert "<title>govwatch 新发布文章 New articles</title>" in feed and "select" not in feed.split("<entry>")[0]
    assert "/-/article/1" in feed  # the entry links to the article page
    database = (await ds.client.get("/govwatch")).text
    assert "_sqlite_migrations" not in database


@pytest.mark.parametrize(("query", "entries"), [("", 1), ("?atom_author_name=gov", 1), ("?atom_author_name=down", 0)])
async def test_a_feed_poll_counts_nothing_and_names_the_url_it_was_asked_by(ds, db_path, query, entries):
    """Feed readers poll all day and a feed shows no count and no facets: the exact count of
    every `new` event took 0.93 s a poll at 200,000 articles. Its id and self link stay the URL asked."""
    plans = await request_plans(ds, f"/govwatch/atom_new_articles.atom{query}", db_path)
    assert [sql for sql in plans if "count(" in sql.lower()] == [], list(plans)
    assert any("atom_new_articles" in sql for sql in plans)
    feed = etree.fromstring((await ds.client.get(f"/govwatch/atom_new_articles.atom{query}")).content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    asked = f"http://localhost/govwatch/atom_new_articles.atom{query}"
    assert feed.findtext("a:id", namespaces=ns) == asked
    assert feed.find("a:link[@rel='self']", ns).get("href") == asked
    assert len(feed.findall("a:entry", ns)) == entries


@pytest.mark.slow
async def test_archived_page_is_sandboxed_and_downloadable(ds):
    shown = await ds.client.get("/-/article/1/version/1")
    assert shown.status_code == 200 and shown.content == RAW
    policy = shown.headers["content-security-policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy and "script" not in policy
    page = (await ds.client.get("/-/article/1")).text
    version_id = int(page.split('href="/-/raw/', 1)[1].split('"', 1)[0])  # the download the page links
    download = await ds.client.get(f"/-/raw/{version_id}")
    assert "attachment" in download.headers["content-disposition"] and download.content == RAW
    assert (await ds.client.get("/-/article/1/version/1.html")).status_code == 404  # one download, /-/raw
    assert (await ds.client.get("/-/article/1/version/9")).status_code == 404
    assert (await ds.client.get("/-/article/99999999999999999999/version/1")).status_code == 404


def _article_page_module():
    from tests.datasette.test_publish import DATASETTE_DIR

    spec = importlib.util.spec_from_file_location("article_page_plugin", DATASETTE_DIR / "plugins" / "article_page.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_changes_only_folds_unchanged_paragraphs_and_keeps_tags_balanced():
    from monitor.diffs import render_diff_html, version_diff

    old = {"title": "t", "text": "\n".join(f"第{i}段没有变化。" for i in range(8)) + "\n结尾。"}
    new = {"title": "t", "text": "\n".join(f"第{i}段没有变化。" for i in range(8)) + "\n结尾，新增一句。\n新的一段。"}
    folded = str(_article_page_module().changes_only(render_diff_html(version_diff(old, new)["diff"])))
    assert "8 段未改动" in folded and folded.count("<p class=\"changed\">") >= 1
    for tag in ("ins", "del", "p", "details"):
        assert folded.count(f"<{tag}") == folded.count(f"</{tag}>"), tag
    spanning = '<div class="diff-text">a<ins>b<br>\nc</ins>d<br>\ne</div>'
    assert str(_article_page_module().changes_only(spanning)).count("<ins>") == 2  # reopened in the next paragraph


async def test_operator_page_says_failed_with_the_real_reason_whatever_the_snapshot(ds):
    html = (await ds.client.get("/-/operator")).text
    down = html.split('id="source-down"')[1].split("</tr>")[0]
    assert '<span class="status failed">failed</span>' in down
    assert "DNS lookup failed: down.example.cn" in down and "crawl ended: finished" not in down
    gov = html.split('id="source-gov"')[1].split("</tr>")[0]
    assert '<span class="status ok">ok</span>' in gov
    assert "调度服务未运行" in html
    page = html.split('class="operator-page"')[1]
    assert "尚未设置运维密码" in page and 'href="/-/login"' not in page  # nobody can sign in: no link to a form
    login = await ds.client.get("/-/login")
    assert login.status_code == 503 and "GOVWATCH_OPERATOR_PASSWORD_HASH" in login.text


def test_cli_digest_and_page_read_one_health(db_path):
    from monitor.digest.health import source_health as digest_health
    from monitor.digest.period import day_period
    from monitor.operator_view import source_overview

    db = open_db(db_path)
    try:
        overview = {r["name"]: r for r in source_overview(db)}
        assert overview["down"]["status"] == "failed" and "DNS lookup failed" in overview["down"]["health"][0]
        today = (datetime.now(UTC) + timedelta(hours=8)).date()
        notes = digest_health(db, day_period(today), lambda name: True)
        assert [(n.source, n.problem) for n in notes] == [("down", "failed")]
        assert notes[0].message == overview["down"]["health"][0].split(": ", 1)[1]
    finally:
        db.close()


@pytest.mark.slow
async def test_written_digests_are_served_by_name_only(ds, tmp_path, monkeypatch):
    (tmp_path / "all-sources").mkdir()
    (tmp_path / "all-sources" / "latest.atom").write_text("<feed/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("no", encoding="utf-8")
    monkeypatch.setenv("GOVWATCH_DIGESTS", str(tmp_path))
    served = await ds.client.get("/-/digests/all-sources/latest.atom")
    assert served.status_code == 200 and served.text == "<feed/>"
    assert served.headers["content-type"].startswith("application/atom+xml")
    assert "default-src 'none'" in served.headers["content-security-policy"]
    for path in ("/-/digests/all-sources/latest.txt", "/-/digests/../secret.txt", "/-/digests/all-sources/2026-03-10.html",
                 "/-/digests/All/latest.atom", "/-/digests/all-sources/%2e%2e%2fsecret.txt"):
        assert (await ds.client.get(path)).status_code in (302, 404), path  # never the file, never a 500


@pytest.mark.slow
async def test_odd_urls_under_the_new_routes_are_404_not_500(ds):
    for path in ("/-/chart/a/b", "/-/chart/Foo", "/-/article/1/version/x", "/-/article/1/version/1/z",
                 "/-/digests/all-sources/latest.txt", "/-/digests/All/latest.atom"):
        assert (await ds.client.get(path)).status_code == 404, path
    chart = await ds.client.get("/-/chart/changes")
    assert chart.status_code == 302 and chart.headers["location"].startswith("/govwatch/per_month#")


@pytest.mark.parametrize("path", ["/govwatch/versions", "/govwatch/article_versions"])
async def test_the_versions_pages_open_newest_first_and_facet_from_indexes(ds, db_path, path):
    """Both open sorted by `fetched_at`, newest first, with an `http_status` facet: SQLite read and
    sorted every version for a page of 50 (94 ms at 220,000 versions, growing with every crawl),
    and read every version's row again for the facet (111 ms), until m025's indexes."""
    plans = await request_plans(ds, path, db_path)
    page = [plan for sql, plan in plans.items() if "order by fetched_at desc" in sql]
    assert page and all("USE TEMP B-TREE FOR ORDER BY" not in plan for plan in page), plans
    assert all(any("idx_article_versions_fetched_at" in step for step in plan) for plan in page), plans
    facets = {sql: plan for sql, plan in plans.items() if "group by" in sql}
    assert any("http_status" in sql for sql in facets), plans
    assert row_reads(facets, {"article_versions", "v", "articles", "a"}) == {}


@pytest.mark.parametrize("sort", ["_sort=published", "_sort_desc=published"])
async def test_the_table_sorted_by_publication_date_walks_an_index(ds, db_path, sort):
    """A click on the `published` header sorted every article's wide row for one page (0.56 s at
    200,000 articles); the index (m023) gives the page in order, only equal dates sorted by id."""
    plans = await request_plans(ds, f"/govwatch/articles?{sort}", db_path)
    page = [plan for sql, plan in plans.items() if "order by published" in sql]
    assert page and all("USE TEMP B-TREE FOR ORDER BY" not in plan for plan in page), plans
    assert all(any("idx_articles_published" in step for step in plan) for plan in page)
