"""`govwatch sources try URL` and the commands that follow it (add, enable, disable, crawl NAME).

The list page is the small column site of tests/list_site.py on a real HTTP server.
"""

from __future__ import annotations

import json

import pytest

from storage import open_db
from tests.conftest import govwatch
from tests.list_site import (
    JPAGE_PROXY,
    SHOW_ARTICLE,
    TITLES,
    WEBFORMS_PAGE,
    list_calling_a_script_file,
    served,
    write_jpage_column,
    write_site,
    write_webforms_column,
)

pytestmark = [pytest.mark.long, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    write_site(root)
    with served(root) as url:
        yield url


@pytest.mark.slow  # three govwatch commands
def test_try_shows_the_list_its_links_and_three_articles_and_writes_nothing(base, tmp_path):
    db_path = tmp_path / "g.db"
    result = govwatch("sources", "try", f"{base}/col/index.html", "--json", "--db", str(db_path))
    preview = json.loads(result.stdout)
    assert [link["anchor"] for link in preview["article_links"]] == TITLES
    assert [link["date"] for link in preview["article_links"]] == [f"2021-06-{n:02d}" for n in range(1, 9)]
    assert preview["region"] and preview["profile"]["records"] == 8
    assert [a["title"] for a in preview["articles"]] == TITLES[:3]
    assert all(a["date"] == f"2021-06-{n:02d}" and a["text_chars"] > 100 and a["first_line"]
               for n, a in enumerate(preview["articles"], start=1))
    assert not db_path.exists()
    text = govwatch("sources", "try", f"{base}/col/index.html", "--articles", "1").stdout
    assert "article links: 8" in text and TITLES[7] in text and "first 1 article(s) extracted" in text


@pytest.mark.slow  # a crawl and six govwatch commands
def test_try_add_then_crawl_enable_disable(base, tmp_path):
    db_path = str(tmp_path / "g.db")
    url = f"{base}/col/index.html"
    added = govwatch("sources", "try", url, "--add", "county", "--db", db_path)
    assert "county: added, disabled" in added.stderr
    listed = {r["name"]: r for r in json.loads(govwatch("sources", "list", "--db", db_path, "--json").stdout)}
    assert listed["county"]["state"] == "disabled" and list(listed["county"]["list_profiles"]) == [url]
    assert "1 learned" in govwatch("sources", "list", "--db", db_path).stdout
    # a source only the database holds is crawled by name, even disabled
    govwatch("crawl", "--db", db_path, "county")
    db = open_db(db_path)
    assert db.execute("select count(*) from articles where source = 'county'").fetchone()[0] == 8
    assert next(db.query("select status from crawl_runs order by id desc limit 1"))["status"] == "ok"
    govwatch("sources", "enable", "county", "--db", db_path)
    assert json.loads(govwatch("sources", "list", "--db", db_path, "--json").stdout)[0]["state"] == "active"
    govwatch("sources", "disable", "county", "--db", db_path)
    assert json.loads(govwatch("sources", "list", "--db", db_path, "--json").stdout)[0]["state"] == "disabled"


@pytest.mark.slow
def test_sources_add_is_disabled_unless_enable(tmp_path):
    db_path = str(tmp_path / "g.db")
    for name, flags in (("quiet", []), ("loud", ["--enable"])):
        snippet = tmp_path / f"{name}.yaml"
        snippet.write_text(f'name: {name}\nstart_urls: ["http://127.0.0.1:9/{name}/"]\n', encoding="utf-8")
        govwatch("sources", "add", str(snippet), "--db", db_path, *flags)
    states = {r["name"]: r["state"] for r in json.loads(govwatch("sources", "list", "--db", db_path, "--json").stdout)}
    assert states == {"quiet": "disabled", "loud": "active"}


@pytest.mark.parametrize(("args", "expected"), [
    (["sources", "try", "not-a-url"], "is not an http(s) URL"),
    (["sources", "try", "{base}/nowhere.html"], "HTTP 404"),
    (["sources", "try", "{base}/col/index.html", "--add", "Bad Name"], "field 'name'"),
    (["sources", "enable", "nope"], "unknown source 'nope'"),
    (["sources", "profile", "nope", "--pin"], "unknown source 'nope'"),
])
@pytest.mark.slow
def test_bad_input_is_one_line_and_exit_2(base, tmp_path, args, expected):
    db_path = tmp_path / "g.db"
    open_db(db_path).close()
    result = govwatch(*[a.replace("{base}", base) for a in args], "--db", str(db_path), check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_an_operators_disable_survives_the_next_sync_from_sources_yaml(tmp_path):
    """`sources disable` on a source sources.yaml also lists: the service re-reads the file on
    every edit, and the operator's choice must not be undone by an unrelated edit."""
    from storage import open_db
    from storage.sources import get_source, sync_sources

    db_path = str(tmp_path / "g.db")
    db = open_db(db_path)
    sync_sources(db, [{"name": "county", "schedule": "every 1h", "enabled": True},
                      {"name": "city", "schedule": "every 2h", "enabled": True}])
    db.close()
    govwatch("sources", "disable", "county", "--db", db_path)
    db = open_db(db_path)
    try:
        sync_sources(db, [{"name": "county", "schedule": "every 3h", "enabled": True, "title": "edited"},
                          {"name": "city", "schedule": "every 4h", "enabled": False}])
        county, city = get_source(db, "county"), get_source(db, "city")
    finally:
        db.close()
    assert county["enabled"] is False and county["schedule"] == "every 1h" and county["title"] == "edited"
    assert city["enabled"] is False and city["schedule"] == "every 4h"  # the file still decides the others


@pytest.mark.slow  # a govwatch command
def test_try_reads_the_sites_script_file_as_the_crawl_does(tmp_path):
    root = tmp_path / "site"
    write_site(root, list_calling_a_script_file)       # rows call showArticle(), defined in /js/list.js
    (root / "js").mkdir()
    (root / "js" / "list.js").write_text(SHOW_ARTICLE, encoding="utf-8")
    with served(root) as url:
        preview = json.loads(govwatch("sources", "try", f"{url}/col/index.html", "--json", "--articles", "1").stdout)
    assert [link["url"] for link in preview["article_links"]] == [f"{url}/col/2021/art_{n}.html" for n in range(1, 9)]
    assert [a["title"] for a in preview["articles"]] == TITLES[:1]


@pytest.mark.slow  # a govwatch command
def test_try_on_a_page_that_shows_its_list_in_a_frame_reads_the_frame_as_the_crawl_does(tmp_path):
    root = tmp_path / "site"
    write_site(root)
    (root / "col" / "index.html").rename(root / "col" / "list_frame.html")
    (root / "col" / "index.html").write_text(
        "<html><body><iframe src='/col/empty.html'></iframe><iframe src='/col/list_frame.html'></iframe>"
        "</body></html>", encoding="utf-8")
    (root / "col" / "empty.html").write_text("<html><body><p>天气预报</p></body></html>", encoding="utf-8")
    with served(root) as url:
        result = govwatch("sources", "try", f"{url}/col/index.html", "--articles", "1")
        assert (f"no list on the page itself: read from the page it shows in a frame, {url}/col/list_frame.html "
                "(as the crawl does)") in result.stdout
        assert f"       {url}/col/2021/art_8.html" in result.stdout.splitlines()
        (root / "col" / "list_frame.html").write_text("<html><body></body></html>", encoding="utf-8")
        result = govwatch("sources", "try", f"{url}/col/index.html", "--articles", "0", check=False)
    assert "no list here, nor in the pages it shows in frames:" in result.stdout
    assert f"  {url}/col/list_frame.html" in result.stdout.splitlines()


@pytest.mark.slow  # a govwatch command
def test_try_names_the_posts_a_hanweb_or_aspnet_column_is_paged_with(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    write_jpage_column(root, 7372, records=23)
    write_webforms_column(root, records=20)
    with served(root) as url:
        hanweb = govwatch("sources", "try", f"{url}/col/col7372/index.html", "--articles", "0").stdout
        aspnet = govwatch("sources", "try", f"{url}{WEBFORMS_PAGE}?cid=12", "--articles", "0").stdout
    assert "pagination: jpage, 2 page(s) followed" in hanweb
    assert (f"  POST {url}{JPAGE_PROXY}?startrecord=11&endrecord=20&perpage=5  form: col=1&appid=1&webid=3&path=%2F"
            "&columnid=7372") in hanweb
    assert ("  next page: the page's form posted as its 下一页 does (__doPostBack('ctl00$Main$AspNetPager1', '2')), "
            "one page after another") in aspnet


def test_try_follows_a_same_site_meta_refresh_as_the_crawl_does(tmp_path):
    # an e-paper's entry page (paperindex.htm) only refreshes to today's page; one refreshing to
    # another site is read as it is
    from monitor.source_try import try_list_page

    root = tmp_path / "site"
    write_site(root)
    (root / "paperindex.htm").write_text(
        "<html><head><meta http-equiv='refresh' content='0; url=col/index.html'></head><body></body></html>",
        encoding="utf-8")
    (root / "away.htm").write_text(
        "<html><head><meta http-equiv='refresh' content='0; url=http://example.invalid/col/index.html'></head>"
        "<body></body></html>", encoding="utf-8")
    with served(root) as url:
        preview = try_list_page(f"{url}/paperindex.htm", articles=0)
        assert preview["final_url"] == f"{url}/col/index.html"
        assert [link["anchor"] for link in preview["article_links"]] == TITLES
        away = try_list_page(f"{url}/away.htm", articles=0)
        assert away["final_url"] == f"{url}/away.htm" and away["article_links"] == []
