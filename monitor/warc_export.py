"""`govwatch export-warc`: every kept response as gzipped WARC files, for archives and evidence.

Each article version keeps the body exactly as the crawler received it (after HTTP transfer
decoding), its response headers and its fetch time; this writes each as a WARC `response`
record (target URI = the article URL, WARC-Date = fetched_at), one file per source, so the
versions can be replayed with standard tools (pywb, ReplayWeb.page) or cited by digest. Each
kept attachment file follows as a `resource` record (its URL, fetch time and SHA-256).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any

import click
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from monitor.cli_common import UserError, db_option
from storage import open_db
from storage.attachments import attachment_file, stored_files_of
from storage.database import StoreError
from storage.versions import versions_of

# The stored body is already decoded: headers describing the wire encoding would make the
# record lie, so they are kept under an X-Archive-Orig- prefix (the convention of wget/pywb).
_WIRE_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}


def export_warc_files(db_path: str | Path, out_dir: str | Path, *, source: str | None = None,
                      since: str | None = None) -> dict[str, int]:
    """Write one `govwatch-<source>-<time>.warc.gz` per source; return records written per file."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    db = open_db(db_path)
    writers: dict[str, tuple[Any, WARCWriter, Path]] = {}
    counts: dict[str, int] = {}
    try:
        for row in versions_of(db, source=source, since=since):
            if row["raw_body"] is None:  # dropped by raw HTML retention: nothing to archive
                continue
            if row["source"] not in writers:
                path = out / f"govwatch-{row['source']}-{stamp}.warc.gz"
                handle = path.open("wb")
                writer = WARCWriter(handle, gzip=True)
                writer.write_record(writer.create_warcinfo_record(path.name, {
                    "software": "govwatch", "format": "WARC File Format 1.1",
                    "description": f"article versions of source {row['source']}"}))
                writers[row["source"]] = (handle, writer, path)
                counts[path.name] = 0
            _, writer, path = writers[row["source"]]
            writer.write_record(response_record(writer, row))
            counts[path.name] += 1
        for row in stored_files_of(db, source=source, since=since):
            if row["source"] not in writers:
                continue  # a source none of whose pages is kept: its files have no page to belong with
            _, writer, path = writers[row["source"]]
            writer.write_record(attachment_record(writer, row, attachment_file(db, row["sha256"]) or b""))
            counts[path.name] += 1
    finally:
        for handle, _, _ in writers.values():
            handle.close()
        db.close()
    return counts


def response_record(writer: WARCWriter, row: dict[str, Any]):
    """The WARC response record of one stored version."""
    body = row["raw_body"]
    status = row["http_status"] or 200
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    headers = list(_http_headers(json.loads(row["response_headers"] or "{}")))
    headers.append(("Content-Length", str(len(body))))
    http_headers = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1")
    return writer.create_warc_record(
        row["url"], "response", payload=BytesIO(body), length=len(body), http_headers=http_headers,
        warc_headers_dict={"WARC-Date": _warc_date(row["fetched_at"]),
                           "WARC-govwatch-Version": f"{row['article_id']}/{row['version']}",
                           "WARC-govwatch-SHA256": row["raw_sha256"] or ""},
    )


_CONTENT_TYPES = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xls": "application/vnd.ms-excel",
                  "doc": "application/msword", "ofd": "application/ofd", "wps": "application/vnd.ms-works"}


def attachment_record(writer: WARCWriter, row: dict[str, Any], body: bytes):
    """A kept attachment file as a WARC `resource` record (its response headers are not kept)."""
    return writer.create_warc_record(
        row["url"], "resource", payload=BytesIO(body), length=len(body),
        warc_content_type=_CONTENT_TYPES.get(row["kind"] or "", "application/octet-stream"),
        warc_headers_dict={"WARC-Date": _warc_date(row["fetched_at"]),
                           "WARC-govwatch-Attachment": f"{row['article_id']}/{row['id']}/{row['version']}",
                           "WARC-govwatch-SHA256": row["sha256"] or ""},
    )


def _http_headers(stored: dict[str, str]) -> Iterator[tuple[str, str]]:
    for name, value in stored.items():
        if name.lower() in _WIRE_HEADERS:
            yield f"X-Archive-Orig-{name}", value
        else:
            yield name, value


def _warc_date(fetched_at: str | None) -> str:
    """WARC-Date is UTC with a Z: our stored "…+00:00" times, rewritten."""
    when = datetime.fromisoformat(fetched_at) if fetched_at else datetime.now(UTC)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@click.command("export-warc")
@click.argument("out_dir", type=click.Path(file_okay=False))
@db_option
@click.option("--source", default=None, help="Only this source's versions.")
@click.option("--since", default=None, help="Only versions fetched at or after this ISO time (UTC).")
def export_warc(out_dir: str, db_path: str, source: str | None, since: str | None) -> None:
    """Write every kept response (one per article version) to gzipped WARC files in OUT_DIR."""
    if since:
        try:
            parsed = datetime.fromisoformat(since)
        except ValueError:
            raise click.UsageError(f"--since {since!r} is not an ISO date or time (e.g. 2026-11-25 or "
                                   "2026-11-25T08:00:00+00:00)") from None
        since = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC).isoformat(
            timespec="seconds")
    if not Path(db_path).exists():
        raise UserError(f"cannot open database {db_path}: no such file (run `govwatch crawl` first)")
    try:
        counts = export_warc_files(db_path, out_dir, source=source, since=since)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    for name, records in counts.items():
        click.echo(f"{Path(out_dir) / name}: {records} responses")
    if not counts:
        click.echo("no versions matched; nothing written")
