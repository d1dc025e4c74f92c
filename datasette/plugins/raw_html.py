"""/-/raw/<version id>: the response body of an article version exactly as it was received,
for a researcher to download and check against its SHA-256.

Bodies are kept compressed with their source's zstd dictionary (storage/raw_bodies.py), which
a blob column cannot hand out as is; this route reads the body and dictionary with plain
SELECTs and decodes them. The bytes are a crawled site's, hostile by rule: they are sent as a
download (`application/octet-stream`, attachment, nosniff, a sandboxing CSP), never rendered
as a page of this origin.
"""

from __future__ import annotations

from datasette.utils.asgi import NotFound, Response

from datasette import hookimpl
from storage.raw_bodies import decode_body

MAX_ID = 2**63 - 1


@hookimpl
def register_routes():
    return [(r"^/-/raw/(?P<version_id>\d+)$", raw_body)]


async def raw_body(datasette, request) -> Response:
    digits = request.url_vars["version_id"]
    version_id = int(digits) if len(digits) <= 19 else MAX_ID + 1
    if version_id > MAX_ID:
        raise NotFound(f"no version {digits[:30]}")
    db = datasette.get_database()
    rows = (await db.execute(
        "select v.raw_sha256, v.raw_pruned_at, b.codec, b.body, d.dictionary from article_versions v"
        " left join raw_bodies b on b.sha256 = v.raw_sha256 left join body_dictionaries d on d.id = b.dictionary_id"
        " where v.id = ?", [version_id])).rows
    if not rows:
        raise NotFound(f"no version {version_id}")
    row = rows[0]
    if row["body"] is None:
        why = f"dropped by raw HTML retention on {row['raw_pruned_at']}" if row["raw_pruned_at"] else "not kept"
        return Response.text(f"the raw HTML of version {version_id} was {why}; its SHA-256 was {row['raw_sha256']}",
                             status=410)
    body = decode_body(row["codec"], row["body"], row["dictionary"])
    return Response(body, content_type="application/octet-stream", headers={
        "content-disposition": f'attachment; filename="govwatch-version-{version_id}.html"',
        "x-content-type-options": "nosniff",
        "content-security-policy": "sandbox; default-src 'none'",
        "x-content-sha256": row["raw_sha256"] or "",
    })
