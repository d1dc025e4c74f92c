"""Attachments in the store: versions by SHA-256, a `changed` event naming the file, search = LIKE."""

from __future__ import annotations

import hashlib

import pytest

from monitor.run_end import finish_runs
from storage import open_db
from storage.articles import FetchedArticle, record_page
from storage.attachments import (
    FTS_TABLE,
    article_attachments,
    attachment_validators,
    attachment_versions,
    record_attachment,
    record_attachment_not_modified,
    search_attachments,
)
from storage.outcomes import AttachmentFetched
from storage.runs import start_run
from storage.search import MERGE_WHEN_REST_SHARE, index_segment_pages
from storage.search_query import bigram_match_query
from storage.sources import sync_sources

URL = "http://x.gov.cn/2021/06/P020210607.pdf"


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "govwatch.db")
    sync_sources(database, [{"name": "county", "schedule": "every 1h"}])
    yield database
    database.close()


@pytest.fixture
def article(db) -> tuple[int, int]:
    run = start_run(db, "county")
    record_page(db, run, FetchedArticle(url="http://x.gov.cn/1.html", source="county", body=b"<html>",
                                        title="关于示范村评选的通知", text="详见附件。", published="2021-06-07"))
    return db.execute("select id from articles").fetchone()[0], run


def fetch(text: str | None, **changes) -> AttachmentFetched:
    """What the crawler hands the store for an attachment at the test's URL."""
    body = (text or "").encode()
    fields = {"article_url": "http://x.gov.cn/1.html", "source": "county", "url": URL, "name": "附件1：示范村名单",
              "type": "pdf", "status": "read", "file_kind": "pdf", "size": len(body),
              "sha256": hashlib.sha256(body).hexdigest(), "text": text, "http_status": 200, "etag": '"v1"'}
    fields.update(changes)
    return AttachmentFetched(**fields)


def test_new_then_unchanged_then_changed_with_an_event(db, article) -> None:
    article_id, run = article
    assert record_attachment(db, run, article_id, fetch("石门村 桐子坳村")) == "new"
    assert record_attachment(db, run, article_id, fetch("石门村 桐子坳村", etag='"v2"')) == "unchanged"
    assert attachment_validators(db, article_id, URL) == {
        "etag": '"v2"', "sha256": fetch("石门村 桐子坳村").sha256, "status": "read"}
    assert record_attachment(db, run, article_id, fetch("石门村 桐子坳村 新增：板桥村")) == "changed"
    [row] = article_attachments(db, article_id)
    assert (row["version_count"], row["text"]) == (2, "石门村 桐子坳村 新增：板桥村")
    assert [v["text"] for v in attachment_versions(db, row["id"])] == ["石门村 桐子坳村", "石门村 桐子坳村 新增：板桥村"]
    events = list(db.query("select kind, detail, attachment_version_id from events order by id"))
    assert [e["kind"] for e in events] == ["new", "changed"]
    assert events[1]["detail"] == "附件已更新 attachment changed: 附件1：示范村名单"
    assert events[1]["attachment_version_id"] == row["current_version_id"]


def test_outcomes_without_a_file_version_by_status_and_size(db, article) -> None:
    article_id, run = article
    big = fetch(None, status="too_large", size=40_000_000, sha256=None, reason="over the 30 MB limit")
    assert record_attachment(db, run, article_id, big) == "new"
    assert record_attachment(db, run, article_id, big) == "unchanged"
    assert record_attachment(db, run, article_id, fetch("名单")) == "changed"
    [row] = article_attachments(db, article_id)
    assert [v["status"] for v in attachment_versions(db, row["id"])] == ["too_large", "read"]
    assert attachment_validators(db, article_id, URL) == {"etag": '"v1"', "sha256": fetch("名单").sha256, "status": "read"}


def test_a_file_read_at_last_gets_its_text_without_a_version_or_event(db, article) -> None:
    """The same bytes, unreadable once (a reader's time limit under load), read at the next check:
    the text fills the row, its version and the index; the site changed nothing, so no event."""
    article_id, run = article
    same = fetch("石门村 桐子坳村")
    failed = fetch(None, status="unreadable", reason="reading took over 30 s", sha256=same.sha256, size=same.size)
    assert record_attachment(db, run, article_id, failed) == "new"
    assert search_attachments(db, bigram_match_query("石门村")) == []
    assert record_attachment(db, run, article_id, same) == "unchanged"
    [row] = article_attachments(db, article_id)
    assert (row["status"], row["text"], row["reason"], row["version_count"]) == ("read", "石门村 桐子坳村", None, 1)
    assert [v["text"] for v in attachment_versions(db, row["id"])] == ["石门村 桐子坳村"]
    assert [r["id"] for r in search_attachments(db, bigram_match_query("石门村"))] == [row["id"]]
    assert [e[0] for e in db.execute("select kind from events")] == ["new"]
    # and a reading that fails again later leaves the text it has
    assert record_attachment(db, run, article_id, failed) == "unchanged"
    assert article_attachments(db, article_id)[0]["text"] == "石门村 桐子坳村"


def test_not_modified_touches_only_the_check_time(db, article) -> None:
    article_id, run = article
    record_attachment(db, run, article_id, fetch("名单"))
    before = article_attachments(db, article_id)[0]
    assert record_attachment_not_modified(db, article_id, URL) == "unchanged"
    after = article_attachments(db, article_id)[0]
    assert (after["http_status"], after["version_count"], after["sha256"]) == (304, 1, before["sha256"])
    assert record_attachment_not_modified(db, article_id, "http://x.gov.cn/other.pdf") == "unknown"


def test_search_hits_equal_like_counts_after_changes(db, article) -> None:
    article_id, run = article
    texts = ["巩固拓展脱贫攻坚成果同乡村振兴有效衔接", "乡村振兴示范村名单", "产业兴旺", "建立防返贫监测和帮扶机制", "振兴乡村"]
    for i, text in enumerate(texts):
        record_attachment(db, run, article_id, fetch(text, url=f"http://x.gov.cn/{i}.docx", name=f"附件{i}"))
    record_attachment(db, run, article_id, fetch("乡村振兴不再提及", url="http://x.gov.cn/2.docx", name="附件2"))
    record_attachment(db, run, article_id, fetch("已更新：产业兴旺", url="http://x.gov.cn/1.docx", name="附件1"))
    for word in ["乡村振兴", "振兴", "产业兴旺", "防返贫", "贫", "示范村"]:
        hits = {r["id"] for r in search_attachments(db, bigram_match_query(word))}
        assert hits == like_hits(db, word), word
    assert {r["name"] for r in search_attachments(db, bigram_match_query("产业兴旺"))} == {"附件1"}


def like_hits(db, word: str) -> set[int]:
    return {r[0] for r in db.execute("select id from attachments where text like ? or name like ?",
                                     [f"%{word}%", f"%{word}%"])}


def test_a_run_ending_merges_the_attachment_index_and_keeps_every_hit(db, article) -> None:
    """Every attachment stored in its own transaction leaves FTS5 a ladder of small segments, as
    the articles' index does; the run's ending (monitor.run_end.finish_runs) merges them, and a
    search still finds exactly what LIKE finds, replaced files included."""
    article_id, run = article
    words = ["乡村振兴", "脱贫攻坚", "防返贫监测", "人居环境", "产业振兴", "高标准农田"]
    for i in range(120):
        text = f"附件{i}：{words[i % 6]}和{words[(i * 5) % 6]}，编号{i * 7919}。"
        record_attachment(db, run, article_id, fetch(text, url=f"http://x.gov.cn/{i}.docx", name=f"附件{i}"))
    for i in range(0, 120, 7):  # replaced files: their old tokens leave the index
        record_attachment(db, run, article_id, fetch(f"已更新：{words[(i + 1) % 6]}", url=f"http://x.gov.cn/{i}.docx",
                                                     name=f"附件{i}"))
    segments = index_segment_pages(db, FTS_TABLE)
    assert len(segments) > 1 and sum(segments[1:]) >= MERGE_WHEN_REST_SHARE * segments[0]
    size = db.execute(f"select sum(length(block)) from {FTS_TABLE}_data").fetchone()[0]

    db.execute("update crawl_runs set status = 'ok', finished_at = started_at where id = ?", [run])
    db.conn.commit()
    finish_runs(db, [run])
    assert len(index_segment_pages(db, FTS_TABLE)) == 1
    assert db.execute(f"select sum(length(block)) from {FTS_TABLE}_data").fetchone()[0] < size
    for word in [*words, "已更新", "防返贫"]:
        assert {r["id"] for r in search_attachments(db, bigram_match_query(word))} == like_hits(db, word), word


def test_same_url_under_two_articles_is_two_attachments(db, article) -> None:
    article_id, run = article
    record_page(db, run, FetchedArticle(url="http://x.gov.cn/2.html", source="county", body=b"<html>",
                                        title="转发：关于示范村评选的通知", text="详见附件。", published="2021-06-08"))
    other = db.execute("select id from articles where url like '%2.html'").fetchone()[0]
    assert record_attachment(db, run, article_id, fetch("名单")) == "new"
    assert record_attachment(db, run, other, fetch("名单")) == "new"
    assert db.execute("select count(*) from attachments").fetchone()[0] == 2


def test_a_file_added_to_an_article_held_before_is_a_changed_event(db, article) -> None:
    article_id, first_run = article
    assert record_attachment(db, first_run, article_id, fetch("名单")) == "new"  # with its article: no event
    later = start_run(db, "county")
    added = fetch("补充名单", url="http://x.gov.cn/2021/06/P020210608.xlsx", name="附件2：补充名单")
    assert record_attachment(db, later, article_id, added) == "new"
    events = list(db.query("select kind, run_id, detail from events where attachment_version_id is not null"))
    assert events == [{"kind": "changed", "run_id": later, "detail": "附件新增 attachment added: 附件2：补充名单"}]


def test_the_crawl_outcome_goes_through_the_one_writer_and_the_stream_encoding(db, article) -> None:
    from storage.outcome_writer import record_outcome
    from storage.outcomes import AttachmentFetched, decode_outcome, encode_outcome
    from storage.raw_bodies import compress_plain

    article_id, run = article
    file = "名单：石门村".encode()
    outcome = AttachmentFetched(article_url="http://x.gov.cn/1.html", source="county", url=URL, name="附件1",
                                type="pdf", status="read", file_kind="pdf", size=len(file),
                                sha256=hashlib.sha256(file).hexdigest(), text="名单：石门村", body=compress_plain(file))
    assert decode_outcome(*encode_outcome(outcome)) == outcome  # as distributed mode's stream carries it
    assert record_outcome(db, run, outcome) == "new"
    assert record_outcome(db, run, AttachmentFetched(article_url="http://x.gov.cn/1.html", source="county", url=URL,
                                                     status="not_modified", http_status=304)) == "unchanged"
    assert record_outcome(db, run, AttachmentFetched(article_url="http://x.gov.cn/none.html", source="county",
                                                     url=URL)) == "unknown"
    from storage.attachments import attachment_file

    assert attachment_file(db, outcome.sha256) == file
    assert article_attachments(db, article_id)[0]["http_status"] == 304
