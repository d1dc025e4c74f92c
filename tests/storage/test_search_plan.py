"""storage/search_plan.py: the plan is chosen by the match's share of the table, and the clause quotes names."""

import pytest

from storage import open_db
from storage.search import cjk_bigrams
from storage.search_plan import BROAD_SHARE, is_broad, match_clause


@pytest.fixture
def db(tmp_path):
    """100 articles; 乡村 in the text of the first `n`, 通知 in every title."""
    db = open_db(tmp_path / "govwatch.db")
    db.execute("insert into sources (name, schedule) values ('s', 'every 1h')")
    db.conn.commit()
    yield db
    db.close()


def fill(db, with_word: int, total: int = 100) -> None:
    for i in range(1, total + 1):
        title, text = "通知", ("乡村振兴" if i <= with_word else "其他内容")
        db.execute("insert into articles (id, url, source, title, text) values (?, ?, 's', ?, ?)",
                   [i, f"http://s/{i}", title, text])
        db.execute("insert into articles_fts (rowid, title, text) values (?, ?, ?)", [i, cjk_bigrams(title), cjk_bigrams(text)])
    db.conn.commit()


@pytest.mark.parametrize("with_word", [0, 1, 9, 10, 11, 100])
def test_broad_from_the_share_of_the_table_up(db, with_word):
    fill(db, with_word)
    threshold = round(BROAD_SHARE * 100)
    assert is_broad(db.conn, "articles_fts", "articles", "id", '"乡村"') == (with_word >= threshold)
    # restricted to the title, the word is in no row; 通知 is in every title
    assert not is_broad(db.conn, "articles_fts", "articles", "id", '"乡村"', column="title")
    assert is_broad(db.conn, "articles_fts", "articles", "id", '"通知"', column="title")


def test_either_clause_selects_the_same_rows(db):
    fill(db, 30)
    picked = [
        [r[0] for r in db.conn.execute(f"select id from articles where {match_clause('articles_fts', 'id', 'q', None, broad)}"
                                       " order by id", {"q": '"乡村"'})]
        for broad in (False, True)]
    assert picked[0] == picked[1] == list(range(1, 31))
    assert match_clause("articles_fts", "id", "q", "title", True).startswith('+"id" in (select rowid from "articles_fts" where "title"')


def test_names_are_quoted():
    assert '"a""b"' in match_clause('a"b', "id", "q")
