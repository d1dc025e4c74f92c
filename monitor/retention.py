"""Raw HTML retention as a job of the service: once a day, the bodies of old versions of
articles that never changed are dropped (storage/raw_bodies.py `prune_raw_bodies`; text,
hashes and sizes stay). Off unless `--raw-html-keep-days` is given: evidence is kept by default.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from storage import open_db
from storage.raw_bodies import prune_raw_bodies

log = logging.getLogger("govwatch.retention")


def prune_raw_html(db_path: str, keep_days: int) -> int | None:
    """One retention pass; a failure is logged, never raised, so the service goes on."""
    try:
        db = open_db(db_path)
        try:
            pruned = prune_raw_bodies(db, keep_days)
        finally:
            db.close()
        log.info("raw HTML retention: dropped the bodies of %d version(s) older than %d days", pruned, keep_days)
        return pruned
    except Exception:
        log.exception("raw HTML retention on %s failed", db_path)
        return None


def retention_job(db_path: str, keep_days: int) -> tuple[Callable[..., Any], Any, str, list[Any]]:
    """The service's extra job: daily at 04:30 UTC, away from the usual 08:00 Beijing crawls."""
    if keep_days < 1:
        raise ValueError(f"--raw-html-keep-days must be at least 1, not {keep_days}")
    return (prune_raw_html, CronTrigger(hour=4, minute=30, timezone="UTC"), "raw-html-retention", [db_path, keep_days])
