"""What a person sees while crawls run: a live table on a terminal, a plain summary otherwise."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Self

from rich.console import Console
from rich.live import Live
from rich.table import Table

from monitor.crawls import CrawlJob
from storage import open_db

SUMMARY_COLUMNS = ("source", "status", "pages", "articles", "new", "changed", "withdrawn", "errors", "seconds")


def summary_rows(db_path: str | Path, runs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per finished run: what the crawl fetched and what the store now holds."""
    db = open_db(db_path)
    try:
        rows = []
        for run in runs:
            held = db.execute("select count(*) from articles where source = ?", [run["source"]]).fetchone()[0]
            rows.append({
                "source": run["source"], "status": run["status"], "pages": run["pages_fetched"], "articles": held,
                "new": run["articles_new"], "changed": run["articles_changed"],
                "withdrawn": run["articles_withdrawn"], "errors": run["errors"], "seconds": run.get("seconds"),
            })
        return rows
    finally:
        db.close()


def render_table(rows: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title)
    for column in SUMMARY_COLUMNS:
        table.add_column(column, justify="left" if column in ("source", "status") else "right")
    for row in rows:
        table.add_row(*(str(row.get(c, "")) for c in SUMMARY_COLUMNS))
    return table


class LiveProgress:
    """Polls the runs table while crawls run and redraws a table of them (terminal only)."""

    def __init__(self, db_path: str | Path, console: Console) -> None:
        self.db_path = db_path
        self.console = console
        self.live: Live | None = None

    def __enter__(self) -> Self:
        if self.console.is_terminal:
            self.live = Live(console=self.console, refresh_per_second=4, transient=True)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live:
            self.live.__exit__(*exc)

    def tick(self, running: list[CrawlJob], finished: list[dict[str, Any]]) -> None:
        if self.live is None:
            return
        db = open_db(self.db_path, migrate=False)
        try:
            current = [db["crawl_runs"].get(job.run_id) for job in running]
        finally:
            db.close()
        rows = summary_rows(self.db_path, [*finished, *current])
        self.live.update(render_table(rows, "crawling…"))
