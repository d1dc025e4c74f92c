"""Digest runs: build, render, write and send — for the CLI, the demo and the scheduler.

`send_daily_digests` is the scheduler's job (a plain top-level function of plain arguments,
as APScheduler's persistent job stores need): it sends yesterday's digest of every
subscription, then retries the deliveries of the last `retry.retry_days` days that failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import sqlite_utils

from monitor.digest.contents import Digest, build_digest
from monitor.digest.delivery import DeliveryResult, RenderedDigest, deliver, write_documents
from monitor.digest.period import DigestPeriod, day_period, yesterday
from monitor.digest.subscriptions import DigestSettings, Subscription, check_sources_exist, load_subscriptions
from storage import open_db
from storage.digest_queries import failed_deliveries, source_names

log = logging.getLogger(__name__)


@dataclass
class DigestOutcome:
    """What happened to one subscription's digest."""

    digest: Digest
    files: list[Path] = field(default_factory=list)
    deliveries: list[DeliveryResult] = field(default_factory=list)


def run_digests(
    db: sqlite_utils.Database, settings: DigestSettings, period: DigestPeriod, *,
    subscriptions: list[Subscription] | None = None, out: Path | None = None, send: bool = False,
    force: bool = False,
) -> list[DigestOutcome]:
    """Build each subscription's digest for `period`; write it under `out`, send it if asked."""
    outcomes = []
    for subscription in subscriptions if subscriptions is not None else settings.subscriptions:
        rendered = RenderedDigest(build_digest(db, period, subscription, settings))
        outcome = DigestOutcome(rendered.digest)
        if out is not None:
            outcome.files = write_documents(rendered, out)
        if send:
            outcome.deliveries = deliver(db, rendered, settings, force=force)
        outcomes.append(outcome)
    return outcomes


def retry_failed(db: sqlite_utils.Database, settings: DigestSettings, before: date) -> list[DeliveryResult]:
    """Send again the day digests before `before` whose delivery failed in the last `retry_days` days."""
    since = (before - timedelta(days=settings.retry.retry_days)).isoformat()
    pending: dict[tuple[str, str], set[str]] = {}
    for row in failed_deliveries(db, since, settings.retry.max_total_attempts):
        if row["period"] >= before.isoformat():
            continue
        pending.setdefault((row["subscription"], row["period"]), set()).add(row["channel"])
    names = {s.name: s for s in settings.subscriptions}
    results = []
    for (name, day), channels in sorted(pending.items()):
        if name not in names:
            continue  # the subscription was removed from the file; its failure stays on record
        period = day_period(date.fromisoformat(day), settings.timezone)
        rendered = RenderedDigest(build_digest(db, period, names[name], settings))
        results += deliver(db, rendered, settings, only=channels)
    return results


def send_daily_digests(db_path: str, config_path: str) -> None:
    """The scheduled job: send yesterday's digests, then retry recent failed deliveries.

    Safe to run twice: a delivery already made is skipped. Raises ConfigError for a bad
    subscriptions file (the scheduler logs it); delivery failures are recorded, not raised.
    """
    settings = load_subscriptions(config_path)
    db = open_db(db_path)
    try:
        check_sources_exist(settings, source_names(db), config_path)
        day = yesterday(settings.timezone)
        results = [r for o in run_digests(db, settings, day_period(day, settings.timezone), send=True)
                   for r in o.deliveries]
        results += retry_failed(db, settings, day)
    finally:
        db.close()
    for result in results:
        level = logging.WARNING if result.status == "failed" else logging.INFO
        log.log(level, "digest %s %s via %s: %s %s", result.subscription, result.period, result.channel,
                result.status, result.detail)
