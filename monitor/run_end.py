"""How a crawl run ends, once for every way of crawling: diffs, copy links, bodies, index, health.

A run's row is closed by whoever saw the crawl (the Scrapy pipeline on one machine, the
store writer in distributed mode, monitor/crawls.py for a crawl process that died); what
follows is the same whoever closed it, and lives here. It used to be written three times
(`govwatch crawl`, the service, the distributed writer) and drifted: `govwatch crawl` never
recorded source health, so the CLI and the operator page disagreed.

Every step is idempotent and touches only what still lacks it, so calling `finish_run` after
each of several runs costs the work once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils

from monitor.changes import annotate_changes
from storage.attachments import compact_attachment_index
from storage.control import record_health
from storage.health import all_source_health, source_health
from storage.raw_bodies import compact_bodies
from storage.runs import get_run
from storage.search import compact_search_index


def finish_run(db: sqlite_utils.Database, run_id: int) -> dict[str, Any]:
    """After run `run_id` has closed: fill the diffs and copy links of what it stored, give its
    raw bodies their source's zstd dictionary, and recompute its source's health. Returns the
    run's row."""
    finish_runs(db, [run_id])
    return get_run(db, run_id)


def finish_runs(db: sqlite_utils.Database, run_ids: Sequence[int]) -> None:
    """The ending of several closed runs at once: the store is scanned for diffs, copies and
    bodies once (each step touches only what still lacks it, so one pass covers every run), the
    search indexes (articles', attachments') take a merge step if their segments need one, then
    each run's source's health."""
    if not run_ids:
        return
    annotate_changes(db)
    compact_bodies(db)
    compact_search_index(db)
    compact_attachment_index(db)
    record_source_health(db, sorted({get_run(db, run_id)["source"] for run_id in run_ids}))


def record_source_health(db: sqlite_utils.Database, sources: Iterable[str] | None = None) -> None:
    """These sources' health flags (storage/health.py), or every source's, kept for the operator
    page and digests. One source after its run, not all: at hundreds of sources recomputing every
    source after every run cost more CPU than the warm crawl itself (bench/many_sources.py)."""
    flags = all_source_health(db) if sources is None else {name: source_health(db, name) for name in sources}
    record_health(db, {name: [f"{flag.problem}: {flag.detail}" for flag in found] for name, found in flags.items()})
