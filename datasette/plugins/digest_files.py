"""The written digests over HTTP: /-/digests/<subscription>/<day or latest>.<html|md|atom>.

`govwatch digest` and the scheduler drop each subscription's digest into a folder
(data/digests/ by default, or $GOVWATCH_DIGESTS); served here, a chat message can link to the
whole digest and a feed reader can subscribe once to `…/<subscription>/latest.atom`. Only
names the digest writer makes are routed (subscription names are `[a-z0-9][a-z0-9_-]*`, files
a day, a range or `latest`), so no request can reach another file. The HTML is our own
rendering (escaped text, http(s)-only links) and is served under a CSP that runs no script.
"""

from __future__ import annotations

import os
from pathlib import Path

from datasette.utils.asgi import NotFound, Response

from datasette import hookimpl

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TYPES = {"html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8",
         "atom": "application/atom+xml; charset=utf-8"}
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def digest_folder() -> Path:
    return Path(os.environ.get("GOVWATCH_DIGESTS") or PROJECT_ROOT / "data" / "digests")


ROUTE = (r"^/-/digests/(?P<subscription>[a-z0-9][a-z0-9_-]{0,63})/"
         r"(?P<stem>latest|\d{4}-\d{2}-\d{2}|\d{8}T\d{4}-\d{8}T\d{4})\.(?P<ext>html|md|atom)$")


@hookimpl
def register_routes():
    # anything else under /-/digests/ is a plain 404 (Datasette would read it as a row URL of a
    # database named "-" and fail with a 500)
    return [(ROUTE, digest_file), (r"^/-/digests(?:/.*)?$", not_a_digest)]


async def not_a_digest(request):
    return Response.text("no such digest: /-/digests/<subscription>/<YYYY-MM-DD|latest>.<html|md|atom>", status=404)


async def digest_file(request):
    variables = request.url_vars
    path = digest_folder() / variables["subscription"] / f"{variables['stem']}.{variables['ext']}"
    try:
        body = path.read_bytes()
    except OSError:
        raise NotFound(f"no digest {variables['subscription']}/{variables['stem']}.{variables['ext']}") from None
    return Response(body, content_type=TYPES[variables["ext"]],
                    headers={"Content-Security-Policy": POLICY, "X-Content-Type-Options": "nosniff",
                             "Cache-Control": "max-age=300"})
