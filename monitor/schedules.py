"""Schedule specs as operators write them: a 5-field cron line or "every 2h"."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

# The time zone of the sites, their schedules and the digest's days, unless a source or the
# subscriptions file names another: every module takes it from here.
DEFAULT_TIMEZONE = "Asia/Shanghai"
_EVERY = re.compile(r"^every\s+(\d+)\s*(s|m|h|d)$")
_JITTER = re.compile(r"\s+jitter\s+(\d+)\s*(s|m|h)$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_schedule(spec: str, timezone: str = DEFAULT_TIMEZONE) -> BaseTrigger:
    """A trigger for `spec`: "every 30m", "0 8 * * *", optionally "... jitter 5m".

    Raises ValueError with a message that says what a valid spec looks like.
    """
    try:
        return _parse_schedule(spec, timezone)
    except OverflowError:  # "every 99999999999999999999d": a timedelta cannot hold it
        raise ValueError(f"{spec.strip()!r}: interval too long (use at most a few years)") from None


def _parse_schedule(spec: str, timezone: str) -> BaseTrigger:
    # APScheduler (and the asyncio it imports) is loaded here, not with the module: commands
    # that only name DEFAULT_TIMEZONE (`govwatch sources list`) start a tenth of a second sooner.
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    if not isinstance(spec, str) or not spec.strip():
        raise ValueError("empty schedule; use a cron line like '0 8 * * *' or 'every 2h'")
    spec = spec.strip()
    jitter = None
    if m := _JITTER.search(spec):
        jitter = int(timedelta(**{_UNITS[m.group(2)]: int(m.group(1))}).total_seconds())
        spec = spec[: m.start()].strip()
    if m := _EVERY.match(spec):
        amount = int(m.group(1))
        if amount <= 0:
            raise ValueError("interval must be positive")
        return IntervalTrigger(**{_UNITS[m.group(2)]: amount}, timezone=timezone, jitter=jitter)
    fields = spec.split()
    if len(fields) != 5:
        raise ValueError(
            f"{spec!r} is neither 'every N(s|m|h|d)' nor a 5-field cron line (minute hour day month weekday)"
        )
    try:
        trigger = CronTrigger.from_crontab(spec, timezone=timezone)
    except ValueError as exc:
        raise ValueError(f"bad cron expression {spec!r}: {exc}") from None
    trigger.jitter = jitter
    return trigger
