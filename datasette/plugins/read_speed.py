"""Read connections that reach the store's pages without a system call each.

Datasette reads through SQLite's page cache (2 MB by default); a search over a large store
(200,000 articles, ~1 GB) touches hundreds of thousands of table pages per query (every match
is looked up for the count, the facets and the sort), and each page outside that cache was a
read() of the OS's copy of the file. Mapping the file lets SQLite use the OS's copy in place:
bench.search_scale measured the table search's count and facets ~2x faster (bench/README.md,
"Search at scale"). Writers are unaffected: Datasette's connections are read-only and WAL mode
keeps readers and the crawler's writes apart either way.
"""

from __future__ import annotations

from datasette import hookimpl

# Larger than any store we expect; SQLite maps only what the file holds (and no more than its
# compile-time SQLITE_MAX_MMAP_SIZE), so a small store costs nothing extra.
MMAP_BYTES = 8 * 1024 * 1024 * 1024


@hookimpl
def prepare_connection(conn):
    conn.execute(f"pragma mmap_size = {MMAP_BYTES}")
