"""`govwatch worker`, `govwatch store-writer`, `govwatch enqueue`: the commands of distributed mode.

Registered by monitor/cli.py. redis is imported inside the commands only, so the other
govwatch commands never load it.
"""

from __future__ import annotations

import logging
import signal
import threading

import click

from monitor.cli_common import UserError, db_option

REDIS_URL_ENV = "GOVWATCH_REDIS_URL"

redis_option = click.option(
    "--redis-url", envvar=REDIS_URL_ENV, required=True, show_envvar=True,
    help="Redis shared by the scheduler, the workers and the store writer, e.g. redis://host:6379/0.",
)


@click.command("worker")
@redis_option
@click.option("--concurrency", type=int, default=None, help="Requests in flight in this worker (CONCURRENT_REQUESTS).")
@click.option("--lease-ttl", "lease_ttl_s", type=float, default=None,
              help="Seconds without a heartbeat after which this worker's requests are given to others (30).")
@click.option("--exit-when-idle", "exit_idle_s", type=float, default=None,
              help="Leave after this many seconds without work (default: wait forever).")
@click.option("--log-level", default="INFO", show_default=True)
def worker_command(redis_url: str, concurrency: int | None, lease_ttl_s: float | None, exit_idle_s: float | None,
                   log_level: str) -> None:
    """Crawl queued runs from Redis, on this machine, until stopped (any number of workers, anywhere).

    Workers need no database: pages are extracted here and sent to the store writer.
    """
    from monitor.distributed import exec_worker
    from monitor.distributed import worker_command as command_line

    exec_worker(command_line(redis_url, concurrency=concurrency, lease_ttl_s=lease_ttl_s, exit_idle_s=exit_idle_s,
                             log_level=log_level))


@click.command("store-writer")
@redis_option
@db_option
@click.option("--batch", default=200, show_default=True, help="Stream entries written per transaction.")
def store_writer_command(redis_url: str, db_path: str, batch: int) -> None:
    """Write what the workers crawled into the database (run exactly one, next to the database)."""
    from monitor.distributed import StoreWriter

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        StoreWriter(redis_url, db_path, batch=batch).run(stop)
    except RuntimeError as exc:
        raise UserError(str(exc)) from None


@click.command("enqueue")
@redis_option
@db_option
@click.argument("names", nargs=-1, required=True)
def enqueue_command(redis_url: str, db_path: str, names: tuple[str, ...]) -> None:
    """Queue a crawl of the named sources for the workers; print each run id.

    The sources must be in the database (`govwatch crawl` or `govwatch run` syncs sources.yaml).
    """
    from monitor.distributed import RunInProgress, enqueue_crawl
    from storage.database import StoreError
    from storage.sources import UnknownSource

    for name in names:
        try:
            run_id = enqueue_crawl(redis_url, db_path, name, trigger="cli")
        except RunInProgress as exc:
            click.echo(f"{name}: skipped, {exc}")
            continue
        except (UnknownSource, StoreError) as exc:
            raise UserError(str(exc.args[0] if isinstance(exc, UnknownSource) else exc)) from None
        click.echo(f"{name}: run {run_id} queued")


