"""The `govwatch` command as a user runs it: clear errors, the demo job, extract."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from storage import open_db
from tests.conftest import govwatch


def test_bad_sources_file_gives_one_clear_message(tmp_path):
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  - name: county\n    start_urls: [http://x.gov.cn/]\n    schedule: every fortnight\n",
                   encoding="utf-8")
    result = govwatch("crawl", "--config", str(bad), "--db", str(tmp_path / "g.db"), check=False)
    assert result.returncode == 2
    assert str(bad) in result.stderr and "'county'" in result.stderr and "schedule" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.slow
def test_unknown_source_and_unreadable_database(tmp_path):
    result = govwatch("crawl", "--db", str(tmp_path / "g.db"), "no-such-source", check=False)
    assert result.returncode == 2 and "no-such-source" in result.stderr and "Traceback" not in result.stderr
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    result = govwatch("sources", "list", "--db", str(garbage), check=False)
    assert result.returncode == 2 and str(garbage) in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow  # two_day_demo crawls the demo site twice (~15 s alone, the slowest of the fast subset)
def test_demo_no_serve_fills_the_database_and_exits_zero(two_day_demo):
    db_path, stdout = two_day_demo
    for source in ("demo-gov", "demo-paper", "demo-news", "demo-mirror"):
        assert source in stdout
    assert "day 1" in stdout and "day 2" in stdout and "digest:" in stdout
    digest = Path(stdout.split("digest:")[1].split()[0])
    assert digest.exists() and "乡村" in digest.read_text(encoding="utf-8")
    db = open_db(db_path)
    assert db.execute("select count(*) from articles where title is not null and published is not null").fetchone()[0] >= 50
    assert db.execute("select count(distinct url) from articles").fetchone()[0] == db["articles"].count


@pytest.mark.slow
def test_extract_prints_one_json_line_per_input_in_order(tmp_path, fresh_demo_site):
    # A site of its own: urllib's requests would otherwise land in the shared site's request log,
    # which test_pipeline_demo reads for the crawler's user agent.
    import urllib.request

    pages = fresh_demo_site.catalogue()[:2]
    files = []
    for i, page in enumerate(pages):
        path = tmp_path / f"{i}.html"
        path.write_bytes(urllib.request.urlopen(page["url"]).read())
        files.append(str(path))
    result = govwatch("extract", *files, pages[0]["url"])
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["input"] for r in records] == [*files, pages[0]["url"]]
    assert [r["title"] for r in records] == [pages[0]["title"], pages[1]["title"], pages[0]["title"]]
    for key in ("url", "text", "date", "author", "source", "publisher", "index_no", "doc_no", "category",
                "attachments", "language"):
        assert key in records[0]


@pytest.mark.slow
def test_extract_reports_bad_input_per_page_and_goes_on(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.html"
    binary.write_bytes(bytes(range(256)) * 20)
    big = tmp_path / "big.html"
    big.write_bytes(b"<html><body>" + "<p>乡村振兴</p>".encode() * 700_000 + b"</body></html>")
    lie = tmp_path / "lie.html"  # GBK bytes that claim to be UTF-8
    lie.write_bytes('<html><head><meta charset="utf-8"></head><body><h1>关于做好防汛工作的通知</h1>'
                    '<p>为切实做好今年防汛备汛工作，确保人民群众生命财产安全，现将有关事项通知如下。</p></body></html>'
                    .encode("gbk"))
    inputs = [empty, binary, big, tmp_path / "missing.html", lie]
    result = govwatch("extract", *map(str, inputs), check=False)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["input"] for r in records] == [str(p) for p in inputs]
    assert "empty page" in records[0]["error"]
    assert "binary" in records[1]["error"]
    assert "10 MB limit" in records[2]["error"]
    assert "No such file" in records[3]["error"]
    assert records[4]["title"] == "关于做好防汛工作的通知" and "防汛备汛" in records[4]["text"]
    assert result.returncode == 1 and "Traceback" not in result.stderr


@pytest.mark.slow
def test_one_crawl_is_spawned_and_several_share_the_warm_fork_server(tmp_path, demo_site):
    """`govwatch crawl NAME` spawns its one crawl: the fork server's preload (attachment readers,
    a warmed extractor) costs more than it saves in a process that ends after one crawl. Two or
    more crawls are forked from it. Told apart by what each first crawl's pipeline records: only
    a forked crawl's extraction pools fork from a warm forkserver of its own."""
    warm = re.compile(r"'govwatch/warm_pool_forkserver': (\d)")

    def crawl(db: Path, *names: str) -> list[int]:
        govwatch("crawl", "--db", str(db), "--demo-url", demo_site.base_url, *names)
        store = open_db(db)
        try:
            return [int(warm.search(row["log_tail"]).group(1))
                    for row in store.query("select log_tail from crawl_runs order by id")]
        finally:
            store.close()

    assert crawl(tmp_path / "one.db", "demo-gov") == [0]
    assert crawl(tmp_path / "two.db", "demo-gov", "demo-paper") == [1, 1]
