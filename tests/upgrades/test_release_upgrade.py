"""A database written by an earlier release opens with today's code, migrates, and loses nothing.

The fixture (tests/fixtures/*.db.zst, made by tests/fixtures/make_release_db.py on that
release) is decompressed into a temporary folder; what it holds is read with plain sqlite3
before the current code touches it, then compared row for row after `open_db` migrated it.
"""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from storage import open_db
from storage.schema import migrations
from storage.search import FTS_TABLE
from storage.search_query import safe_match_query
from storage.versions import versions_of

try:
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:
    from backports import zstd

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RELEASES = sorted(FIXTURES.glob("govwatch-*.db.zst"))
# Every table an operator's history lives in, compared on the columns the old release had.
KEPT_TABLES = ("articles", "article_versions", "events", "crawl_runs", "sources", "fetch_errors")
# Compared by meaning, below, whatever form the new release keeps them in: raw HTML as the bytes
# served, a version's text as the `version_texts` view gives it.
MOVED_COLUMNS = {"article_versions": {"raw_html_gz", "text"}}


@pytest.fixture(params=RELEASES, ids=[p.name.removesuffix(".db.zst") for p in RELEASES])
def release_db(request, tmp_path) -> tuple[Path, dict]:
    path = tmp_path / "govwatch.db"
    path.write_bytes(zstd.decompress(request.param.read_bytes()))
    manifest = json.loads(request.param.with_name(request.param.name.removesuffix(".db.zst") + ".json").read_text())
    return path, manifest


def old_contents(path: Path) -> tuple[dict[str, tuple[list[str], list[tuple]]], dict[int, bytes], dict[int, str]]:
    with closing(sqlite3.connect(path)) as conn:
        tables = {}
        for table in KEPT_TABLES:
            moved = MOVED_COLUMNS.get(table, set())
            columns = [r[1] for r in conn.execute(f"pragma table_info([{table}])") if r[1] not in moved]
            rows = conn.execute(f"select {', '.join(columns)} from [{table}] order by rowid").fetchall()
            tables[table] = (columns, rows)
        bodies = {vid: gzip.decompress(raw) for vid, raw in conn.execute("select id, raw_html_gz from article_versions")}
        texts = dict(conn.execute("select id, text from article_versions").fetchall())
    return tables, bodies, texts


def test_fixture_is_what_its_manifest_says(release_db):
    path, manifest = release_db
    with closing(sqlite3.connect(path)) as conn:
        applied = [r[0] for r in conn.execute("select name from _sqlite_migrations order by rowid")]
        counts = {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in manifest["counts"]}
    assert applied == manifest["migrations"]
    assert counts == manifest["counts"]
    assert set(manifest["events"]) >= {"new", "changed", "withdrawn", "republished"}


def test_current_code_migrates_the_release_and_keeps_every_row(release_db):
    path, manifest = release_db
    before, bodies_before, texts_before = old_contents(path)
    pending = [m.name for m in migrations.pending(open_db(path, migrate=False))]
    assert set(pending) == {m.name for m in migrations._migrations} - set(manifest["migrations"])

    db = open_db(path)
    assert migrations.pending(db) == []
    assert {a.name for a in migrations.applied(db)} == {m.name for m in migrations._migrations}
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("pragma foreign_key_check").fetchall() == []
    for table, (columns, rows) in before.items():
        after = db.execute(f"select {', '.join(columns)} from [{table}] order by rowid").fetchall()
        assert after == rows, f"{table} changed in the upgrade"
    bodies_after = {row["id"]: row["raw_body"] for row in versions_of(db)}
    assert bodies_after == bodies_before
    assert dict(db.execute("select id, text from version_texts").fetchall()) == texts_before
    assert all(texts_before.values())

    # The search index came through: for words of stored titles, FTS hits equal LIKE hits.
    titles = [r[0] for r in db.execute("select title from articles where title is not null order by id limit 12")]
    words = {t[i:i + 2] for t in titles for i in (0, 3) if re.fullmatch(r"[\u4e00-\u9fff]{2}", t[i:i + 2])}
    assert len(words) >= 5
    for word in sorted(words):
        like = {r[0] for r in db.execute("select id from articles where title like ? or text like ?",
                                         [f"%{word}%", f"%{word}%"])}
        fts = {r[0] for r in db.execute(f"select rowid from {FTS_TABLE} where {FTS_TABLE} match ?",
                                        [safe_match_query(word)])}
        assert fts == like, word
    db.close()

    # Opening again is a no-op: nothing pending, nothing changed.
    again = open_db(path)
    assert again.execute("select count(*) from events").fetchone()[0] == manifest["counts"]["events"]
    again.close()
