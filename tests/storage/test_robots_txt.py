"""storage/robots_txt.py: which stored robots.txt a crawl of a source may reuse, and what is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import open_db
from storage.robots_txt import MAX_BODY_BYTES, record_robots_txt, stored_robots_txt

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def at(hours_ago: float) -> str:
    return (NOW - timedelta(hours=hours_ago)).isoformat(timespec="seconds")


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "govwatch.db")
    yield database
    database.close()


def test_a_source_gets_the_young_files_of_its_domains_and_their_subdomains_only(db):
    record_robots_txt(db, "http://www.hunan.gov.cn", 200, b"a", at(1))
    record_robots_txt(db, "https://zwgk.hunan.gov.cn:8443", 200, b"b", at(23))
    record_robots_txt(db, "http://old.hunan.gov.cn", 200, b"c", at(25))  # older than a day
    record_robots_txt(db, "http://nothunan.gov.cn", 200, b"d", at(1))  # a suffix, not a subdomain
    record_robots_txt(db, "http://hunan.gov.cn.evil.example", 200, b"e", at(1))
    fresh = stored_robots_txt(db, ["hunan.gov.cn"], 24 * 3600, now=NOW)
    assert sorted(fresh) == ["http://www.hunan.gov.cn", "https://zwgk.hunan.gov.cn:8443"]
    assert fresh["https://zwgk.hunan.gov.cn:8443"].body == b"b"
    assert fresh["https://zwgk.hunan.gov.cn:8443"].age_s(NOW) == 23 * 3600
    assert stored_robots_txt(db, ["HUNAN.gov.cn", "nothunan.gov.cn"], 2 * 3600, now=NOW).keys() == {
        "http://www.hunan.gov.cn", "http://nothunan.gov.cn"}
    assert stored_robots_txt(db, ["hunan.gov.cn"], 0, now=NOW) == {}
    assert stored_robots_txt(db, [], 24 * 3600, now=NOW) == {}


def test_a_later_fetch_replaces_the_file_and_a_server_error_keeps_nothing(db):
    assert record_robots_txt(db, "http://www.hunan.gov.cn", 200, b"old", at(5))
    assert record_robots_txt(db, "http://www.hunan.gov.cn", 404, b"", at(1))
    assert not record_robots_txt(db, "http://www.hunan.gov.cn", 503, b"busy", at(0))
    assert not record_robots_txt(db, "http://www.hunan.gov.cn", 302, b"", at(0))
    [row] = db["robots_txt"].rows
    assert (row["http_status"], row["body"], row["fetched_at"], row["host"]) == (404, b"", at(1), "www.hunan.gov.cn")


def test_a_body_is_cut_at_the_500_kib_rfc_9309_asks_a_crawler_to_parse(db):
    record_robots_txt(db, "http://x.gov.cn", 200, b"#" * (MAX_BODY_BYTES + 10), at(0))
    assert len(next(db["robots_txt"].rows)["body"]) == MAX_BODY_BYTES
