"""Chinese search through Datasette: the table's search box and JSON API, and the `search` canned query."""

from pathlib import Path

import pytest
import yaml
from datasette.app import Datasette

from bench.search import synthetic_articles
from storage import open_db
from storage.articles import FetchedArticle, record_page
from storage.runs import start_run
from storage.search import cjk_bigrams
from storage.sources import sync_sources

ROOT = Path(__file__).resolve().parents[2]
WORDS = ["扶贫", "乡村", "振兴", "产业", "脱贫攻坚", "乡村振兴", "防返贫", "十八洞", "贫困", "小康", "贫", "2021"]


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "govwatch.db"
    db = open_db(path)
    sync_sources(db, [{"name": "s", "schedule": "every 1h"}])
    run = start_run(db, "s")
    for i, (title, text) in enumerate(synthetic_articles(240)):
        record_page(db, run, FetchedArticle(url=f"http://s.gov.cn/{i}.html", source="s", body=b"<html>",
                                            title=title, text=text))
    # one article with the word only in its title, one only deep in its text: ranking
    record_page(db, run, FetchedArticle(url="http://s.gov.cn/t.html", source="s", body=b"<html>",
                                        title="鹦鹉螺养殖通知", text="无关内容。" * 50))
    record_page(db, run, FetchedArticle(url="http://s.gov.cn/b.html", source="s", body=b"<html>",
                                        title="通知", text="无关内容。" * 50 + "鹦鹉螺养殖"))
    record_page(db, run, FetchedArticle(url="http://s.gov.cn/q.html", source="s", body=b"<html>",
                                        title='"扶贫"专项行动', text="开展专项行动。"))
    db.close()
    return path


def like_ids(db_path, *words, exclude=()):
    db = open_db(db_path, migrate=False)
    where = " and ".join(["(title like ? or text like ?)"] * len(words) + ["not (title like ? or text like ?)"] * len(exclude))
    params = [f"%{w}%" for w in (*words, *exclude) for _ in range(2)]
    ids = {r["id"] for r in db.query(f"select id from articles where {where}", params)}
    db.close()
    return ids


async def table_ids(ds, q, **extra):
    r = await ds.client.get("/govwatch/articles.json", params={"_search": q, "_size": "max", "_shape": "array",
                                                                "_col": "id", **extra})
    assert r.status_code == 200, r.text
    return {row["id"] for row in r.json()}


async def canned(ds, q):
    r = await ds.client.get("/govwatch/search.json", params={"q": q, "_shape": "array"})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("word", WORDS)
async def test_search_finds_every_article_containing_the_word(ds, db_path, word):
    expected = like_ids(db_path, word)
    assert expected, word
    assert await table_ids(ds, word) == expected
    r = await ds.client.get("/govwatch/articles.json", params={"_search": word})
    assert r.json()["filtered_table_rows_count"] == len(expected)
    assert {row["id"] for row in await canned(ds, word)} == expected


async def test_combinations(ds, db_path):
    both = like_ids(db_path, "乡村振兴", "小康")
    assert both and await table_ids(ds, "乡村振兴 小康") == both
    either = like_ids(db_path, "十八洞") | like_ids(db_path, "防返贫")
    assert await table_ids(ds, "十八洞 OR 防返贫") == either
    without = like_ids(db_path, "乡村振兴", exclude=["扶贫"])
    assert without and await table_ids(ds, "乡村振兴 -扶贫") == without
    assert {row["id"] for row in await canned(ds, "乡村振兴 -扶贫")} == without


async def test_search_one_column(ds, db_path):
    db = open_db(db_path, migrate=False)
    expected = {r["id"] for r in db.query("select id from articles where title like '%乡村%'")}
    db.close()
    r = await ds.client.get("/govwatch/articles.json", params={"_search_title": "乡村", "_shape": "array", "_size": "max"})
    assert r.status_code == 200 and {row["id"] for row in r.json()} == expected


async def test_pagination_keeps_the_search(ds, db_path):
    expected = like_ids(db_path, "乡村振兴")
    seen, path = set(), "/govwatch/articles.json?_search=%E4%B9%A1%E6%9D%91%E6%8C%AF%E5%85%B4&_size=50"
    while path:
        data = (await ds.client.get(path)).json()
        seen |= {row[0] for row in data["rows"]}
        path = data["next_url"] and data["next_url"].removeprefix("http://localhost")
    assert seen == expected


async def test_canned_query_ranks_title_matches_first_and_highlights(ds):
    rows = await canned(ds, "鹦鹉螺养殖")
    assert [row["title"] for row in rows] == ["鹦鹉螺养殖通知", "通知"]
    assert "<mark>鹦鹉螺养殖</mark>" in rows[1]["snippet"]
    html = (await ds.client.get("/govwatch/search", params={"q": "鹦鹉螺养殖"})).text
    assert "<mark>鹦鹉螺养殖</mark>" in html


async def test_search_box_page_renders_with_the_words_as_typed(ds):
    r = await ds.client.get("/govwatch/articles", params={"_search": "乡村振兴 扶贫"})
    assert r.status_code == 200
    assert 'name="_search" value="乡村振兴 扶贫"' in r.text
    assert "search matches &#34;乡村振兴 扶贫&#34;" in r.text
    assert int(r.headers["content-length"]) == len(r.content)
    # a link Datasette built carries the rewritten query; the box still shows words
    r = await ds.client.get("/govwatch/articles", params={"_search": '"乡村 村振 振兴" AND "扶贫"', "_sort": "id"})
    assert 'name="_search" value="乡村振兴 扶贫"' in r.text


async def test_cells_are_not_touched_by_the_search_box_fix(ds):
    # "扶贫" rewrites to '"扶贫"', which is also how this title reads
    r = await ds.client.get("/govwatch/articles", params={"_search": "扶贫 专项行动"})
    assert "&#34;扶贫&#34;专项行动" in r.text and 'value="扶贫 专项行动"' in r.text


async def test_empty_search_box_shows_every_article(ds, db_path):
    r = await ds.client.get("/govwatch/articles.json", params={"_search": " ", "_searchmode": "escaped"})
    assert r.status_code == 200 and r.json()["filtered_table_rows_count"] == len(like_ids(db_path, ""))
    assert (await ds.client.get("/govwatch/search.json", params={"q": ""})).json()["rows"] == []


@pytest.mark.parametrize("q", ['"', "(", "NEAR(", "*", '" OR 1=1 --', "title:", "-扶贫", ")", "扶贫 NEAR(乡村 产业)"])
async def test_hostile_query_gives_an_empty_result_not_an_error(ds, q):
    r = await ds.client.get("/govwatch/articles.json", params={"_search": q, "_shape": "array"})
    assert r.status_code == 200, r.text
    if q != "扶贫 NEAR(乡村 产业)":
        assert r.json() == []
    assert (await ds.client.get("/govwatch/articles", params={"_search": q})).status_code == 200
    r = await ds.client.get("/govwatch/search.json", params={"q": q, "_shape": "array"})
    assert r.status_code == 200, r.text
    if q != "扶贫 NEAR(乡村 产业)":
        assert r.json() == []


async def test_snippet_markup_is_only_trusted_when_it_is_escaped_text(ds):
    r = await ds.client.get("/govwatch.json", params={"sql": "select '<script>x</script><mark>a</mark>' as snippet"})
    assert r.status_code == 200
    html = (await ds.client.get("/govwatch", params={"sql": "select '<script>x</script>' as snippet"})).text
    assert "<script>x</script>" not in html


async def test_read_connections_map_the_store(ds):
    """datasette/plugins/read_speed.py: searches read the file mapped, not a read() per page."""
    db = ds.get_database("govwatch")
    mapped = (await db.execute("pragma mmap_size")).first()[0]
    assert mapped > 1024 * 1024 * 1024
    # and the mapped connection still answers a search like LIKE does
    assert await table_ids(ds, "扶贫") == like_ids(db_path_of(ds), "扶贫")


def db_path_of(ds) -> Path:
    return Path(ds.get_database("govwatch").path)


async def test_canned_search_ranks_the_newest_10000_matches(tmp_path):
    """The ranked query scores only the 10,000 most recently stored matches (bm25 over every match
    of a word in most articles took 300-500 ms at 200,000 articles), and its description says so."""
    path = tmp_path / "govwatch.db"
    db = open_db(path)
    sync_sources(db, [{"name": "s", "schedule": "every 1h"}])
    # the oldest article is the best match (the word in its title); 10,000 newer ones hold it once in the text
    rows = [(1, "http://s.gov.cn/0.html", "鹦鹉螺鹦鹉螺", "鹦鹉螺。鹦鹉螺。")]
    rows += [(i, f"http://s.gov.cn/{i}.html", "通知", "关于鹦鹉螺的说明以及其他很多无关的内容。" * 3)
             for i in range(2, 10_002)]
    with db.conn:
        db.conn.executemany("insert into articles (id, url, source, title, text, status) values (?, ?, 's', ?, ?, 'live')", rows)
        db.conn.executemany("insert into articles_fts (rowid, title, text) values (?, ?, ?)",
                            [(i, cjk_bigrams(t), cjk_bigrams(x)) for i, _, t, x in rows])
    db.close()
    metadata = yaml.safe_load((ROOT / "datasette/metadata.yml").read_text(encoding="utf-8"))
    ds = Datasette([str(path)], metadata=metadata, plugins_dir=str(ROOT / "datasette/plugins"))
    await ds.invoke_startup()
    found = (await ds.client.get("/govwatch/search.json", params={"q": "鹦鹉螺", "_shape": "array"})).json()
    assert len(found) == 500 and 1 not in {r["id"] for r in found}
    # in the title only, it has one match: ranked (and shown) as before
    found = (await ds.client.get("/govwatch/search.json", params={"q": "title:鹦鹉螺", "_shape": "array"})).json()
    assert [r["id"] for r in found] == [1]
    assert "10,000 most recently stored matches" in " ".join(
        metadata["databases"]["govwatch"]["queries"]["search"]["description_html"].split())
