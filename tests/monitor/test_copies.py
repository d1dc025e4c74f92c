"""Republished copies: MinHash + LSH bands find the demo mirror's copies, and only those."""

from __future__ import annotations

import subprocess
import sys

import pytest

from monitor.copies import BANDS, COPY_MIN_JACCARD, detect_copies, jaccard, minhash, shingles
from storage import open_db
from storage.articles import FetchedArticle, record_page
from storage.copies import candidate_copies
from storage.runs import start_run
from storage.sources import sync_sources
from tests.conftest import PROJECT_ROOT

STORY = ("为巩固脱贫成果，我省明确在新政策出台实施前，坚持原有政策一律不变、帮扶力度不减。"
         "省乡村振兴局相关负责人介绍，在脱贫攻坚取得全面胜利后，湖南严格落实“四个不摘”要求，确保政策连续性。"
         "兜底救助类政策继续保持稳定，产业帮扶、就业帮扶等政策进一步完善。")
OTHER = ("火车跑得快，全靠车头带。脱贫攻坚关键是解决“两不愁、三保障”问题，乡村振兴着力推动农业全面升级、"
         "农村全面进步、农民全面发展，在衔接过程中要将目标任务稳步转移到实现农村全面进步上来，补齐农村地区短板弱项。")


@pytest.fixture(scope="module")
def crawled(crawled_demo):
    database = open_db(crawled_demo)
    yield database
    database.close()


@pytest.mark.slow
def test_demo_mirror_copies_found_exactly(crawled, demo_site):
    base = demo_site.base_url
    truth = {(a["url"], base + a["copy_of"]) for a in demo_site.catalogue() if a["copy_of"]}
    found = {(r["url"], r["original"]) for r in crawled.query(
        "select a.url, o.url original from articles a join articles o on o.id = a.copy_of")}
    precision = len(truth & found) / len(found) if found else 0.0
    recall = len(truth & found) / len(truth)
    print(f"\ncopy detection on the demo: {len(found)} found, {len(truth)} true; "
          f"precision {precision:.2f}, recall {recall:.2f}")
    assert len(truth) == 8 and found == truth
    republished = {r["url"] for r in crawled.query(
        "select a.url from events e join articles a on a.id = e.article_id where e.kind = 'republished'")}
    assert republished == {copy for copy, _ in truth}


@pytest.mark.slow
def test_every_article_is_signed_once_with_all_its_bands(crawled):
    articles = crawled.execute("select count(*) from articles").fetchone()[0]
    assert crawled.execute("select count(*) from article_minhash").fetchone()[0] == articles
    counts = {r["n"] for r in crawled.query("select count(*) n from article_shingle_bands group by article_id")}
    assert counts == {BANDS}


@pytest.mark.slow
def test_lsh_candidates_are_few(crawled):
    """A copy's candidates are its group, not the whole store: the index does the work."""
    for row in crawled.query("select id, copy_of from articles where copy_of is not null"):
        candidates = candidate_copies(crawled, row["id"])
        assert row["copy_of"] in candidates and len(candidates) <= 3


def test_minhash_estimates_jaccard():
    a, b = shingles(STORY), shingles(STORY[:-20] + "另有补充内容若干字。")
    estimate = sum(x == y for x, y in zip(minhash(a), minhash(b))) / len(minhash(a))
    assert abs(estimate - jaccard(a, b)) < 0.2
    assert jaccard(shingles(STORY), shingles(" ".join(STORY))) == 1.0  # spacing and punctuation do not count
    assert jaccard(shingles(STORY), shingles(OTHER)) < 0.1


@pytest.mark.slow
def test_signing_loads_datasketchs_minhash_alone_and_signs_as_the_package_does():
    """Signing must not pay for the rest of datasketch (its LSH modules import scipy: ~0.9 s of
    CPU per process), and the class it loads must give the signatures the whole package gives:
    stored signatures are compared across processes that load it either way."""
    script = (
        "import sys\n"
        "from monitor.copies import minhash, shingles\n"
        f"signature = minhash(shingles({STORY!r}))\n"
        "alone = sorted(m for m in ('scipy', 'redis', 'datasketch.lsh') if m in sys.modules)\n"
        "import datasketch\n"
        "from monitor.copies import BANDS, ROWS, SIGNATURE_SEED, minhash_class\n"
        "whole = datasketch.MinHash(num_perm=BANDS * ROWS, seed=SIGNATURE_SEED, hashfunc=int)\n"
        f"whole.update_batch(list(shingles({STORY!r})))\n"
        "print(alone, minhash_class() is datasketch.MinHash, [int(v) for v in whole.hashvalues] == signature)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.split() == ["[]", "True", "True"], result.stdout + result.stderr


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "copies.db")
    sync_sources(database, [{"name": "gov"}, {"name": "mirror"}])
    yield database
    database.close()


def store(db, run, url, source, text, published, title="标题", origin=None):
    record_page(db, run, FetchedArticle(url=url, source=source, body=b"<html></html>", title=title, text=text,
                                        published=published, origin=origin))
    return next(db.query("select id from articles where url = ?", [url]))["id"]


def test_copy_linked_to_the_earliest_whatever_order_they_arrive(db):
    run = start_run(db, "mirror")
    later_copy = store(db, run, "http://m/2.html", "mirror", STORY, "2022-03-01")
    assert detect_copies(db) == 0  # alone: nothing to link
    original = store(db, run, "http://g/1.html", "gov", STORY, "2021-06-07")
    unrelated = store(db, run, "http://g/3.html", "gov", OTHER, "2021-06-08")
    edited_copy = store(db, run, "http://m/4.html", "mirror", STORY.replace("湖南", "我省"), "2022-05-01")
    assert detect_copies(db) == 2
    links = {r["id"]: r["copy_of"] for r in db.query("select id, copy_of from articles")}
    assert links == {later_copy: original, original: None, unrelated: None, edited_copy: original}
    events = list(db.query("select article_id, run_id from events where kind = 'republished' order by article_id"))
    assert [e["article_id"] for e in events] == [later_copy, edited_copy] and {e["run_id"] for e in events} == {run}
    assert detect_copies(db) == 0  # idempotent


def test_on_the_same_date_a_mirror_is_never_the_original(tmp_path):
    """Parallel crawls store a day's copy and its original in either order: the source declared a
    mirror loses the tie whichever came first; a page dated earlier still wins."""
    database = open_db(tmp_path / "tie.db")
    sync_sources(database, [{"name": "gov", "kind": "gov"}, {"name": "mirror", "kind": "mirror"}])
    run = start_run(database, "mirror")
    mirror_first = store(database, run, "http://m/1.html", "mirror", STORY, "2021-06-07")
    gov_later = store(database, run, "http://g/1.html", "gov", STORY, "2021-06-07")
    mirror_earlier = store(database, run, "http://m/2.html", "mirror", OTHER, "2021-06-01")
    gov_dated_later = store(database, run, "http://g/2.html", "gov", OTHER, "2021-06-02")
    assert detect_copies(database) == 2
    links = {r["id"]: r["copy_of"] for r in database.query("select id, copy_of from articles")}
    assert links == {mirror_first: gov_later, gov_later: None, mirror_earlier: None, gov_dated_later: mirror_earlier}
    database.close()


def test_on_the_same_date_a_page_whose_source_line_credits_another_copy_is_not_the_original(tmp_path):
    """A county portal reposts the paper's story the same day, 来源：湖南日报: whichever crawl stored first,
    the paper's is the original; a 来源 naming nobody we hold, or the page's own site, decides nothing."""
    database = open_db(tmp_path / "credit.db")
    sync_sources(database, [{"name": "county", "title": "示范县人民政府"}, {"name": "paper", "title": "湖南日报"},
                            {"name": "city", "title": "示范市人民政府"}])
    run = start_run(database, "county")
    repost = store(database, run, "http://county/1.html", "county", STORY, "2021-06-07", origin="湖南日报")
    paper = store(database, run, "http://paper/1.html", "paper", STORY, "2021-06-07", origin="湖南日报 记者 张三")
    first = store(database, run, "http://county/2.html", "county", OTHER, "2021-06-08", origin="新华社")
    second = store(database, run, "http://city/2.html", "city", OTHER, "2021-06-08", origin="示范市人民政府办公室")
    assert detect_copies(database) == 2
    links = {r["id"]: r["copy_of"] for r in database.query("select id, copy_of from articles")}
    assert links == {repost: paper, paper: None, first: None, second: first}
    database.close()


def test_short_texts_are_never_called_copies(db):
    run = start_run(db, "gov")
    store(db, run, "http://g/a.html", "gov", "通知。", "2021-01-01")
    store(db, run, "http://m/a.html", "mirror", "通知。", "2021-01-02")
    assert detect_copies(db) == 0
    assert COPY_MIN_JACCARD >= 0.5


@pytest.mark.slow
def test_old_signatures_are_redone_and_links_kept(crawled_demo, tmp_path):
    """m015: bands of the old hand-written MinHash are dropped; the next annotation signs every
    article again with datasketch's, and the copy links (and their events) stay as they were."""
    import shutil

    path = tmp_path / "old.db"
    shutil.copy(crawled_demo, path)
    old = open_db(path)
    links = set(old.execute("select id, copy_of from articles where copy_of is not null").fetchall())
    events = old.execute("select count(*) from events where kind = 'republished'").fetchone()[0]
    old.execute("update article_shingle_bands set hash = hash + 1")  # what a foreign MinHash left
    old.execute("delete from _sqlite_migrations where name = 'm015_copy_signatures_redone'")
    old.conn.commit()
    old.close()

    migrated = open_db(path)
    assert migrated.execute("select count(*) from article_minhash").fetchone()[0] == 0
    detect_copies(migrated)
    articles = migrated.execute("select count(*) from articles").fetchone()[0]
    assert migrated.execute("select count(*) from article_minhash").fetchone()[0] == articles
    assert set(migrated.execute("select id, copy_of from articles where copy_of is not null").fetchall()) == links
    assert migrated.execute("select count(*) from events where kind = 'republished'").fetchone()[0] == events
    for copy_id, original in links:
        assert original in candidate_copies(migrated, copy_id)
    migrated.close()
