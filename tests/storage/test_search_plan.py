"""storage/search_plan.py: the match stored once, the plan chosen by its share of the table, names quoted."""

import sqlite3

import pytest

from storage import open_db
from storage.search import cjk_bigrams
from storage.search_plan import BROAD_SHARE, HITS, attach_hits, hits_clause, is_broad, match_clause, store_hits


@pytest.fixture
def db(tmp_path):
    """An empty store with the scratch database attached, as a read connection has it."""
    db = open_db(tmp_path / "govwatch.db")
    db.execute("insert into sources (name, schedule) values ('s', 'every 1h')")
    db.conn.commit()
    attach_hits(db.conn, str(tmp_path / "hits.db"))
    yield db
    db.close()


def fill(db, with_word: int, total: int = 100) -> None:
    """`total` articles; 乡村振兴 in the text of the first `with_word`, 通知 in every title."""
    for i in range(1, total + 1):
        title, text = "通知", ("乡村振兴" if i <= with_word else "其他内容")
        db.execute("insert into articles (id, url, source, title, text) values (?, ?, 's', ?, ?)",
                   [i, f"http://s/{i}", title, text])
        db.execute("insert into articles_fts (rowid, title, text) values (?, ?, ?)", [i, cjk_bigrams(title), cjk_bigrams(text)])
    db.conn.commit()


@pytest.mark.parametrize("with_word", [0, 1, 9, 10, 11, 100])
def test_broad_from_the_share_of_the_table_up(db, with_word):
    fill(db, with_word)
    found = store_hits(db.conn, "h1", "articles_fts", '"乡村"')
    assert found == with_word
    assert is_broad(db.conn, "articles", "id", found) == (with_word >= round(BROAD_SHARE * 100))
    # restricted to the title, the word is in no row; 通知 is in every title
    assert store_hits(db.conn, "h2", "articles_fts", '"乡村"', column="title") == 0
    assert store_hits(db.conn, "h3", "articles_fts", '"通知"', column="title") == 100


def test_either_clause_selects_the_same_rows_as_the_match(db):
    fill(db, 30)
    store_hits(db.conn, "h1", "articles_fts", '"乡村"')
    expected = [r[0] for r in db.conn.execute(f"select id from articles where {match_clause('articles_fts', 'id', 'q')}"
                                              " order by id", {"q": '"乡村"'})]
    for broad in (False, True):
        picked = [r[0] for r in db.conn.execute(f"select id from articles where {hits_clause('id', 'h1', broad)} order by id")]
        assert picked == expected == list(range(1, 31))
    assert hits_clause("id", "h1", True).startswith('+"id" in')


def test_older_tables_are_dropped_with_the_next_store(db, tmp_path):
    fill(db, 5)
    store_hits(db.conn, "h1", "articles_fts", '"乡村"')
    store_hits(db.conn, "h2", "articles_fts", '"乡村"', drop=["h1"])
    scratch = sqlite3.connect(tmp_path / "hits.db")  # the read connection may not list them
    assert {r[0] for r in scratch.execute("select name from sqlite_master where type = 'table'")} == {"h2"}
    scratch.close()


def test_a_read_connection_cannot_list_the_hits_tables_but_reads_its_own(db):
    fill(db, 5)
    store_hits(db.conn, "h1", "articles_fts", '"乡村"')
    for listing in [f"select name from {HITS}.{table}" for table in ("sqlite_master", "sqlite_schema", "SQLite_Master")] + [
            f"select name from {HITS.upper()}.sqlite_master", "select name from pragma_table_list", "pragma table_list"]:
        with pytest.raises(sqlite3.DatabaseError, match="prohibited|not authorized"):
            db.conn.execute(listing).fetchall()
    assert db.conn.execute(f"select count(*) from {HITS}.h1").fetchone()[0] == 5
    assert db.conn.execute("select count(*) from sqlite_master where name = 'articles'").fetchone()[0] == 1


def test_names_are_quoted():
    assert '"a""b"' in match_clause('a"b', "id", "q")
    assert hits_clause("id", 'h"1', False) == f'"id" in (select id from {HITS}."h""1")'
