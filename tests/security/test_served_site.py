"""Issue 19 items 4, 7 and 8 against the real served Datasette (`govwatch serve`, its own process).

The hostile crawl's store is served under another file name (`archive-2026.db`): every page and
query must work as for `govwatch.db` (item 8). Hostile queries must not take the server's memory
(item 4: peak RSS of the served process, read from /proc), and `%5Fsearch` must be rewritten
like `_search` (item 7)."""

from __future__ import annotations

import json
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from lxml import etree

from tests.browser.conftest import start_datasette
from tests.security.conftest import rows

pytestmark = pytest.mark.slow  # a crawl and a served Datasette

DB_NAME = "archive-2026"
ATOM_SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).resolve().parents[1] / "monitor" / "data" / "atom.rng")))
RSS_BUDGET_MB = 300
# A recursive CTE of n rows, for queries that build big values or many rows.
ROWS = "with recursive c(x) as (select 1 union all select x + 1 from c where x < {n}) "
HOSTILE_QUERIES = {
    "one huge value": "select randomblob(1000000000)",
    "huge group_concat": ROWS.format(n=60) + "select length(group_concat(hex(randomblob(500000)))) from c",
    "huge replace": "select replace(hex(zeroblob(10000000)), '0', hex(zeroblob(1000)))",
    "many big rows": ROWS.format(n=200) + "select randomblob(15000000) from c",
}


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def served(hostile_crawl, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("served") / f"{DB_NAME}.db"
    shutil.copy(hostile_crawl["db"], db_path)
    process, base = start_datasette(db_path, probe=f"/{DB_NAME}")
    yield base, db_path, process
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.parametrize("name", HOSTILE_QUERIES)
def test_hostile_query_is_refused_without_taking_memory(served, name):
    base, _, process = served
    status, body = get(f"{base}/{DB_NAME}.json?" + urllib.parse.urlencode({"sql": HOSTILE_QUERIES[name]}))
    assert status == 400, body[:300]
    assert b"too big" in body or b"larger than" in body, body[:300]
    assert peak_rss_mb(process.pid) < RSS_BUDGET_MB


def test_ordinary_queries_still_answer(served):
    base, _, _ = served
    status, body = get(f"{base}/{DB_NAME}.json?" + urllib.parse.urlencode(
        {"sql": "select length(randomblob(1000000)) as n", "_shape": "array"}))
    assert status == 200 and json.loads(body) == [{"n": 1000000}]


def test_any_database_name_serves_every_page(served):
    base, db_path, _ = served
    article_id = rows(db_path, "select id from articles order by id limit 1")[0]["id"]
    for path in ("/-/operator", f"/-/article/{article_id}", f"/{DB_NAME}/new_today", f"/{DB_NAME}/search?q=通知",
                 f"/{DB_NAME}/articles"):
        status, body = get(base + urllib.parse.quote(path, safe="/?=-"))
        assert status == 200, (path, body[:500])
    assert b"hostile" in get(base + "/-/operator")[1]


@pytest.mark.parametrize("key", ["_search", "%5Fsearch", "%5fsearch", "_sea%72ch"])
def test_search_is_rewritten_whatever_the_spelling(served, key):
    base, db_path, _ = served
    articles = rows(db_path, "select id, title || ' ' || text as words from articles order by id")
    # two Chinese characters one article has and another has not: "all rows" would be caught
    word = next(w for w in (articles[0]["words"][i:i + 2] for i in range(len(articles[0]["words"])))
                if re.fullmatch(r"[\u4e00-\u9fff]{2}", w) and any(w not in a["words"] for a in articles))
    expected = {a["id"] for a in articles if word in a["words"]}
    status, body = get(f"{base}/{DB_NAME}/articles.json?{key}={urllib.parse.quote(word)}&_shape=array&_size=max&_col=id")
    assert status == 200, body[:300]
    assert {r["id"] for r in json.loads(body)} == expected


@pytest.mark.parametrize("feed", ["atom_changes.atom", "atom_new_articles.atom?atom_author_name=nobody",
                                  "atom_new_articles.atom"])
def test_atom_feeds_are_valid_even_when_empty(served, feed):
    base, _, _ = served
    status, body = get(f"{base}/{DB_NAME}/{feed}")
    assert status == 200, body[:300]
    document = etree.fromstring(body)
    assert ATOM_SCHEMA.validate(document), ATOM_SCHEMA.error_log
    entries = document.findall("{http://www.w3.org/2005/Atom}entry")
    assert (len(entries) > 0) is (feed == "atom_new_articles.atom")  # a single crawl: new articles, no changes


def test_huge_article_id_is_404(served):
    base, _, _ = served
    assert get(base + "/-/article/99999999999999999999999")[0] == 404
    assert get(base + "/-/article/9223372036854775807")[0] == 404
