"""The articles table's own facets counted in one grouped statement (datasette/plugins/facets_together.py):
what the reader sees is Datasette's facet, value for value, and the statement reads an index, not rows."""

from __future__ import annotations

import pytest
from datasette.app import Datasette

from bench.search import synthetic_articles
from monitor.publish import datasette_metadata
from tests.datasette.conftest import ROOT, loaded_plugin, request_plans, row_reads, searchable_store
from tests.datasette.test_publish import make_datasette

SOURCES = ["s0", "s1", "s2", "s3"]
# A plain table, a search (either plan), filters, a facet value chosen, a short facet list (ties
# broken by value, truncation), a facet the reader adds, one of the table's own asked again.
REQUESTS = [
    {},
    {"_search": "扶贫"},
    {"_search": "乡村振兴 产业"},
    {"status": "withdrawn"},
    {"publisher": "机关2", "_search": "扶贫"},
    {"_facet_size": "2"},
    {"_facet_size": "1", "_search": "乡村"},
    {"_facet": "title"},
    {"_facet": "source", "source": "s1"},
    {"_search": "鹦鹉螺"},
]


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    """400 articles over four sources, two statuses and five publishers (a third of them NULL):
    counts that tie, so the order of equal counts shows."""
    return searchable_store(tmp_path_factory.mktemp("facets") / "govwatch.db", SOURCES, [
        {"id": i, "url": f"http://s.gov.cn/{i}.html", "source": SOURCES[i % 4], "title": title, "text": text,
         "status": "withdrawn" if i % 7 == 0 else "live", "publisher": f"机关{i % 5}" if i % 3 else None}
        for i, (title, text) in enumerate(synthetic_articles(400), start=1)])


@pytest.fixture
async def stock(db_path):
    """The same Datasette with the table's opt-in removed: its facets are Datasette's own statements."""
    metadata = datasette_metadata(db_path)
    del metadata["databases"]["govwatch"]["tables"]["articles"]["plugins"]["govwatch-facets"]
    datasette = Datasette([str(db_path)], metadata=metadata, plugins_dir=str(ROOT / "datasette/plugins"))
    await datasette.invoke_startup()
    return datasette


async def facets(datasette: Datasette, params: dict) -> dict:
    """The facets of the articles table's JSON, as a reader's script gets them."""
    response = await datasette.client.get("/govwatch/articles.json", params=params)
    assert response.status_code == 200, response.text
    return response.json()["facet_results"]


@pytest.mark.parametrize("params", REQUESTS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "table")
async def test_the_grouped_facets_are_datasettes_own(ds, stock, params):
    grouped, stock_results = await facets(ds, params), await facets(stock, params)
    assert grouped == stock_results
    if params.get("_search") != "鹦鹉螺":  # a word no article has: no facet values on either side
        assert grouped["source"]["results"], "nothing counted: the comparison would hold for empty facets too"


async def test_equal_counts_keep_datasettes_order_and_truncation(ds, stock):
    """Every source has 100 articles: four equal counts, shown in value order and cut at two."""
    grouped = await facets(ds, {"_facet_size": "2"})
    source = grouped["source"]
    assert [(v["value"], v["count"]) for v in source["results"]] == [("s0", 100), ("s1", 100)]
    assert source["truncated"] is True


async def test_too_many_groups_fall_back_to_one_statement_a_facet(ds, stock, monkeypatch):
    monkeypatch.setattr(loaded_plugin("facets_together.py"), "MAX_GROUPS", 3)  # the search's groups are more than three
    assert await facets(ds, {"_search": "扶贫"}) == await facets(stock, {"_search": "扶贫"})


async def test_a_search_counts_the_three_facets_in_one_scan_of_an_index(db_path, monkeypatch):
    """A search's facets were three statements, each scanning an index and probing the hits:
    67 + 96 + 119 ms for a 160,000-article match at 200,000 articles. Now one, covered by an index."""
    import storage.search_plan

    monkeypatch.setattr(storage.search_plan, "BROAD_SHARE", 0.0)  # every match broad: the scan plan
    served = make_datasette(db_path)  # as `govwatch serve` runs it: no facet suggestions
    plans = await request_plans(served, "/govwatch/articles?_search=扶贫", db_path, attach=loaded_plugin("search_filter.py"))
    grouped = [sql for sql in plans if "group by" in sql]
    assert len(grouped) == 1, grouped
    assert "group by source, status, publisher" in grouped[0]
    assert row_reads({grouped[0]: plans[grouped[0]]}, {"articles"}) == {}
    assert any("COVERING INDEX" in step for step in plans[grouped[0]])


def test_values_are_ordered_as_sqlite_orders_them():
    """Equal counts are shown in SQLite's `order by value`: numbers by value, then text by
    code point (CJK, astral and ASCII mixed), then blobs."""
    import importlib.util
    import sqlite3

    spec = importlib.util.spec_from_file_location("facets_together", ROOT / "datasette/plugins/facets_together.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    values = ["机关2", "b", "B", "机关10", "𠀀", "ｚ", "", 3, 2.5, -1, 10, b"\x00", b"a", "a b", "é"]
    conn = sqlite3.connect(":memory:")
    conn.execute("create table t (v)")
    conn.executemany("insert into t values (?)", [(v,) for v in values])
    in_sqlite = [row[0] for row in conn.execute("select v from t order by v")]
    assert sorted(values, key=module._sqlite_order) == in_sqlite


async def test_a_grouping_past_the_time_limit_names_each_facet_timed_out(tmp_path):
    """As Datasette does for a facet past `facet_time_limit_ms`: the page still shows its rows, and
    says which facets timed out (all three: they were one statement)."""
    store = searchable_store(tmp_path / "govwatch.db", SOURCES, [
        {"id": i, "url": f"http://s.gov.cn/{i}.html", "source": SOURCES[i % 4], "title": f"标题{i}", "text": "正文",
         "status": "live", "publisher": f"机关{i % 5}"} for i in range(1, 4001)])
    # 1 ms a facet: 3 ms for the grouped statement, which reads 4,000 index entries
    hurried = Datasette([str(store)], metadata=datasette_metadata(store), plugins_dir=str(ROOT / "datasette/plugins"),
                        settings={"facet_time_limit_ms": 1, "suggest_facets": False})
    response = await hurried.client.get("/govwatch/articles")
    assert response.status_code == 200
    assert "These facets timed out: source, status, publisher" in response.text
    assert "4,000 rows" in response.text and ">标题1</a>" in response.text  # the count and the rows
    assert (await hurried.client.get("/govwatch/articles.json")).json()["facet_results"] == {}
