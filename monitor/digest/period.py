"""The stretch of time a digest covers, as the reader's calendar day and as UTC bounds.

Staff think in Beijing days; `events.at` is stored in UTC. A digest day is 00:00–24:00 in the
configured time zone (Asia/Shanghai: 16:00 UTC the day before to 16:00 UTC), half-open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from monitor.schedules import DEFAULT_TIMEZONE


@dataclass(frozen=True)
class DigestPeriod:
    """[start, end) in UTC, with the label and key the reader and the delivery log see."""

    start: datetime
    end: datetime
    tz: str
    day: date | None = None

    @property
    def key(self) -> str:
        """Identity in `digest_deliveries`: the day, or "since/until" in UTC."""
        return self.day.isoformat() if self.day else f"{_iso(self.start)}/{_iso(self.end)}"

    @property
    def slug(self) -> str:
        """File name stem: the day, or both bounds in local time."""
        if self.day:
            return self.day.isoformat()
        zone = ZoneInfo(self.tz)
        return f"{self.start.astimezone(zone):%Y%m%dT%H%M}-{self.end.astimezone(zone):%Y%m%dT%H%M}"

    @property
    def label(self) -> str:
        if self.day:
            return self.day.isoformat()
        zone = ZoneInfo(self.tz)
        return f"{self.start.astimezone(zone):%Y-%m-%d %H:%M} – {self.end.astimezone(zone):%Y-%m-%d %H:%M}"

    @property
    def start_iso(self) -> str:
        return _iso(self.start)

    @property
    def end_iso(self) -> str:
        return _iso(self.end)


def day_period(day: date, tz: str = DEFAULT_TIMEZONE) -> DigestPeriod:
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return DigestPeriod(start.astimezone(UTC), end.astimezone(UTC), tz, day)


def yesterday(tz: str = DEFAULT_TIMEZONE, now: datetime | None = None) -> date:
    """The last complete day in `tz`: what the morning digest reports."""
    now = now or datetime.now(UTC)
    return now.astimezone(ZoneInfo(tz)).date() - timedelta(days=1)


def range_period(since: datetime, until: datetime, tz: str = DEFAULT_TIMEZONE) -> DigestPeriod:
    """An arbitrary range; naive datetimes are read in `tz`."""
    zone = ZoneInfo(tz)
    start, end = (d if d.tzinfo else d.replace(tzinfo=zone) for d in (since, until))
    if end <= start:
        raise ValueError(f"the range ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    return DigestPeriod(start.astimezone(UTC), end.astimezone(UTC), tz)


def parse_instant(text: str, tz: str = DEFAULT_TIMEZONE) -> datetime:
    """An ISO 8601 date or date-time from the command line; without an offset it is local to `tz`."""
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(tz))


def parse_stored(text: str) -> datetime:
    """A time as stored by `storage/` (UTC ISO 8601)."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
