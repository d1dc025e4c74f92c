"""The unchanged re-crawl: what a second crawl of a site that has not changed costs.

Why it matters: most crawls of a government site find nothing new. A monitor that re-fetches
and re-extracts every page each time pays the full first-crawl price every two hours; one
that sends conditional GETs (If-None-Match / If-Modified-Since from the validators it stored)
gets a 304 with no body and skips extraction. The figures are the re-crawl's seconds and
bytes as a share of the first crawl's, split into article pages and the rest (list pages,
conditional too once their last full fetch was kept, and robots.txt).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.crawl_speed import CrawlFigures, crawl
from bench.nginx import Nginx


def recrawl(db_path: Path, source: str, server: Nginx, first: CrawlFigures) -> dict[str, Any]:
    """Crawl `source` again, unchanged, and compare it with its first crawl."""
    offset = server.log_offset()
    again = crawl(db_path, source, server)
    traffic = server.traffic_since(offset)
    return {
        "crawl": again.as_dict(),
        "checks": again.articles,
        "checks_per_s": again.pages_per_s,
        "seconds": again.wall_s,
        "first_seconds": first.wall_s,
        "seconds_share": again.wall_s / first.wall_s,
        "bytes": again.bytes_sent,
        "first_bytes": first.bytes_sent,
        "bytes_share": again.bytes_sent / first.bytes_sent,
        "not_modified": traffic.article_not_modified,
        "lists_not_modified": traffic.by_status.get(304, 0) - traffic.article_not_modified,
        "article_bytes": traffic.article_bytes,
        "other_bytes": traffic.bytes_sent - traffic.article_bytes,
        "cpu_ms_per_check": again.cpu_ms_per_page,
    }
