"""Chinese search: bigram tokens, query rewriting (incl. hostile input), index upkeep."""

import sqlite3
import unicodedata

import pytest

from storage import open_db
from storage.articles import FetchedArticle, record_gone, record_page
from storage.runs import start_run
from storage.search import (
    FTS_SQL,
    FTS_TABLE,
    MERGE_WHEN_REST_SHARE,
    cjk_bigrams,
    compact_search_index,
    index_segment_pages,
    rebuild_search_index,
    replace_in_index,
)
from storage.search_query import MATCH_NOTHING, bigram_match_query, display_query, highlight_snippet, safe_match_query
from storage.sources import sync_sources

TEXTS = [
    "接续推进乡村振兴，巩固脱贫攻坚成果。",
    "建立防返贫监测和帮扶机制",
    "扶贫工作2021年完成，ＡＢＣ公司参与",
    "振兴乡村",
    "贫",
    "湖南 扶贫",
    "扶，贫",
    "产业兴旺是乡村振兴的基础",
]


def test_bigrams_of_runs_words_and_full_width_forms():
    assert cjk_bigrams("乡村振兴") == "乡村 村振 振兴 兴"
    assert cjk_bigrams("一") == "一"
    assert cjk_bigrams("关于２０２１年ＡＢＣ的通知") == "关于 于 2021 年 abc 的通 通知 知"
    assert cjk_bigrams("5G网络,建设") == "5g 网络 络 建设 设"
    assert cjk_bigrams(None) == cjk_bigrams("") == ""


def test_unicode61_keeps_each_bigram_one_token():
    conn = sqlite3.connect(":memory:")
    conn.execute(FTS_SQL)
    conn.execute(f"create virtual table v using fts5vocab({FTS_TABLE}, 'instance')")
    conn.execute(f"insert into {FTS_TABLE}(rowid, title, text) values (1, '', ?)", [cjk_bigrams("推进乡村振兴")])
    assert [r[0] for r in conn.execute("select term from v order by offset")] == ["推进", "进乡", "乡村", "村振", "振兴", "兴"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("扶贫", '"扶贫"'),
        ("乡村振兴", '"乡村 村振 振兴"'),
        ("防返贫监测", '"防返 返贫 贫监 监测"'),
        ("贫", '"贫" *'),
        ("乡村振兴  扶贫", '"乡村 村振 振兴" AND "扶贫"'),
        ("扶贫 OR 脱贫 乡村", '("扶贫" OR "脱贫") AND "乡村"'),
        ("乡村 -振兴", '"乡村" NOT "振兴"'),
        ("乡村 NOT 振兴 产业", '("乡村" AND "产业") NOT "振兴"'),
        ('"乡村 振兴"', '"乡村 村 振兴"'),
        ("2021年", '"2021 年" *'),
        ("ＡＢＣ公司", '"abc 公司"'),
        ("title:扶贫", 'title:"扶贫"'),
        ("扶贫，产业", '"扶贫" AND "产业"'),
    ],
)
def test_query_rewriting(query, expected):
    assert bigram_match_query(query) == expected
    assert bigram_match_query(expected) == expected  # idempotent: Datasette's links carry the rewritten value
    assert bigram_match_query(display_query(expected)) == expected  # what the search box shows means the same


@pytest.mark.parametrize(
    "fts, shown",
    [('"乡村 村振 振兴" AND "扶贫"', "乡村振兴 扶贫"), ('"乡村 村 振兴"', '"乡村，振兴"'), ('"2021 年" *', "2021年"),
     ('("扶贫" OR "脱贫") AND "乡村"', "扶贫 OR 脱贫 乡村"), ('"乡村" NOT title:"振兴"', "乡村 -title:振兴"),
     ('"乡村 村 村振"', '"乡村，村振"'), (MATCH_NOTHING, "無匹配無")],
)
def test_display_of_a_rewritten_query(fts, shown):
    assert display_query(fts) == shown


HOSTILE = ['"', "(", ")", "NEAR(", "*", "'", ":", '扶贫"', '"扶贫', "扶贫 OR", "OR", "AND", "NOT", "-", "-扶贫",
           '" OR 1=1 --', "扶贫 NEAR(a b)", "col:扶贫", "^扶贫", "扶贫 + 乡村", "{title text}:扶贫", "\x00", "扶*贫",
           '"""', "((扶贫)", "扶贫)) OR ((", "' or ''='", "title:", "title : 扶贫", "\\", "；", "   "]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise_an_sql_error(query):
    conn = sqlite3.connect(":memory:")
    conn.execute(FTS_SQL)
    conn.executemany(f"insert into {FTS_TABLE}(rowid, title, text) values (?, '', ?)",
                     [(i, cjk_bigrams(t)) for i, t in enumerate(TEXTS)])
    try:
        expr = bigram_match_query(query)
    except ValueError:
        expr = safe_match_query(query)
        assert expr == MATCH_NOTHING
    conn.execute(f"select rowid from {FTS_TABLE} where {FTS_TABLE} match ?", [expr]).fetchall()
    assert safe_match_query(safe_match_query(query)) == safe_match_query(query)


def test_match_nothing_matches_nothing():
    conn = sqlite3.connect(":memory:")
    conn.execute(FTS_SQL)
    conn.execute(f"insert into {FTS_TABLE}(rowid, title, text) values (1, ?, ?)",
                 [cjk_bigrams("無匹配無"), cjk_bigrams("無匹配無 无匹配无")])
    assert conn.execute(f"select count(*) from {FTS_TABLE} where {FTS_TABLE} match ?", [MATCH_NOTHING]).fetchone() == (0,)
    for query in ["", "   ", '"', "-扶贫", "(", None]:
        with pytest.raises(ValueError):
            bigram_match_query(query)


@pytest.mark.parametrize("word", ["扶贫", "乡村", "振兴", "乡村振兴", "防返贫", "防返贫监测", "贫", "兴", "村", "产业", "2021",
                                  "abc", "脱贫攻坚", "湖南", "扶"])
def test_a_word_matches_exactly_the_texts_containing_it(word):
    conn = sqlite3.connect(":memory:")
    conn.execute(FTS_SQL)
    conn.executemany(f"insert into {FTS_TABLE}(rowid, title, text) values (?, '', ?)",
                     [(i, cjk_bigrams(t)) for i, t in enumerate(TEXTS)])
    found = {r[0] for r in conn.execute(f"select rowid from {FTS_TABLE} where {FTS_TABLE} match ?",
                                        [bigram_match_query(word)])}
    assert found == {i for i, t in enumerate(TEXTS) if word in unicodedata.normalize("NFKC", t).lower()}


def test_snippet_escapes_text_and_marks_matches():
    text = "前言。" * 20 + "推进<b>乡村振兴</b>，做好扶贫工作。" + "后记。" * 40
    snippet = highlight_snippet(text, "乡村振兴 扶贫 -旅游")
    assert "&lt;b&gt;<mark>乡村振兴</mark>&lt;/b&gt;" in snippet and "<mark>扶贫</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert highlight_snippet("短文", '"') == "短文"


# --- index upkeep through record_page ---


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "govwatch.db")
    sync_sources(database, [{"name": "county", "schedule": "every 1h"}])
    yield database
    database.close()


def page(**changes) -> FetchedArticle:
    fields = {"url": "http://x.gov.cn/1.html", "source": "county", "body": b"<html>", "title": "关于乡村振兴的通知",
              "text": "巩固拓展脱贫攻坚成果同乡村振兴有效衔接。", "published": "2021-06-07"}
    fields.update(changes)
    return FetchedArticle(**fields)


def fts_snapshot(db):
    """The FTS5 index's own storage: any rewrite of index rows changes it."""
    return list(db.query(f"select id, block from {FTS_TABLE}_data order by id")), \
        list(db.query(f"select * from {FTS_TABLE}_docsize order by id"))  # contentless: no _content table


def search(db, q):
    return [r["rowid"] for r in db.query(f"select rowid from {FTS_TABLE} where {FTS_TABLE} match ?",
                                         [bigram_match_query(q)])]


def test_new_article_is_indexed_and_unchanged_one_is_not_rewritten(db):
    run = start_run(db, "county")
    record_page(db, run, page())
    assert search(db, "脱贫攻坚") == [1] and search(db, "title:乡村振兴") == [1]
    before = fts_snapshot(db)
    assert record_page(db, run, page(body=b"<html>other template</html>", text="巩固拓展脱贫攻坚成果同乡村振兴有效衔接。 ")) \
        == "unchanged"
    assert record_gone(db, run, page().url, 404) == "withdrawn"
    assert record_page(db, run, page()) == "restored"
    assert fts_snapshot(db) == before


def test_changed_article_is_reindexed(db):
    run = start_run(db, "county")
    record_page(db, run, page())
    before = fts_snapshot(db)
    assert record_page(db, run, page(text="建立防返贫监测和帮扶机制。")) == "changed"
    assert fts_snapshot(db) != before
    assert search(db, "防返贫监测") == [1] and search(db, "脱贫攻坚") == []
    # a date correction is a change of the article, not of its words: the index is left alone
    before = fts_snapshot(db)
    assert record_page(db, run, page(text="建立防返贫监测和帮扶机制。", published="2021-06-08")) == "changed"
    assert fts_snapshot(db) == before


def test_migration_backfills_and_rebuild_reindexes(tmp_path):
    path = tmp_path / "old.db"
    database = open_db(path)
    sync_sources(database, [{"name": "county", "schedule": "every 1h"}])
    record_page(database, start_run(database, "county"), page())
    # an older database: articles, but no index yet
    database.execute(f"drop table {FTS_TABLE}")
    database.execute("delete from _sqlite_migrations where name = 'm002_search_index'")
    database.conn.commit()
    database.close()
    database = open_db(path)
    assert search(database, "乡村振兴") == [1]
    stored = database["articles"].get(1)
    replace_in_index(database, 1, stored["title"], stored["text"], cjk_bigrams("别的"), cjk_bigrams("内容"))
    assert search(database, "乡村振兴") == []
    assert rebuild_search_index(database) == 1
    assert search(database, "乡村振兴") == [1]
    database.close()


def test_index_merge_step_merges_segments_and_keeps_every_hit(db):
    """Each article stored in its own transaction leaves FTS5 a ladder of small segments; the
    merge step (called after each batch of runs) brings them to one b-tree in bounded steps,
    smaller, with the same hits."""
    run = start_run(db, "county")
    words = ["乡村振兴", "脱贫攻坚", "防返贫监测", "人居环境", "产业振兴", "高标准农田"]
    for i in range(120):
        text = f"第{i}号通知：{words[i % 6]}和{words[(i * 5) % 6]}，编号{i * 7919}。"
        record_page(db, run, page(url=f"http://x.gov.cn/{i}.html", text=text))
    hits = {w: search(db, w) for w in [*words, "编号7919"]}
    assert all(hits.values())
    segments = index_segment_pages(db)
    assert len(segments) > 1 and sum(segments[1:]) >= MERGE_WHEN_REST_SHARE * segments[0]
    size = db.execute(f"select count(*), sum(length(block)) from {FTS_TABLE}_data").fetchone()

    steps = 0
    while compact_search_index(db, pages=2):  # a tiny step: the merge must go on over several
        steps += 1
        assert steps < 200
    assert steps > 1
    assert len(index_segment_pages(db)) == 1
    assert db.execute(f"select count(*), sum(length(block)) from {FTS_TABLE}_data").fetchone()[1] < size[1]
    assert {w: search(db, w) for w in hits} == hits
    assert not compact_search_index(db)  # one segment: nothing to do, nothing written
    before = fts_snapshot(db)
    assert not compact_search_index(db) and fts_snapshot(db) == before
