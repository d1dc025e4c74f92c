"""The table view's search filter (datasette/plugins/search_filter.py): either plan shows what LIKE finds,
in the order Datasette's next-page links assume, with the exact count and the same facets."""

import asyncio
import sqlite3

import pytest

import storage.search_plan
from bench.search import synthetic_articles
from storage import open_db
from storage.search_plan import HITS, attach_hits
from tests.datasette.conftest import loaded_plugin, searchable_store

SOURCES = ["s0", "s1", "s2"]
FACETS = ["source", "status", "publisher"]


# (query, words all present, words any present, words absent): a broad word, a middling one, a
# narrow one, two words, OR, NOT, none
QUERIES = [("扶贫", ["扶贫"], [], []), ("十八洞", ["十八洞"], [], []), ("防返贫监测", ["防返贫监测"], [], []),
           ("乡村振兴 产业", ["乡村振兴", "产业"], [], []), ("十八洞 OR 防返贫", [], ["十八洞", "防返贫"], []),
           ("乡村振兴 -扶贫", ["乡村振兴"], [], ["扶贫"]), ("鹦鹉螺", ["鹦鹉螺"], [], [])]


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    """300 articles with few distinct `last_changed` values (ties on the sort), some NULL, and facets to count."""
    articles = []
    for i, (title, text) in enumerate(synthetic_articles(300), start=1):
        articles.append({"id": i, "url": f"http://s.gov.cn/{i}.html", "source": SOURCES[i % 3], "title": title,
                         "text": text, "status": "withdrawn" if i % 13 == 0 else "live",
                         "publisher": f"机关{i % 5}" if i % 3 else None,
                         "last_changed": None if i % 11 == 0 else f"2026-11-{1 + i % 4:02d}T08:00:00+00:00"})
    return searchable_store(tmp_path_factory.mktemp("plan") / "govwatch.db", SOURCES, articles)


@pytest.fixture(params=["broad", "narrow"])
def plan(request, monkeypatch):
    """Force one plan for every match: a share of 0 makes any match broad, a share of 1 none."""
    monkeypatch.setattr(storage.search_plan, "BROAD_SHARE", 0.0 if request.param == "broad" else 1.0)
    return request.param


def expected(db_path, all_of=(), any_of=(), none_of=()):
    """The LIKE answer: ids newest first, ties by id (Datasette's `order by last_changed desc, id`), and facets."""
    like = "(title like ? or text like ?)"
    where = " and ".join([like] * len(all_of) + ["(" + " or ".join([like] * len(any_of)) + ")"] * bool(any_of)
                         + [f"not {like}"] * len(none_of))
    params = [f"%{w}%" for w in (*all_of, *any_of, *none_of) for _ in range(2)]
    db = open_db(db_path, migrate=False)
    ids = [r["id"] for r in db.query(f"select id from articles where {where} order by last_changed desc, id", params)]
    facets = {col: {r["value"]: r["n"] for r in db.query(
        f"select {col} as value, count(*) as n from articles where {where} and {col} is not null group by {col}", params)}
        for col in FACETS}
    db.close()
    return ids, facets


async def get(ds, **params):
    r = await ds.client.get("/govwatch/articles.json", params=params)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize(("q", "all_of", "any_of", "none_of"), QUERIES)
async def test_either_plan_shows_what_like_finds(ds, db_path, plan, q, all_of, any_of, none_of):
    ids, facets = expected(db_path, all_of, any_of, none_of)
    data = await get(ds, _search=q, _size="10", _col="title")
    assert [row[0] for row in data["rows"]] == ids[:10]
    assert data["filtered_table_rows_count"] == len(ids)
    shown = {col: {item["value"]: item["count"] for item in data["facet_results"][col]["results"]} for col in FACETS}
    assert shown == facets
    # the plan really was the one forced: a broad match is filtered with the unary plus
    assert ('+"id" in' in data["query"]["sql"]) == (plan == "broad" and bool(ids))


@pytest.mark.parametrize("q", ["扶贫", "十八洞"])
async def test_pages_follow_one_order_through_ties(ds, db_path, plan, q):
    ids, _ = expected(db_path, [q])
    seen, path = [], f"/govwatch/articles.json?_search={q}&_size=7&_nofacet=1"
    while path:
        data = (await ds.client.get(path)).json()
        seen += [row[0] for row in data["rows"]]
        path = data["next_url"] and data["next_url"].removeprefix("http://localhost")
    assert seen == ids


async def test_one_column_and_an_unknown_column(ds, db_path, plan):
    db = open_db(db_path, migrate=False)
    titles = [r["id"] for r in db.query("select id from articles where title like '%乡村%' order by last_changed desc, id")]
    db.close()
    data = await get(ds, _search_title="乡村", _size="max", _nofacet="1")
    assert [row[0] for row in data["rows"]] == titles and data["filtered_table_rows_count"] == len(titles)
    r = await ds.client.get("/govwatch/articles.json", params={"_search_url": "乡村"})
    assert r.status_code == 400


async def test_search_box_is_offered_on_both_searched_tables(ds):
    for table in ("articles", "attachments"):
        r = await ds.client.get(f"/govwatch/{table}")
        assert r.status_code == 200 and 'name="_search"' in r.text, table
    r = await ds.client.get("/govwatch/events")
    assert 'name="_search"' not in r.text


async def test_concurrent_searches_each_get_their_own_hits(ds, db_path):
    queries = ["扶贫", "十八洞", "防返贫监测", "乡村振兴", "鹦鹉螺", "小康"] * 2
    answers = await asyncio.gather(*(get(ds, _search=q, _size="5", _nofacet="1") for q in queries))
    for q, data in zip(queries, answers):
        assert data["filtered_table_rows_count"] == len(expected(db_path, [q])[0]), q


async def test_old_hits_tables_are_dropped(ds, monkeypatch):
    monkeypatch.setattr(loaded_plugin("search_filter.py"), "HITS_KEEP_SECONDS", -1)  # every earlier table is old
    for q in ["扶贫", "十八洞", "小康"]:
        await get(ds, _search=q, _nofacet="1")
    assert len(scratch_tables(loaded_plugin("search_filter.py")._scratch_file())) == 1


def scratch_tables(path) -> list[str]:
    """The hits tables in a scratch file, read past the read connections' authorizer."""
    conn = sqlite3.connect(path)
    try:
        return [name for (name,) in conn.execute("select name from sqlite_master where type = 'table'")]
    finally:
        conn.close()


async def test_nobody_can_list_or_guess_another_requests_hits(ds):
    """A visitor's own SQL runs on the connections that hold every request's hits: it may not list
    them, and their names are not a counter one could guess."""
    await get(ds, _search="扶贫", _nofacet="1")
    await get(ds, _search="扶贫", _nofacet="1")
    names = scratch_tables(loaded_plugin("search_filter.py")._scratch_file())
    assert len(names) >= 2 and all(len(n) == 33 and int(n[1:], 16) for n in names)
    for sql in (f"select name from {HITS}.sqlite_master", f"select * from {HITS}.sqlite_schema",
                f"select sql from {HITS}.SQLITE_MASTER where type = 'table'"):
        r = await ds.client.get("/govwatch.json", params={"sql": sql, "_shape": "array"})
        assert r.status_code != 200 and not any(n in r.text for n in names), (sql, r.text)
    r = await ds.client.get("/govwatch.json", params={"sql": "select count(*) as n from articles", "_shape": "array"})
    assert r.status_code == 200 and r.json() == [{"n": 300}]


async def test_a_match_that_runs_out_of_time_is_not_stored(ds, db_path, tmp_path):
    search_filter = loaded_plugin("search_filter.py")
    conn = sqlite3.connect(db_path)
    attach_hits(conn, str(tmp_path / "hits.db"))
    assert search_filter._store(conn, "articles_fts", "articles", "id", '"扶贫"', None, limit_ms=0) is None
    assert scratch_tables(tmp_path / "hits.db") == []
    name, broad = search_filter._store(conn, "articles_fts", "articles", "id", '"扶贫"', None, limit_ms=1000)
    assert broad and conn.execute(f'select count(*) from {HITS}."{name}"').fetchone()[0] == len(expected(db_path, ["扶贫"])[0])
    conn.close()
