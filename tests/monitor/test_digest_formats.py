"""The digest's documents: Atom valid per RFC 4287, HTML that a real browser draws."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from monitor.digest.contents import build_digest
from monitor.digest.period import day_period
from monitor.digest.renderers import render
from monitor.digest.subscriptions import load_subscriptions
from storage import open_db
from tests.browser.screenshots import png_stats
from tests.monitor.digest_history import DAY, write_config, write_history

ATOM_SCHEMA = Path(__file__).parent / "data" / "atom.rng"
CHROMIUM = Path("/usr/bin/chromium")
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def digests(tmp_path_factory):
    """The scripted day and an empty day, for both subscriptions."""
    history = write_history(tmp_path_factory.mktemp("digest") / "govwatch.db")
    settings = load_subscriptions(write_config(tmp_path_factory.mktemp("config") / "subscriptions.yaml"))
    db = open_db(history.path)
    built = {(name, label): build_digest(db, day_period(day), settings.subscription(name), settings)
             for name in ("all", "rural") for label, day in (("day", DAY), ("empty", DAY + timedelta(days=5)))}
    db.close()
    return built


@pytest.mark.parametrize("key", [("all", "day"), ("rural", "day"), ("all", "empty")])
def test_atom_is_valid_rfc4287(digests, key):
    document = render("atom", digests[key])
    schema = etree.RelaxNG(etree.parse(str(ATOM_SCHEMA)))
    feed = etree.fromstring(document.encode("utf-8"))
    assert schema.validate(feed), schema.error_log
    parsed = feedparser.parse(document)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.id.startswith("tag:govwatch,2024:") and parsed.feed.updated
    ids = [e.id for e in parsed.entries]
    assert len(ids) == len(set(ids)) and all(i.startswith("tag:govwatch,") for i in ids)
    for entry in feed.iter(f"{ATOM}entry"):  # RFC 4287's Schematron rules the RNG leaves out
        alternates = [link for link in entry.iter(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        assert len(alternates) == 1 or entry.find(f"{ATOM}content") is not None
    assert feed.find(f"{ATOM}author") is not None


def test_atom_entries_and_ids_are_stable(digests):
    first = feedparser.parse(render("atom", digests[("all", "day")]))
    again = feedparser.parse(render("atom", digests[("all", "day")]))
    assert [e.id for e in first.entries] == [e.id for e in again.entries]
    titles = [e.title for e in first.entries]
    assert "[新] 2026年乡村振兴重点工作安排" in titles and "[撤] 乡村振兴示范村名单公示" in titles
    assert "[改] 关于下达乡村振兴补助资金的通知" in titles
    assert any(t.startswith("采集状况") for t in titles)
    edited = next(e for e in first.entries if e.title.startswith("[改]"))
    assert "补助资金（第二批）" in edited.summary
    assert any("/-/article/" in link.href and "#version-2" in link.href for link in edited.links)
    assert edited.link.startswith("http://127.0.0.1:8001/-/article/")  # the alternate is the article page


def test_empty_atom_feed_says_so(digests):
    parsed = feedparser.parse(render("atom", digests[("all", "empty")]))
    assert "No new, edited, withdrawn or republished articles" in parsed.feed.subtitle
    assert [e.title for e in parsed.entries if not e.title.startswith("采集状况")] == []


@pytest.mark.slow  # starts a browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                  "(./bootstrap.sh --test installs it)")
async def test_html_renders_in_headless_chromium(digests, tmp_path):
    from playwright.async_api import async_playwright

    digest = digests[("all", "day")]
    html = render("html", digest)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        try:
            page = await browser.new_page(viewport={"width": 800, "height": 1200})
            await page.route("**/*", lambda route: route.abort())  # a mail client loads nothing either
            await page.set_content(html)
            shot = await page.screenshot(full_page=True, path=str(tmp_path / "digest.png"))
            text = await page.inner_text("body")
            scripts = await page.evaluate("document.scripts.length")
        finally:
            await browser.close()
    assert scripts == 0
    for title in ("2026年乡村振兴重点工作安排", "全省春耕生产有序推进", "乡村振兴示范村名单公示", "坏掉的网站"):
        assert title in text
    assert "新发布 New" in text and "查看修改" in text
    width, height, distinct, inked = png_stats(shot)
    assert width == 800 and height > 600
    assert distinct > 20 and inked > 0.02, "the screenshot is (nearly) blank"
