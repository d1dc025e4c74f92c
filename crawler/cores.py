"""How many extraction workers a crawl gets: a module of its own because the monitor asks before
every crawl it starts, and `crawler.extraction_pool` imports the extractor (trafilatura, lxml:
~0.6 s of CPU that `govwatch crawl` paid for this one line; bench/README.md, "A crawl command's
own CPU")."""

from __future__ import annotations

import os


def default_workers(parallel_crawls: int = 1) -> int:
    """Workers per crawl: the cores shared between the crawls that run at once (at least one)."""
    return max(1, (os.cpu_count() or 1) // max(1, parallel_crawls))
