"""Links seen and not stored (storage/unfetched_links.py): written through the one outcome
writer, owed until stored, given up after MAX_LINK_FAILURES failed fetches."""

from __future__ import annotations

from storage import open_db
from storage.outcome_writer import record_outcome
from storage.outcomes import ArticleGone, ArticleLinksSeen, FetchedArticle, FetchFailure
from storage.runs import start_run
from storage.sources import sync_sources
from storage.unfetched_links import MAX_LINK_FAILURES, owed_links

LIST = "http://gov.example/list.html"


def open_store(tmp_path):
    db = open_db(tmp_path / "govwatch.db")
    sync_sources(db, [{"name": "s", "kind": "gov", "start_urls": [LIST], "allowed_domains": ["gov.example"],
                       "schedule": "every 1h", "list_pattern": ".*"}])
    return db, start_run(db, "s")


def page(url: str) -> FetchedArticle:
    return FetchedArticle(url=url, source="s", http_status=200, headers={}, body=b"<html></html>",
                          title="关于乡村振兴的通知",
                          text="为推进乡村全面振兴，现将有关事项通知如下。" * 5)


def test_a_link_is_owed_until_its_article_is_stored(tmp_path):
    db, run = open_store(tmp_path)
    a, b = "http://gov.example/a.html", "http://gov.example/b.html"
    record_outcome(db, run, ArticleLinksSeen(LIST, "s", [a, b]))
    record_outcome(db, run, ArticleLinksSeen(LIST, "s", [b]))  # seen again: still one row
    assert owed_links(db, "s") == [a, b]
    assert owed_links(db, "other") == []
    assert record_outcome(db, run, page(a)) == "new"
    assert owed_links(db, "s") == [b]


def test_a_link_that_keeps_failing_is_given_up(tmp_path):
    db, run = open_store(tmp_path)
    dead, flaky = "http://gov.example/dead.html", "http://gov.example/flaky.html"
    record_outcome(db, run, ArticleLinksSeen(LIST, "s", [dead, flaky]))
    for _ in range(MAX_LINK_FAILURES - 1):
        record_outcome(db, run, ArticleGone(dead, "s", 404))  # listed, but 404 before we stored it
    record_outcome(db, run, FetchFailure(flaky, "s", "HTTP 503 after 3 tries", 503))
    assert owed_links(db, "s") == [dead, flaky]
    record_outcome(db, run, FetchFailure(dead, "s", "timeout after 30 s (3 tries)"))
    assert owed_links(db, "s") == [flaky]
    # a failure of a URL never noted (a list page's, say) changes nothing
    record_outcome(db, run, FetchFailure(LIST, "s", "HTTP 500 after 3 tries", 500))
    assert owed_links(db, "s") == [flaky]


def test_a_link_already_stored_is_not_noted(tmp_path):
    """Another crawl of the source may store the article between this crawl's start (when it read
    what the store holds) and its list page: the link must not linger as owed."""
    db, run = open_store(tmp_path)
    a = "http://gov.example/a.html"
    record_outcome(db, run, page(a))
    record_outcome(db, run, ArticleLinksSeen(LIST, "s", [a]))
    assert db.execute("select count(*) from unfetched_links").fetchone()[0] == 0
