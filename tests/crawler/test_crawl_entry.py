"""`python -m crawler`: a crawl runs Scrapy's `crawl` command directly, anything else goes
through Scrapy's command line (crawler/__main__.py says why)."""

from __future__ import annotations

import json
import subprocess
import sys

from monitor.crawls import crawl_env
from monitor.locations import PROJECT_ROOT


def python_m_crawler(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=PROJECT_ROOT, env=crawl_env(),
                          capture_output=True, text=True, timeout=120, check=False)


def test_other_commands_still_go_through_scrapys_command_line():
    listed = python_m_crawler("list")
    assert listed.returncode == 0 and listed.stdout.split() == ["source"], listed.stderr


def test_a_crawl_that_cannot_start_exits_1_without_loading_scrapys_commands():
    """An unknown spider fails as `scrapy crawl` fails (exit 1, the reason on stderr), and the
    crawl's path never imported Scrapy's command modules (a quarter of a second of CPU)."""
    failed = python_m_crawler("crawl", "nosuchspider", "-s", "GOVWATCH_DB=/nonexistent/g.db")
    assert failed.returncode == 1 and "Spider not found: nosuchspider" in failed.stderr
    probe = ("import json, sys\n"
             "from crawler.__main__ import _run\n"
             "try:\n    _run(['crawl', 'nosuchspider'])\nexcept KeyError:\n    pass\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith('scrapy.commands'))))\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, env=crawl_env(), capture_output=True,
                          text=True, timeout=120, check=True)
    assert json.loads(done.stdout) == []
