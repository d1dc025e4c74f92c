"""The `attachments` and `attachment_versions` tables: each article's files, their text and history.

An attachment is keyed by (article, URL): the same 附件 URL under two articles is two rows, as
each article's page lists it. Its current state is the `attachments` row; every distinct file
(by SHA-256, or a new outcome when there is no file: too large, fetch failed) is an
`attachment_versions` row, so a replaced 附件 ("附件已更新") is a second version and a
`changed` event on its article naming it. Text is searched like articles' (storage/search.py's
bigrams) in its own contentless index, `attachments_fts`, rowid = attachments.id.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from storage.outcomes import AttachmentFetched
from storage.search import cjk_bigrams, compact_search_index
from storage.transactions import utc_now, writing

FTS_TABLE = "attachments_fts"
# Columns named as articles_fts's (the attachment's name as its title), so one query, `title:`
# included, runs on both indexes (the `search` canned query in datasette/metadata.yml does).
FTS_SQL = (f"create virtual table {FTS_TABLE} using fts5(title, text, content='', "
           "tokenize='unicode61 remove_diacritics 0')")

# What fetching and reading gave. The first four come from the readers (crawler/attachments);
# too_large: the server's size (Content-Length or the bytes received) is over the fetch limit,
# so the file was skipped, not cut; fetch_failed: no file (HTTP error, timeout, refused by scope);
# not_read: the file fetched and kept, its text not read (the crawl's GOVWATCH_ATTACHMENTS_READ off).
STATUSES = ("read", "scanned", "empty", "unreadable", "too_large", "fetch_failed", "not_read")


def _identity(sha256: str | None, status: str | None, size: int | None) -> tuple[Any, ...]:
    """What makes a new version: the file's bytes, or (with no bytes) the outcome and size."""
    return (sha256,) if sha256 else (None, status, size)


def create_attachment_tables(db: sqlite_utils.Database) -> None:
    """The tables, their indexes and the search index (migration m014)."""
    db["attachments"].create(
        {
            "id": int, "article_id": int, "url": str, "name": str, "type": str, "kind": str, "size": int,
            "sha256": str, "status": str, "reason": str, "text": str, "http_status": int,
            "fetched_at": str,  # when the current file was fetched (a 304 does not move it)
            "first_seen": str, "last_checked": str, "last_changed": str,
            "version_count": int, "current_version_id": int, "etag": str, "last_modified": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "url"},
        defaults={"version_count": 0},
    )
    db["attachments"].create_index(["article_id", "url"], unique=True)
    db["attachments"].create_index(["sha256"])
    db["attachment_versions"].create(
        {
            "id": int, "attachment_id": int, "version": int, "run_id": int, "fetched_at": str, "size": int,
            "sha256": str, "kind": str, "status": str, "reason": str, "text": str, "http_status": int,
        },
        pk="id",
        foreign_keys=[("attachment_id", "attachments", "id"), ("run_id", "crawl_runs", "id")],
    )
    db["attachment_versions"].create_index(["attachment_id", "version"], unique=True)
    # The files themselves, once per SHA-256, zstd-compressed: their own table, not raw_bodies,
    # whose retention and dictionaries are about article versions (storage/raw_bodies.py).
    db["attachment_files"].create({"sha256": str, "codec": str, "body": bytes, "size": int}, pk="sha256")
    if not db[FTS_TABLE].exists():
        db.execute(FTS_SQL)


def _row(db: sqlite_utils.Database, sql: str, params: list[Any]) -> dict[str, Any] | None:
    cursor = db.execute(sql, params)
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row)) if row else None


def attachment_by_url(db: sqlite_utils.Database, article_id: int, url: str) -> dict[str, Any] | None:
    return _row(db, "select * from attachments where article_id = ? and url = ?", [article_id, url])


# Readings that got to the file's text (or found it has none). The same file read so at last,
# after an `unreadable` or `not_read`, fills in the text it lacked (_read_at_last).
TEXT_READINGS = ("read", "scanned", "empty")


def attachment_validators(db: sqlite_utils.Database, article_id: int, url: str) -> dict[str, str]:
    """What the next check needs of the stored file: its ETag / Last-Modified for a conditional
    GET, and its SHA-256, status and reason, so that a server that answers every GET with 200
    (many do: no validators at all) does not have the same file read again at each check
    (crawler/attachments/reading.read_again decides)."""
    row = _row(db, "select etag, last_modified, sha256, status, reason from attachments where article_id = ? and url = ?"
                   " and sha256 is not null", [article_id, url])
    return {k: v for k, v in (row or {}).items() if v}


def record_attachment(db: sqlite_utils.Database, run_id: int | None, article_id: int,
                      fetch: AttachmentFetched) -> str:
    """Store one fetched attachment of article `article_id`; return new, changed or unchanged.

    A changed file (another SHA-256, or another outcome where there is no file) is a new
    version and a `changed` event on the article, its detail naming the attachment; so is a
    new file under an article an earlier crawl stored (one first seen with its article is part
    of that article's `new` event).
    """
    now = fetch.fetched_at or utc_now()
    columns = {"name": fetch.name, "type": fetch.type, "kind": fetch.file_kind, "size": fetch.size,
               "sha256": fetch.sha256, "status": fetch.status, "reason": fetch.reason, "text": fetch.text,
               "http_status": fetch.http_status, "etag": fetch.etag, "last_modified": fetch.last_modified}
    with writing(db):
        if fetch.body and fetch.sha256:
            db.execute("insert or ignore into attachment_files (sha256, codec, body, size) values (?, 'zstd', ?, ?)",
                       [fetch.sha256, fetch.body, fetch.size])
        existing = attachment_by_url(db, article_id, fetch.url)
        if existing is None:
            attachment_id = _insert(db, "attachments", {
                **columns, "article_id": article_id, "url": fetch.url, "fetched_at": now,
                "first_seen": now, "last_checked": now, "last_changed": now, "version_count": 0})
            version_id = _insert_version(db, attachment_id, 1, run_id, now, fetch)
            _update(db, "attachments", attachment_id, {"version_count": 1, "current_version_id": version_id})
            _index(db, attachment_id, fetch.name, fetch.text)
            if _held_before(db, article_id, run_id):  # a 附件 added to a notice we already had is news
                _changed_event(db, article_id, fetch, run_id, now, version_id, "附件新增 attachment added")
            return "new"
        attachment_id = existing["id"]
        if _identity(existing["sha256"], existing["status"], existing["size"]) == \
                _identity(fetch.sha256, fetch.status, fetch.size):
            _update(db, "attachments", attachment_id,
                    {"last_checked": now, "http_status": fetch.http_status,
                     "etag": fetch.etag or existing["etag"], "last_modified": fetch.last_modified or existing["last_modified"]})
            if existing["status"] not in TEXT_READINGS and fetch.status in TEXT_READINGS:
                _read_at_last(db, existing, fetch)
            return "unchanged"
        version = existing["version_count"] + 1
        version_id = _insert_version(db, attachment_id, version, run_id, now, fetch)
        _update(db, "attachments", attachment_id, {**columns, "fetched_at": now, "last_checked": now,
                                                    "last_changed": now, "version_count": version,
                                                    "current_version_id": version_id})
        db.execute(f"insert into {FTS_TABLE}({FTS_TABLE}, rowid, title, text) values ('delete', ?, ?, ?)",
                   [attachment_id, cjk_bigrams(existing["name"]), cjk_bigrams(existing["text"])])
        _index(db, attachment_id, fetch.name, fetch.text)
        _changed_event(db, article_id, fetch, run_id, now, version_id, "附件已更新 attachment changed")
        return "changed"


def _read_at_last(db: sqlite_utils.Database, existing: dict[str, Any], fetch: AttachmentFetched) -> None:
    """The same file, read this time where it was not before (a reader's time limit under load,
    reading switched off then): its text replaces the missing one in the row, its current version
    and the search index. Not a version nor an event: the site changed nothing."""
    reading = {"status": fetch.status, "reason": fetch.reason, "text": fetch.text, "kind": fetch.file_kind}
    _update(db, "attachments", existing["id"], reading)
    if existing["current_version_id"] is not None:
        _update(db, "attachment_versions", existing["current_version_id"], reading)
    db.execute(f"insert into {FTS_TABLE}({FTS_TABLE}, rowid, title, text) values ('delete', ?, ?, ?)",
               [existing["id"], cjk_bigrams(existing["name"]), cjk_bigrams(existing["text"])])
    _index(db, existing["id"], existing["name"], fetch.text)


def _held_before(db: sqlite_utils.Database, article_id: int, run_id: int | None) -> bool:
    """Whether the article was stored by an earlier crawl (its `new` event is not this run's)."""
    row = _row(db, "select run_id from events where article_id = ? and kind = 'new' order by id limit 1", [article_id])
    return row is not None and row["run_id"] != run_id


def _changed_event(db: sqlite_utils.Database, article_id: int, fetch: AttachmentFetched, run_id: int | None,
                   now: str, version_id: int, what: str) -> None:
    """A `changed` event on the article naming the attachment (events.attachment_version_id)."""
    article = _row(db, "select source, current_version_id from articles where id = ?", [article_id]) or {}
    _insert(db, "events", {"article_id": article_id, "kind": "changed", "run_id": run_id,
                           "source": fetch.source or article.get("source"), "at": now,
                           "version_id": article.get("current_version_id"), "attachment_version_id": version_id,
                           "detail": f"{what}: {fetch.name or fetch.url}"})


def record_attachment_outcome(db: sqlite_utils.Database, run_id: int | None, outcome: AttachmentFetched) -> str:
    """Store a crawl's `storage.outcomes.AttachmentFetched` (its article found by URL): new,
    changed, unchanged, or unknown when the article is not stored (an error page, a failure)."""
    cursor = db.execute("select id from articles where url = ?", [outcome.article_url])
    row = cursor.fetchone()
    if row is None:
        return "unknown"
    if outcome.status == "not_modified":
        return record_attachment_not_modified(db, row[0], outcome.url, http_status=outcome.http_status or 304,
                                              etag=outcome.etag, last_modified=outcome.last_modified)
    return record_attachment(db, run_id, row[0], outcome)


def record_attachment_not_modified(db: sqlite_utils.Database, article_id: int, url: str, *, http_status: int = 304,
                                   etag: str | None = None, last_modified: str | None = None) -> str:
    """A stored attachment found unchanged (a 304, or a 200 with the same bytes): checked now,
    nothing else changed but the validators the server sent, if any."""
    with writing(db):
        existing = attachment_by_url(db, article_id, url)
        if existing is None:
            return "unknown"
        _update(db, "attachments", existing["id"], {
            "last_checked": utc_now(), "http_status": http_status,
            "etag": etag or existing["etag"], "last_modified": last_modified or existing["last_modified"]})
        return "unchanged"


def article_attachments(db: sqlite_utils.Database, article_id: int) -> list[dict[str, Any]]:
    """An article's attachments, in the order first seen, with their version counts."""
    return list(db.query("select * from attachments where article_id = ? order by id", [article_id]))


def source_attachments(db: sqlite_utils.Database, source: str) -> dict[str, list[dict[str, Any]]]:
    """The stored attachments of `source`'s articles, by article URL, each with what
    `attachment_validators` gives of its kept file: what a distributed worker, which never opens
    SQLite, needs to re-check them (sent in the run's context by monitor/distributed.py)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for row in db.query(
            "select a.url as article_url, t.url, t.name, t.type,"
            " case when t.sha256 is not null then t.etag end as etag,"
            " case when t.sha256 is not null then t.last_modified end as last_modified,"
            " t.sha256, case when t.sha256 is not null then t.status end as status,"
            " case when t.sha256 is not null then t.reason end as reason"
            " from attachments t join articles a on a.id = t.article_id where a.source = ? order by t.id", [source]):
        article_url = row.pop("article_url")
        found.setdefault(article_url, []).append({k: v for k, v in row.items() if v is not None})
    return found


def attachment_versions(db: sqlite_utils.Database, attachment_id: int) -> list[dict[str, Any]]:
    """Every version of one attachment, oldest first (for the diff on the article page)."""
    return list(db.query("select * from attachment_versions where attachment_id = ? order by version",
                         [attachment_id]))


def attachment_file(db: sqlite_utils.Database, sha256: str) -> bytes | None:
    """A kept file's bytes, as downloaded; None when it was not kept (too large, failed)."""
    row = db.execute("select codec, body from attachment_files where sha256 = ?", [sha256]).fetchone()
    if row is None:
        return None
    from storage.raw_bodies import decode_body

    return decode_body(row[0], row[1])


def stored_files_of(db: sqlite_utils.Database, source: str | None = None,
                    since: str | None = None) -> list[dict[str, Any]]:
    """Every attachment version whose file is kept, with its article's source (for export-warc)."""
    sql = ("select v.id, v.version, v.fetched_at, v.sha256, v.size, v.kind, v.http_status, t.url, t.article_id,"
           " a.source from attachment_versions v join attachments t on t.id = v.attachment_id"
           " join articles a on a.id = t.article_id join attachment_files f on f.sha256 = v.sha256 where 1 = 1")
    params: list[Any] = []
    if source:
        sql += " and a.source = ?"
        params.append(source)
    if since:
        sql += " and v.fetched_at >= ?"
        params.append(since)
    return list(db.query(sql + " order by v.id", params))


def search_attachments(db: sqlite_utils.Database, match: str, limit: int = 100) -> list[dict[str, Any]]:
    """Attachments whose name or text matches an FTS5 expression from storage.search.bigram_match_query."""
    return list(db.query(
        f"select a.id, a.article_id, a.name, a.url, a.type from {FTS_TABLE} f join attachments a on a.id = f.rowid"
        f" where {FTS_TABLE} match ? order by a.id limit ?", [match, limit]))


def compact_attachment_index(db: sqlite_utils.Database) -> bool:
    """A merge step of the attachments' search index when its segments need one (see
    storage.search.compact_search_index): a read 附件 adds up to 500 K characters of bigrams, so
    unmerged, this index's ladder of segments grows faster than the articles' does."""
    return compact_search_index(db, table=FTS_TABLE)


def _index(db: sqlite_utils.Database, attachment_id: int, name: str | None, text: str | None) -> None:
    db.execute(f"insert into {FTS_TABLE}(rowid, title, text) values (?, ?, ?)",
               [attachment_id, cjk_bigrams(name), cjk_bigrams(text)])


def _insert_version(db: sqlite_utils.Database, attachment_id: int, version: int, run_id: int | None, now: str,
                    fetch: AttachmentFetched) -> int:
    return _insert(db, "attachment_versions", {
        "attachment_id": attachment_id, "version": version, "run_id": run_id, "fetched_at": now, "size": fetch.size,
        "sha256": fetch.sha256, "kind": fetch.file_kind, "status": fetch.status, "reason": fetch.reason,
        "text": fetch.text, "http_status": fetch.http_status})


def _insert(db: sqlite_utils.Database, table: str, row: dict[str, Any]) -> int:
    columns = ", ".join(f"[{c}]" for c in row)
    return int(db.execute(f"insert into [{table}] ({columns}) values ({', '.join('?' * len(row))})",
                          list(row.values())).lastrowid)


def _update(db: sqlite_utils.Database, table: str, row_id: int, values: dict[str, Any]) -> None:
    assignments = ", ".join(f"[{c}] = ?" for c in values)
    db.execute(f"update [{table}] set {assignments} where id = ?", [*values.values(), row_id])
