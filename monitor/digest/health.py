"""The digest's health section: the operators' source health (`storage/health.py`), for readers.

One definition of "failed", "degraded", "fewer" and "silent" serves the operator page, `sources
list`, the service and the digest, so staff and operators never see two answers. The digest asks it as of the
end of its period (silence is measured up to then) about the enabled, unpaused sources the
subscription follows; the last-run check is the source's latest run at the time of sending,
which is what a reader of the morning digest needs to know.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from monitor.digest.period import DigestPeriod
from storage.digest_queries import watched_sources
from storage.health import source_health as flags_of

LABELS = {"failed": "采集失败 failed", "degraded": "部分失败 degraded", "unfetched": "文章无法抓取 unfetched",
          "fewer": "文章骤减 fewer", "silent": "长时间无更新 silent"}


@dataclass
class HealthNote:
    source: str
    source_title: str
    problem: str  # failed, degraded, unfetched, fewer, silent (storage.health kinds)
    message: str

    @property
    def label(self) -> str:
        return LABELS.get(self.problem, self.problem)


def source_health(
    db: sqlite_utils.Database, period: DigestPeriod, follows: Callable[[str], bool]
) -> list[HealthNote]:
    """Problems of the followed sources, failures first."""
    notes = [HealthNote(source["name"], source["title"], flag.problem, flag.detail)
             for source in watched_sources(db) if follows(source["name"])
             for flag in flags_of(db, source["name"], now=period.end)]
    order = {"failed": 0, "degraded": 1, "unfetched": 2}
    return sorted(notes, key=lambda n: (order.get(n.problem, 3), n.source, n.problem))
