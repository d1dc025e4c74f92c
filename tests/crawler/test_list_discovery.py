"""A source with start URLs only: the list detector finds the articles, the profile is kept,
re-learned when the template changes (unless pinned), and the run says what went wrong.

A real HTTP server on 127.0.0.1 serves a small site written here; the real `govwatch crawl`
crawls it into a real SQLite file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage import open_db
from tests.conftest import govwatch
from tests.list_site import (
    JPAGE_PROXY,
    POSTBACK_PAGER,
    SHOW_ARTICLE,
    TITLES,
    WEBFORMS_PAGE,
    list_as_script_calls,
    list_as_table,
    list_as_ul,
    list_calling_a_script_file,
    list_written_by_script,
    posts_received,
    served,
    write_jpage_column,
    write_site,
    write_webforms_column,
)

pytestmark = [pytest.mark.long, pytest.mark.timeout(300), pytest.mark.slow]  # each test runs two or three crawls

@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    write_site(root)
    with served(root) as base:
        yield root, base


def config(tmp_path: Path, base: str, *paths: str) -> Path:
    path = tmp_path / "sources.yaml"
    urls = json.dumps([base + p for p in paths])
    path.write_text(f"sources:\n  - name: county\n    start_urls: {urls}\n"
                    "    politeness: {download_delay: 0, autothrottle: false, obey_robots: false}\n", encoding="utf-8")
    return path


def last_run(db_path: Path) -> dict:
    db = open_db(db_path)
    try:
        return next(db.query("select * from crawl_runs order by id desc limit 1"))
    finally:
        db.close()


def test_articles_found_without_a_pattern_and_a_404_start_is_reported(site, tmp_path):
    _, base = site
    db_path = tmp_path / "g.db"
    cfg = config(tmp_path, base, "/col/index.html", "/gone/index.html")
    result = govwatch("crawl", "--db", str(db_path), "--config", str(cfg), "county", check=False)
    assert result.returncode == 1  # a run that is not ok
    run = last_run(db_path)
    assert run["status"] == "degraded", run
    assert f"start URL {base}/gone/index.html: HTTP 404" in run["message"]
    db = open_db(db_path)
    stored = {r["url"]: r for r in db.query("select url, title, list_anchor from articles")}
    assert sorted(stored) == sorted(f"{base}/col/2021/art_{n}.html" for n in range(1, 9))
    assert {r["list_anchor"] for r in stored.values()} == set(TITLES)
    profile = next(db.query("select * from list_profiles"))
    assert profile["start_url"] == f"{base}/col/index.html" and not profile["pinned"]
    overview = json.loads(govwatch("sources", "list", "--db", str(db_path), "--json").stdout)[0]
    assert overview["last_status"] == "degraded" and "HTTP 404" in overview["last_message"]
    assert list(overview["list_profiles"]) == [f"{base}/col/index.html"]
    assert any(flag.startswith("degraded:") for flag in overview["health"])


def test_profile_relearned_when_the_template_changes_unless_pinned(site, tmp_path):
    root, base = site
    db_path = tmp_path / "g.db"
    cfg = config(tmp_path, base, "/col/index.html")
    govwatch("crawl", "--db", str(db_path), "--config", str(cfg), "county")
    assert last_run(db_path)["status"] == "ok"
    first = json.loads(govwatch("sources", "profile", "county", "--db", str(db_path), "--json").stdout)
    write_site(root, list_as_table)  # the site's template changed: the stored region finds nothing
    govwatch("crawl", "--db", str(db_path), "--config", str(cfg), "county")
    run = last_run(db_path)
    assert run["status"] == "ok" and "the stored list profile no longer fits the page; learned again" in run["message"]
    assert "learned again" in run["log_tail"]
    second = json.loads(govwatch("sources", "profile", "county", "--db", str(db_path), "--json").stdout)
    start = f"{base}/col/index.html"
    assert second[start]["profile"] != first[start]["profile"] and second[start]["relearned_count"] == 1

    govwatch("sources", "profile", "county", "--pin", "--db", str(db_path))
    write_site(root, list_as_ul)  # changed back: a pinned profile is not replaced by a guess
    govwatch("crawl", "--db", str(db_path), "--config", str(cfg), "county", check=False)
    run = last_run(db_path)
    assert run["status"] != "ok" and "pinned list profile found no list" in run["message"]
    pinned = json.loads(govwatch("sources", "profile", "county", "--db", str(db_path), "--json").stdout)
    assert pinned[start]["profile"] == second[start]["profile"] and pinned[start]["pinned"]

    govwatch("sources", "profile", "county", "--reset", "--db", str(db_path))
    assert json.loads(govwatch("sources", "profile", "county", "--db", str(db_path), "--json").stdout) == {}
    govwatch("crawl", "--db", str(db_path), "--config", str(cfg), "county")
    assert last_run(db_path)["status"] == "ok"


def test_article_pages_that_yield_no_text_fail_the_run(site, tmp_path):
    root, base = site
    for page in (root / "col" / "2021").iterdir():
        page.write_text("<html><head><title>x</title></head><body><div class='nav'>首页</div></body></html>",
                        encoding="utf-8")
    db_path = tmp_path / "g.db"
    govwatch("crawl", "--db", str(db_path), "--config", str(config(tmp_path, base, "/col/index.html")), "county",
             check=False)
    run = last_run(db_path)
    assert run["status"] == "failed" and "fetched 8 article page(s) and stored none" in run["message"]


def test_an_aspnet_columns_pages_are_posted_for_one_after_the_other_with_each_pages_form(tmp_path):
    # 20 rows, eight a page: pages 2 and 3 only by __doPostBack, each post carrying the page before's
    # __VIEWSTATE (the server refuses any other, as ASP.NET does)
    root = tmp_path / "site"
    root.mkdir()
    column = write_webforms_column(root, records=20)
    with served(root) as base:
        cfg = config(tmp_path, base, f"{WEBFORMS_PAGE}?cid=12")
        govwatch("crawl", "--db", str(tmp_path / "g.db"), "--config", str(cfg), "county")
        stored = stored_anchors(tmp_path / "g.db")
        assert stored == {base + href: title for href, title in column.items()}
    run = last_run(tmp_path / "g.db")
    assert run["status"] == "ok" and "pagination not followed" not in (run["message"] or "")
    posts = posts_received(root)
    assert [(p["path"], p["form"]["__EVENTARGUMENT"], p["form"]["ctl00$Search$q"]) for p in posts] == [
        (f"{WEBFORMS_PAGE}?cid=12", "2", ""), (f"{WEBFORMS_PAGE}?cid=12", "3", "")]
    assert "ctl00$Search$go" not in posts[0]["form"]   # the form posted as the control posts it, no button
    db = open_db(tmp_path / "g.db")
    try:
        pages = sorted(r["url"].split("#", 1)[1] for r in db.query("select url from list_pages where url like '%#%'"))
    finally:
        db.close()
    assert pages == ["postback:2/2", "postback:3/3"]


def test_a_pager_that_needs_a_post_is_said_in_the_run_log(site, tmp_path):
    root, base = site
    write_site(root, pager=POSTBACK_PAGER)
    db_path = tmp_path / "g.db"
    govwatch("crawl", "--db", str(db_path), "--config", str(config(tmp_path, base, "/col/index.html")), "county")
    run = last_run(db_path)
    assert run["status"] == "ok"  # a note, not a failure: the first page's articles are all there
    note = f"pagination not followed on {base}/col/index.html: ASP.NET __doPostBack pager without its form"
    assert note in run["message"]
    # after Scrapy's stats dump, at the end of the tail operators read
    assert note in run["log_tail"].splitlines()[-1]


def stored_anchors(db_path: Path) -> dict[str, str]:
    """Each stored article's list anchor, by URL."""
    db = open_db(db_path)
    try:
        return {r["url"]: r["list_anchor"] for r in db.query("select url, list_anchor from articles")}
    finally:
        db.close()


def crawl_column(root: Path, base: str, tmp_path: Path, check: bool = True) -> tuple[dict, dict[str, str]]:
    """Crawl the column from its list page: the run, and each stored article's list anchor by URL."""
    db_path = tmp_path / "g.db"
    govwatch("crawl", "--db", str(db_path), "--config", str(config(tmp_path, base, "/col/index.html")), "county",
             check=check)
    return last_run(db_path), stored_anchors(db_path)


def all_eight(base: str) -> dict[str, str]:
    return {f"{base}/col/2021/art_{n}.html": title for n, title in enumerate(TITLES, start=1)}


@pytest.mark.parametrize("layout", [list_as_script_calls, list_written_by_script])
def test_rows_whose_links_only_a_script_names_are_crawled_as_articles(site, tmp_path, layout):
    # showArticle('2021', 'art_1') defined on the page; TRS rows that document.write their link
    root, base = site
    write_site(root, layout)   # no article URL anywhere in the list's markup
    run, stored = crawl_column(root, base, tmp_path)
    assert run["status"] == "ok"
    assert stored == all_eight(base)   # with the whole titles, not the ones cut short on screen


def test_a_column_of_two_notices_is_crawled_and_read_again_once_it_grows(site, tmp_path):
    # a new column has published two notices: no repeated block for record mining, yet it is a column
    root, base = site
    write_site(root, lambda items: list_as_ul(items[:2]))
    run, stored = crawl_column(root, base, tmp_path)
    assert run["status"] == "ok"
    assert stored == dict(list(all_eight(base).items())[:2])
    write_site(root)   # six more: the profile learned from two items reads them all
    run, stored = crawl_column(root, base, tmp_path)
    assert run["status"] == "ok" and stored == all_eight(base)


def test_a_function_in_the_sites_script_file_is_fetched_once_and_read(site, tmp_path):
    root, base = site
    write_site(root, list_calling_a_script_file)
    (root / "js").mkdir()
    (root / "js" / "list.js").write_text(SHOW_ARTICLE, encoding="utf-8")
    (root / "js" / "jquery-1.8.3.min.js").write_text("window.jQuery = function () {};", encoding="utf-8")
    run, stored = crawl_column(root, base, tmp_path)
    assert run["status"] == "ok"
    assert stored == all_eight(base)
    assert "'govwatch/list_scripts_fetched': 1" in run["log_tail"]   # list.js; missing.js failed; no jQuery


def test_a_listed_article_that_cannot_be_fetched_in_two_crawls_is_named_in_the_sources_health(site, tmp_path):
    root, base = site
    (root / "col" / "2021" / "art_3.html").unlink()      # listed, never served
    for _ in range(2):
        _, stored = crawl_column(root, base, tmp_path, check=False)
        assert len(stored) == 7
    overview = json.loads(govwatch("sources", "list", "--db", str(tmp_path / "g.db"), "--json").stdout)[0]
    [flag] = [f for f in overview["health"] if f.startswith("unfetched:")]
    assert f"1 article(s) its lists show could not be fetched: {base}/col/2021/art_3.html (2 tries since " in flag


def test_a_start_page_that_shows_its_list_in_a_frame_is_read_through_it(site, tmp_path):
    root, base = site
    (root / "col" / "index.html").rename(root / "col" / "list_frame.html")    # the list, shown in a frame
    (root / "col" / "index.html").write_text(
        "<html><head><meta charset='utf-8'><title>示范县人民政府</title></head><body><div class='nav'>"
        "<a href='/index.html'>首页</a></div><iframe id='iframepage' src='/col/list_frame.html' width='100%'>"
        "</iframe><iframe src='http://elsewhere.example.com/ad.html'></iframe></body></html>", encoding="utf-8")
    for _ in range(2):   # the second crawl too: the start page keeps no view a 304 would replay without its frame
        run, stored = crawl_column(root, base, tmp_path)
        assert run["status"] == "ok"
        assert stored == all_eight(base)
        assert (f"start page {base}/col/index.html shows no list; reading the list pages it shows in frames: "
                f"{base}/col/list_frame.html") in run["message"]
    # a frame without a list: the start showed no article link, and the run says so
    (root / "col" / "list_frame.html").write_text("<html><body><p>维护中</p></body></html>", encoding="utf-8")
    run, _ = crawl_column(root, base, tmp_path, check=False)
    assert f"no article links found on start page {base}/col/index.html" in run["message"]


def test_a_hanweb_columns_later_record_groups_are_posted_for_as_its_script_does(tmp_path):
    # two jpage columns of one site: 10 records on each page; the rest in groups of 10 that jpage.js POSTs
    # for, to the same URL with each column's form (the second column's form only in its <nextgroup> link)
    root = tmp_path / "site"
    root.mkdir()
    first = write_jpage_column(root, 7372, records=23)
    second = write_jpage_column(root, 7380, records=20, with_form=False)
    with served(root) as base:
        cfg = config(tmp_path, base, "/col/col7372/index.html", "/col/col7380/index.html")
        # scoped to the columns and articles: the CMS's data address is the columns' own, outside them
        cfg.write_text(cfg.read_text(encoding="utf-8") + '    allow_paths: ["/col/", "/art/"]\n', encoding="utf-8")
        govwatch("crawl", "--db", str(tmp_path / "g.db"), "--config", str(cfg), "county")
        stored = stored_anchors(tmp_path / "g.db")
        assert stored == {base + href: title for href, title in {**first, **second}.items()}
        assert last_run(tmp_path / "g.db")["status"] == "ok"
        posts = sorted((post["path"], post["form"]["columnid"], post["form"]["unitid"])
                       for post in posts_received(root))
        assert posts == [(f"{JPAGE_PROXY}?startrecord=11&endrecord=20&perpage=5", "7372", "73721"),
                         (f"{JPAGE_PROXY}?startrecord=11&endrecord=20&perpage=5", "7380", "73801"),
                         (f"{JPAGE_PROXY}?startrecord=21&endrecord=23&perpage=5", "7372", "73721")]
        # each group is its own page in the crawl's bookkeeping, named with its form: the two columns'
        # second groups, posted to one URL, are two pages
        db = open_db(tmp_path / "g.db")
        try:
            groups = sorted(r["url"].split("#post:")[1].split("&columnid=")[1][:4]
                            for r in db.query("select url from list_pages where url like '%#post:%'"))
        finally:
            db.close()
        assert groups == ["7372", "7372", "7380"]
        # the next crawl: the column pages answer 304 and what they showed, posted groups included, is replayed
        govwatch("crawl", "--db", str(tmp_path / "g.db"), "--config", str(cfg), "county")
        run = last_run(tmp_path / "g.db")
        assert run["status"] == "ok" and "'govwatch/list_pages_not_modified': 2" in run["log_tail"]
