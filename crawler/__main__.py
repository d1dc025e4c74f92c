"""`python -m crawler crawl source -a source=NAME …`: Scrapy's crawl command, without the teardown.

Why: once a crawl has closed its store and recorded its run, the interpreter still spends
~0.35 s freeing every module of Scrapy, Twisted, lxml and trafilatura (bench/README.md).
govwatch starts one process per crawl, so that would be paid by every scheduled crawl and
every crawl in the tests. Here the exit handlers run as usual (multiprocessing's, logging's)
and threads are joined; only the module teardown is skipped.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # Scrapy's default, as its command line tests it


def run_scrapy(args: Sequence[str]) -> NoReturn:
    """Run `scrapy ARGS…` in this process, then end it with os._exit (no module teardown).

    Shared with the fork server's children (crawler/fork_server.py), which must never return
    into the server's loop.
    """
    try:
        code = _run(list(args))
    except SystemExit as stop:
        code = _exit_code(stop.code)
    except BaseException:  # noqa: BLE001  a crash is this crawl's alone: report it and end with a failure code
        import traceback

        traceback.print_exc()
        code = 1
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _run(args: list[str]) -> int:
    """The crawl `args` name, run as Scrapy's `crawl` command runs it; other commands through
    Scrapy's command line.

    Why not always the command line: to find `crawl` it imports every Scrapy command module
    (`bench` brings unittest, `shell` the interactive console) and scans entry points for
    plugins, ~0.25 s of CPU in a spawned crawl of an unchanged 20-article source (1.80 s against
    2.05 s, bench/README.md "A command at a time"). govwatch starts its crawls with exactly
    `crawl SPIDER (-a K=V | -s K=V)…` (crawler.crawl_worker.crawl_spec), which this runs as the
    command would: the -s settings at its "cmdline" priority, the same choice of crawler
    process, exit status 1 when the crawl could not start.
    """
    from crawler.crawl_worker import crawl_spec

    spec = crawl_spec(args)
    if spec is None:
        from scrapy.cmdline import execute

        execute(argv=["scrapy", *args])
        return 0
    from scrapy.crawler import AsyncCrawlerProcess, CrawlerProcess
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.setdict(spec.settings, priority="cmdline")
    asyncio_reactor = settings["TWISTED_REACTOR"] == ASYNCIO_REACTOR and not settings.getbool("FORCE_CRAWLER_PROCESS")
    process_class = AsyncCrawlerProcess if asyncio_reactor or not settings.getbool("TWISTED_REACTOR_ENABLED") \
        else CrawlerProcess
    process = process_class(settings)
    process.crawl(spec.spider, **spec.spider_args)
    process.start()
    return 1 if process.bootstrap_failed else 0


def main() -> None:
    run_scrapy(sys.argv[1:])


def _exit_code(code: object) -> int:
    """sys.exit's argument as a process exit status (a message is printed, as Python does)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    main()
