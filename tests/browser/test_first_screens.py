"""What each user sees first, in headless Chromium at 1366 px and 390 px (issue 20).

One served copy of the two-day demo (plus a source whose start URL refuses connections,
crawled by the real CLI) for the whole module: the monitoring officer's digest and the
article pages it links to, the researcher's articles table, chart and CSV, and the
operator's page signed in. Set GOVWATCH_README_SHOTS=1 to also write the README's
screenshots to docs/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import urllib.error
import urllib.request

import pytest
from datasette_auth_passwords.utils import hash_password

from monitor.digest.demo import demo_digest
from storage import open_db
from tests.browser.conftest import free_port, start_datasette
from tests.browser.screenshots import assert_not_blank
from tests.conftest import PROJECT_ROOT, govwatch

pytestmark = [pytest.mark.long, pytest.mark.slow, pytest.mark.timeout(300)]
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
PASSWORD = "correct horse battery staple"
README_SHOTS = PROJECT_ROOT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def served(two_day_demo, tmp_path_factory):
    """A copy of the demo store with a failed source, served signed-in-able; and its digest."""
    folder = tmp_path_factory.mktemp("first-screens")
    db_path = folder / "govwatch.db"
    shutil.copy(two_day_demo[0], db_path)
    closed = free_port()  # nothing listens here: the start URL's connection is refused
    config = folder / "sources.yaml"
    config.write_text(f"""
sources:
  - name: county-closed
    title: 已关闭的县政府网站
    start_urls: ["http://127.0.0.1:{closed}/gov/index.html"]
    allow_paths: ["/gov/"]
    time_limit_s: 60
    politeness: {{autothrottle: false, download_delay: 0, obey_robots: false, download_timeout: 5}}
""", encoding="utf-8")
    govwatch("crawl", "--db", str(db_path), "--config", str(config), "county-closed", check=False)
    serve, base = start_datasette(db_path, {"GOVWATCH_OPERATOR_PASSWORD_HASH": hash_password(PASSWORD, iterations=1000),
                                            "GOVWATCH_DIGESTS": str(folder / "digests")})
    digest = demo_digest(db_path, out=folder / "digests", datasette_url=f"{base}/govwatch")
    yield {"base": base, "db": db_path, "digest": digest}
    serve.send_signal(signal.SIGTERM)
    serve.wait(timeout=30)


def open_page(browser, url: str, width: str):
    w, h = WIDTHS[width]
    page = browser.new_page(viewport={"width": w, "height": h})
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width} px wide in a {page.viewport_size['width']} px window"


def shoot(page, name: str, tmp_path, full_page: bool = False) -> None:
    png = page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=full_page)
    assert_not_blank(png)
    if os.environ.get("GOVWATCH_README_SHOTS"):
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        (README_SHOTS / f"{name}.png").write_bytes(png)


@pytest.mark.parametrize("width", WIDTHS)
def test_digest_first_screen_counts_withdrawals_and_links_to_article_pages(browser, served, width, tmp_path):
    page = open_page(browser, served["digest"].as_uri(), width)
    no_horizontal_scroll(page)
    height = page.viewport_size["height"]
    counters = {c.get_attribute("data-kind"): int(c.locator(".count").inner_text())
                for c in page.locator(".counter").all()}
    # the demo's two same-day edits and its replaced attachment are shown
    assert counters["changed"] == 3 and counters["withdrawn"] == 2
    assert page.locator(".counters").bounding_box()["y"] < height
    assert page.locator("#withdrawn").bounding_box()["y"] < height  # withdrawals on the first screen
    title = page.title()
    for key, short in (("withdrawn", "撤"), ("changed", "改"), ("new", "新"), ("copies", "转载")):
        assert f"{short} {counters[key]}" in title  # subject and counters agree
    ours = [h for h in page.eval_on_selector_all(".section a", "els => els.map(e => e.href)")
            if h.startswith(served["base"])]
    assert ours and all(re.fullmatch(rf"{re.escape(served['base'])}/-/article/\d+(#version-\d+|#attachments)?", h) for h in ours)
    assert any("#version-" in h for h in page.eval_on_selector_all("#withdrawn a", "els => els.map(e => e.href)"))
    edits = sorted(set(page.eval_on_selector_all("#changed a[href*='#version-']", "els => els.map(e => e.href)")))
    assert len(edits) >= 2
    if width == "desktop":
        for href in edits:  # each edit link opens the article page at that version's diff
            article = open_page(browser, href, width)
            anchor = href.split("#", 1)[1]
            assert article.locator(f"#{anchor} .diff ins, #{anchor} .diff del").count() > 0
            article.close()
    shoot(page, f"digest-{width}", tmp_path)


@pytest.mark.parametrize("width", WIDTHS)
def test_article_page_marks_the_edit_and_says_withdrawn(browser, served, width, tmp_path):
    db = open_db(served["db"])
    # the day-2 text edit (the demo also re-dates a notice: a change of its date alone, with no text to fold)
    edited = db.execute("select e.article_id from events e join article_versions v on v.id = e.version_id"
                        " where e.kind = 'changed' and v.diff_html like '%diff-text%' order by e.id").fetchone()[0]
    gone = db.execute("select id from articles where status = 'withdrawn' order by id").fetchone()[0]
    db.close()
    page = open_page(browser, f"{served['base']}/-/article/{edited}#version-2", width)
    no_horizontal_scroll(page)
    versions = page.locator("#versions").bounding_box()["y"]
    assert versions < page.locator("#text").bounding_box()["y"]  # the change comes before the full text
    assert page.locator("#version-2 .diff ins").first.is_visible()
    assert page.locator("#version-2 details.unchanged").count() > 0  # unchanged paragraphs folded
    assert "+00:00" not in page.locator(".byline").inner_text()  # Beijing time, not UTC ISO
    cite = page.locator("#version-2 .cite").inner_text()
    assert "SHA-256" in cite and "北京时间" in cite and f"/-/article/{edited}#version-2" in cite
    shoot(page, f"article-{width}", tmp_path)
    page = open_page(browser, f"{served['base']}/-/article/{gone}", width)
    no_horizontal_scroll(page)
    banner = page.locator("#withdrawn-banner")
    assert "已撤下" in banner.inner_text() and "最后版本" in banner.inner_text()
    assert banner.bounding_box()["y"] < page.viewport_size["height"]


@pytest.mark.parametrize("width", WIDTHS)
def test_articles_table_first_row_on_the_first_screen(browser, served, width, tmp_path):
    page = open_page(browser, f"{served['base']}/govwatch/articles", width)
    no_horizontal_scroll(page)
    first = page.locator("table.rows-and-columns tbody tr").first
    assert first.bounding_box()["y"] < page.viewport_size["height"]
    if width == "desktop":
        assert first.bounding_box()["height"] < 400  # was ~3,700 px with the full text
    link = first.locator("td.col-title a")
    assert re.search(r"/-/article/\d+$", link.get_attribute("href"))
    shoot(page, f"articles-{width}", tmp_path)


def test_search_results_and_canned_queries_link_to_article_pages(browser, served):
    page = open_page(browser, f"{served['base']}/govwatch/search?q=%22%E5%B7%A9%E5%9B%BA%E6%8B%93%E5%B1%95%E8%84%B1"
                              f"%E8%B4%AB%E6%94%BB%E5%9D%9A%E6%88%90%E6%9E%9C%22", "desktop")  # "巩固拓展脱贫攻坚成果"
    titles = page.locator("td.col-title a")
    assert titles.count() > 0  # the documented phrase example finds something
    assert all("/-/article/" in titles.nth(i).get_attribute("href") for i in range(titles.count()))
    page = open_page(browser, f"{served['base']}/govwatch/versions", "desktop")
    assert "/-/article/" in page.locator("tbody tr td.col-article_title a").first.get_attribute("href")


def test_chart_of_articles_per_month_draws(browser, served, tmp_path):
    page = open_page(browser, f"{served['base']}/-/chart/articles", "desktop")
    assert "/govwatch/per_month" in page.url
    page.wait_for_selector(".vega-embed canvas, .vega-embed svg, canvas, svg.marks", timeout=20_000)
    shoot(page, "chart-desktop", tmp_path)


def test_the_written_digest_is_served_with_a_stable_latest_feed(served):
    import feedparser

    base = served["base"]
    with urllib.request.urlopen(f"{base}/-/digests/all-sources/latest.atom") as response:
        feed = feedparser.parse(response.read())
    items = [e for e in feed.entries if "/health/" not in e.id]
    assert items and all(e.link.startswith(f"{base}/-/article/") for e in items)
    assert all(e.link == f"{base}/-/operator" for e in feed.entries if "/health/" in e.id)
    with urllib.request.urlopen(f"{base}/-/digests/all-sources/{served['digest'].name}") as response:
        assert "script-src" not in response.headers["Content-Security-Policy"]
        assert "已撤下 Withdrawn" in response.read().decode("utf-8")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{base}/-/digests/all-sources/..%2F..%2Fgovwatch.db")


def test_csv_with_bom_on_request(served):
    with urllib.request.urlopen(f"{served['base']}/govwatch/articles.csv?_bom=1&_size=5") as response:
        body = response.read()
    assert body.startswith(b"\xef\xbb\xbfid,")
    with urllib.request.urlopen(f"{served['base']}/govwatch/articles.csv?_size=5") as response:
        assert response.read().startswith(b"id,")  # only on request


@pytest.mark.parametrize("width", WIDTHS)
def test_operator_page_shows_the_failed_source_and_why(browser, served, width, tmp_path):
    page = open_page(browser, f"{served['base']}/-/operator", width)
    no_horizontal_scroll(page)
    row = page.locator("#source-county-closed")
    assert row.locator(".status").inner_text() == "failed"
    reason = row.locator(".reason").inner_text()
    assert re.search(r"refused|Connection", reason, re.IGNORECASE), reason
    assert "crawl ended: finished" not in reason
    assert page.locator("#source-demo-gov .status").inner_text() == "ok"
    assert "调度服务未运行" in page.locator("#scheduler").inner_text()
    page.goto(f"{served['base']}/-/login")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/-/operator")  # back where the operator signed in from
    no_horizontal_scroll(page)
    if width == "desktop":
        heights = [page.locator(f"#source-{n}").bounding_box()["height"] for n in ("demo-gov", "county-closed")]
        assert max(heights) < 160, heights  # was ~450 px with stacked buttons
    shoot(page, f"operator-{width}", tmp_path)
