"""Fixtures of the security tests: the hostile site, a sources file for it, and one crawl of it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import govwatch
from tests.faults.conftest import rows  # noqa: F401 - the security tests import it from here
from tests.security.hostile_site import GOOD_ATTACHMENTS, HOSTILE_HREFS, LIST_PATH, HostileSite, notice, notice_title

FAST_POLITENESS = {"autothrottle": False, "download_delay": 0, "concurrent_requests": 16, "obey_robots": False,
                   "download_timeout": 5}
# Every known article is due again at every crawl, so a second crawl re-checks all of them.
ALWAYS_RECHECK = {"recent_every": "0", "middle_every": "0", "old_every": "0"}
# Links that made the old default article pattern backtrack: a long digit run that fails at its
# end. 1,900 digits: under the 2,048-character cap, so only the pattern itself can keep it cheap.
REDOS_LINKS = 12
REDOS_DIGITS = 1900


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than ~5 s (a real crawl or a served Datasette)")


def write_sources(path: Path, site: HostileSite, name: str = "hostile", **fields: Any) -> Path:
    source = {"name": name, "kind": "gov", "start_urls": [site.url(LIST_PATH)], "allow_paths": ["/gov/"],
              "time_limit_s": 300, "politeness": FAST_POLITENESS, "recheck": ALWAYS_RECHECK, **fields}
    path.write_text(json.dumps({"sources": [source]}, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    return path


# A source added the operator's way, to a store with a name other than govwatch.db (item 8).
SOURCE = "name: hostile\nstart_urls: ['http://127.0.0.1:9/gov/index.html']\nschedule: every 1h\n"


@pytest.fixture
def store(tmp_path):
    """A database holding one source added with `govwatch sources add`."""
    snippet = tmp_path / "source.yaml"
    snippet.write_text(SOURCE, encoding="utf-8")
    db = tmp_path / "archive-2026.db"
    govwatch("sources", "add", "--db", str(db), str(snippet))
    return db


def build_hostile_site(site: HostileSite) -> dict[str, str]:
    """The attacks of issue 19 items 1-3 as pages of `site`; returns the paths tests look at."""
    anchors = "".join(f'<p><a href="{href}">附件{i}.pdf</a></p>' for i, href in enumerate(HOSTILE_HREFS))
    anchors += "".join(f'<p><a href="{href}">正常附件{i}</a></p>' for i, href in enumerate(GOOD_ATTACHMENTS))
    attachments, html = notice(1, extra_body="<p>附件：</p>" + anchors)
    site.add(attachments, html)
    site.link(attachments, notice_title(1))

    internal_article = site.internal_url("/gov/2024/05/t20240530_9999.html")
    refresh, html = notice(2, head=f'<meta http-equiv="refresh" content="0; url={internal_article}">')
    site.add(refresh, html)
    site.link(refresh, notice_title(2))
    # a list page whose refresh sends the crawler to the internal server's list
    site.add("/gov/index_1.html", f'<html><head><meta http-equiv="refresh" content="0;url='
                                  f'{site.internal_url("/gov/index.html")}"></head><body>跳转</body></html>')
    site.link("/gov/index_1.html", "下一页")
    redirected, _ = notice(3)
    site.add(redirected, "", status=302, headers={"Location": internal_article})
    site.link(redirected, notice_title(3))
    site.link(internal_article, "内网文章")  # a plain link off the site

    plain, html = notice(4)
    site.add(plain, html)
    site.link(plain, notice_title(4))

    # item 3: links crafted against the old article pattern, a link over the length cap, and
    # a large list of short crafted links
    site.extra_list_html += [f'<li><a href="/gov/art/{n}{"1" * REDOS_DIGITS}x">x</a></li>' for n in range(REDOS_LINKS)]
    site.extra_list_html.append(f'<li><a href="/gov/art/{"1" * 5000}x">x</a></li>')
    site.extra_list_html += [f'<li><a href="/gov/art/{n}/{"1" * 150}x">x</a></li>' for n in range(5000)]
    return {"attachments": attachments, "refresh": refresh, "redirected": redirected, "plain": plain,
            "internal_article": internal_article}


@pytest.fixture(scope="session")
def hostile_site() -> Iterator[HostileSite]:
    site = HostileSite().start()
    yield site
    site.stop()


@pytest.fixture(scope="session")
def hostile_crawl(hostile_site, tmp_path_factory) -> dict[str, Any]:
    """The hostile site crawled once through the real `govwatch crawl`; its paths, db and duration."""
    paths = build_hostile_site(hostile_site)
    folder = tmp_path_factory.mktemp("hostile")
    config = write_sources(folder / "sources.yaml", hostile_site)
    db_path = folder / "govwatch.db"
    started = time.perf_counter()
    result = govwatch("crawl", "--db", str(db_path), "--config", str(config), check=False, timeout=600)
    return {"paths": paths, "db": db_path, "config": config, "seconds": time.perf_counter() - started,
            "result": result, "site": hostile_site}
