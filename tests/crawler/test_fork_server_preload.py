"""What the fork server looks up once so that no crawl it forks looks it up again."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from monitor.locations import PROJECT_ROOT

# Runs in a fresh interpreter: the server's preload, then what every crawl does first (its
# command line read, the settings and the crawler process built as crawler/__main__.py's `_run`
# builds them, the spider's store opened), counting entry-point scans and the Scrapy command
# modules loaded as they happen.
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
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.utils.project import get_project_settings
from crawler.crawl_worker import crawl_spec
from storage import open_db
spec = crawl_spec(["crawl", "source", "-a", "source=demo", "-s", "GOVWATCH_DB=" + sys.argv[1]])
settings = get_project_settings()
settings.setdict(spec.settings, priority="cmdline")
AsyncCrawlerProcess(settings).spider_loader.load(spec.spider)
open_db(sys.argv[1]).close()
print(json.dumps({"scans": scans, "commands": sorted(m for m in sys.modules if m.startswith("scrapy.commands"))}))
"""


@pytest.mark.slow
def test_after_preload_a_crawl_scans_no_entry_points(tmp_path):
    """sqlite-utils' plugins (and Scrapy's command plugins, had a crawl gone through Scrapy's
    command line) are each a scan of every installed distribution's entry points (~10 ms of CPU
    and hundreds of page faults per crawl). Neither the preload nor the crawl loads Scrapy's
    command modules: a crawl runs the crawl command directly."""
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "store.db")], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"scans": [], "commands": []}


def test_the_extensions_a_crawl_builds_import_no_web_server():
    """Scrapy's extension manager imports every key of the EXTENSIONS setting, the ones set to
    None too, to normalise it (Settings.get_component_priority_dict_with_base): switching
    RemoteControl off by name imported aiohttp's web server in every crawl and fork server
    (~0.25 s of CPU). crawler/settings.py leaves it and the telnet console out of the base list
    instead. The probe asks for the extensions as the manager does, then loads the enabled ones."""
    probe = ("import json, os, sys\n"
             "os.environ['SCRAPY_SETTINGS_MODULE'] = 'crawler.settings'\n"
             "from scrapy.utils.misc import load_object\n"
             "from scrapy.utils.project import get_project_settings\n"
             "extensions = get_project_settings().get_component_priority_dict_with_base('EXTENSIONS')\n"
             "for path, order in extensions.items():\n"
             "    if order is not None:\n"
             "        load_object(path)\n"
             "print(json.dumps({'loaded': sorted(extensions), 'modules': sorted(m for m in sys.modules\n"
             "    if m.split('.')[0] == 'aiohttp' or m.startswith('twisted.conch'))}))\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    report = json.loads(done.stdout)
    assert report["modules"] == []
    assert "scrapy.extensions.corestats.CoreStats" in report["loaded"]  # Scrapy's own base list is kept
    assert "crawler.parent_watch.ParentWatchExtension" in report["loaded"]
    assert not [path for path in report["loaded"] if "telnet" in path or "remote_control" in path]


def test_the_base_extensions_are_scrapys_but_the_two_left_out():
    """crawler/settings.py writes Scrapy's base extensions out (it must not import Scrapy): an
    upgrade that adds, drops or reorders one must be looked at, not silently missed."""
    from scrapy.settings import default_settings

    from crawler import settings

    switched_off = {"scrapy.extensions.telnet.TelnetConsole", "scrapy.extensions.remote_control.RemoteControl"}
    assert settings.EXTENSIONS_BASE == {path: order for path, order in default_settings.EXTENSIONS_BASE.items()
                                        if path not in switched_off}
