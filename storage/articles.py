"""The `articles`, `article_versions` and `events` tables: what we hold and how it changed.

Every fetch of an article goes through one of three writers here, each one transaction:
`record_page` (a 200 with extracted content), `record_not_modified` (a 304) and
`record_gone` (a 404/410, an error page, a redirect away). The rules that pick one for a crawl
outcome live in storage/outcome_writer.py. A version is written only when the
content fingerprint changes, so the raw HTML of each distinct version is kept once. A
withdrawal can be held back until later checks confirm it (`pending_withdrawals`).
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from storage.outcomes import FetchedArticle
from storage.prepared import PreparedContent
from storage.raw_bodies import read_body, store_body
from storage.runs import count_in_run
from storage.search import add_to_index, replace_in_index
from storage.transactions import utc_now, writing


def article_by_url(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    cursor = db.execute("select * from articles where url = ?", [url])
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row)) if row else None


def record_page(db: sqlite_utils.Database, run_id: int, page: FetchedArticle) -> str:
    """Store a fetched article; return what it was: new, changed, unchanged or restored.

    This is the crawl's hot path (every 200 of an article), so it writes with plain SQL:
    about 7 statements for a new article where sqlite-utils' insert/update took 38.
    """
    now = page.fetched_at or utc_now()
    prepared = page.prepare()
    digest = prepared.content_hash
    with writing(db):
        existing = article_by_url(db, page.url)
        validators = {"etag": page.headers.get("etag"), "last_modified": page.headers.get("last-modified")}
        if existing is None:
            article_id = _insert(db, "articles", {
                **_content_columns(page), "url": page.url, "source": page.source, "content_hash": digest,
                "status": "live", "first_seen": now, "last_seen": now, "last_checked": now,
                "last_changed": now, "version_count": 0, **validators})
            version_id = _insert_version(db, article_id, 1, run_id, now, page, prepared)
            _update(db, "articles", article_id, {"version_count": 1, "current_version_id": version_id})
            add_to_index(db, article_id, prepared.search_title, prepared.search_text)
            _event(db, article_id, "new", run_id, page.source, now, version_id)
            count_in_run(db, run_id, articles_new=1)
            return "new"

        article_id = existing["id"]
        _clear_suspicion(db, article_id)
        seen = {"last_seen": now, "last_checked": now, **validators}
        if page.list_anchor is not None:
            seen["list_anchor"] = page.list_anchor
        if page.list_date is not None:
            seen["list_date"] = page.list_date
        outcome = "unchanged"
        if existing["status"] == "withdrawn":
            seen["status"] = "live"
            _event(db, article_id, "restored", run_id, page.source, now, existing["current_version_id"])
            outcome = "restored"
        if existing["content_hash"] == digest:
            _update(db, "articles", article_id, seen)
            count_in_run(db, run_id, articles_unchanged=1)
            return outcome
        version = existing["version_count"] + 1
        # The current version's text is kept once, in articles.text; now that it stops being
        # current, its version row gets its own copy (see m012_version_text_once).
        db.execute("update article_versions set text = ? where id = ? and text is null",
                   [existing["text"], existing["current_version_id"]])
        version_id = _insert_version(db, article_id, version, run_id, now, page, prepared)
        _update(db, "articles", article_id,
                {**_content_columns(page), **seen, "content_hash": digest, "version_count": version,
                 "current_version_id": version_id, "last_changed": now})
        if (page.title, page.text) != (existing["title"], existing["text"]):
            replace_in_index(db, article_id, existing["title"], existing["text"], prepared.search_title,
                             prepared.search_text)
        _event(db, article_id, "changed", run_id, page.source, now, version_id)
        count_in_run(db, run_id, articles_changed=1)
        return "changed"


def record_not_modified(db: sqlite_utils.Database, run_id: int, url: str) -> str:
    """A 304 for a known article: it was seen, and nothing changed."""
    now = utc_now()
    with writing(db):
        existing = article_by_url(db, url)
        count_in_run(db, run_id, not_modified=1, articles_unchanged=1)
        if existing is None:
            return "unknown"
        _clear_suspicion(db, existing["id"])
        _update(db, "articles", existing["id"], {"last_seen": now, "last_checked": now})
        return "unchanged"


def record_gone(db: sqlite_utils.Database, run_id: int, url: str, http_status: int, detail: str | None = None,
                *, confirm_checks: int = 1) -> str:
    """A 404/410, an error page or a redirect away for a known live article: it was withdrawn.

    With `confirm_checks` > 1 the withdrawal is only "suspected" until that many checks in a
    row, each in a different run, have found the article gone; an answer in between (200 or
    304) clears the suspicion. Returns withdrawn, suspected, unchanged (already withdrawn) or
    unknown (not an article we hold).
    """
    now = utc_now()
    detail = detail or f"HTTP {http_status}"
    with writing(db):
        existing = article_by_url(db, url)
        if existing is None:
            return "unknown"
        article_id = existing["id"]
        db["articles"].update(article_id, {"last_checked": now})
        if existing["status"] == "withdrawn":
            return "unchanged"
        if confirm_checks > 1:
            pending = next(db["pending_withdrawals"].rows_where("article_id = ?", [article_id]), None)
            if pending is None:
                db["pending_withdrawals"].insert(
                    {"article_id": article_id, "source": existing["source"], "url": url, "first_seen_at": now,
                     "first_run_id": run_id, "last_run_id": run_id, "sightings": 1, "http_status": http_status,
                     "detail": detail})
                return "suspected"
            if pending["last_run_id"] == run_id:  # seen twice in one crawl: still one check
                return "suspected"
            sightings = pending["sightings"] + 1
            if sightings < confirm_checks:
                db["pending_withdrawals"].update(
                    article_id, {"last_run_id": run_id, "sightings": sightings, "http_status": http_status,
                                 "detail": detail})
                return "suspected"
            detail = f"{detail} (confirmed: gone on {sightings} checks since {pending['first_seen_at']})"
            _clear_suspicion(db, article_id)
        db["articles"].update(article_id, {"status": "withdrawn"})
        _event(db, article_id, "withdrawn", run_id, existing["source"], now, existing["current_version_id"],
               detail=detail)
        count_in_run(db, run_id, articles_withdrawn=1)
        return "withdrawn"


def pending_withdrawals(db: sqlite_utils.Database, source: str | None = None) -> list[dict[str, Any]]:
    """Suspected withdrawals not yet confirmed, oldest first."""
    where, params = ("where source = ?", [source]) if source else ("", [])
    return list(db.query(f"select * from pending_withdrawals {where} order by first_seen_at, article_id", params))


def _clear_suspicion(db: sqlite_utils.Database, article_id: int) -> None:
    db.execute("delete from pending_withdrawals where article_id = ?", [article_id])


def current_text(db: sqlite_utils.Database, url: str) -> str | None:
    """The text of the version we hold of an article (None when we hold none)."""
    row = db.execute("select text from articles where url = ?", [url]).fetchone()
    return row[0] if row else None


def conditional_get_validators(db: sqlite_utils.Database, source: str) -> dict[str, dict[str, str]]:
    """url → {etag, last_modified} of the live articles we hold, for If-None-Match/If-Modified-Since."""
    rows = db.query(
        "select url, etag, last_modified from articles where source = ? and status = 'live'"
        " and (etag is not null or last_modified is not null)",
        [source],
    )
    return {r["url"]: {"etag": r["etag"], "last_modified": r["last_modified"]} for r in rows}


def known_article_urls(db: sqlite_utils.Database, source: str) -> list[str]:
    """Every article URL of a source we have ever stored, for re-checks."""
    return [r["url"] for r in db.query("select url from articles where source = ? order by id", [source])]


def holds_articles(db: sqlite_utils.Database, source: str) -> bool:
    """Whether the store holds any article of `source` (a crawl that finds none is its first)."""
    return db.execute("select 1 from articles where source = ? limit 1", [source]).fetchone() is not None


def known_articles(db: sqlite_utils.Database, source: str) -> list[dict[str, Any]]:
    """Every article of a source with what the re-check policy needs (dates, last check, and
    whether a withdrawal is suspected: those are checked again at every crawl), and what its list
    page last showed for it (link text and date): a re-check extracts with them as the list's visit did,
    or a page whose title or date came from the list would look edited each time no list led to it."""
    return list(db.query(
        "select a.url, a.status, a.published, a.first_seen, a.last_checked, a.list_anchor, a.list_date,"
        " p.article_id is not null as withdraw_suspected"
        " from articles a left join pending_withdrawals p on p.article_id = a.id where a.source = ? order by a.id",
        [source],
    ))


def raw_html(db: sqlite_utils.Database, version_row: dict[str, Any]) -> bytes | None:
    """The response body of a version exactly as received (None when retention dropped it)."""
    return read_body(db, version_row)


def _content_columns(page: FetchedArticle) -> dict[str, Any]:
    return {
        # a re-check that no list page led to keeps the anchor the list last showed
        **({"list_anchor": page.list_anchor} if page.list_anchor is not None else {}),
        **({"list_date": page.list_date} if page.list_date is not None else {}),
        "canonical_url": page.canonical_url or page.url,
        "title": page.title,
        "text": page.text,
        "published": page.published,
        "author": page.author,
        "origin": page.origin,
        "publisher": page.publisher,
        "doc_no": page.doc_no,
        "index_no": page.index_no,
        "metadata": json.dumps(page.metadata, ensure_ascii=False),
        "attachments": json.dumps(page.attachments, ensure_ascii=False),
        "body_method": page.body_method,
        "confidence": page.confidence,
        "low_confidence": int(page.low_confidence),
    }


def _insert_version(
    db: sqlite_utils.Database, article_id: int, version: int, run_id: int, now: str, page: FetchedArticle,
    prepared: PreparedContent,
) -> int:
    store_body(db, prepared.raw_sha256, prepared.raw_zstd, prepared.raw_size)  # once per distinct body
    return _insert(db, "article_versions", {
        "article_id": article_id,
        "version": version,
        "run_id": run_id,
        "fetched_at": now,
        "title": page.title,
        "text": None,  # current: its text is articles.text until a newer version replaces it
        "published": page.published,
        "metadata": json.dumps(
            {"author": page.author, "origin": page.origin, "publisher": page.publisher,
             "doc_no": page.doc_no, "index_no": page.index_no, **page.metadata},
            ensure_ascii=False,
        ),
        "content_hash": prepared.content_hash,
        "http_status": page.http_status,
        "response_headers": json.dumps(page.headers, ensure_ascii=False),
        "encoding": page.encoding,
        "raw_sha256": prepared.raw_sha256,
        "raw_size": prepared.raw_size,
    })


def _event(
    db: sqlite_utils.Database, article_id: int, kind: str, run_id: int, source: str, at: str,
    version_id: int | None, detail: str | None = None,
) -> None:
    _insert(db, "events", {"article_id": article_id, "kind": kind, "run_id": run_id, "source": source, "at": at,
                           "version_id": version_id, "detail": detail})


def _insert(db: sqlite_utils.Database, table: str, row: dict[str, Any]) -> int:
    """INSERT one row of known columns; its rowid. (sqlite-utils' insert re-reads the table's
    schema on every call, which is most of its cost on the crawl's hot path.)"""
    columns = ", ".join(f"[{c}]" for c in row)
    marks = ", ".join("?" * len(row))
    return int(db.execute(f"insert into [{table}] ({columns}) values ({marks})", list(row.values())).lastrowid)


def _update(db: sqlite_utils.Database, table: str, row_id: int, values: dict[str, Any]) -> None:
    assignments = ", ".join(f"[{c}] = ?" for c in values)
    db.execute(f"update [{table}] set {assignments} where id = ?", [*values.values(), row_id])
