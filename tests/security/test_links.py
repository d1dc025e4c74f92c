"""Issue 19 item 1: no crawled URL becomes a script link, and the session cookie is out of
scripts' reach. The hostile site's attachment hrefs are crawled, stored and served by the real
Datasette; every href of the article page is read as a browser reads it."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3

import pytest
from datasette_auth_passwords.utils import hash_password
from lxml import etree
from lxml import html as lxml_html

from storage.links import http_url, safe_href
from tests.datasette.test_publish import make_datasette
from tests.security.conftest import rows
from tests.security.hostile_site import HOSTILE_HREFS

_BROWSER_EDGES = "".join(chr(c) for c in range(0x21))


def browser_scheme(href: str) -> str:
    """The scheme a browser would run `href` with (WHATWG URL: strip C0 and spaces, drop tabs and
    newlines, case-insensitive), or "" for a relative reference."""
    cleaned = re.sub(r"[\t\n\r]", "", href.strip(_BROWSER_EDGES))
    m = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", cleaned)
    return m.group(1).lower() if m else ""


def hrefs(page: str) -> list[str]:
    return [el.get("href") for el in lxml_html.fromstring(page).iter() if el.get("href") is not None]


@pytest.mark.parametrize("href", [h.replace("&#9;", "\t").replace("&#x0A;", "\n").replace("&#x6A;", "j")
                                  .replace("&#1;&#2;", "\x01\x02").replace("&#x3a;", ":") for h in HOSTILE_HREFS])
def test_no_hostile_href_is_a_link(href):
    assert http_url(href, "http://www.gov.cn/a/b.html") is None or browser_scheme(
        http_url(href, "http://www.gov.cn/a/b.html")) in ("http", "https")
    assert browser_scheme(safe_href(href)) in ("", "http", "https")


def test_relative_and_absolute_http_links_are_kept_resolved():
    base = "http://www.gov.cn/zwgk/2024/t20240501_1.html"
    assert http_url("files/方案.pdf", base) == "http://www.gov.cn/zwgk/2024/files/方案.pdf"
    assert http_url(" HTTPS://Example.cn/a.pdf\n", base) == "HTTPS://Example.cn/a.pdf"
    assert http_url("//cdn.gov.cn/x.pdf", base) == "http://cdn.gov.cn/x.pdf"
    assert http_url("http://[::1", base) is None and http_url("http:///nohost", None) is None


@pytest.mark.slow  # the hostile crawl (shared by the module)
def test_crawl_stores_only_http_attachments(hostile_crawl):
    site, path = hostile_crawl["site"], hostile_crawl["paths"]["attachments"]
    found = rows(hostile_crawl["db"], "select attachments from articles where url = ?", [site.url(path)])
    assert found, hostile_crawl["result"].stdout + hostile_crawl["result"].stderr
    urls = [a["url"] for a in json.loads(found[0]["attachments"])]
    folder = site.url(path).rsplit("/", 1)[0]
    assert sorted(urls) == sorted([f"{folder}/files/实施方案.pdf", site.url("/gov/files/table.xlsx")])


@pytest.mark.slow  # the hostile crawl (shared by the module)
async def test_article_page_has_no_script_href(hostile_crawl):
    site, path = hostile_crawl["site"], hostile_crawl["paths"]["attachments"]
    article_id = rows(hostile_crawl["db"], "select id from articles where url = ?", [site.url(path)])[0]["id"]
    ds = make_datasette(hostile_crawl["db"])
    page = await ds.client.get(f"/-/article/{article_id}")
    assert page.status_code == 200
    links = hrefs(page.text)
    assert site.url("/gov/files/table.xlsx") in links
    assert {browser_scheme(h) for h in links} <= {"", "http", "https"}, links


@pytest.mark.slow  # the hostile crawl (shared by the module)
async def test_templates_guard_rows_written_before_the_rule(hostile_crawl, tmp_path):
    """A row holding hostile URLs (written before this rule, or by another tool) still renders
    no script link: the template writes "#" instead."""
    db_path = tmp_path / "govwatch.db"
    shutil.copy(hostile_crawl["db"], db_path)
    hostile = [h.replace("&#9;", "\t").replace("&#1;&#2;", "\x01\x02") for h in HOSTILE_HREFS]
    conn = sqlite3.connect(db_path)
    with conn:
        original_id, copy_id = [r[0] for r in conn.execute("select id from articles order by id limit 2")]
        conn.execute("update articles set url = ?, attachments = ? where id = ?",
                     [" JavaScript:alert(document.cookie)", json.dumps([{"name": "x", "url": h, "type": "pdf"}
                                                                        for h in hostile]), original_id])
        # the copy's URL is shown on the original's page, and the original's on the copy's
        conn.execute("update articles set copy_of = ?, url = ? where id = ?",
                     [original_id, "java\tscript:alert(1)", copy_id])
    conn.close()
    ds = make_datasette(db_path)
    for shown in (original_id, copy_id):
        page = await ds.client.get(f"/-/article/{shown}")
        assert page.status_code == 200
        links = hrefs(page.text)
        assert {browser_scheme(h) for h in links} <= {"", "http", "https"}, links
    assert hrefs((await ds.client.get(f"/-/article/{original_id}")).text).count("#") == len(hostile) + 2
    feed = await ds.client.get("/govwatch/atom_new_articles.atom")
    assert feed.status_code == 200
    links = [link.get("href") for link in etree.fromstring(feed.content).iter("{http://www.w3.org/2005/Atom}link")]
    assert len(links) > 2 and {browser_scheme(h) for h in links} <= {"http", "https"}, links


@pytest.mark.slow  # the hostile crawl (shared by the module)
async def test_session_cookie_is_httponly_and_samesite(hostile_crawl, monkeypatch):
    monkeypatch.setenv("GOVWATCH_OPERATOR_PASSWORD_HASH", hash_password("correct horse"))
    ds = make_datasette(hostile_crawl["db"])
    form = await ds.client.get("/-/login")
    token = form.cookies["ds_csrftoken"]
    signed_in = await ds.client.post("/-/login", data={"username": "operator", "password": "correct horse",
                                                       "csrftoken": token}, cookies={"ds_csrftoken": token})
    assert signed_in.status_code == 302
    cookie = next(v for k, v in signed_in.headers.multi_items() if k == "set-cookie" and v.startswith("ds_actor="))
    attributes = {a.strip().split("=")[0].lower(): a.strip() for a in cookie.split(";")[1:]}
    assert "httponly" in attributes and attributes["samesite"].lower() == "samesite=lax"
