"""Where the bytes of the store go: every table and index page counted (SQLite's `dbstat`),
grouped into the parts an operator can act on (text, versions, raw HTML, search index,
attachments, events, runs).

`govwatch stats` prints it; `python -m bench.growth` measures it per article on real pages.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from storage.attachments import FTS_TABLE as ATTACHMENTS_FTS
from storage.search import FTS_TABLE

# Table → part. Indexes count with their table; FTS5 shadow tables (articles_fts_data, …) with
# the search index, the attachments' (attachments_fts_data, …) with the attachments; anything not
# named here (copies, list pages, schedules …) is "other". Runs are a part of their own: they
# grow with the crawls, not the articles (storage/runs.py prune_run_logs keeps them in check).
PARTS = {
    "articles": "text",
    "article_versions": "versions",
    "raw_bodies": "raw HTML",
    "body_dictionaries": "raw HTML",
    "attachments": "attachments",
    "attachment_versions": "attachments",
    "attachment_files": "attachments",
    "events": "events",
    "crawl_runs": "runs",
    "fetch_errors": "runs",
}
PART_ORDER = ("text", "versions", "raw HTML", "search index", "attachments", "events", "runs", "other", "free pages")


@dataclass(frozen=True)
class Footprint:
    bytes_by_part: dict[str, int]
    articles: int
    versions: int
    file_bytes: int

    def per_article(self, part: str) -> float:
        return self.bytes_by_part.get(part, 0) / self.articles if self.articles else 0.0

    @property
    def total(self) -> int:
        return sum(self.bytes_by_part.values())


def measure_footprint(db: sqlite_utils.Database) -> Footprint:
    """Bytes per part, from the pages SQLite holds (so they add up to the file's size)."""
    owner = {name: table for name, table in db.execute("select name, tbl_name from sqlite_master")}
    by_part = dict.fromkeys(PART_ORDER, 0)
    for name, size in db.execute("select name, sum(pgsize) from dbstat group by name"):
        table = owner.get(name, name)
        if table.startswith(FTS_TABLE):
            part = "search index"
        elif table.startswith(ATTACHMENTS_FTS):
            part = "attachments"
        else:
            part = PARTS.get(table, "other")
        by_part[part] += size
    page_size = db.execute("pragma page_size").fetchone()[0]
    by_part["free pages"] = db.execute("pragma freelist_count").fetchone()[0] * page_size
    pages = db.execute("pragma page_count").fetchone()[0]
    by_part["other"] += pages * page_size - sum(by_part.values())  # the header page and the like
    articles = db.execute("select count(*) from articles").fetchone()[0]
    versions = db.execute("select count(*) from article_versions").fetchone()[0]
    return Footprint(by_part, articles, versions, pages * page_size)
