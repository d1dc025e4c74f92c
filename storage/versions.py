"""Reading versions back for the change monitor, and keeping the diffs it computes.

The crawler writes versions (storage/articles.py); the monitor fills `diff` and
`diff_summary` afterwards, so a crawl never waits on diffing and a diff can be recomputed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlite_utils

from storage.raw_bodies import read_body
from storage.transactions import writing

# The columns a diff needs: never the raw HTML, which is large. Read from the `version_texts`
# view, which gives the current version the text it shares with its article (storage/schema.py m012).
_DIFF_COLUMNS = "id, article_id, version, run_id, fetched_at, title, text, published, metadata, content_hash"


def versions_missing_diff(db: sqlite_utils.Database, limit: int | None = None) -> list[dict[str, Any]]:
    """Versions after the first that have no diff yet, oldest first."""
    sql = f"select {_DIFF_COLUMNS} from version_texts where version > 1 and diff is null order by id"
    if limit:
        sql += f" limit {int(limit)}"
    return list(db.query(sql))


def previous_version(db: sqlite_utils.Database, article_id: int, version: int) -> dict[str, Any] | None:
    """The version stored just before `version` of an article (None for the first)."""
    rows = list(db.query(
        f"select {_DIFF_COLUMNS} from version_texts where article_id = ? and version < ?"
        " order by version desc limit 1",
        [article_id, version],
    ))
    return rows[0] if rows else None


def save_diff(db: sqlite_utils.Database, version_id: int, diff_json: str, summary: str,
              diff_html: str | None = None) -> None:
    """Keep a version's diff (JSON, and rendered for the article page); the "changed" event of
    that version gets the summary as its detail."""
    with writing(db):
        db["article_versions"].update(version_id, {"diff": diff_json, "diff_summary": summary, "diff_html": diff_html})
        db.execute(
            "update events set detail = ? where version_id = ? and kind = 'changed' and detail is null",
            [summary, version_id],
        )


def versions_of(db: sqlite_utils.Database, *, source: str | None = None,
                since: str | None = None) -> Iterator[dict[str, Any]]:
    """Every kept response (one per version), oldest first, with its article's URL: for WARC export.

    `raw_body` is the body as received (None where retention dropped it); readers never see
    how the store keeps it.
    """
    where, params = [], []
    if source:
        where.append("a.source = ?")
        params.append(source)
    if since:
        where.append("v.fetched_at >= ?")
        params.append(since)
    sql = (
        "select v.id, v.article_id, v.version, v.fetched_at, v.http_status, v.response_headers, v.encoding,"
        " v.raw_html_gz, v.raw_sha256, v.raw_size, a.url, a.source from article_versions v"
        " join articles a on a.id = v.article_id"
        + (" where " + " and ".join(where) if where else "")
        + " order by v.id"
    )
    for row in db.query(sql, params):
        yield {**row, "raw_body": read_body(db, row)}
