"""List pages asked for conditionally, on nginx (real ETags, real 304s): a static list that has
not changed answers 304 and the links its last full fetch showed are followed again; a list
that changed is read whole; a view kept under other reading rules is never replayed."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

import pytest

from bench.nginx import Nginx
from monitor.config import SourceConfig, source_as_record
from monitor.crawls import finish_crawl, start_crawl
from storage import open_db
from storage.list_pages import stored_list_view
from storage.sources import sync_sources
from tests.conftest import needs_nginx
from tests.security.conftest import ALWAYS_RECHECK, FAST_POLITENESS
from tests.security.hostile_site import notice, notice_title

pytestmark = [pytest.mark.slow, needs_nginx]

PATTERN = r"/gov/\d{4}/\d{2}/t\d{8}_\d+\.html$"
NOT_MODIFIED_LISTS = re.compile(r"'govwatch/list_pages_not_modified': (\d+)")


def _write(root: Path, path: str, body: str) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")


def _listing(pages: list[str], numbers: list[int], next_page: str | None) -> str:
    items = "".join(f'<li><a href="{path}">{escape(notice_title(n))}</a><span>2024-05-0{n % 9 + 1}</span></li>'
                    for path, n in zip(pages, numbers, strict=True))
    pager = f'<div class="page"><a href="{next_page}">下一页</a></div>' if next_page else ""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知公告</title></head><body>'
            f'<div class="nav"><a href="/gov/">首页</a></div><ul class="list">{items}</ul>{pager}</body></html>')


def _not_modified_lists(log: str) -> int:
    found = NOT_MODIFIED_LISTS.search(log)
    return int(found.group(1)) if found else 0


@pytest.fixture(scope="module", params=["pattern", "detector"])
def crawls(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"lists-{request.param}")
    site = folder / "site"
    paths = {}
    for n in range(1, 7):
        paths[n], html = notice(n)
        _write(site, paths[n], html)
    _write(site, "/gov/index.html", _listing([paths[n] for n in (1, 2, 3)], [1, 2, 3], "/gov/index_1.html"))
    _write(site, "/gov/index_1.html", _listing([paths[n] for n in (4, 5)], [4, 5], None))
    db_path = folder / "govwatch.db"
    results = []
    with Nginx(site) as server:
        def configure(**changes) -> None:
            fields = {"name": "lists", "kind": "gov", "start_urls": [server.base_url + "/gov/index.html"],
                      "allow_paths": ["/gov/"], "time_limit_s": 120, "politeness": FAST_POLITENESS,
                      "recheck": ALWAYS_RECHECK, "schedule": "every 1h", **changes}
            if request.param == "pattern":
                fields.setdefault("article_pattern", PATTERN)
            with open_db(db_path) as db:
                sync_sources(db, [source_as_record(SourceConfig.model_validate(fields))])

        def crawl() -> tuple[dict, str]:
            job = start_crawl(db_path, "lists", trigger="test", time_limit_s=120)
            job.process.wait(timeout=120)
            log = job.log_path.read_text(encoding="utf-8", errors="replace")
            run = finish_crawl(db_path, job)
            with open_db(db_path) as db:
                views.append({row["url"].rsplit("/", 1)[1]: stored_list_view(row) for row in db["list_pages"].rows})
            return run, log

        views: list[dict] = []

        configure()
        results.append(crawl())  # 1: everything new, both list pages read whole
        results.append(crawl())  # 2: nothing changed: the start page answers 304
        _write(site, "/gov/index.html",
               _listing([paths[n] for n in (6, 1, 2, 3)], [6, 1, 2, 3], "/gov/index_1.html"))
        os.utime(site / "gov/index.html", (2, 2))  # another Last-Modified and ETag, whatever the clock
        results.append(crawl())  # 3: a new notice on the start page: read whole, the notice found
        results.append(crawl())  # 4: unchanged again: 304
        configure(list_pattern=r"/gov/index(?:_\d+)?\.html$")  # the operator edits the reading rules
        results.append(crawl())  # 5: the page is unchanged, but its kept view was read under other rules
        with open_db(db_path) as db:  # two days pass: the kept views are too old to be replayed
            for row in list(db["list_pages"].rows):
                shown = json.loads(row["shown"])
                shown["kept_at"] = (datetime.fromisoformat(shown["kept_at"]) - timedelta(days=2)).isoformat()
                db.execute("update list_pages set shown = ? where url = ?", [json.dumps(shown), row["url"]])
            db.conn.commit()
        results.append(crawl())  # 6: read whole although unchanged
        results.append(crawl())  # 7: and 304 again
    return {"mode": request.param, "crawls": results, "views": views}


def test_an_unchanged_list_answers_304_and_its_links_are_followed(crawls):
    first, second = crawls["crawls"][0], crawls["crawls"][1]
    assert first[0]["status"] == "ok" and first[0]["articles_new"] == 5
    assert _not_modified_lists(first[1]) == 0
    start = crawls["views"][0]["index.html"]
    assert start is not None and (start.etag or start.last_modified)
    assert [url.rsplit("/", 1)[1] for url, _ in start.links] == [
        notice(n)[0].rsplit("/", 1)[1] for n in (1, 2, 3)]
    assert [url.rsplit("/", 1)[1] for url in start.pages] == ["index_1.html"]
    if crawls["mode"] == "detector":  # the detector's links carry the list's anchor text
        assert [anchor for _, anchor in start.links] == [notice_title(n) for n in (1, 2, 3)]

    run, log = second
    assert run["status"] == "ok", run["message"]
    assert _not_modified_lists(log) >= 1  # the start page, not read again
    assert run["articles_new"] == 0 and run["not_modified"] == 5  # every article still re-checked


def test_a_changed_list_is_read_whole_and_its_new_notice_stored(crawls):
    run = crawls["crawls"][2][0]
    assert run["status"] == "ok", run["message"]
    assert run["articles_new"] == 1
    before, after = crawls["views"][1]["index.html"], crawls["views"][2]["index.html"]
    assert (after.etag, after.last_modified) != (before.etag, before.last_modified)  # a 200, kept
    assert after.links[0][0].endswith(notice(6)[0])
    again, again_log = crawls["crawls"][3]
    assert again["articles_new"] == 0 and _not_modified_lists(again_log) >= 1
    assert again["not_modified"] == 6


def test_a_view_kept_under_other_rules_is_not_replayed(crawls):
    run, log = crawls["crawls"][4]
    assert run["status"] == "ok", run["message"]
    assert _not_modified_lists(log) == 0  # read whole under the new rules (the list pattern is one)
    assert run["not_modified"] == 6


def test_a_view_older_than_a_day_is_not_replayed(crawls):
    aged, fresh = crawls["crawls"][5], crawls["crawls"][6]
    assert aged[0]["status"] == "ok" and _not_modified_lists(aged[1]) == 0
    assert fresh[0]["status"] == "ok" and _not_modified_lists(fresh[1]) >= 1
    assert aged[0]["not_modified"] == fresh[0]["not_modified"] == 6
