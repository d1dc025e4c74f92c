"""/-/attachment-file/<attachment version id>: a kept attachment exactly as it was downloaded;
/-/attachment-text/<attachment version id>: the text read from it, whole.

The bytes are a crawled site's, hostile by rule (a PDF with scripts, an HTML page named .pdf):
they are sent as a download (`application/octet-stream`, attachment, nosniff, a sandboxing
CSP), never rendered by this origin, as /-/raw/ does for article pages (raw_html.py). The text
is the site's too: plain text, nosniff and the same CSP, so no browser takes it for a page. The
article page shows the start of a long text and links here for the rest (a real 职位表 of 7,500
rows is 1.2 M characters: 3 MB of page if shown whole).
"""

from __future__ import annotations

import re

from datasette.utils.asgi import NotFound, Response

from datasette import hookimpl
from storage.raw_bodies import decode_body

MAX_ID = 2**63 - 1
_SAFE_EXT = re.compile(r"^[a-z]{2,5}$")


@hookimpl
def register_routes():
    return [(r"^/-/attachment-file/(?P<version_id>\d+)$", attachment_file),
            (r"^/-/attachment-text/(?P<version_id>\d+)$", attachment_text)]


def _version_id(request) -> int:
    digits = request.url_vars["version_id"]
    version_id = int(digits) if len(digits) <= 19 else MAX_ID + 1
    if version_id > MAX_ID:
        raise NotFound(f"no attachment version {digits[:30]}")
    return version_id


async def attachment_text(datasette, request) -> Response:
    version_id = _version_id(request)
    rows = (await datasette.get_database().execute(
        "select status, text from attachment_versions where id = ?", [version_id])).rows
    if not rows:
        raise NotFound(f"no attachment version {version_id}")
    if rows[0]["text"] is None:
        return Response.text(f"attachment version {version_id} has no text ({rows[0]['status']})", status=404)
    return Response.text(rows[0]["text"], headers={
        "x-content-type-options": "nosniff", "content-security-policy": "sandbox; default-src 'none'"})


async def attachment_file(datasette, request) -> Response:
    version_id = _version_id(request)
    rows = (await datasette.get_database().execute(
        "select v.sha256, v.status, t.type, f.codec, f.body from attachment_versions v"
        " join attachments t on t.id = v.attachment_id left join attachment_files f on f.sha256 = v.sha256"
        " where v.id = ?", [version_id])).rows
    if not rows:
        raise NotFound(f"no attachment version {version_id}")
    row = rows[0]
    if row["body"] is None:
        return Response.text(f"the file of attachment version {version_id} was not kept ({row['status']})", status=410)
    ext = row["type"] if row["type"] and _SAFE_EXT.match(row["type"]) else "bin"
    return Response(decode_body(row["codec"], row["body"]), content_type="application/octet-stream", headers={
        "content-disposition": f'attachment; filename="govwatch-attachment-{version_id}.{ext}"',
        "x-content-type-options": "nosniff",
        "content-security-policy": "sandbox; default-src 'none'",
        "x-content-sha256": row["sha256"] or "",
    })
