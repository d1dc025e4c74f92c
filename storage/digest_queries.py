"""What the daily digest reads (a period's events, the sources) and the `digest_deliveries` log.

Reads are plain SQL over the schema in `storage/schema.py`, which creates `digest_deliveries`
(m013): one row per (subscription, period, channel) makes sending idempotent and keeps a
failed send visible until it succeeds.

Times are compared as ISO 8601 UTC strings ("2026-11-24T16:00:00+00:00"), the form every
writer in `storage/` uses, so the `events.at` index serves the period queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlite_utils

from storage.transactions import utc_now, writing

DELIVERIES = "digest_deliveries"


def events_between(db: sqlite_utils.Database, start: str, end: str) -> list[dict[str, Any]]:
    """Every event with start <= at < end, joined to its article, source and version (and, for a
    replaced attachment, the attachment's name, new text and previous text); newest first."""
    return list(db.query(
        """
        select e.id as event_id, e.kind, e.at, e.run_id, e.source, e.version_id, e.detail,
               a.id as article_id, a.url, a.title, a.text, a.published, a.status, a.copy_of, a.attachments,
               coalesce(s.title, e.source) as source_title,
               v.version, v.diff, v.diff_summary,
               e.attachment_version_id, att.name as attachment_name, av.version as attachment_version,
               av.text as attachment_text,
               (select p.text from attachment_versions p where p.attachment_id = av.attachment_id
                and p.version = av.version - 1) as attachment_previous_text
        from events e
        join articles a on a.id = e.article_id
        left join sources s on s.name = e.source
        left join article_versions v on v.id = e.version_id
        left join attachment_versions av on av.id = e.attachment_version_id
        left join attachments att on att.id = av.attachment_id
        where e.at >= ? and e.at < ?
        order by e.at desc, e.id desc
        """,
        [start, end],
    ))


def articles_by_id(db: sqlite_utils.Database, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Articles (with their source's title) by id: the originals that copies point to."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    marks = ",".join("?" * len(wanted))
    rows = db.query(
        f"""
        select a.id as article_id, a.url, a.title, a.text, a.published, a.status, a.source,
               a.first_seen, a.current_version_id, coalesce(s.title, a.source) as source_title
        from articles a left join sources s on s.name = a.source
        where a.id in ({marks})
        """,
        wanted,
    )
    return {r["article_id"]: r for r in rows}


def watched_sources(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Enabled, unpaused sources: the ones whose silence or failure is news."""
    return list(db.query(
        "select name, coalesce(title, name) as title from sources"
        " where enabled = 1 and coalesce(paused, 0) = 0 order by name"
    ))


def source_names(db: sqlite_utils.Database) -> set[str]:
    return {r["name"] for r in db.query("select name from sources")}


def delivery(db: sqlite_utils.Database, subscription: str, period: str, channel: str) -> dict[str, Any] | None:
    rows = list(db[DELIVERIES].rows_where(
        "subscription = ? and period = ? and channel = ?", [subscription, period, channel]))
    return rows[0] if rows else None


def record_delivery_attempt(
    db: sqlite_utils.Database, subscription: str, period: str, channel: str, *, ok: bool, error: str | None = None
) -> None:
    """Count one attempt; a success sets sent_at, a failure keeps the error for the next run."""
    now = utc_now()
    with writing(db):
        previous = delivery(db, subscription, period, channel)
        attempts = (previous or {}).get("attempts") or 0
        row = {"subscription": subscription, "period": period, "channel": channel,
               "status": "sent" if ok else "failed", "attempts": attempts + 1,
               "last_error": None if ok else error, "updated_at": now}
        if ok:
            row["sent_at"] = now
        db[DELIVERIES].upsert(row, pk=("subscription", "period", "channel"))


def failed_deliveries(db: sqlite_utils.Database, since_period: str, max_attempts: int) -> list[dict[str, Any]]:
    """Failed deliveries of day periods from `since_period` on that may still be retried."""
    return list(db[DELIVERIES].rows_where(
        "status = 'failed' and period >= ? and length(period) = 10 and attempts < ?",
        [since_period, max_attempts], order_by="period, subscription, channel"))
