"""Issue 19 item 1 in digests: a stored URL that is not http(s) never becomes a link in the
HTML mail, the Markdown message or the Atom feed of a digest (they are read in mail clients,
chat apps and feed readers, each with its own idea of a safe link)."""

from __future__ import annotations

import re
import sqlite3

from lxml import etree
from lxml import html as lxml_html

from monitor.digest.contents import build_digest
from monitor.digest.period import day_period
from monitor.digest.renderers import render
from monitor.digest.subscriptions import load_subscriptions
from storage import open_db
from tests.monitor.digest_history import DAY, write_config, write_history
from tests.security.hostile_site import HOSTILE_HREFS
from tests.security.test_links import browser_scheme


def test_digest_links_are_http_only(tmp_path):
    history = write_history(tmp_path / "govwatch.db")
    conn = sqlite3.connect(history.path)
    with conn:
        ids = [r[0] for r in conn.execute("select id from articles order by id")]
        for n, article_id in enumerate(ids):  # every stored article (originals and copies) gets a hostile URL
            href = HOSTILE_HREFS[n % len(HOSTILE_HREFS)].replace("&#9;", "\t")
            conn.execute("update articles set url = ? where id = ?", [f"{href}#{article_id}", article_id])
    conn.close()
    settings = load_subscriptions(write_config(tmp_path / "subscriptions.yaml"))
    db = open_db(history.path)
    try:
        digest = build_digest(db, day_period(DAY, "Asia/Shanghai"), settings.subscription("all"), settings)
    finally:
        db.close()
    page = lxml_html.fromstring(render("html", digest))
    hrefs = [a.get("href") for a in page.iter("a")]
    assert hrefs and {browser_scheme(h) for h in hrefs} <= {"", "http", "https"}, hrefs
    feed = etree.fromstring(render("atom", digest).encode())
    feed_hrefs = [link.get("href") for link in feed.iter("{http://www.w3.org/2005/Atom}link")]
    assert {browser_scheme(h) for h in feed_hrefs} <= {"", "http", "https"}, feed_hrefs
    markdown_targets = re.findall(r"\]\(([^)]*)\)", render("markdown", digest))
    assert markdown_targets and {browser_scheme(t) for t in markdown_targets} <= {"", "http", "https"}
