"""Raw bodies: kept once per hash, given a per-source zstd dictionary, read back byte for byte,
dropped by retention only where the brief allows; and the footprint that `govwatch stats` prints."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime

import pytest

from storage.articles import FetchedArticle, raw_html, record_page
from storage.footprint import PART_ORDER, measure_footprint
from storage.raw_bodies import DICT_MIN_SAMPLES, PLAIN_BY_SOURCE, compact_bodies, prune_raw_bodies
from storage.runs import start_run
from tests.conftest import govwatch

WORDS = ["乡村振兴", "产业发展", "基层治理", "公共服务", "生态保护", "人才培养", "财政资金", "监督检查", "安全生产", "民生保障"]


def body(i: int, text: str) -> bytes:
    menu = "".join(f'<li><a href="/col/{n}/index.html">栏目{n}</a></li>' for n in range(40))
    return (f'<html><head><meta charset="utf-8"><title>通知{i}</title></head><body><div class="nav"><ul>{menu}</ul></div>'
            f'<div class="content"><h1>关于第{i}号事项的通知</h1><p>{text}</p></div>'
            f'<div class="footer">主办单位：示范市人民政府办公室 版权所有 备案号：京ICP备000000号</div></body></html>'
            ).encode()


def article(i: int, source: str = "county", fetched_at: str | None = None, text: str | None = None) -> FetchedArticle:
    rng = random.Random(i)
    text = text or "。".join("".join(rng.sample(WORDS, 5)) for _ in range(12))
    return FetchedArticle(url=f"http://x.gov.cn/art/{i}.html", source=source, body=body(i, text), title=f"通知{i}",
                          text=text, fetched_at=fetched_at)


@pytest.fixture
def db(county_city_db):
    return county_city_db


def stored_bodies(db) -> dict[int, bytes]:
    return {row["id"]: raw_html(db, row) for row in db.query("select * from article_versions")}


def test_bodies_get_their_source_dictionary_and_read_back_byte_for_byte(db):
    run = start_run(db, "county")
    pages = [article(i) for i in range(DICT_MIN_SAMPLES + 10)]
    for page in pages:
        record_page(db, run, page)
    record_page(db, start_run(db, "city"), article(999, source="city"))
    plain_bytes = db.execute("select sum(length(body)) from raw_bodies where sha256 != ?",
                             [hashlib.sha256(article(999).body).hexdigest()]).fetchone()[0]
    assert compact_bodies(db) == {"county": len(pages)}  # city has too few pages for a dictionary
    codecs = dict(db.execute("select codec, count(*) from raw_bodies group by codec").fetchall())
    assert codecs == {"zstd-dict": len(pages), "zstd": 1}
    dict_bytes = db.execute("select sum(length(body)) from raw_bodies where codec = 'zstd-dict'").fetchone()[0]
    assert dict_bytes < plain_bytes / 2  # the template is in the dictionary, not in every row
    bodies = stored_bodies(db)
    assert sorted(bodies.values()) == sorted([p.body for p in pages] + [article(999, source="city").body])
    # A later page of the source is stored plain, then given the dictionary by the next pass.
    record_page(db, run, article(500))
    assert compact_bodies(db) == {"county": 1}
    latest = next(db.query("select * from article_versions order by id desc limit 1"))
    assert raw_html(db, latest) == article(500).body


def test_a_body_served_twice_is_kept_once(db):
    run = start_run(db, "county")
    first = article(1)
    copy = FetchedArticle(url="http://x.gov.cn/copy/1.html", source="county", body=first.body, title=first.title,
                          text=first.text)
    record_page(db, run, first)
    record_page(db, run, copy)
    assert db.execute("select count(*) from article_versions").fetchone()[0] == 2
    assert db.execute("select count(*) from raw_bodies").fetchone()[0] == 1
    assert set(stored_bodies(db).values()) == {first.body}


def test_retention_drops_only_old_bodies_of_articles_that_never_changed(db):
    run = start_run(db, "county")
    old, recent = "2026-01-01T00:00:00+00:00", "2026-11-29T00:00:00+00:00"
    record_page(db, run, article(1, fetched_at=old))                      # old, never changed: pruned
    record_page(db, run, article(2, fetched_at=old))                      # old, then changed: kept
    record_page(db, run, article(2, fetched_at=recent, text="新的内容。" * 20))
    record_page(db, run, article(3, fetched_at=recent))                   # recent: kept
    shared = FetchedArticle(url="http://x.gov.cn/art/4.html", source="county", body=article(3).body,
                            title="通知4", text="另一篇" * 10, fetched_at=old)  # old, but its body is article 3's
    record_page(db, run, shared)
    before = {r["id"]: dict(r) for r in db.query("select * from article_versions")}
    bodies_before = stored_bodies(db)

    assert prune_raw_bodies(db, 90, now=datetime(2026, 11, 30, tzinfo=UTC)) == 2
    after = {r["id"]: dict(r) for r in db.query("select * from article_versions")}
    pruned = {vid for vid, row in after.items() if row["raw_pruned_at"]}
    by_url = {r["id"]: r["url"] for r in db.query("select v.id, a.url from article_versions v join articles a"
                                                   " on a.id = v.article_id")}
    assert {by_url[v] for v in pruned} == {"http://x.gov.cn/art/1.html", "http://x.gov.cn/art/4.html"}
    for vid, row in after.items():  # text, hashes and sizes always stay
        assert {k: row[k] for k in ("text", "content_hash", "raw_sha256", "raw_size")} == \
               {k: before[vid][k] for k in ("text", "content_hash", "raw_sha256", "raw_size")}
    bodies = stored_bodies(db)
    for vid, raw in bodies.items():
        if by_url[vid] == "http://x.gov.cn/art/1.html":
            assert raw is None
        else:  # the shared body stays while article 3 needs it, so article 4 still reads it
            assert raw == bodies_before[vid]
    assert db.execute("select count(*) from raw_bodies").fetchone()[0] == 3
    with pytest.raises(ValueError):
        prune_raw_bodies(db, 0)


@pytest.mark.slow
def test_footprint_adds_up_to_the_file_and_stats_prints_it(db, tmp_path):
    run = start_run(db, "county")
    for i in range(20):
        record_page(db, run, article(i))
    footprint = measure_footprint(db)
    assert footprint.total == footprint.file_bytes
    assert footprint.articles == 20 and set(footprint.bytes_by_part) == set(PART_ORDER)
    assert all(footprint.bytes_by_part[p] > 0 for p in ("text", "versions", "raw HTML", "search index", "events", "runs"))
    db.conn.commit()
    printed = govwatch("stats", "--db", str(tmp_path / "store.db")).stdout
    for part in PART_ORDER:
        assert part in printed
    refused = govwatch("prune-raw-html", "--db", str(tmp_path / "store.db"), "--older-than-days", "0", check=False)
    assert refused.returncode == 2


def test_a_process_keeps_a_bounded_number_of_dictionaries_and_still_reads_every_body(db, monkeypatch):
    """A long-lived service reads every source's dictionary: the cache is bounded (here to one),
    and a body whose dictionary was let go is read again from the store, byte for byte."""
    from storage import raw_bodies

    monkeypatch.setattr(raw_bodies, "DICTIONARIES_KEPT", 1)
    monkeypatch.setattr(raw_bodies, "_dictionaries", {})
    pages = {"county": [article(i) for i in range(DICT_MIN_SAMPLES)],
             "city": [article(1000 + i, source="city") for i in range(DICT_MIN_SAMPLES)]}
    for source, source_pages in pages.items():
        run = start_run(db, source)
        for page in source_pages:
            record_page(db, run, page)
    assert compact_bodies(db) == {"county": DICT_MIN_SAMPLES, "city": DICT_MIN_SAMPLES}
    for _ in range(2):  # alternate sources: each read may have to fetch the dictionary again
        bodies = stored_bodies(db)
        assert sorted(bodies.values()) == sorted(p.body for ps in pages.values() for p in ps)
        assert len(raw_bodies._dictionaries) == 1


def test_the_search_for_bodies_without_a_dictionary_reads_the_partial_index(db):
    """compact_bodies runs after every batch of crawls: it must find the few plain bodies through
    the partial index (m018), not by scanning the rows of every body the store holds."""
    plan = " ".join(row[3] for row in db.execute("explain query plan " + PLAIN_BY_SOURCE).fetchall())
    assert "idx_raw_bodies_plain" in plan and "SCAN b " not in plan.replace("SCAN b USING", "")
