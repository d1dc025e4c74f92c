"""A warm forkserver for a forked crawl's worker pools: forked from the crawl, not started anew.

Why: a crawl's extraction pool and attachment readers (crawler/extraction_pool.py,
crawler/attachments/pool.py) use multiprocessing's "forkserver" start method, because forking
the crawl itself once its reactor runs would copy its threads and their locks. multiprocessing
starts that forkserver as a new Python that imports its preload list: ~0.2 s of CPU for the
readers, ~0.7 s for the extractor, and each worker then imports what the list left out. A crawl
forked from crawler/fork_server.py already holds all of it, imported, warmed and frozen, and is
still single-threaded before Scrapy starts. So there the crawl forks multiprocessing's own
forkserver loop (`multiprocessing.forkserver.main`) once, and points multiprocessing at it: the
pools' workers are forks of a warm process (bench/README.md, "A crawl command's own CPU").

The loop ends when the crawl does (its "alive" pipe closes, even on kill -9), as the forkserver
multiprocessing starts would. A fork of the ~120 MB crawl and its exit cost ~15 ms of CPU, ~7 %
of an unchanged 20-article re-check, which seldom starts a pool: so only a first crawl (the
monitor finds no article of the source in the store) asks for it; the rest keep
multiprocessing's own forkserver, started if a pool is. This leans on multiprocessing's private
forkserver state (Python 3.11); if that is not there, or the process already has threads,
nothing is done and multiprocessing starts its forkserver as before.
"""

from __future__ import annotations

import os
import socket
import threading

_STATE = ("_forkserver_address", "_forkserver_alive_fd", "_forkserver_pid", "_lock")
_warm_pid: int | None = None  # this crawl's warm forkserver, once forked


def warm_forkserver_pid() -> int | None:
    """The pid of this crawl's warm forkserver, None if it has none (for its stats)."""
    return _warm_pid


def start_warm_forkserver() -> int | None:
    """Fork this process into multiprocessing's forkserver loop; its pid, or None if not done."""
    global _warm_pid
    from multiprocessing import connection, forkserver

    server = getattr(forkserver, "_forkserver", None)
    if server is None or not all(hasattr(server, name) for name in _STATE) or server._forkserver_pid is not None:
        return None
    if threading.active_count() != 1 or not callable(getattr(forkserver, "main", None)):
        return None  # a fork would copy the other threads' locks
    address = connection.arbitrary_address("AF_UNIX")
    listener = socket.socket(socket.AF_UNIX)
    pipe: tuple[int, ...] = ()
    try:
        listener.bind(address)
        os.chmod(address, 0o600)  # as multiprocessing does: only this user may ask for a fork
        listener.listen()
        pipe = alive_r, alive_w = os.pipe()
        pid = os.fork()
    except OSError:  # no fork (out of memory or processes): multiprocessing starts its own later
        listener.close()
        for fd in pipe:
            os.close(fd)
        return None
    if pid == 0:  # the forkserver: serve until the crawl's end closes alive_w, never return
        code = 1
        try:
            os.close(alive_w)
            forkserver.main(listener.fileno(), alive_r, [])
        except SystemExit:  # how the loop ends when the crawl has gone
            code = 0
        finally:
            os._exit(code)
    listener.close()
    os.close(alive_r)
    with server._lock:
        server._forkserver_address, server._forkserver_alive_fd, server._forkserver_pid = address, alive_w, pid
    _warm_pid = pid
    return pid
