"""Chinese full-text search: an FTS5 index of overlapping character bigrams.

SQLite's tokenizers cannot search Chinese: unicode61 keeps a whole run of Han characters
(up to the next punctuation mark) as one token, so 扶贫 is not found inside a sentence, and
trigram never matches a 2-character word. So we tokenize ourselves, before FTS5 sees the
text: every run of CJK characters becomes its overlapping bigrams followed by its last
character ("乡村振兴" → "乡村 村振 振兴 兴"); other words and numbers are kept whole,
NFKC-normalised and lowercased. unicode61 then just splits on the spaces we put in.

What a user types is parsed and rewritten into FTS5 syntax over these tokens in
storage/search_query.py.

The index is written explicitly (`add_to_index`, `replace_in_index`) when an article is new or its content
changed, never by triggers: the crawler touches `last_seen` on every visit, and triggers
would rewrite the index rows of every unchanged article on every crawl.
"""

from __future__ import annotations

import re

import sqlite_utils

from storage.transactions import writing
from storage.unicode_fold import nfkc

FTS_TABLE = "articles_fts"
# Contentless (content=''): the index keeps the postings, not a second copy of the tokens, which
# were ~3 times the size of the text they come from (bench/growth.py). Searching needs only the
# postings; the text shown is the article's own. Deleting a row from a contentless index takes
# the tokens it was indexed with, recomputed from the article's stored title and text.
FTS_SQL = (f"create virtual table {FTS_TABLE} using fts5(title, text, content='', "
           "tokenize='unicode61 remove_diacritics 0')")

# Han (BMP, extension A, compatibility, extensions B–G), 〆々〇 and kana: scripts written without spaces.
_CJK = "\u3005-\u3007\u3041-\u309a\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_SEGMENT_RE = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)")
_CJK_RE = re.compile(f"[{_CJK}]+")
_WORD_RE = re.compile(f"[^\\W_{_CJK}]+")

def _normalise(text: str) -> str:
    """NFKC folds full-width digits and letters (２０２１, ＡＢＣ) and compatibility ideographs."""
    return nfkc(text).lower()


def cjk_bigrams(text: str | None) -> str:
    """The text as index tokens, space-separated: CJK runs as bigrams + last char, words whole."""
    tokens: list[str] = []
    for run, word in _SEGMENT_RE.findall(_normalise(text or "")):
        if word:
            tokens.append(word)
        else:
            tokens.extend(map(str.__add__, run, run[1:]))  # the bigrams, built in C: this runs per character
            tokens.append(run[-1])
    return " ".join(tokens)


def index_article(db: sqlite_utils.Database, article_id: int, title: str | None, text: str | None) -> None:
    """Index one article not yet in the index; call inside the writer's transaction."""
    add_to_index(db, article_id, cjk_bigrams(title), cjk_bigrams(text))


def replace_in_index(db: sqlite_utils.Database, article_id: int, old_title: str | None, old_text: str | None,
                     title_tokens: str, text_tokens: str) -> None:
    """Swap an article's index row for these tokens (from `cjk_bigrams`).

    `old_title`/`old_text` are what the article held when it was indexed: a contentless index
    removes a row by subtracting the tokens it was given, which `cjk_bigrams` recomputes exactly.
    """
    db.execute(f"insert into {FTS_TABLE}({FTS_TABLE}, rowid, title, text) values ('delete', ?, ?, ?)",
               [article_id, cjk_bigrams(old_title), cjk_bigrams(old_text)])
    add_to_index(db, article_id, title_tokens, text_tokens)


def add_to_index(db: sqlite_utils.Database, article_id: int, title_tokens: str, text_tokens: str) -> None:
    """Index a new article from its tokens (from `cjk_bigrams`, computed where the CPU is free)."""
    db.execute(f"insert into {FTS_TABLE}(rowid, title, text) values (?, ?, ?)", [article_id, title_tokens, text_tokens])


# An index step merges when the segments besides the largest hold this share of its pages. FTS5
# keeps new rows in small segments and merges them four at a time (its automerge), so a growing
# store holds a ladder of segments, each repeating the terms it shares with the others: on the
# growth bench's real pages the index was 5,070 bytes per article as written and 4,153 when merged
# into one b-tree (bench/growth.py). Merging whenever the rest reaches 1/8 of the largest keeps it
# within a few percent of that, and each posting is rewritten about nine times over the store's
# life (the whole index once per 1/8 of growth): ~15 ms of CPU per MB merged, measured.
MERGE_WHEN_REST_SHARE = 0.125
# Pages written per step: ~8 MB, ~0.1 s holding the write lock, so a crawl waiting to store its
# pages is never held long; a larger index is merged over several steps.
MERGE_PAGES_PER_STEP = 2000


def index_segment_pages(db: sqlite_utils.Database, table: str = FTS_TABLE) -> list[int]:
    """Leaf pages per segment of an FTS5 index, largest first (from its %_idx table, which has
    a row per leaf page that starts a term: close enough to compare segments)."""
    return [pages for (pages,) in db.execute(
        f"select count(*) from {table}_idx group by segid order by count(*) desc")]


def compact_search_index(db: sqlite_utils.Database, pages: int = MERGE_PAGES_PER_STEP, table: str = FTS_TABLE) -> bool:
    """One bounded step of merging an FTS5 index's segments toward one b-tree, when the segments
    besides the largest have grown to MERGE_WHEN_REST_SHARE of it; True if it merged anything.

    FTS5's 'merge' with a negative page count treats every segment as one level (an incremental
    'optimize'); called after each batch of runs (monitor/run_end.py), as raw bodies are compacted.
    `table`: the articles' index by default; the attachments' (storage/attachments.py) grows the
    same way, by the text of every file read, and is stepped by `compact_attachment_index`.
    """
    segments = index_segment_pages(db, table)
    if len(segments) < 2 or sum(segments[1:]) < MERGE_WHEN_REST_SHARE * segments[0]:
        return False
    with writing(db):
        before = db.conn.total_changes
        db.execute(f"insert into {table}({table}, rank) values ('merge', ?)", [-pages])
        return db.conn.total_changes > before


def create_search_index(db: sqlite_utils.Database) -> None:
    """Create the FTS5 table if missing and index every article already stored."""
    if not db[FTS_TABLE].exists():
        db.execute(FTS_SQL)
        _backfill(db)


def rebuild_search_index(db: sqlite_utils.Database) -> int:
    """Re-index every article from scratch (after a tokenizer change); returns the count."""
    with writing(db):
        db.execute(f"insert into {FTS_TABLE}({FTS_TABLE}) values ('delete-all')")
        count = _backfill(db)
        db.execute(f"insert into {FTS_TABLE}({FTS_TABLE}) values ('optimize')")
    return count


def _backfill(db: sqlite_utils.Database) -> int:
    count = 0
    for row in db.query("select id, title, text from articles order by id"):
        index_article(db, row["id"], row["title"], row["text"])
        count += 1
    return count
