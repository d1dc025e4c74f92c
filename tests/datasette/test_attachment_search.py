"""Attachment text through Datasette: the attachments table's search and the `search` canned query."""

from __future__ import annotations

import hashlib

import pytest

from bench.search import synthetic_articles
from storage import open_db
from storage.articles import FetchedArticle, record_page
from storage.attachments import record_attachment
from storage.outcomes import AttachmentFetched
from storage.runs import start_run
from storage.sources import sync_sources
from tests.datasette.conftest import loaded_plugin
from tests.datasette.test_publish import make_datasette

ONLY_IN_FILE = "库区移民后期扶持项目资金分配明细"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("attsearch") / "govwatch.db"
    db = open_db(path)
    sync_sources(db, [{"name": "s", "schedule": "every 1h"}])
    run = start_run(db, "s")
    texts = [text for _, text in synthetic_articles(60)]
    for i, (title, text) in enumerate(synthetic_articles(30)):
        record_page(db, run, FetchedArticle(url=f"http://s.gov.cn/{i}.html", source="s", body=b"<html>",
                                            title=title, text=text))
        body = texts[30 + i] + ("\n" + ONLY_IN_FILE if i % 7 == 3 else "")
        record_attachment(db, run, i + 1, AttachmentFetched(
            article_url=f"http://s.gov.cn/{i}.html", source="s", url=f"http://s.gov.cn/P0{i}.pdf", name=f"附件{i}.pdf",
            type="pdf", status="read", file_kind="pdf", size=len(body), sha256=hashlib.sha256(body.encode()).hexdigest(),
            text=body))
    # a file fetched and kept but not read (GOVWATCH_ATTACHMENTS_READ=False)
    record_attachment(db, run, 1, AttachmentFetched(
        article_url="http://s.gov.cn/0.html", source="s", url="http://s.gov.cn/kept.pdf", name="未读取.pdf",
        type="pdf", status="not_read", file_kind="pdf", size=9, sha256=hashlib.sha256(b"kept").hexdigest(), text=None))
    db.close()
    return path


def like(db_path, sql: str, word: str) -> set[int]:
    db = open_db(db_path, migrate=False)
    ids = {r[0] for r in db.execute(sql, [f"%{word}%", f"%{word}%"])}
    db.close()
    return ids


@pytest.mark.parametrize("word", [ONLY_IN_FILE, "扶贫", "乡村振兴", "贫", "附件"])
async def test_attachments_table_search_equals_like(ds, db_path, word) -> None:
    r = await ds.client.get("/govwatch/attachments.json", params={"_search": word, "_size": "max", "_shape": "array",
                                                                   "_col": "id"})
    assert r.status_code == 200, r.text
    expected = like(db_path, "select id from attachments where text like ? or name like ?", word)
    assert {row["id"] for row in r.json()} == expected and expected


async def test_canned_search_finds_articles_through_their_attachments(ds, db_path) -> None:
    r = await ds.client.get("/govwatch/search.json", params={"q": ONLY_IN_FILE, "_shape": "array"})
    assert r.status_code == 200, r.text
    rows = r.json()
    expected = like(db_path, "select article_id from attachments where text like ? or name like ?", ONLY_IN_FILE)
    assert like(db_path, "select id from articles where text like ? or title like ?", ONLY_IN_FILE) == set()
    assert {row["id"] for row in rows} == expected and len(expected) == 4  # i % 7 == 3 for i < 30
    assert all(row["found_in_attachment"].startswith("附件") and f"<mark>{ONLY_IN_FILE}</mark>" in row["snippet"]
               for row in rows)


async def test_canned_search_keeps_article_hits_and_column_syntax(ds, db_path) -> None:
    r = await ds.client.get("/govwatch/search.json", params={"q": "扶贫", "_shape": "array", "_size": "max"})
    expected = (like(db_path, "select id from articles where text like ? or title like ?", "扶贫")
                | like(db_path, "select article_id from attachments where text like ? or name like ?", "扶贫"))
    assert {row["id"] for row in r.json()} == expected
    r = await ds.client.get("/govwatch/search.json", params={"q": "title:附件3", "_shape": "array"})
    assert r.status_code == 200 and {row["found_in_attachment"] for row in r.json()} == {"附件3.pdf"}


async def test_article_page_names_every_attachment_status(db_path) -> None:
    served = make_datasette(db_path)  # as `govwatch serve` runs it: templates included
    await served.invoke_startup()
    page = (await served.client.get("/-/article/1")).text
    assert "未读取.pdf" in page and "已下载，未读取文字" in page and "not_read" not in page
    assert "已读取文字" in page  # its other, read file


async def test_a_long_attachment_text_shows_its_start_on_the_page_and_all_of_it_as_plain_text(tmp_path) -> None:
    # A real 职位表 is 1.2 M characters (3 MB of article page when shown whole). The page shows whole
    # lines up to TEXT_ON_PAGE characters and links to the text, served as inert plain text: the
    # text is the crawled site's, so a line of markup in it stays text in both places.
    path = tmp_path / "govwatch.db"
    db = open_db(path)
    sync_sources(db, [{"name": "s", "schedule": "every 1h"}])
    run = start_run(db, "s")
    record_page(db, run, FetchedArticle(url="http://s.gov.cn/1.html", source="s", body=b"<html>",
                                        title="2026年考试录用公务员职位表", text="附件：职位表"))
    rows = ["<script>alert(1)</script>\t职位代码\t招录人数"] + [f"第{i}行\t{i:06d}\t市场监督管理局\t1" for i in range(3000)]
    text = "\n".join(rows)
    record_attachment(db, run, 1, AttachmentFetched(
        article_url="http://s.gov.cn/1.html", source="s", url="http://s.gov.cn/zwb.xlsx", name="职位表.xlsx",
        type="xlsx", status="read", file_kind="xlsx", size=len(text), sha256=hashlib.sha256(text.encode()).hexdigest(),
        text=text))
    [version_id] = [r[0] for r in db.execute("select id from attachment_versions")]
    db.close()
    served = make_datasette(path)
    await served.invoke_startup()
    limit = loaded_plugin("article_page.py").TEXT_ON_PAGE

    page = (await served.client.get("/-/article/1")).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    shown = [i for i in range(3000) if f"第{i}行" in page]
    assert shown == list(range(len(shown))) and 0 < len(shown) < 3000  # whole lines, from the start
    assert sum(len(rows[i + 1]) + 1 for i in shown) <= limit
    assert f"共 {len(text)} 字" in page and f'href="/-/attachment-text/{version_id}"' in page

    whole = await served.client.get(f"/-/attachment-text/{version_id}")
    assert whole.status_code == 200 and whole.text == text
    assert whole.headers["content-type"] == "text/plain; charset=utf-8"
    assert whole.headers["x-content-type-options"] == "nosniff" and "sandbox" in whole.headers["content-security-policy"]
    for missing in ("999999", "9" * 40):
        assert (await served.client.get(f"/-/attachment-text/{missing}")).status_code == 404
