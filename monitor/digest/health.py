"""The digest's health section: the operators' source health (`monitor.health`), for readers.

One definition of "failed", "fewer" and "silent" serves the operator page, the service and
the digest, so staff and operators never see two answers. The digest asks it as of the
end of its period (silence is measured up to then) about the enabled, unpaused sources the
subscription follows; the last-run check is the source's latest run at the time of sending,
which is what a reader of the morning digest needs to know.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from monitor.digest.period import DigestPeriod
from monitor.health import source_health as flags_of
from storage.digest_queries import watched_sources

LABELS = {"failed": "采集失败 failed", "degraded": "部分失败 degraded", "fewer": "文章骤减 fewer", "silent": "长时间无更新 silent"}


@dataclass
class HealthNote:
    source: str
    source_title: str
    problem: str  # failed, degraded, fewer, silent (monitor.health's kinds)
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
    return sorted(notes, key=lambda n: (n.problem != "failed", n.source, n.problem))
