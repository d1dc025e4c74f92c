"""Attachments fetched in a real crawl (monitor.crawls → scrapy → AttachmentPipeline) of a local
site: read, refused, too large, disguised — each recorded, the articles stored as without them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from demo.attachment_files import docx_bytes, xlsx_bytes
from monitor.config import SourceConfig, source_as_record
from monitor.crawls import finish_crawl, start_crawl
from storage import open_db
from storage.sources import sync_sources
from tests.security import hostile_attachments as h
from tests.security.conftest import ALWAYS_RECHECK, FAST_POLITENESS
from tests.security.hostile_site import LIST_PATH, HostileSite, notice, notice_title

pytestmark = pytest.mark.slow

LIMIT = 200_000


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    site = HostileSite().start()
    files = {
        "/gov/files/fangan.docx": docx_bytes(["关于印发村级集体经济扶持办法的通知", "第一条 为规范扶持资金管理，制定本办法。"]),
        "/gov/files/mingdan.xlsx": xlsx_bytes({"名单": [["序号", "村名"], [1, "石门村"]]}),
        "/gov/files/big.pdf": b"%PDF-1.4\n" + b"0" * (LIMIT + 1000),
        "/gov/files/secret.pdf": h.encrypted_pdf(),
        "/gov/files/login.pdf": h.html_as_pdf(),
        "/gov/files/broken.docx": h.corrupt_docx(),
    }
    for path, body in files.items():
        site.add(path, body)
    site.add_stream("/gov/files/endless.pdf", b"%PDF-1.4\n" + b"1" * 8183, repeat=40)  # 320 KB, no Content-Length
    links = "".join(f'<p><a href="{p}">附件{i}：{os.path.basename(p)}</a></p>' for i, p in enumerate(files))
    links += '<p><a href="/gov/files/endless.pdf">附件9.pdf</a></p>'
    links += '<p><a href="http://elsewhere.invalid/files/x.pdf">外站附件.pdf</a></p>'
    with_files, html = notice(1, extra_body="<p>附件：</p>" + links)
    site.add(with_files, html)
    site.link(with_files, notice_title(1))
    plain, html = notice(2)
    site.add(plain, html)
    site.link(plain, notice_title(2))

    folder = tmp_path_factory.mktemp("attfetch")
    db_path = folder / "govwatch.db"
    config = SourceConfig.model_validate({
        "name": "hostile", "kind": "gov", "start_urls": [site.url(LIST_PATH)], "allow_paths": ["/gov/"],
        "article_pattern": r"/gov/\d{4}/\d{2}/t\d{8}_\d+\.html$",  # two links: too few for the list detector
        "time_limit_s": 300, "politeness": FAST_POLITENESS, "recheck": ALWAYS_RECHECK, "schedule": "every 1h"})
    db = open_db(db_path)
    sync_sources(db, [source_as_record(config)])
    db.close()
    runs = []
    for _ in range(2):  # the second crawl re-checks everything
        job = start_crawl(db_path, "hostile", trigger="test", time_limit_s=300,
                          extra_settings={"GOVWATCH_ATTACHMENT_MAX_BYTES": LIMIT})
        job.process.wait(timeout=300)
        runs.append(finish_crawl(db_path, job))
    site.stop()
    db = open_db(db_path)
    rows = {Path(r["url"]).name: r for r in db.query("select * from attachments")}
    articles = {r["url"]: r for r in db.query("select url, title, text from articles")}
    versions = dict(db.execute("select a.url, count(*) from attachment_versions v join attachments a"
                               " on a.id = v.attachment_id group by a.url").fetchall())
    db.close()
    return {"rows": rows, "articles": articles, "runs": runs, "site": site, "paths": (with_files, plain),
            "versions": versions}


def test_both_articles_are_stored_whatever_the_attachments_did(crawled) -> None:
    assert [r["status"] for r in crawled["runs"]] == ["ok", "ok"]
    with_files, plain = crawled["paths"]
    assert {crawled["site"].url(with_files), crawled["site"].url(plain)} <= set(crawled["articles"])


def test_readable_files_are_read(crawled) -> None:
    rows = crawled["rows"]
    assert rows["fangan.docx"]["status"] == "read" and "第一条" in rows["fangan.docx"]["text"]
    assert rows["mingdan.xlsx"]["text"] == "序号\t村名\n1\t石门村"
    assert len(rows["fangan.docx"]["sha256"]) == 64


def test_too_large_files_are_recorded_with_their_size_not_cut(crawled) -> None:
    big, endless = crawled["rows"]["big.pdf"], crawled["rows"]["endless.pdf"]
    assert (big["status"], big["size"], big["text"], big["sha256"]) == ("too_large", LIMIT + 1009, None, None)
    assert endless["status"] == "too_large" and endless["size"] is None and endless["text"] is None
    assert "its size was not declared" in endless["reason"]  # where a stream is cut is no size
    assert f"over the {LIMIT}-byte attachment limit" in big["reason"]


def test_hostile_files_each_get_a_reason(crawled) -> None:
    rows = crawled["rows"]
    assert rows["secret.pdf"]["reason"] == "encrypted PDF: it needs a password to open"
    assert rows["login.pdf"]["kind"] == "html" and "HTML page" in rows["login.pdf"]["reason"]
    assert "damaged zip container" in rows["broken.docx"]["reason"]
    assert {rows[n]["status"] for n in ("secret.pdf", "login.pdf", "broken.docx")} == {"unreadable"}


def test_off_site_attachments_are_not_fetched(crawled) -> None:
    assert "x.pdf" not in crawled["rows"]
    assert set(crawled["rows"]) == {"fangan.docx", "mingdan.xlsx", "big.pdf", "secret.pdf", "login.pdf",
                                    "broken.docx", "endless.pdf"}


def test_a_second_crawl_makes_no_new_versions_of_unchanged_files(crawled) -> None:
    assert set(crawled["versions"].values()) == {1}
    assert crawled["site"].hits["/gov/files/fangan.docx"] == 2  # asked again on the re-check


def one_source(tmp_path, site: HostileSite, **extra) -> Path:
    """A store with the site's column as its one source ("hostile"); the store's path."""
    db_path = tmp_path / "govwatch.db"
    config = SourceConfig.model_validate({
        "name": "hostile", "kind": "gov", "start_urls": [site.url(LIST_PATH)], "allow_paths": ["/gov/"],
        "article_pattern": r"/gov/\d{4}/\d{2}/t\d{8}_\d+\.html$", "time_limit_s": 300,
        "politeness": FAST_POLITENESS, "schedule": "every 1h", **extra})
    db = open_db(db_path)
    sync_sources(db, [source_as_record(config)])
    db.close()
    return db_path


def test_with_reading_off_files_are_fetched_and_kept_not_read(tmp_path) -> None:
    """GOVWATCH_ATTACHMENTS_READ=False: the baseline bench/attachments.py measures reading against."""
    import hashlib

    from storage.attachments import attachment_file

    site = HostileSite().start()
    data = docx_bytes(["关于印发村级集体经济扶持办法的通知"])
    site.add("/gov/files/fangan.docx", data)
    path, html = notice(1, extra_body='<p>附件：<a href="/gov/files/fangan.docx">附件1：fangan.docx</a></p>')
    site.add(path, html)
    site.link(path, notice_title(1))
    db_path = one_source(tmp_path, site)
    try:
        job = start_crawl(db_path, "hostile", trigger="test", time_limit_s=300,
                          extra_settings={"GOVWATCH_ATTACHMENTS_READ": False})
        job.process.wait(timeout=300)
        assert finish_crawl(db_path, job)["status"] == "ok"
    finally:
        site.stop()
    db = open_db(db_path)
    [row] = list(db.query("select * from attachments"))
    kept = attachment_file(db, row["sha256"])
    db.close()
    assert (row["status"], row["kind"], row["text"]) == ("not_read", "docx", None)
    assert row["sha256"] == hashlib.sha256(data).hexdigest() and kept == data
    assert "GOVWATCH_ATTACHMENTS_READ" in row["reason"]


def test_a_file_served_again_with_the_same_bytes_is_not_read_again(tmp_path) -> None:
    """A server without ETag / Last-Modified answers every re-check with 200 and the whole file:
    bytes with the SHA-256 of the file already read are recorded as checked, not read again (a
    corrupt file neither: it is the file's fault, crawler.attachments.reading.read_again), and a
    replaced file is read as a new version."""
    site = HostileSite().start()
    site.add("/gov/files/fangan.docx", docx_bytes(["关于印发村级集体经济扶持办法的通知", "第一条 为规范扶持资金管理。"]))
    site.add("/gov/files/broken.docx", h.corrupt_docx())
    path, html = notice(1, extra_body='<p>附件：<a href="/gov/files/fangan.docx">附件1：fangan.docx</a></p>'
                                      '<p><a href="/gov/files/broken.docx">附件2：broken.docx</a></p>')
    site.add(path, html)
    site.link(path, notice_title(1))
    db_path = one_source(tmp_path, site, recheck=ALWAYS_RECHECK)

    def crawl() -> str:
        job = start_crawl(db_path, "hostile", trigger="test", time_limit_s=300)
        job.process.wait(timeout=300)
        log = job.log_path.read_text(encoding="utf-8", errors="replace")
        assert finish_crawl(db_path, job)["status"] == "ok"
        return log

    try:
        first = crawl()
        db = open_db(db_path)
        db.execute("update attachments set last_checked = '2000-01-01T00:00:00+00:00'")
        db.conn.commit()
        db.close()
        again = crawl()
        db = open_db(db_path)
        after_again = db.execute("select http_status, last_checked, version_count from attachments"
                                 " where url like '%fangan.docx'").fetchone()
        db.close()
        site.add("/gov/files/fangan.docx", docx_bytes(["关于印发村级集体经济扶持办法的通知（修订）", "第一条 修订后的办法。"]))
        replaced = crawl()
    finally:
        site.stop()
    assert site.hits["/gov/files/fangan.docx"] == 3  # asked for at every check: no validators to send
    assert "'govwatch/attachments/read': 1" in first and "attachments/same_file" not in first
    assert "'govwatch/attachments/unreadable': 1" in first  # the broken file
    assert "'govwatch/attachments/same_file': 2" in again
    assert "'govwatch/attachments/read'" not in again and "attachments/unreadable" not in again
    assert "'govwatch/attachments/read': 1" in replaced and "'govwatch/attachments/same_file': 1" in replaced
    db = open_db(db_path)
    row = db.execute("select id, version_count from attachments where url like '%fangan.docx'").fetchone()
    texts = [r[0] for r in db.execute("select text from attachment_versions where attachment_id = ? order by version",
                                      [row[0]])]
    db.close()
    assert after_again[0] == 200 and after_again[1] > "2000-01-01T00:00:00+00:00" and after_again[2] == 1
    assert row[1] == 2
    assert "为规范扶持资金管理" in texts[0] and "修订后的办法" in texts[1]


def test_one_file_linked_from_several_articles_is_read_once(tmp_path) -> None:
    """The same bytes under two articles and two URLs: three attachment rows, each with the text,
    from one read (crawler/attachments/same_bytes.py). A corrupt file's reading is settled too
    (the file is the reason), so its copy is not read again either."""
    site = HostileSite().start()
    form = docx_bytes(["报名表", "姓名 性别 单位 联系电话"])
    site.add("/gov/files/form.docx", form)
    site.add("/gov/files/form-copy.docx", form)
    site.add("/gov/files/broken.docx", h.corrupt_docx())
    site.add("/gov/files/broken-copy.docx", h.corrupt_docx())
    first, html = notice(1, extra_body='<p>附件：<a href="/gov/files/form.docx">附件1：报名表.docx</a></p>'
                                       '<p><a href="/gov/files/broken.docx">附件2：说明.docx</a></p>')
    site.add(first, html)
    site.link(first, notice_title(1))
    second, html = notice(2, extra_body='<p>附件：<a href="/gov/files/form.docx">附件1：报名表.docx</a></p>'
                                        '<p><a href="/gov/files/form-copy.docx">附件2：报名表（备用）.docx</a></p>'
                                        '<p><a href="/gov/files/broken-copy.docx">附件3：说明.docx</a></p>')
    site.add(second, html)
    site.link(second, notice_title(2))
    db_path = one_source(tmp_path, site)
    try:
        job = start_crawl(db_path, "hostile", trigger="test", time_limit_s=300)
        job.process.wait(timeout=300)
        log = job.log_path.read_text(encoding="utf-8", errors="replace")
        assert finish_crawl(db_path, job)["status"] == "ok"
    finally:
        site.stop()
    db = open_db(db_path)
    rows = [dict(r) for r in db.query("select url, status, text, sha256 from attachments order by id")]
    db.close()
    forms = [r for r in rows if "form" in r["url"]]
    broken = [r for r in rows if "broken" in r["url"]]
    assert len(forms) == 3 and len(broken) == 2
    assert all(r["status"] == "read" and "姓名 性别 单位 联系电话" in r["text"] for r in forms)
    assert all(r["status"] == "unreadable" for r in broken) and broken[0]["text"] is None
    # 5 files, 2 distinct contents: 2 reads, 3 readings reused
    assert "'govwatch/attachments/reused_readings': 3" in log
    assert "'govwatch/attachments/read': 3" in log and "'govwatch/attachments/unreadable': 2" in log
