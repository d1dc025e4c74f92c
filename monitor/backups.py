"""Scheduled backups: a verified copy of the store every period, the newest `keep` kept.

A job of the `govwatch run` service (APScheduler wants an importable top-level callable with
plain arguments, so the job is `scheduled_backup(db_path, settings)`). Names carry the UTC time,
so sorting them is sorting by age, and pruning touches only files this job named.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.schedules import parse_schedule
from storage.backups import COMPRESSIONS, SUFFIXES, BackupReport, backup_database

log = logging.getLogger("govwatch.backups")

NAME_PATTERN = re.compile(r"^(?P<stem>.+)-(?P<at>\d{8}T\d{6}Z)\.db(\.gz|\.zst)?$")


@dataclass(frozen=True)
class BackupSettings:
    """Where, how often and how many; validated where the operator gave them (the CLI)."""

    directory: Path
    every: str = "every 24h"  # a schedule as sources use it (monitor/schedules.py)
    keep: int = 7
    compression: str = "zstd"

    def __post_init__(self) -> None:
        if self.keep < 1:
            raise ValueError(f"backup keep must be at least 1, not {self.keep}")
        if self.compression not in COMPRESSIONS:
            raise ValueError(f"backup compression must be one of {', '.join(COMPRESSIONS)}, not {self.compression!r}")
        parse_schedule(self.every, "UTC")  # raises ValueError saying what a valid schedule looks like

    def job(self, db_path: str) -> tuple[Callable[..., Any], Any, str, list[Any]]:
        """The service's extra job (monitor/service.py ServiceOptions.extra_jobs)."""
        return (scheduled_backup, parse_schedule(self.every, "UTC"), "backup", [db_path, self])


def backup_name(db_path: str | Path, compression: str, at: datetime | None = None) -> str:
    at = (at or datetime.now(UTC)).astimezone(UTC)
    return f"{Path(db_path).stem}-{at:%Y%m%dT%H%M%SZ}.db{SUFFIXES[compression]}"


def kept_backups(directory: Path, db_path: str | Path) -> list[Path]:
    """This store's backups in `directory`, oldest first (other files are never touched)."""
    stem = Path(db_path).stem
    found = [p for p in directory.iterdir() if (m := NAME_PATTERN.match(p.name)) and m["stem"] == stem]
    return sorted(found, key=lambda p: NAME_PATTERN.match(p.name)["at"])


def scheduled_backup(db_path: str, settings: BackupSettings) -> BackupReport | None:
    """Back the store up and prune to the newest `settings.keep`; a failure is logged, never raised,
    so one failed backup (a full disk) does not end the service or stop the next attempt."""
    try:
        dest = settings.directory / backup_name(db_path, settings.compression)
        report = backup_database(db_path, dest, settings.compression)
        for old in kept_backups(settings.directory, db_path)[:-settings.keep]:
            old.unlink(missing_ok=True)
            log.info("backup %s removed (keeping %d)", old.name, settings.keep)
        log.info("backup %s written (%d bytes, %s articles)", dest, report.bytes, report.counts.get("articles"))
        return report
    except Exception:
        log.exception("scheduled backup of %s failed", db_path)
        return None
