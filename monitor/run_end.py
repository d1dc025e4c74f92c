"""How a crawl run ends, once for every way of crawling: diffs, copy links, bodies, health.

A run's row is closed by whoever saw the crawl (the Scrapy pipeline on one machine, the
store writer in distributed mode, monitor/crawls.py for a crawl process that died); what
follows is the same whoever closed it, and lives here. It used to be written three times
(`govwatch crawl`, the service, the distributed writer) and drifted: `govwatch crawl` never
recorded source health, so the CLI and the operator page disagreed.

Every step is idempotent and touches only what still lacks it, so calling `finish_run` after
each of several runs costs the work once.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from monitor.changes import annotate_changes
from storage.control import record_health
from storage.health import all_source_health
from storage.raw_bodies import compact_bodies
from storage.runs import get_run


def finish_run(db: sqlite_utils.Database, run_id: int) -> dict[str, Any]:
    """After run `run_id` has closed: fill the diffs and copy links of what it stored, give its
    raw bodies their source's zstd dictionary, and recompute every source's health. Returns
    the run's row."""
    annotate_changes(db)
    compact_bodies(db)
    record_source_health(db)
    return get_run(db, run_id)


def record_source_health(db: sqlite_utils.Database) -> None:
    """Every source's health flags (storage/health.py), kept for the operator page and digests."""
    record_health(db, {name: [f"{flag.problem}: {flag.detail}" for flag in flags]
                       for name, flags in all_source_health(db).items()})
