"""A researcher's view in headless Chromium: an article page with its diff, and a search."""

from __future__ import annotations

import signal

import pytest

from storage import open_db
from tests.browser.conftest import start_datasette
from tests.browser.screenshots import assert_not_blank

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def served_demo(two_day_demo):
    db_path = two_day_demo[0]
    serve, base = start_datasette(db_path)
    yield base, db_path
    serve.send_signal(signal.SIGTERM)
    serve.wait(timeout=30)


def test_article_page_shows_the_marked_diff(browser, served_demo, tmp_path):
    base, db_path = served_demo
    db = open_db(db_path)
    edited = db.execute("select article_id from events where kind = 'changed' and attachment_version_id is null"
                        " order by id").fetchone()[0]  # a text edit, not the demo's replaced attachment
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(f"{base}/-/article/{edited}")
    assert page.locator(".diff ins, .diff del").count() > 0
    assert page.locator("section.version").count() == 2
    assert_not_blank(page.screenshot(full_page=True, path=str(tmp_path / "article.png")))


def test_search_box_finds_a_two_character_word(browser, served_demo, tmp_path):
    base, db_path = served_demo
    db = open_db(db_path)
    expected = db.execute("select count(*) from articles where title like '%扶贫%' or text like '%扶贫%'").fetchone()[0]
    assert expected > 0
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(f"{base}/govwatch/articles")
    page.fill("input#_search", "扶贫")
    page.press("input#_search", "Enter")
    page.wait_for_load_state()
    assert f"{expected} row" in page.inner_text("body")
    assert page.input_value("input#_search") == "扶贫"
    assert_not_blank(page.screenshot(path=str(tmp_path / "search.png")))
