"""The unchanged re-check through a forked crawl, on nginx (real ETags, real 304s): a page that
answers 304 gets its stored attachments asked for conditionally, and

- when they answer 304 too, nothing is read, so the attachment readers (worker processes whose
  start-up cost a 20-article re-check ~0.8 s of CPU) are never started;
- when one was replaced under the unchanged page, it is still read and stored as a new version
  (the readers start when its bytes arrive);
- a link that answered 404 is not asked for again until it is due (crawler/recheck.py), then is.
"""

from __future__ import annotations

import os
import re
from html import escape
from pathlib import Path

import pytest

from bench.nginx import Nginx
from demo.attachment_files import docx_bytes
from monitor.config import SourceConfig, source_as_record
from monitor.crawls import finish_crawl, start_crawl
from storage import open_db
from storage.sources import sync_sources
from tests.conftest import needs_nginx
from tests.security.conftest import ALWAYS_RECHECK, FAST_POLITENESS
from tests.security.hostile_site import notice, notice_title

pytestmark = [pytest.mark.slow, needs_nginx]

ATTACHMENT = "/gov/files/fangan.docx"
DEAD = "/gov/files/yijing-shanchu.pdf"  # linked, never served: 404
READERS_STARTED = re.compile(r"'govwatch/attachments/readers_started': (\d+)")
WARM_POOLS = re.compile(r"'govwatch/warm_pool_forkserver': (\d+)")


def _write(root: Path, path: str, body: bytes) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)


def _crawl(db_path: Path) -> tuple[dict, str]:
    job = start_crawl(db_path, "recheck", trigger="test", time_limit_s=120)
    job.process.wait(timeout=120)
    log = job.log_path.read_text(encoding="utf-8", errors="replace")
    return finish_crawl(db_path, job), log


@pytest.fixture(scope="module")
def rechecked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("recheck")
    site = folder / "site"
    page, html = notice(1, extra_body=f'<p>附件：</p><p><a href="{ATTACHMENT}">附件1：实施方案.docx</a></p>'
                                      f'<p><a href="{DEAD}">附件2：申报表.pdf</a></p>')
    _write(site, page, html.encode())
    _write(site, ATTACHMENT, docx_bytes(["关于印发村级集体经济扶持办法的通知", "第一条 为规范扶持资金管理。"]))
    listing = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知公告</title></head><body>'
               f'<ul class="list"><li><a href="{page}">{escape(notice_title(1))}</a><span>2024-05-01</span></li>'
               f'</ul></body></html>')
    _write(site, "/gov/index.html", listing.encode())
    db_path = folder / "govwatch.db"
    with Nginx(site) as server:
        config = SourceConfig.model_validate({
            "name": "recheck", "kind": "gov", "start_urls": [server.base_url + "/gov/index.html"],
            "allow_paths": ["/gov/"], "article_pattern": r"/gov/\d{4}/\d{2}/t\d{8}_\d+\.html$",
            "time_limit_s": 120, "politeness": FAST_POLITENESS, "recheck": ALWAYS_RECHECK, "schedule": "every 1h"})
        db = open_db(db_path)
        sync_sources(db, [source_as_record(config)])
        db.close()
        crawls = [_crawl(db_path)]  # first: page and file fetched and read
        crawls.append(_crawl(db_path))  # unchanged: page 304, file 304
        _write(site, ATTACHMENT, docx_bytes(["关于印发村级集体经济扶持办法的通知（修订）", "第一条 修订后的办法。"]))
        os.utime(site / ATTACHMENT.lstrip("/"), (1, 1))  # another Last-Modified and ETag than the first file's
        crawls.append(_crawl(db_path))  # page 304, file replaced: 200
        db = open_db(db_path)  # two days later: the dead link is due again
        db.execute("update attachments set fetched_at = datetime(fetched_at, '-2 days'),"
                   " last_checked = datetime(last_checked, '-2 days') where url like ?", [f"%{DEAD}"])
        db.conn.commit()
        db.close()
        crawls.append(_crawl(db_path))
    db = open_db(db_path)
    versions = list(db.query("select v.* from attachment_versions v join attachments a on a.id = v.attachment_id"
                             " where a.url like ? order by v.version", [f"%{ATTACHMENT}"]))
    db.close()
    return {"crawls": crawls, "versions": versions}


def _readers_started(log: str) -> int:
    found = READERS_STARTED.search(log)
    assert found, "the crawl's stats carry govwatch/attachments/readers_started"
    return int(found.group(1))


def test_an_unchanged_recheck_starts_no_attachment_readers(rechecked) -> None:
    first, unchanged = rechecked["crawls"][0], rechecked["crawls"][1]
    assert _readers_started(first[1]) == 1
    # The first crawl's readers forked from a warm copy of it (crawler/pool_server.py); a
    # re-check does not pay for that fork (~15 ms), nor for readers it does not start.
    assert [int(WARM_POOLS.search(log).group(1)) for _, log in rechecked["crawls"]] == [1, 0, 0, 0]
    run, log = unchanged
    assert run["status"] == "ok" and run["not_modified"] == 1
    assert "'govwatch/attachments/not_modified': 1" in log
    assert _readers_started(log) == 0


def test_a_file_replaced_under_an_unchanged_page_is_still_read(rechecked) -> None:
    run, log = rechecked["crawls"][2]
    assert run["not_modified"] == 1  # the page itself answered 304
    assert _readers_started(log) == 1
    assert len(rechecked["versions"]) == 2
    assert "修订后的办法" in (rechecked["versions"][1]["text"] or "")


def test_a_dead_attachment_link_is_asked_for_again_only_when_due(rechecked) -> None:
    logs = [log for _, log in rechecked["crawls"]]
    assert "'govwatch/attachments/fetch_failed': 1" in logs[0]  # the 404, recorded
    for log in logs[1:3]:  # the next crawls, within a day: not asked for
        assert "'govwatch/attachments/dead_link_not_due': 1" in log and "attachments/fetch_failed" not in log
    assert "'govwatch/attachments/fetch_failed': 1" in logs[3] and "dead_link_not_due" not in logs[3]
