"""The `govwatch` command: demo, crawl, serve, extract and the operator commands.

Every expected failure (bad config, unknown source, unreadable database) ends with one
message and exit status 2, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click

from monitor.cli_common import (
    PROJECT_ROOT,
    UserError,
    clear_errors,
    db_option,
    existing_db,
    service_note,
)
from monitor.lazy_commands import LazyGroup
from monitor.locations import DEFAULT_DEMO_URL
from monitor.schedules import DEFAULT_TIMEZONE
from storage.defaults import RUN_LOG_KEEP_DAYS

if TYPE_CHECKING:
    from rich.console import Console

    from monitor.config import SourceConfig

DEFAULT_CONFIG = os.environ.get("GOVWATCH_CONFIG", str(PROJECT_ROOT / "sources.yaml"))

config_option = click.option("--config", "config_path", default=DEFAULT_CONFIG, show_default=True,
                             help="Sources file (YAML).")


def make_console() -> Console:
    """A console for summaries: real width on a terminal, wide enough for a log file otherwise."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=120)


def project_version() -> str:
    """The installed distribution's version, else pyproject.toml's (a checkout run in place)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("govwatch")
    except PackageNotFoundError:
        import tomllib

        return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


class FullHelpGroup(LazyGroup):
    """Lists each command with its whole first sentence: click cuts short help at ~45 characters
    ("Inspect and change sources; a running…"), which hid what half the commands do."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, command.get_short_help_str(limit=200)) for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=FullHelpGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
             lazy_subcommands={
                 "digest": "monitor.digest.command:digest_command",
                 "export-warc": "monitor.warc_export:export_warc",
                 "worker": "monitor.distributed_cli:worker_command",
                 "store-writer": "monitor.distributed_cli:store_writer_command",
                 "enqueue": "monitor.distributed_cli:enqueue_command",
             })
@click.version_option(project_version(), "-V", "--version", prog_name="govwatch")
def main() -> None:
    """govwatch: crawl Chinese government and news sites, extract articles, watch for changes."""
    from monitor.crawl_processes import StartMethodError, reuse_processes, start_method

    try:  # checked here, once, rather than when the first crawl starts (minutes later, in the service)
        start_method()
        reuse_processes()
    except StartMethodError as exc:
        raise UserError(str(exc)) from None


def crawl_and_report(db_path: str, sources: list[SourceConfig], trigger: str, console: Console,
                     extra_settings: dict | None = None, title: str = "crawl summary",
                     stored: list[dict] | None = None, parallel: int = 2) -> list[dict]:
    """Sync `sources` into the store, crawl them and `stored` (sources only the database holds,
    added with `govwatch sources add`/`try --add`), and print the per-source summary.

    A single crawl is spawned, unless $GOVWATCH_CRAWL_START says otherwise: the fork server
    imports and warms everything any crawl may need (attachment readers, the extractor: ~2.5 s
    of CPU) to pay it back over many crawls, and this process ends after one. Spawned, one
    crawl cost 5-12 % less CPU in all (bench/README.md, "A command at a time").
    """
    from monitor.config import source_as_record
    from monitor.crawls import run_crawls
    from monitor.progress import LiveProgress, render_table, summary_rows
    from storage import open_db
    from storage.sources import sync_sources

    stored = stored or []
    db = open_db(db_path)
    try:
        sync_sources(db, [source_as_record(s) for s in sources])
    finally:
        db.close()
    names = [s.name for s in sources] + [r["name"] for r in stored]
    start = "spawn" if len(names) == 1 and not os.environ.get("GOVWATCH_CRAWL_START") else None
    time_limits = {s.name: s.time_limit_s for s in sources}
    time_limits.update({r["name"]: int(r.get("time_limit_s") or 1800) for r in stored})
    with LiveProgress(db_path, console) as progress:
        runs = run_crawls(
            db_path, names, trigger=trigger, time_limits=time_limits, extra_settings=extra_settings,
            parallel=parallel, on_tick=progress.tick, start=start,
        )
    rows = summary_rows(db_path, runs)
    console.print(render_table(rows, f"{title} ({db_path})"))
    return rows


@main.command()
@db_option
@config_option
@click.option("--demo-url", default=DEFAULT_DEMO_URL, show_default=True, help="Address substituted for {demo}.")
@click.option("--parallel", default=2, show_default=True, type=click.IntRange(min=1),
              help="Crawls running at once (a catch-up of many sources: as `govwatch run --parallel`).")
@click.argument("names", nargs=-1)
def crawl(db_path: str, config_path: str, demo_url: str, parallel: int, names: tuple[str, ...]) -> None:
    """Crawl sources (all enabled ones when no NAMES are given) into the database.

    A NAME is looked up in the sources file, then in the database (sources added with
    `govwatch sources add` or `sources try --add`, enabled or not).
    """
    from monitor.config import ConfigError, load_sources

    with clear_errors():
        configured = {s.name: s for s in load_sources(config_path, demo_url=demo_url)}
        in_db = _stored_sources(db_path, exclude=set(configured))
        unknown = [n for n in names if n not in configured and n not in in_db]
        if unknown:
            raise ConfigError(f"{config_path}: unknown source(s) {', '.join(unknown)}; "
                              f"configured: {', '.join(configured) or 'none'}; "
                              f"only in {db_path}: {', '.join(in_db) or 'none'}")
        if names:
            chosen = [configured[n] for n in names if n in configured]
            stored = [in_db[n] for n in names if n not in configured]
        else:
            chosen = [s for s in configured.values() if s.enabled]
            stored = [r for r in in_db.values() if r.get("enabled")]
        rows = crawl_and_report(db_path, chosen, "cli", make_console(), stored=stored, parallel=parallel)
    if any(r["status"] != "ok" for r in rows):
        sys.exit(1)


@main.command()
@db_option
@config_option
@click.option("--no-serve", is_flag=True, help="Crawl and report, then exit instead of serving Datasette.")
@click.option("--site-port", default=0, show_default=True, help="Port of the demo site (0: any free port).")
@click.option("--port", default=8001, show_default=True, help="Port for Datasette.")
@click.option("--host", default="127.0.0.1", show_default=True)
def demo(db_path: str, config_path: str, no_serve: bool, site_port: int, port: int, host: str) -> None:
    """The main job on the built-in demo: serve the demo site, crawl it, store, publish.

    The site is crawled twice: once as it is, then after a scripted "second day"
    (demo/history.py: new articles, an edit, a withdrawal, a copy on the mirror …), so the
    database holds events, versions and diffs of every kind.
    """
    from demo.history import play_second_day
    from demo.server import DemoSite
    from monitor.config import ConfigError, load_sources

    console = make_console()
    site = DemoSite()
    site.start(port=site_port)
    console.print(f"demo site: {site.base_url}")
    try:
        with clear_errors():
            sources = [s for s in load_sources(config_path, demo_url=site.base_url)
                       if s.enabled and all(u.startswith(site.base_url) for u in s.start_urls)]
            if not sources:
                raise ConfigError(f"{config_path}: no enabled source uses {{demo}} start URLs")
            rows = crawl_and_report(db_path, sources, "demo", console, title="day 1: first crawl")
            play_second_day(site)
            rows += crawl_and_report(db_path, sources, "demo", console,
                                     title="day 2: re-crawl after new, edited, withdrawn and copied pages")
    finally:
        site.stop()
    failed = [r for r in rows if r["status"] != "ok"]
    if failed:
        raise UserError(f"{len(failed)} demo crawl(s) failed: {', '.join(r['source'] for r in failed)}")
    from monitor.digest.demo import demo_digest

    digest_path = demo_digest(db_path, datasette_url=f"http://{host}:{port}/{Path(db_path).stem}")
    console.print(f"digest: {digest_path}")
    if no_serve:
        return
    _serve(db_path, host, port)


@main.command("demo-site")
@click.option("--port", default=8765, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def demo_site(port: int, host: str) -> None:
    """Serve the demo site (four sources) until interrupted; see demo/README.md to change it."""
    from demo.server import serve_forever

    serve_forever(host=host, port=port)


@main.command()
@db_option
@click.option("--port", default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(db_path: str, port: int, host: str) -> None:
    """Publish the database with Datasette (read-only)."""
    _serve(db_path, host, port)


def _serve(db_path: str, host: str, port: int) -> None:
    from monitor.publish import datasette_command
    from storage import open_db
    from storage.database import StoreError

    with clear_errors():
        if not Path(db_path).exists():
            raise StoreError(f"cannot open database {db_path}: no such file (run `govwatch crawl` first)")
        open_db(db_path).close()  # bring the schema and views up to date before serving
        _check_port_free(host, port)
    command = datasette_command(db_path, host=host, port=port)
    click.echo(f"Datasette: http://{host}:{port}/  (Ctrl-C to stop)", err=False)
    sys.stdout.flush()
    os.execv(command[0], command)


def _check_port_free(host: str, port: int) -> None:
    """One line and exit 2 when the port is taken, instead of uvicorn's "[Errno 98] error while
    attempting to bind" after Datasette has started (the port is checked, then handed over)."""
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError as exc:
        raise UserError(f"cannot serve on {host}:{port}: {exc.strerror or exc} (is another `govwatch serve` "
                        f"running? choose another port with --port)") from None


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--encoding", default=None, help="Declared encoding of the files (default: detect).")
def extract(inputs: tuple[str, ...], encoding: str | None) -> None:
    """Extract articles from files, directories or URLs; one JSON line per page, in order."""
    from monitor.extract_command import extract_inputs

    failures = 0
    for record in extract_inputs(inputs, encoding=encoding):
        failures += "error" in record
        click.echo(json.dumps(record, ensure_ascii=False))
    if failures:
        sys.exit(1)


@main.command("run")
@db_option
@config_option
@click.option("--demo-url", default=DEFAULT_DEMO_URL, show_default=True, help="Address substituted for {demo}.")
@click.option("--poll", "poll_s", default=2.0, show_default=True, help="Seconds between checks for operator changes.")
@click.option("--parallel", default=2, show_default=True, type=click.IntRange(min=1), help="Crawls running at once.")
@click.option("--subscriptions", "subscriptions_path", default=str(PROJECT_ROOT / "subscriptions.yaml"),
              show_default=True, help="Digest subscriptions; the daily digest is a job of the service.")
@click.option("--redis-url", envvar="GOVWATCH_REDIS_URL", default=None, show_envvar=True,
              help="Distributed mode: crawls go to `govwatch worker`s through this Redis; this service writes their pages.")
@click.option("--backup-dir", envvar="GOVWATCH_BACKUP_DIR", default=None, show_envvar=True,
              help="Back the database up into this folder on the --backup-every schedule (off when not given).")
@click.option("--backup-every", envvar="GOVWATCH_BACKUP_EVERY", default="every 24h", show_default=True,
              help="When to back up: 'every 6h' or a cron line (UTC).")
@click.option("--backup-keep", envvar="GOVWATCH_BACKUP_KEEP", default=7, show_default=True, type=int,
              help="How many backups to keep; older ones are removed after each new one.")
@click.option("--backup-compress", envvar="GOVWATCH_BACKUP_COMPRESS", default="zstd", show_default=True,
              type=click.Choice(["none", "gzip", "zstd"]))
@click.option("--raw-html-keep-days", envvar="GOVWATCH_RAW_HTML_KEEP_DAYS", default=None, type=int, show_envvar=True,
              help="Daily, drop the raw HTML of versions older than this of articles that never changed "
                   "(text and hashes are kept). Off when not given.")
@click.option("--run-log-keep-days", envvar="GOVWATCH_RUN_LOG_KEEP_DAYS", default=RUN_LOG_KEEP_DAYS, show_default=True,
              type=click.IntRange(min=0), show_envvar=True,
              help="Daily, drop the log tails and fetch errors of runs older than this (each run's status, "
                   "counts and message are kept, and all of each source's latest run); 0 keeps them.")
def run_service(db_path: str, config_path: str, demo_url: str, poll_s: float, parallel: int,
                subscriptions_path: str, redis_url: str | None, backup_dir: str | None, backup_every: str,
                backup_keep: int, backup_compress: str, raw_html_keep_days: int | None,
                run_log_keep_days: int) -> None:
    """Run the scheduler service until SIGTERM/SIGINT: each enabled source on its schedule."""
    import logging

    from monitor.malloc_arenas import run_on_system_malloc

    run_on_system_malloc()  # re-executes this process once (monitor/malloc_arenas.py)

    from monitor.backups import BackupSettings
    from monitor.service import CrawlService, ServiceOptions

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    with clear_errors():
        jobs = _digest_jobs(db_path, subscriptions_path)
        if backup_dir:
            try:
                settings = BackupSettings(Path(backup_dir), backup_every, backup_keep, backup_compress)
            except ValueError as exc:
                raise UserError(f"--backup-*: {exc}") from None
            jobs.append(settings.job(db_path))
        from monitor.retention import retention_job

        try:
            retention = retention_job(db_path, raw_html_keep_days, run_log_keep_days)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        if retention is not None:
            jobs.append(retention)
        options = ServiceOptions(poll_s=poll_s, parallel=parallel, demo_url=demo_url, redis_url=redis_url,
                                 extra_jobs=jobs)
        CrawlService(db_path, config_path, options).run_forever()


def _digest_jobs(db_path: str, subscriptions_path: str) -> list:
    """The daily digest as a job of the service, at `digest_time`, when digests are configured."""
    from apscheduler.triggers.cron import CronTrigger

    from monitor.digest.jobs import send_daily_digests
    from monitor.digest.subscriptions import load_subscriptions

    if not Path(subscriptions_path).exists():
        return []
    settings = load_subscriptions(subscriptions_path)
    hour, minute = settings.digest_time.split(":")
    trigger = CronTrigger(hour=int(hour), minute=int(minute), timezone=settings.timezone)
    return [(send_daily_digests, trigger, "daily-digests", [db_path, subscriptions_path])]


@main.command()
@db_option
@click.option("--compress", type=click.Choice(["none", "gzip", "zstd"]), default=None,
              help="Compression (default: from DEST's suffix, .gz or .zst; none otherwise).")
@click.argument("dest")
def backup(db_path: str, compress: str | None, dest: str) -> None:
    """Copy the database to DEST (a file, or a folder for a dated name), safely while crawls write.

    The copy is checked with SQLite's integrity_check before it is kept.
    """
    from monitor.backups import backup_name
    from storage import open_db
    from storage.backups import BackupError, backup_database, compression_of
    from storage.database import StoreError

    with clear_errors():
        if not Path(db_path).is_file():
            raise StoreError(f"cannot open database {db_path}: no such file")
        open_db(db_path).close()  # back up a migrated store, so a restore needs no migration
        target = Path(dest)
        kind = compress or (compression_of(target) if not target.is_dir() else "zstd")
        if target.is_dir():
            target = target / backup_name(db_path, kind)
        try:
            report = backup_database(db_path, target, kind)
        except BackupError as exc:
            raise UserError(str(exc)) from None
    counts = ", ".join(f"{n} {t}" for t, n in report.counts.items())
    click.echo(f"backup {report.path}: {report.bytes} bytes ({report.compression}), integrity ok; {counts}")


@main.command()
@db_option
@click.option("--force", is_flag=True, help="Replace an existing database.")
@click.argument("src")
def restore(db_path: str, force: bool, src: str) -> None:
    """Restore the database from a backup file SRC (.db, .db.gz or .db.zst), checked first.

    Stop `govwatch run` and `govwatch serve` first: a process holding the old file open would
    go on using it.
    """
    from storage import open_db
    from storage.backups import BackupError, restore_database
    from storage.control import running_service

    with clear_errors():
        if Path(db_path).exists():
            if not force:
                raise UserError(f"{db_path} exists; pass --force to replace it with {src}")
            db = existing_db(db_path)
            try:
                service = running_service(db)
            finally:
                db.close()
            if service:
                raise UserError(f"a `govwatch run` service (pid {service['pid']} on {service['host']}) is using "
                                f"{db_path}; stop it before restoring")
        try:
            counts = restore_database(src, db_path)
        except BackupError as exc:
            raise UserError(str(exc)) from None
        open_db(db_path).close()  # a backup of an older release is migrated now, not at first use
    click.echo(f"restored {db_path} from {src}: " + ", ".join(f"{n} {t}" for t, n in counts.items()))


@main.command()
@db_option
def stats(db_path: str) -> None:
    """Where the database's bytes go: text, versions, raw HTML, search index, events, other."""
    from rich.table import Table

    from storage.footprint import PART_ORDER, measure_footprint

    with clear_errors():
        db = existing_db(db_path)
        footprint = measure_footprint(db)
    table = Table(title=f"{db_path}: {footprint.articles} articles, {footprint.versions} versions, "
                        f"{footprint.file_bytes / 1e6:.1f} MB")
    for column in ("part", "MB", "share", "bytes per article"):
        table.add_column(column, justify="left" if column == "part" else "right")
    for part in PART_ORDER:
        size = footprint.bytes_by_part.get(part, 0)
        table.add_row(part, f"{size / 1e6:.2f}", f"{size / max(footprint.total, 1):.0%}",
                      f"{footprint.per_article(part):,.0f}")
    table.add_row("all", f"{footprint.total / 1e6:.2f}", "100%",
                  f"{footprint.total / max(footprint.articles, 1):,.0f}")
    make_console().print(table)


@main.command("prune-raw-html")
@db_option
@click.option("--older-than-days", type=click.IntRange(min=1), required=True,
              help="Versions fetched longer ago than this lose their raw HTML, if their article never changed.")
def prune_raw_html_command(db_path: str, older_than_days: int) -> None:
    """Drop raw HTML of old versions of articles that never changed (text, hashes and sizes stay)."""
    from storage.raw_bodies import prune_raw_bodies

    with clear_errors():
        db = existing_db(db_path)
        pruned = prune_raw_bodies(db, older_than_days)
    click.echo(f"dropped the raw HTML of {pruned} version(s); run `govwatch backup` for a compacted copy")


@main.command("prune-run-logs")
@db_option
@click.option("--older-than-days", type=click.IntRange(min=1), required=True,
              help="Runs that finished longer ago than this lose their log tail and fetch errors.")
def prune_run_logs_command(db_path: str, older_than_days: int) -> None:
    """Drop the log tails and fetch errors of old runs (their status, counts and message stay,
    and all of each source's latest run); `govwatch run` does it daily after 30 days."""
    from storage.runs import prune_run_logs

    with clear_errors():
        db = existing_db(db_path)
        pruned = prune_run_logs(db, older_than_days)
    click.echo(f"dropped the log tails and fetch errors of {pruned} run(s); run `govwatch backup` for a compacted copy")


@main.group(cls=LazyGroup, lazy_subcommands={
    "try": "monitor.sources_cli:sources_try",
    "enable": "monitor.sources_cli:sources_enable",
    "disable": "monitor.sources_cli:sources_disable",
    "profile": "monitor.sources_cli:sources_profile",
})
def sources() -> None:
    """Inspect and change sources; a running `govwatch run` picks changes up within seconds."""


@sources.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def sources_list(db_path: str, as_json: bool) -> None:
    """Sources with schedule, next run, last run and its result, and health flags."""
    from monitor.operator_view import source_overview

    with clear_errors():
        db = existing_db(db_path)
        rows = source_overview(db)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    from rich.markup import escape
    from rich.table import Table

    # Times in Beijing time, short; the name never wraps (on 80 columns it used to be cut).
    # Why a source is flagged goes under the table, one line each, whatever the width.
    # `--json` keeps UTC and every field.
    table = Table(caption=f"times: Beijing ({DEFAULT_TIMEZONE}); --json for UTC and every field")
    table.add_column("name", no_wrap=True)
    table.add_column("health", no_wrap=True)
    for column in ("last run", "next run", "schedule", "new", "errors", "list profile"):
        table.add_column(column)
    for row in rows:
        state = "" if row["state"] == "active" else f" ({row['state']})"
        table.add_row(row["name"], row["status"] + state, _beijing(row["last_run_at"]) or "never",
                      _beijing(row["next_run_at"]) or "-", row["schedule"] or "", _cell(row["last_new"]),
                      _cell(row["last_errors"]), _profiles_cell(row["list_profiles"]))
    console = make_console()
    console.print(table)
    for row in rows:
        for flag in row["health"]:
            # escaped: messages quote URLs and list regions of crawled sites, which must not be rich markup
            console.print(f"{escape(row['name'])}: {escape(flag)}", soft_wrap=True)


def _beijing(moment: str | None) -> str:
    """A stored UTC instant as Beijing month-day hour:minute (what fits a terminal column)."""
    if not moment:
        return ""
    return datetime.fromisoformat(moment).astimezone(ZoneInfo(DEFAULT_TIMEZONE)).strftime("%m-%d %H:%M")


def _profiles_cell(profiles: dict) -> str:
    """How many start pages have a learned list profile, and how many are pinned (details:
    `sources profile NAME` or `--json`)."""
    pinned = sum(p["pinned"] for p in profiles.values())
    learned = len(profiles) - pinned
    return ", ".join(part for part in (f"{learned} learned" if learned else "", f"{pinned} pinned" if pinned else "")
                     if part) or "none yet"


def _cell(value: object) -> str:
    return "" if value is None else str(value)


@sources.command("schedule")
@db_option
@click.argument("name")
@click.argument("spec")
def sources_schedule(db_path: str, name: str, spec: str) -> None:
    """Change a source's schedule: a cron line ("0 8 * * *") or "every 2h"."""
    from monitor.schedules import parse_schedule
    from storage.control import set_schedule
    from storage.sources import get_source

    with clear_errors():
        db = existing_db(db_path)
        source = get_source(db, name)
        try:
            parse_schedule(spec, source.get("timezone") or DEFAULT_TIMEZONE)
        except ValueError as exc:
            raise UserError(f"schedule for {name} refused: {exc}") from None
        set_schedule(db, name, spec)
    click.echo(f"{name}: schedule is now {spec!r}{service_note(db)}")


@sources.command("pause")
@db_option
@click.argument("name")
def sources_pause(db_path: str, name: str) -> None:
    """Stop scheduling a source (a running crawl finishes)."""
    _set_paused(db_path, name, True)


@sources.command("resume")
@db_option
@click.argument("name")
def sources_resume(db_path: str, name: str) -> None:
    """Schedule a paused source again."""
    _set_paused(db_path, name, False)


def _set_paused(db_path: str, name: str, paused: bool) -> None:
    from storage.control import set_paused

    with clear_errors():
        db = existing_db(db_path)
        set_paused(db, name, paused)
    click.echo(f"{name}: {'paused' if paused else 'resumed'}{service_note(db)}")


@sources.command("run")
@db_option
@click.argument("name")
def sources_run(db_path: str, name: str) -> None:
    """Ask the running service to crawl a source now."""
    from storage.control import request_run, running_service
    from storage.sources import get_source

    with clear_errors():
        db = existing_db(db_path)
        get_source(db, name)  # an unknown source is named as such, service or not
        if running_service(db) is None:
            raise UserError(f"no `govwatch run` service is running on {db_path}; "
                            f"crawl it directly with `govwatch crawl {name}`")
        request_id = request_run(db, name, requested_by="cli")
    click.echo(f"{name}: run requested (request {request_id}); the service starts it within seconds")


@sources.command("add")
@db_option
@click.argument("snippet", type=click.File("r", encoding="utf-8"))
@click.option("--enable", is_flag=True, help="Schedule it at once (default: added disabled; see `sources enable`).")
def sources_add(db_path: str, snippet, enable: bool) -> None:
    """Add a source from a YAML snippet (a file, or - for stdin) with the fields of sources.yaml.

    It is added disabled unless --enable is given: try it first with `govwatch crawl NAME`.
    """
    from monitor.config import parse_source_snippet, source_as_record
    from storage.control import add_source

    with clear_errors():
        source = parse_source_snippet(snippet.read(), origin=snippet.name)
        source.enabled = enable
        db = existing_db(db_path, create=True)
        try:
            add_source(db, source_as_record(source))
        except ValueError as exc:
            raise UserError(str(exc)) from None
    state = "enabled" if enable else f"disabled; `govwatch sources enable {source.name}` schedules it"
    click.echo(f"{source.name}: added ({source.schedule}, {state}){service_note(db)}")


def _stored_sources(db_path: str, exclude: set[str]) -> dict[str, dict]:
    """name → config of the sources only the database holds (none when it does not exist yet)."""
    from storage import open_db
    from storage.sources import get_source, source_names

    if not Path(db_path).exists():
        return {}
    db = open_db(db_path)
    try:
        return {name: get_source(db, name) for name in source_names(db) if name not in exclude}
    finally:
        db.close()


@main.command("operator-password")
@click.password_option(help="The operator's password (asked for when not given).")
def operator_password(password: str) -> None:
    """Print the hash to put in GOVWATCH_OPERATOR_PASSWORD_HASH for the operator page's sign-in."""
    from datasette_auth_passwords.utils import hash_password

    if not password.strip():
        raise UserError("the operator password must not be empty")
    click.echo(hash_password(password))


if __name__ == "__main__":
    main()
