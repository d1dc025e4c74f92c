"""Retention as a job of the service: once a day, what is kept only for a while is dropped.

- Raw HTML of old versions of articles that never changed (storage/raw_bodies.py
  `prune_raw_bodies`; text, hashes and sizes stay). Off unless `--raw-html-keep-days` is given:
  evidence is kept by default.
- The log tails and fetch errors of old runs (storage/runs.py `prune_run_logs`; each run's row,
  its counts and message stay, and all of each source's latest run). On by default, after 30
  days (`--run-log-keep-days`, 0 keeps them): they are diagnostics, and at hundreds of sources
  they grow faster than the articles.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from storage import open_db
from storage.defaults import RUN_LOG_KEEP_DAYS
from storage.raw_bodies import prune_raw_bodies
from storage.runs import prune_run_logs

log = logging.getLogger("govwatch.retention")


def prune_old(db_path: str, raw_html_keep_days: int | None, run_log_keep_days: int | None) -> dict[str, int] | None:
    """One retention pass (a setting of None or 0 is off); a failure is logged, never raised, so
    the service goes on."""
    try:
        db = open_db(db_path)
        try:
            pruned = {}
            if raw_html_keep_days:
                pruned["raw_html_versions"] = prune_raw_bodies(db, raw_html_keep_days)
                log.info("raw HTML retention: dropped the bodies of %d version(s) older than %d days",
                         pruned["raw_html_versions"], raw_html_keep_days)
            if run_log_keep_days:
                pruned["run_logs"] = prune_run_logs(db, run_log_keep_days)
                log.info("run log retention: dropped the log tails and fetch errors of %d run(s) older than %d days",
                         pruned["run_logs"], run_log_keep_days)
        finally:
            db.close()
        return pruned
    except Exception:
        log.exception("retention on %s failed", db_path)
        return None


def retention_job(db_path: str, raw_html_keep_days: int | None,
                  run_log_keep_days: int | None = RUN_LOG_KEEP_DAYS) -> tuple[Callable[..., Any], Any, str, list[Any]] | None:
    """The service's extra job: daily at 04:30 UTC, away from the usual 08:00 Beijing crawls;
    None when both settings are off."""
    if raw_html_keep_days is not None and raw_html_keep_days < 1:
        raise ValueError(f"--raw-html-keep-days must be at least 1, not {raw_html_keep_days}")
    if run_log_keep_days is not None and run_log_keep_days < 0:
        raise ValueError(f"--run-log-keep-days must be 0 (keep) or more, not {run_log_keep_days}")
    if not raw_html_keep_days and not run_log_keep_days:
        return None
    return (prune_old, CronTrigger(hour=4, minute=30, timezone="UTC"), "retention",
            [db_path, raw_html_keep_days, run_log_keep_days])
