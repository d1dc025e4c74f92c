"""What the fork server looks up once so that no crawl it forks looks it up again."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from monitor.locations import PROJECT_ROOT

# Runs in a fresh interpreter: the server's preload, then what every crawl does first (Scrapy
# lists its commands, the spider opens the store), counting entry-point scans as they happen.
PROBE = """
import importlib.metadata, json, os, sys
os.environ["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
from crawler.fork_server import preload
preload()
scans = []
real = importlib.metadata.PathDistribution.read_text
def counting(self, filename):
    if filename == "entry_points.txt":
        scans.append(str(self._path))
    return real(self, filename)
importlib.metadata.PathDistribution.read_text = counting
import scrapy.cmdline
from storage import open_db
scrapy.cmdline._get_commands_dict(scrapy.cmdline.get_project_settings(), inproject=True)
open_db(sys.argv[1]).close()
print(json.dumps(scans))
"""


@pytest.mark.slow
def test_after_preload_a_crawl_scans_no_entry_points(tmp_path):
    """Scrapy's command plugins and sqlite-utils' plugins are each a scan of every installed
    distribution's entry points (~10 ms of CPU and hundreds of page faults per crawl)."""
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "store.db")], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
