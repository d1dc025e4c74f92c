"""`govwatch export-warc`: every kept response, read back with warcio."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from monitor.warc_export import export_warc
from storage import open_db


def read_records(out: Path) -> list[dict]:
    records = []
    for path in sorted(out.glob("*.warc.gz")):
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type == "response":
                    records.append({
                        "file": path.name,
                        "uri": record.rec_headers.get_header("WARC-Target-URI"),
                        "date": record.rec_headers.get_header("WARC-Date"),
                        "status": record.http_headers.get_statuscode(),
                        "encoding": record.http_headers.get_header("Content-Encoding"),
                        "length": int(record.http_headers.get_header("Content-Length")),
                        "body": record.content_stream().read(),
                    })
    return records


@pytest.mark.slow  # crawled_demo crawls the four demo sources
def test_every_version_is_exported_and_reads_back(crawled_demo, tmp_path):
    result = CliRunner().invoke(export_warc, [str(tmp_path), "--db", str(crawled_demo)])
    assert result.exit_code == 0, result.output
    db = open_db(crawled_demo)
    versions = {r["url"]: r for r in db.query(
        "select a.url, a.source, v.raw_sha256, v.fetched_at from article_versions v join articles a on a.id = v.article_id")}
    db.close()
    records = read_records(tmp_path)
    assert len(records) == len(versions) and {r["uri"] for r in records} == set(versions)
    for record in records:
        version = versions[record["uri"]]
        assert hashlib.sha256(record["body"]).hexdigest() == version["raw_sha256"]
        assert record["date"] == version["fetched_at"].replace("+00:00", "Z")
        assert record["status"] == "200" and record["encoding"] is None and record["length"] == len(record["body"])
        assert record["file"].startswith(f"govwatch-{version['source']}-")
    assert len({r["file"] for r in records}) == 4  # one file per source


@pytest.mark.slow  # crawled_demo crawls the four demo sources
def test_source_and_since_filters(crawled_demo, tmp_path):
    result = CliRunner().invoke(export_warc, [str(tmp_path / "gov"), "--db", str(crawled_demo), "--source", "demo-gov"])
    assert result.exit_code == 0 and len(read_records(tmp_path / "gov")) == 14
    result = CliRunner().invoke(export_warc, [str(tmp_path / "none"), "--db", str(crawled_demo), "--since", "2999-01-01"])
    assert result.exit_code == 0 and "nothing written" in result.output
    result = CliRunner().invoke(export_warc, [str(tmp_path / "bad"), "--db", str(crawled_demo), "--since", "yesterday"])
    assert result.exit_code == 2 and "--since" in result.output
    result = CliRunner().invoke(export_warc, [str(tmp_path / "x"), "--db", str(tmp_path / "missing.db")])
    assert result.exit_code == 2 and "no such file" in result.output
