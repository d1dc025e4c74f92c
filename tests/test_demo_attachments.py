"""The demo's attachments after `govwatch demo`: every format read, searchable, and the replaced
one a change on its article page and in the digest (issue 23's "done when")."""

from __future__ import annotations

import glob
import re
from pathlib import Path

import pytest

from demo.attachment_files import DEMO_PHRASES, REPLACED_LINE
from storage import open_db
from tests.datasette.test_publish import make_datasette

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stored(two_day_demo):
    db = open_db(two_day_demo[0])
    rows = list(db.query("select * from attachments order by id"))
    replaced = list(db.query("select a.* from attachments a where version_count > 1"))
    db.close()
    return {"rows": rows, "replaced": replaced}


def test_every_demo_format_is_fetched_and_read(stored) -> None:
    kinds = {r["kind"] for r in stored["rows"]}
    assert kinds == set(DEMO_PHRASES)
    assert {r["status"] for r in stored["rows"]} == {"read"}
    for row in stored["rows"]:
        assert DEMO_PHRASES[row["kind"]] in row["text"], row["url"]


def test_the_replaced_attachment_is_a_second_version_with_a_named_event(two_day_demo, stored) -> None:
    [row] = stored["replaced"]
    assert row["version_count"] == 2 and REPLACED_LINE in row["text"]
    db = open_db(two_day_demo[0])
    [event] = list(db.query("select * from events where attachment_version_id is not null"))
    db.close()
    assert (event["kind"], event["article_id"], event["attachment_version_id"]) == \
        ("changed", row["article_id"], row["current_version_id"])
    assert row["name"] in event["detail"]


@pytest.mark.parametrize("fmt", sorted(DEMO_PHRASES))
async def test_search_for_a_phrase_only_in_attachments_finds_their_articles(two_day_demo, stored, fmt) -> None:
    ds = make_datasette(two_day_demo[0])
    await ds.invoke_startup()
    phrase = DEMO_PHRASES[fmt]
    articles = await ds.client.get("/govwatch/articles.json", params={"_search": phrase, "_shape": "array"})
    assert articles.status_code == 200 and articles.json() == []  # not in any article's own text
    found = await ds.client.get("/govwatch/search.json", params={"q": phrase, "_shape": "array", "_size": "max"})
    expected = {r["article_id"] for r in stored["rows"] if phrase in (r["text"] or "")}
    assert {r["id"] for r in found.json()} == expected and expected


async def test_article_page_lists_files_with_text_and_the_replacement(two_day_demo, stored) -> None:
    [row] = stored["replaced"]
    ds = make_datasette(two_day_demo[0])
    await ds.invoke_startup()
    html = (await ds.client.get(f"/-/article/{row['article_id']}")).text
    assert f'id="attachment-{row["id"]}"' in html and "共 2 版" in html
    assert re.search(f"<ins>[^<]*{re.escape(REPLACED_LINE)}</ins>", html)  # a table row's line keeps its cells
    assert f'href="#attachment-version-{row["current_version_id"]}"' in html
    assert "<details><summary>附件文字" in html


def test_digest_shows_the_replaced_attachment(two_day_demo, stored) -> None:
    [row] = stored["replaced"]
    digests = glob.glob(str(Path(two_day_demo[0]).parent / "digests" / "*" / "*.html"))
    html = Path(digests[0]).read_text(encoding="utf-8")
    assert f"附件「{row['name']}」第 2 版" in html and REPLACED_LINE in html


def test_unchanged_attachments_are_rechecked_with_a_conditional_get(stored) -> None:
    # day 2 asks again with the stored ETag / Last-Modified: unchanged files answer 304, and the
    # replaced one is downloaded again (200, a second version)
    unchanged = [r for r in stored["rows"] if r["version_count"] == 1]
    assert unchanged and {r["http_status"] for r in unchanged} == {304}
    assert {r["http_status"] for r in stored["replaced"]} == {200}


def test_export_warc_includes_the_kept_files(two_day_demo, tmp_path) -> None:
    import hashlib

    from click.testing import CliRunner
    from warcio.archiveiterator import ArchiveIterator

    from monitor.warc_export import export_warc

    result = CliRunner().invoke(export_warc, [str(tmp_path), "--db", str(two_day_demo[0])])
    assert result.exit_code == 0, result.output
    records = []
    for path in tmp_path.glob("*.warc.gz"):
        with path.open("rb") as handle:
            records += [(r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers.get_header("WARC-govwatch-SHA256"),
                         r.content_stream().read()) for r in ArchiveIterator(handle) if r.rec_type == "resource"]
    db = open_db(two_day_demo[0])
    versions = {(r["url"], r["sha256"]) for r in db.query(
        "select t.url, v.sha256 from attachment_versions v join attachments t on t.id = v.attachment_id")}
    db.close()
    assert {(uri, sha) for uri, sha, _ in records} == versions  # both files of the replaced one
    assert all(hashlib.sha256(body).hexdigest() == sha for _, sha, body in records)


async def test_the_kept_file_downloads_as_it_was_fetched(two_day_demo, stored) -> None:
    import hashlib

    [row] = stored["replaced"]
    ds = make_datasette(two_day_demo[0])
    await ds.invoke_startup()
    page = (await ds.client.get(f"/-/article/{row['article_id']}")).text
    assert f'/-/attachment-file/{row["current_version_id"]}">保存的文件</a>' in page
    response = await ds.client.get(f"/-/attachment-file/{row['current_version_id']}")
    assert response.status_code == 200 and hashlib.sha256(response.content).hexdigest() == row["sha256"]
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert (await ds.client.get("/-/attachment-file/999999")).status_code == 404


def test_digest_lists_a_new_articles_attachments(two_day_demo, stored) -> None:
    digests = glob.glob(str(Path(two_day_demo[0]).parent / "digests" / "*" / "*.html"))
    html = Path(digests[0]).read_text(encoding="utf-8")
    listed = [block.split("</div>")[0] for block in html.split('class="attachments"')[1:]]
    assert listed and any(row["name"] in block for row in stored["rows"] for block in listed)
