"""`govwatch digest`: build a day's (or a range's) digests, write them, and send them.

Without `--send` the digests are only written (to `--out`, default data/digests) for a
person to look at; with `--send` they go through each subscription's channels, once per
day and channel unless `--force`. Exit status: 0 done, 1 a delivery failed (it is recorded
and retried next time), 2 a problem the user can fix (bad file, date or subscription name).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click

from monitor.cli_common import PROJECT_ROOT, clear_errors, db_option
from monitor.config import ConfigError
from monitor.digest.period import DigestPeriod, day_period, parse_instant, range_period, yesterday
from monitor.digest.subscriptions import check_sources_exist, load_subscriptions

DEFAULT_SUBSCRIPTIONS = os.environ.get("GOVWATCH_SUBSCRIPTIONS", str(PROJECT_ROOT / "subscriptions.yaml"))
DEFAULT_OUT = PROJECT_ROOT / "data" / "digests"


@click.command("digest")
@db_option
@click.option("--config", "config_path", default=DEFAULT_SUBSCRIPTIONS, show_default=True,
              help="Subscriptions file (YAML).")
@click.option("--day", help="Day to report, YYYY-MM-DD in the configured time zone (default: yesterday).")
@click.option("--since", help="Start of a range instead of a day (ISO 8601; no offset = configured time zone).")
@click.option("--until", help="End of the range (default: now).")
@click.option("--subscription", "names", multiple=True, help="Only this subscription (repeatable).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Also write each format here, under <subscription>/ (default without --send: {DEFAULT_OUT}).")
@click.option("--send", is_flag=True, help="Deliver through the subscriptions' channels.")
@click.option("--force", is_flag=True, help="With --send: send again what was already sent.")
def digest_command(db_path: str, config_path: str, day: str | None, since: str | None, until: str | None,
                   names: tuple[str, ...], out: Path | None, send: bool, force: bool) -> None:
    """Daily digests for monitoring staff: new, edited, withdrawn and republished articles, per subscription."""
    with clear_errors(ValueError):
        if force and not send:
            raise ValueError("--force only matters with --send")
        settings = load_subscriptions(config_path)
        period = _period(day, since, until, settings.timezone)
        chosen = [settings.subscription(n) for n in names] if names else settings.subscriptions
        if not chosen:
            raise ConfigError(f"{config_path}: no subscriptions configured")
        # The store and the renderers load only once the command line and the subscriptions
        # are known to be good: a typo answers without them (tests/monitor/test_cli_polish.py).
        from monitor.digest.jobs import run_digests
        from storage import open_db
        from storage.database import StoreError
        from storage.digest_queries import source_names

        if not Path(db_path).exists():
            raise StoreError(f"cannot open database {db_path}: no such file (run `govwatch crawl` first)")
        db = open_db(db_path)
        check_sources_exist(settings, source_names(db), config_path)
        try:
            outcomes = run_digests(db, settings, period, subscriptions=chosen, send=send, force=force,
                                   out=out if out is not None or send else DEFAULT_OUT)
        finally:
            db.close()
    failed = 0
    for outcome in outcomes:
        counts = outcome.digest.counts
        click.echo(f"{outcome.digest.subscription.name} {period.label}: {counts['new']} new, "
                   f"{counts['changed']} edited, {counts['withdrawn']} withdrawn, {counts['restored']} restored, "
                   f"{counts['copies']} republished copies, {counts['health']} source problem(s)")
        for path in outcome.files:
            click.echo(f"  wrote {path}")
        for result in outcome.deliveries:
            failed += result.status == "failed"
            click.echo(f"  {result.status} {result.channel}: {result.detail}")
    if failed:
        raise SystemExit(1)


def _period(day: str | None, since: str | None, until: str | None, tz: str) -> DigestPeriod:
    if day and (since or until):
        raise ValueError("give either --day or --since/--until, not both")
    if until and not since:
        raise ValueError("--until needs --since")
    if since:
        end = parse_instant(until, tz) if until else datetime.now(UTC)
        return range_period(parse_instant(since, tz), end, tz)
    if day:
        try:
            return day_period(datetime.strptime(day, "%Y-%m-%d").date(), tz)
        except ValueError:
            raise ValueError(f"--day {day!r}: expected YYYY-MM-DD") from None
    return day_period(yesterday(tz), tz)
