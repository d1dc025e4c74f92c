"""Issue 19 items 6 and 7, at the command line: bad input gets one line and exit status 2,
and a hostile page cannot take `govwatch extract`'s memory."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time

import pytest

from monitor.config import ConfigError, load_sources
from tests.conftest import PROJECT_ROOT, govwatch
from tests.security.hostile_site import HostileSite, notice

# Runs `govwatch ARGS…` and prints its own peak RSS (KB) last on stderr, however it exits.
PEAK_RSS = ("import resource, runpy, sys\nsys.argv = ['govwatch', *sys.argv[1:]]\ntry:\n"
            "    runpy.run_module('monitor', run_name='__main__')\nfinally:\n"
            "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")


def one_line_exit_2(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


@pytest.fixture
def site():
    hostile = HostileSite().start()
    yield hostile
    hostile.stop()


def extract_peak(url: str) -> tuple[dict, float]:
    result = subprocess.run([sys.executable, "-c", PEAK_RSS, "extract", url], check=False, cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=300)
    return json.loads(result.stdout.splitlines()[-1]), int(result.stderr.strip().splitlines()[-1]) / 1024


@pytest.mark.slow
def test_extract_stops_reading_at_the_size_limit(site):
    path, html = notice(5)
    site.add(path, html)
    site.add_stream("/gov/huge.html", b"<p>" + b"x" * (64 * 1024 - 3), repeat=16 * 200)  # 200 MB, no length
    site.add("/gov/announced.html", b"<p>x</p>", headers={"Content-Length": str(300 * 1024 * 1024)})
    ordinary, baseline_mb = extract_peak(site.url(path))
    assert "error" not in ordinary and ordinary["title"]
    huge, huge_mb = extract_peak(site.url("/gov/huge.html"))
    assert "10 MB limit" in huge["error"]
    assert huge_mb < baseline_mb + 40, (baseline_mb, huge_mb)  # read 10 MB and stopped, not 200 MB
    assert "10 MB limit" in extract_peak(site.url("/gov/announced.html"))[0]["error"]


@pytest.mark.slow  # waits out the busy timeout (5 s)
def test_a_locked_database_is_one_line_and_exit_2_quickly(store):
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("begin immediate")  # a crawl in the middle of writing a batch
    try:
        started = time.monotonic()
        stderr = one_line_exit_2(govwatch("sources", "pause", "--db", str(store), "--", "hostile", check=False))
        assert "locked" in stderr and time.monotonic() - started < 20
    finally:
        holder.rollback()
        holder.close()
    assert "paused" in govwatch("sources", "pause", "--db", str(store), "--", "hostile").stdout


def test_an_overflowing_schedule_is_refused(store):
    stderr = one_line_exit_2(govwatch("sources", "schedule", "--db", str(store), "--", "hostile",
                                      "every 99999999999999999999d", check=False))
    assert "too long" in stderr


@pytest.mark.parametrize("password", ["", "   "])
@pytest.mark.slow
def test_operator_password_refuses_an_empty_password(password):
    assert "empty" in one_line_exit_2(govwatch("operator-password", "--password", password, check=False))


@pytest.mark.parametrize(("fields", "named"), [
    ({"start_urls": ["http://127.0.0.1:9/gov/index.html\nhttp://169.254.169.254/"]}, "newline"),
    ({"start_urls": ["http://127.0.0.1:9/gov/\x00index.html"]}, "control character"),
    ({"allowed_domains": [""]}, "not a host name"),
    ({"allowed_domains": ["gov.cn", "http://x.cn/"]}, "not a host name"),
    ({"name": "--help"}, "name"),
])
def test_config_mistakes_that_widen_the_scope_are_refused(tmp_path, fields, named):
    source = {"name": "hostile", "start_urls": ["http://127.0.0.1:9/gov/index.html"], **fields}
    config = tmp_path / "sources.yaml"
    config.write_text(json.dumps({"sources": [source]}), encoding="utf-8")  # JSON is YAML
    with pytest.raises(ConfigError, match=named):
        load_sources(config)


@pytest.mark.slow
def test_a_config_mistake_is_one_line_and_exit_2(tmp_path):
    source = {"name": "hostile", "start_urls": ["http://127.0.0.1:9/gov/index.html"], "allowed_domains": [""]}
    config = tmp_path / "sources.yaml"
    config.write_text(json.dumps({"sources": [source]}), encoding="utf-8")
    stderr = one_line_exit_2(govwatch("crawl", "--db", str(tmp_path / "x.db"), "--config", str(config), check=False))
    assert "allowed_domains" in stderr
