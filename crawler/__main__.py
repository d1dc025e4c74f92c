"""`python -m crawler crawl source -a source=NAME …`: Scrapy's command line, without the teardown.

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


def run_scrapy(args: Sequence[str]) -> NoReturn:
    """Run `scrapy ARGS…` in this process, then end it with os._exit (no module teardown).

    Shared with the fork server's children (crawler/fork_server.py), which must never return
    into the server's loop.
    """
    from scrapy.cmdline import execute

    try:
        execute(argv=["scrapy", *args])
        code = 0
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
