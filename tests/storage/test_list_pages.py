"""What a list page's full fetch kept (validators, links, next pages), and what a 304 keeps."""

from __future__ import annotations

import json

import pytest

from storage.list_pages import FullListFetch, list_page_stats, record_list_fetch, stored_list_view

URL = "http://127.0.0.1/gov/index.html"
SHOWN = {"rules": "k1", "kept_at": "2026-12-01T10:00:00+00:00",
         "links": [["http://127.0.0.1/gov/2024/05/t20240501_1.html", "关于开展工作的通知"]],
         "pages": ["http://127.0.0.1/gov/index_1.html"]}


@pytest.fixture
def db(county_city_db):
    return county_city_db


def test_a_304_visit_keeps_what_the_full_fetch_showed(db):
    record_list_fetch(db, "county", URL, 1, None, full=FullListFetch('"abc"', None, SHOWN))
    record_list_fetch(db, "county", URL, 0, None)  # a 304
    row = list_page_stats(db, "county")[URL]
    assert row["fetch_count"] == 2 and row["idle_streak"] == 1
    view = stored_list_view(row)
    assert view is not None and view.etag == '"abc"' and view.rules == "k1"
    assert view.links == [("http://127.0.0.1/gov/2024/05/t20240501_1.html", "关于开展工作的通知")]
    assert view.pages == ["http://127.0.0.1/gov/index_1.html"]


def test_a_full_fetch_without_validators_keeps_nothing_to_replay(db):
    record_list_fetch(db, "county", URL, 1, None, full=FullListFetch('"abc"', None, SHOWN))
    record_list_fetch(db, "county", URL, 0, None, full=FullListFetch(None, None, SHOWN))  # the server stopped sending them
    assert stored_list_view(list_page_stats(db, "county")[URL]) is None


@pytest.mark.parametrize("shown", [
    "not json", json.dumps(["a list"]), json.dumps({"links": "x", "pages": []}),
    json.dumps({"links": [["only a url"]], "pages": []}), json.dumps({"pages": []}),
    json.dumps({**SHOWN, "kept_at": "yesterday"}),
])
def test_a_kept_view_it_cannot_read_is_not_replayed(shown):
    """A row written by another version, or damaged: the page is then simply read whole."""
    assert stored_list_view({"etag": '"abc"', "last_modified": None, "shown": shown}) is None
