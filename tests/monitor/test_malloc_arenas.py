"""The service's malloc arena cap: with it, eight allocating threads share two arenas."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

# Eight threads allocate at once; glibc's malloc_info() then lists one <heap> per arena.
PROBE = """
import ctypes, sys, tempfile, threading, time
from monitor.malloc_arenas import limit_malloc_arenas
if sys.argv[1] == "cap":
    assert limit_malloc_arenas() is True
libc = ctypes.CDLL(None)
done = threading.Event()
def allocate():
    held = [bytearray(1000) for _ in range(20000)]
    done.wait()
threads = [threading.Thread(target=allocate) for _ in range(8)]
for t in threads:
    t.start()
time.sleep(0.5)
path = tempfile.mktemp()
libc.fopen.restype = ctypes.c_void_p
handle = libc.fopen(path.encode(), b"w")
libc.malloc_info(0, ctypes.c_void_p(handle))
libc.fclose(ctypes.c_void_p(handle))
done.set()
print(open(path).read().count("<heap nr="))
"""


def arenas(mode: str, env: dict[str, str] | None = None) -> int:
    import os

    environment = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    result = subprocess.run([sys.executable, "-c", PROBE, mode], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=60, check=True, env={**environment, **(env or {}), "PYTHONPATH": str(PROJECT_ROOT)})
    return int(result.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's arenas")
@pytest.mark.slow
def test_capped_service_uses_two_arenas_where_threads_would_make_more():
    assert arenas("default") > 2
    assert arenas("cap") <= 2


def test_an_explicit_environment_setting_wins():
    import os

    from monitor.malloc_arenas import limit_malloc_arenas

    os.environ["MALLOC_ARENA_MAX"] = "4"
    try:
        assert limit_malloc_arenas() is False
    finally:
        del os.environ["MALLOC_ARENA_MAX"]


# Many 1 KB buffers (above pymalloc's 512-byte limit, so they come from malloc), nine of ten freed:
# the freed chunks lie between live ones, below the heap's top, so glibc keeps their pages.
TRIM_PROBE = """
import re
from monitor.malloc_arenas import give_back_free_memory
def rss_mb():
    return int(re.search(r"VmRSS:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024
held = [bytes(1024) + bytes([i % 256]) for i in range(150_000)]
kept = held[::10]
del held
before = rss_mb()
assert give_back_free_memory() is True
print(before, rss_mb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_memory_between_live_chunks_goes_back_to_the_system():
    result = subprocess.run([sys.executable, "-c", TRIM_PROBE], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=60, check=True, env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"})
    before, after = (float(v) for v in result.stdout.split())
    assert before - after > 60, (before, after)  # ~135 MB of the ~150 MB freed comes back


def _start_service(tmp_path) -> subprocess.Popen:
    """`python -m monitor run` as an operator starts it (so it re-executes itself), one source
    that is never due, no allocator chosen in its environment; output on its stdout pipe."""
    import os

    config = tmp_path / "sources.yaml"
    config.write_text('sources:\n  - name: nowhere\n    start_urls: ["http://127.0.0.1:9/list.html"]\n'
                      '    schedule: every 1h\n', encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONMALLOC", "GOVWATCH_MALLOC_REEXEC")}
    return subprocess.Popen([sys.executable, "-m", "monitor", "run", "--db", str(tmp_path / "g.db"),
                             "--config", str(config), "--subscriptions", str(tmp_path / "none.yaml")],
                            cwd=PROJECT_ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_service_runs_on_system_malloc_and_its_crawls_do_not(tmp_path):
    """`govwatch run` re-executes itself once with PYTHONMALLOC=malloc (same pid: systemd and
    the soak hold it); the fork server it starts, and so every crawl, keeps pymalloc."""
    import signal
    import time

    from bench.soak import children

    service = _start_service(tmp_path)
    try:
        deadline = time.monotonic() + 60
        fork_server = None
        while fork_server is None and time.monotonic() < deadline:
            fork_server = next((pid for pid in children(service.pid)
                                if b"crawler.fork_server" in _read(f"/proc/{pid}/cmdline")), None)
            time.sleep(0.2)
        assert fork_server is not None, "the service started no fork server"
        assert b"PYTHONMALLOC=malloc" in _read(f"/proc/{service.pid}/environ").split(b"\0")
        assert b"-m\0monitor\0run" in _read(f"/proc/{service.pid}/cmdline")
        assert not any(v.startswith((b"PYTHONMALLOC=", b"GOVWATCH_MALLOC_REEXEC="))
                       for v in _read(f"/proc/{fork_server}/environ").split(b"\0"))
    finally:
        service.send_signal(signal.SIGTERM)
        output, _ = service.communicate(timeout=60)
    assert service.returncode == 0, output.decode(errors="replace")[-2000:]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_a_stop_during_the_reexecuted_start_up_is_a_clean_stop(tmp_path):
    """SIGTERM while the re-executed interpreter is still importing (no handler yet) waits,
    blocked, and stops the service cleanly once it has started: exit 0, its run closed as
    stopped. Before, it ended the process with -15 mid-start (the soak's last restart saw it)."""
    import signal
    import sqlite3
    import time

    service = _start_service(tmp_path)
    deadline = time.monotonic() + 30
    while b"PYTHONMALLOC=malloc" not in _read(f"/proc/{service.pid}/environ").split(b"\0"):
        assert time.monotonic() < deadline and service.poll() is None, "the service did not re-execute itself"
        time.sleep(0.002)
    service.send_signal(signal.SIGTERM)  # the new interpreter has just begun: imports take ~1 s
    output, _ = service.communicate(timeout=60)
    assert service.returncode == 0, output.decode(errors="replace")[-2000:]
    assert b"govwatch service started" in output and b"stopping" in output
    with sqlite3.connect(tmp_path / "g.db") as db:
        assert db.execute("select count(*) from service_status where stopped_at is not null").fetchone()[0] == 1


@pytest.mark.parametrize(("argv", "reexec"), [
    (["/venv/bin/python", "/venv/bin/govwatch", "run"], True),
    (["python3", "-m", "monitor", "run", "--poll", "1"], True),
    (["python3", "-X", "importtime", "-u", "-m", "monitor", "run"], True),
    (["python3", "-m", "pytest", "tests/monitor"], False),  # CliRunner inside a test run: never replaced
    (["python3", "-c", "from monitor.cli import main; main()"], False),
])
def test_only_the_services_own_process_is_reexecuted(monkeypatch, argv, reexec):
    from monitor import malloc_arenas

    monkeypatch.setattr(sys, "orig_argv", argv)
    assert malloc_arenas._started_as_govwatch() is reexec


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""
