"""Refuse multipart/form-data requests with 415 before Datasette's CSRF check reads them.

asgi-csrf 0.11 parses multipart bodies with `FormParser(..., FileClass=…)`, an argument
python-multipart removed in 0.0.26 (the release that fixes CVE-2026-40347; simonw/asgi-csrf
issue 38, unfixed upstream): any multipart POST carrying cookies raised a TypeError, a 500.
Going back to an older python-multipart would bring its vulnerabilities back, and no form of
govwatch (sign-in, operator changes) is multipart, so such a request gets a clear 415 instead.
"""

from __future__ import annotations

from datasette import hookimpl

_BODY = b"multipart/form-data is not accepted here: send the form urlencoded."


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def refuse_multipart(scope, receive, send):
            if scope.get("type") == "http" and _is_multipart(scope):
                await send({"type": "http.response.start", "status": 415,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"content-length", str(len(_BODY)).encode())]})
                await send({"type": "http.response.body", "body": _BODY})
                return
            await app(scope, receive, send)

        return refuse_multipart

    return wrap


def _is_multipart(scope) -> bool:
    return any(key.lower() == b"content-type" and value.lower().lstrip().startswith(b"multipart/")
               for key, value in scope.get("headers") or [])
