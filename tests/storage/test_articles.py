"""The store's writers: versions only on real change, events for every transition."""

import hashlib

import pytest

from storage import open_db
from storage.articles import (
    FetchedArticle,
    conditional_get_validators,
    raw_html,
    record_gone,
    record_not_modified,
    record_page,
)
from storage.runs import close_run, get_run, start_run
from storage.sources import sync_sources


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "govwatch.db")
    sync_sources(database, [{"name": "county", "schedule": "every 1h"}])
    yield database
    database.close()


def page(**changes) -> FetchedArticle:
    fields = {"url": "http://x.gov.cn/2021/06/t20210607_1.html", "source": "county", "body": "<p>乡村振兴</p>".encode("gbk"),
                  "headers": {"etag": '"v1"'}, "title": "关于乡村振兴的通知", "text": "第一段。\n第二段。", "published": "2021-06-07"}
    fields.update(changes)
    return FetchedArticle(**fields)


def events(db):
    return [r["kind"] for r in db.query("select kind from events order by id")]


def test_lifecycle_new_unchanged_changed_withdrawn_restored(db):
    run = start_run(db, "county")
    assert record_page(db, run, page()) == "new"
    # whitespace and full-width forms are not a change
    assert record_page(db, run, page(text="第一段。 \n\n第二段。", body=b"other template")) == "unchanged"
    assert record_page(db, run, page(text="第一段。\n第二段（修订）。")) == "changed"
    assert record_not_modified(db, run, page().url) == "unchanged"
    assert record_gone(db, run, page().url, 404) == "withdrawn"
    assert record_gone(db, run, page().url, 404) == "unchanged"
    assert record_page(db, run, page(text="第一段。\n第二段（修订）。")) == "restored"
    assert events(db) == ["new", "changed", "withdrawn", "restored"]
    article = db["articles"].get(1)
    assert article["version_count"] == 2 and article["status"] == "live"
    counts = get_run(db, run)
    assert (counts["articles_new"], counts["articles_changed"], counts["articles_withdrawn"]) == (1, 1, 1)


def test_key_metadata_change_is_a_change_but_template_noise_is_not(db):
    run = start_run(db, "county")
    record_page(db, run, page())
    assert record_page(db, run, page(published="2021-06-08")) == "changed"
    assert record_page(db, run, page(published="2021-06-08", doc_no="永乡振发〔2021〕1号")) == "changed"
    assert record_page(db, run, page(published="2021-06-08", doc_no="永乡振发〔2021〕1号",
                                     headers={"etag": '"v9"'})) == "unchanged"


def test_raw_html_kept_compressed_with_its_hash(db):
    run = start_run(db, "county")
    record_page(db, run, page())
    version = db["article_versions"].get(1)
    raw = raw_html(db, version)
    assert version["raw_html_gz"] is None  # kept once per hash in raw_bodies (storage/raw_bodies.py)
    assert raw == "<p>乡村振兴</p>".encode("gbk")
    assert version["raw_sha256"] == hashlib.sha256(raw).hexdigest() and version["raw_size"] == len(raw)


def test_validators_for_conditional_get_and_finish_run(db):
    run = start_run(db, "county")
    record_page(db, run, page(headers={"etag": '"abc"', "last-modified": "Mon, 07 Jun 2021 00:00:00 GMT"}))
    assert conditional_get_validators(db, "county") == {
        page().url: {"etag": '"abc"', "last_modified": "Mon, 07 Jun 2021 00:00:00 GMT"}}
    close_run(db, run, "ok", pages_fetched=3)
    assert get_run(db, run)["status"] == "ok" and get_run(db, run)["pages_fetched"] == 3


def test_reopening_is_idempotent_and_uses_wal(tmp_path):
    path = tmp_path / "x.db"
    open_db(path).close()
    again = open_db(path)
    assert again.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert {"sources", "articles", "article_versions", "events", "crawl_runs", "fetch_errors"} <= set(again.table_names())
