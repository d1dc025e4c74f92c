"""record_outcome: every rule of what a crawl outcome does to the store, and the stream encoding
that carries outcomes to it in distributed mode."""

from __future__ import annotations

import pytest

from storage import open_db
from storage.outcome_writer import DEFAULT_CONFIRM_CHECKS, record_outcome, shared_share
from storage.outcomes import (
    ArticleGone,
    ArticleNotModified,
    FetchedArticle,
    FetchFailure,
    ListPageFetched,
    ListProfileLearned,
    RobotsTxtFetched,
    decode_outcome,
    encode_outcome,
)
from storage.runs import get_run, start_run
from storage.sources import sync_sources

URL = "http://x.gov.cn/2021/06/t20210607_1.html"
TEXT = "关于做好二〇二一年乡村振兴重点工作的通知。\n各乡镇要认真贯彻落实，确保各项任务按时完成。"


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "govwatch.db")
    sync_sources(database, [{"name": "county", "schedule": "every 1h", "confirm_withdrawal_checks": 3},
                            {"name": "quick", "schedule": "every 1h", "confirm_withdrawal_checks": 1}])
    yield database
    database.close()


def article(**changes) -> FetchedArticle:
    fields = {"url": URL, "source": "county", "body": b"<p>x</p>", "title": "关于乡村振兴的通知", "text": TEXT,
              "published": "2021-06-07"}
    return FetchedArticle(**{**fields, **changes})


def errors(db, run):
    return [r["reason"] for r in db.query("select reason from fetch_errors where run_id = ? order by id", [run])]


def test_an_error_page_in_the_site_template_is_a_suspected_withdrawal_not_a_version(db):
    first, second = start_run(db, "county"), start_run(db, "county")
    assert record_outcome(db, first, article()) == "new"
    page = article(title="系统提示", text="对不起，您访问的信息已过期或不存在。返回首页", error_title="系统提示")
    assert record_outcome(db, second, page) == "suspected"
    assert db.execute("select count(*) from article_versions").fetchone()[0] == 1
    assert errors(db, second) == ["error page: 系统提示: withdrawal suspected, reported if the next check sees it too"]


def test_an_error_title_over_the_articles_own_text_is_the_article(db):
    run = start_run(db, "county")
    record_outcome(db, run, article())
    assert record_outcome(db, run, article(text=TEXT + "\n附件：实施细则", error_title="提示信息")) == "changed"


def test_an_error_title_on_an_article_we_do_not_hold_is_stored(db):
    assert record_outcome(db, start_run(db, "county"), article(error_title="系统提示")) == "new"


def test_withdrawal_confirmation_follows_the_source_config_given_or_stored(db):
    runs = [start_run(db, "county") for _ in range(3)]
    record_outcome(db, runs[0], article())
    gone = ArticleGone(URL, "county", 404)
    # read from the store: county wants three sightings
    assert [record_outcome(db, r, gone) for r in runs] == ["suspected", "suspected", "withdrawn"]
    # given by the caller (the spider's config): one sighting is enough
    other = article(url=URL + "?2", source="quick")
    run = start_run(db, "quick")
    record_outcome(db, run, other)
    assert record_outcome(db, start_run(db, "quick"), ArticleGone(other.url, "quick", 410), {}) == "suspected"
    assert record_outcome(db, start_run(db, "quick"), ArticleGone(other.url, "quick", 410),
                          {"confirm_withdrawal_checks": 1}) == "withdrawn"
    assert DEFAULT_CONFIRM_CHECKS == 2


def test_a_charset_note_is_a_line_in_the_run_log_and_the_article_is_kept(db):
    run = start_run(db, "county")
    note = "charset lie: declared utf-8, decoded as gb18030 (article kept)"
    assert record_outcome(db, run, article(charset_note=note)) == "new"
    assert errors(db, run) == [note]
    assert get_run(db, run)["articles_new"] == 1


def test_the_other_outcomes(db):
    run = start_run(db, "county")
    record_outcome(db, run, article())
    assert record_outcome(db, run, ArticleNotModified(URL, "county")) == "unchanged"
    assert record_outcome(db, run, ArticleGone(URL + "?never", "county", 404)) == "unknown"
    assert record_outcome(db, run, FetchFailure(URL + "?x", "county", "HTTP 500 after 3 tries", 500)) == "error"
    assert record_outcome(db, run, ListPageFetched("http://x.gov.cn/index.html", "county", 3)) == "list"
    assert record_outcome(db, run, ListProfileLearned("http://x.gov.cn/index.html", "county", {"kind": "ul"})) \
        == "profile_saved"
    assert record_outcome(db, run, RobotsTxtFetched("http://x.gov.cn", "county", 200, None, b"Disallow: /a")) \
        == "robots_kept"
    assert record_outcome(db, run, RobotsTxtFetched("http://x.gov.cn", "county", 503, None, b"busy")) \
        == "robots_not_kept"
    assert [r["body"] for r in db["robots_txt"].rows] == [b"Disallow: /a"]
    assert errors(db, run) == ["HTTP 404", "HTTP 500 after 3 tries"]
    with pytest.raises(TypeError):
        record_outcome(db, run, object())  # type: ignore[arg-type]


@pytest.mark.parametrize("outcome", [
    article(error_title="系统提示", charset_note="charset lie", metadata={"分类": "通知"}, list_anchor="通知"),
    ArticleNotModified(URL, "county"),
    ArticleGone(URL, "county", 302, "redirects to http://x.gov.cn/"),
    FetchFailure(URL, "county", "timeout after 2 s (3 tries)"),
    ListPageFetched("http://x.gov.cn/index.html", "county", 2, "2026-01-01T00:00:00+00:00"),
    ListProfileLearned("http://x.gov.cn/index.html", "county", {"kind": "ul", "depth": 3}, relearned=True),
    RobotsTxtFetched("https://x.gov.cn:8443", "county", 200, "2026-01-01T00:00:00+00:00", b"\xef\xbb\xbfDisallow: /"),
], ids=lambda o: type(o).__name__)
def test_every_outcome_survives_the_stream_encoding(outcome):
    kind, data, body = encode_outcome(outcome)
    assert decode_outcome(kind, data.encode("utf-8"), body) == outcome


def test_the_stream_encoding_drops_what_it_cannot_send_and_refuses_what_it_does_not_know():
    page = article()
    page.prepare()
    kind, data, body = encode_outcome(page)
    assert body == page.body and "prepared" not in data
    assert decode_outcome(kind, data, body).prepared is None
    assert decode_outcome("gone", '{"url": "u", "source": "s", "http_status": 404, "added_later": 1}').url == "u"
    with pytest.raises(ValueError, match="unknown stream entry kind 'page_v9'"):
        decode_outcome("page_v9", "{}")


def test_shared_share_ignores_whitespace_and_counts_bigrams():
    assert shared_share("乡村 振兴", "推进乡村振兴工作") == 1.0
    assert shared_share("系统提示", "乡村振兴") == 0.0
    assert shared_share("", "乡村振兴") == 0.0
