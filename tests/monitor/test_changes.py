"""Change monitoring on the real demo site: a scripted history, crawled with the real CLI.

Day 1 crawls everything; an unchanged re-crawl must raise nothing and cost little; day 2 plays
`demo.history.play_second_day` (new, edited, re-rendered only, re-dated, withdrawn by 404 and by
redirect, copied onto the mirror); day 3 restores the withdrawn stories. The crawls are shared
by the module's tests. A last test kills a crawl with SIGKILL and checks nothing is torn.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from demo.history import EDIT_NEW, EDIT_OLD, play_second_day
from demo.server import DemoSite
from monitor.changes import annotate_changes
from monitor.config import load_sources, source_as_record
from monitor.crawls import finish_crawl, run_crawls, start_crawl
from monitor.locations import PROJECT_ROOT
from storage import open_db
from storage.sources import sync_sources
from tests.conftest import DEMO_SOURCES, govwatch

pytestmark = [pytest.mark.long, pytest.mark.slow]

CHANGING = ["demo-gov", "demo-news", "demo-mirror"]  # the sources day 2 touches


@dataclass
class History:
    db_path: Path
    site: DemoSite
    changes: dict[str, Any] = field(default_factory=dict)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # day → events it raised
    bytes: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    log: dict[str, list[tuple]] = field(default_factory=dict)

    def crawl(self, day: str, *sources: str) -> None:
        db = open_db(self.db_path)
        last = db.execute("select coalesce(max(id), 0) from events").fetchone()[0]
        db.close()
        self.site.request_log.clear()
        started = time.monotonic()
        govwatch("crawl", "--db", str(self.db_path), "--demo-url", self.site.base_url, *sources)
        self.seconds[day] = round(time.monotonic() - started, 1)
        self.log[day] = list(self.site.request_log)
        self.bytes[day] = sum(size for _, _, _, size, _ in self.site.request_log)
        db = open_db(self.db_path)
        self.events[day] = list(db.query(
            "select e.*, a.url from events e join articles a on a.id = e.article_id where e.id > ? order by e.id",
            [last]))
        db.close()

    def path(self, url: str) -> str:
        return url[len(self.site.base_url):]


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> History:
    site = DemoSite()
    site.start(port=0)
    story = History(tmp_path_factory.mktemp("changes") / "govwatch.db", site)
    story.crawl("first", *DEMO_SOURCES)
    story.crawl("again", *DEMO_SOURCES)
    story.changes = play_second_day(site)
    # The mirror after the others: a copy first seen before its original would be taken for the
    # original (the earliest seen wins when the dates are equal), and parallel crawls make that a race.
    story.crawl("day2", *[name for name in CHANGING if name != "demo-mirror"])
    story.crawl("day2-mirror", "demo-mirror")
    story.events["day2"] += story.events.pop("day2-mirror")
    story.log["day2"] += story.log.pop("day2-mirror")
    story.bytes["day2"] += story.bytes.pop("day2-mirror")
    site.restore(story.changes["withdrawn"])
    site.restore(story.changes["withdrawn_by_redirect"])
    story.crawl("day3", "demo-news")
    print(f"\ndemo crawl: first {story.bytes['first']} bytes in {story.seconds['first']} s; unchanged re-crawl "
          f"{story.bytes['again']} bytes ({story.bytes['again'] / story.bytes['first']:.1%}) in {story.seconds['again']} s")
    yield story
    site.stop()


@pytest.fixture
def db(history):
    database = open_db(history.db_path)
    yield database
    database.close()


def kinds(events: list[dict[str, Any]]) -> Counter:
    return Counter(e["kind"] for e in events)


def test_first_crawl_reports_every_article_new_and_the_mirror_copies(history):
    assert kinds(history.events["first"]) == {"new": 54, "republished": 8}


def test_unchanged_recrawl_raises_nothing_and_downloads_under_a_tenth(history, db):
    assert history.events["again"] == []
    ratio = history.bytes["again"] / history.bytes["first"]
    print(f"\nunchanged re-crawl: {history.bytes['again']} of {history.bytes['first']} bytes ({ratio:.1%})")
    assert ratio < 0.10
    files = {path for article in history.site.catalogue() for path in article["attachments"]}
    lists = {urlsplit(url).path for source in ("gov", "news", "paper", "mirror") for url in history.site.list_urls(source)}

    def kind(url: str) -> str:
        path = urlsplit(url).path
        return "file" if path in files else "list" if path in lists else "page"

    statuses = Counter((kind(url), status) for _, url, status, _, _ in history.log["again"])
    assert statuses[("page", 304)] == 54  # every article re-checked, none downloaded again
    assert statuses[("file", 304)] == len(files) == 12  # and every attachment, by its ETag
    assert statuses[("list", 304)] == 4 and statuses[("list", 200)] == 0  # the start pages, kept from day 1


def test_second_day_raises_exactly_the_scripted_events(history):
    changes = history.changes
    got = sorted((e["kind"], history.path(e["url"])) for e in history.events["day2"])
    assert got == sorted([
        ("new", changes["new"][0]), ("new", changes["new"][1]), ("new", changes["new"][2]),
        ("republished", changes["copied"]["copy"]),
        ("changed", changes["edited"]), ("changed", changes["redated"]),
        ("changed", changes["attachment_replaced"]["article"]),  # 附件已更新 under an unchanged page
        ("withdrawn", changes["withdrawn"]), ("withdrawn", changes["withdrawn_by_redirect"]),
    ])


def test_a_page_rerendered_with_the_same_content_raises_nothing(history, db):
    path = history.changes["republished_only"]
    assert (path, 200) in {(p, s) for _, p, s, _, _ in history.log["day2"]}  # downloaded again…
    article = next(db.query("select * from articles where url = ?", [history.site.base_url + path]))
    assert article["version_count"] == 1  # …and judged unchanged
    assert [e for e in history.events["day2"] if e["url"].endswith(path)] == []


def test_edit_is_stored_as_a_version_with_a_character_diff(history, db):
    url = history.site.base_url + history.changes["edited"]
    article = next(db.query("select * from articles where url = ?", [url]))
    versions = list(db.query("select * from article_versions where article_id = ? order by version", [article["id"]]))
    assert [v["version"] for v in versions] == [1, 2] and versions[0]["diff"] is None
    assert article["current_version_id"] == versions[1]["id"] and EDIT_NEW in article["text"]
    diff = json.loads(versions[1]["diff"])
    occurrences = versions[0]["text"].count(EDIT_OLD)
    assert occurrences >= 1 and diff["title"] is None and diff["fields"] == {} and diff["metadata"] == {}
    inserted = [leaf for leaf in leaves(diff["text"]) if leaf["op"] != "equal"]
    assert inserted == [{"op": "insert", "text": "全面"}] * occurrences
    assert diff["summary"] == {"changed": ["text"], "chars_added": 2 * occurrences, "chars_removed": 0}
    assert versions[1]["diff_summary"] == f"text +{2 * occurrences}/-0 chars"
    event = next(e for e in history.events["day2"] if e["kind"] == "changed" and e["url"] == url)
    assert event["version_id"] == versions[1]["id"] and event["detail"] == versions[1]["diff_summary"]


def test_redating_is_a_change_of_the_date_alone(history, db):
    url = history.site.base_url + history.changes["redated"]
    page = next(a for a in history.site.catalogue() if a["url"] == url)
    version = next(db.query("select v.* from article_versions v join articles a on a.id = v.article_id "
                            "where a.url = ? and v.version = 2", [url]))
    diff = json.loads(version["diff"])
    assert diff["title"] is None and diff["text"] is None
    assert diff["fields"]["published"][1] == page["date"] and version["published"] == page["date"]
    assert diff["summary"]["changed"][0] == "published" and diff["summary"]["chars_added"] == 0


def test_withdrawals_say_how(history):
    details = {history.path(e["url"]): e["detail"] for e in history.events["day2"] if e["kind"] == "withdrawn"}
    assert details[history.changes["withdrawn"]] == "HTTP 404"
    assert details[history.changes["withdrawn_by_redirect"]] == (
        f"HTTP 302: redirects to {history.site.base_url}/news/list/index.html")


def test_the_mirror_copy_is_linked_to_the_original(history, db):
    copy, original = (history.site.base_url + history.changes["copied"][k] for k in ("copy", "original"))
    row = next(db.query("select a.copy_of, o.url from articles a join articles o on o.id = a.copy_of where a.url = ?",
                        [copy]))
    assert row["url"] == original
    event = next(e for e in history.events["day2"] if e["kind"] == "republished")
    assert json.loads(event["detail"])["url"] == original and json.loads(event["detail"])["similarity"] == 1.0


def test_restored_articles_are_noticed_on_the_next_crawl(history):
    restored = sorted((e["kind"], history.path(e["url"])) for e in history.events["day3"])
    assert restored == sorted([("restored", history.changes["withdrawn"]),
                               ("restored", history.changes["withdrawn_by_redirect"])])


def test_every_article_matches_its_current_version(db):
    assert_consistent(db)


def test_annotating_again_changes_nothing(db):
    before = db.execute("select count(*) from events").fetchone()[0]
    assert annotate_changes(db) == 0
    assert db.execute("select count(*) from events").fetchone()[0] == before


def test_list_pages_that_show_nothing_new_wait(history, db):
    rows = {history.path(r["url"]): r for r in db.query("select * from list_pages where source = 'demo-gov'")}
    assert rows["/gov/index.html"]["fetch_count"] == 3  # the start page: every crawl
    deeper = [r for p, r in rows.items() if p != "/gov/index.html"]
    assert deeper and all(r["next_due"] > r["last_fetched"] for r in deeper)
    again = [p for _, p, *_ in history.log["again"] if p.startswith("/gov/index")]
    assert again == ["/gov/index.html"]


def test_killed_crawl_leaves_a_consistent_store_and_a_rerun_completes(tmp_path, fresh_demo_site):
    db_path = tmp_path / "killed.db"
    sources = [s for s in load_sources(PROJECT_ROOT / "sources.yaml", demo_url=fresh_demo_site.base_url)
               if s.name in ("demo-gov", "demo-mirror")]
    db = open_db(db_path)
    sync_sources(db, [source_as_record(s) for s in sources])
    db.close()
    job = start_crawl(db_path, "demo-gov", extra_settings={"DOWNLOAD_DELAY": 0.15})
    stored = 0
    while job.process.poll() is None and stored < 3:  # wait until the crawl is writing
        time.sleep(0.05)
        db = open_db(db_path)
        stored = db.execute("select count(*) from articles").fetchone()[0]
        db.close()
    time.sleep(random.Random(3).uniform(0.1, 0.6))
    assert job.process.poll() is None, "the crawl finished before it could be killed"
    job.process.kill()  # SIGKILL: no cleanup of any kind
    job.process.wait()

    db = open_db(db_path)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    partial = db.execute("select count(*) from articles").fetchone()[0]
    assert 0 < partial < 14
    assert_consistent(db)
    db.close()
    assert finish_crawl(db_path, job)["status"] == "killed"  # closed as killed, not left "running"

    runs = run_crawls(db_path, ["demo-gov", "demo-mirror"])
    assert [r["status"] for r in runs] == ["ok", "ok"]
    db = open_db(db_path)
    catalogue = fresh_demo_site.catalogue()
    gov_copies = sum(1 for a in catalogue if a["source"] == "mirror" and (a["copy_of"] or "").startswith("/gov/"))
    clean = Counter({"new": sum(1 for a in catalogue if a["source"] in ("gov", "mirror")), "republished": gov_copies})
    assert Counter(r["kind"] for r in db.query("select kind from events")) == clean
    assert_consistent(db)
    db.close()


def assert_consistent(db) -> None:
    """No version without its article update, and no article ahead of its versions."""
    torn = list(db.query(
        "select a.id from articles a left join article_versions v on v.id = a.current_version_id"
        " where v.id is null or v.article_id != a.id or v.content_hash != a.content_hash"
        " or v.version != a.version_count"
        " or a.version_count != (select max(version) from article_versions where article_id = a.id)"))
    assert torn == []


def leaves(nodes):
    for node in nodes:
        if node["op"] == "replace":
            yield from (leaves(node["parts"]) if node["parts"] else
                        [{"op": "delete", "text": node["old"]}, {"op": "insert", "text": node["new"]}])
        else:
            yield node


def test_govwatch_crawl_ends_its_runs_as_the_service_does(history, db):
    """`govwatch crawl` records each source's health (monitor/run_end.py), so the operator page and
    the CLI read the same flags; it used to leave source_health empty."""
    checked = {r["source"]: r["checked_at"] for r in db.query("select source, checked_at from source_health")}
    assert set(DEMO_SOURCES) <= set(checked)
