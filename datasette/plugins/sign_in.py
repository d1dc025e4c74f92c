"""The operator's session: a cookie scripts cannot read, and a bound on password guessing.

- `ds_actor` (set by datasette-auth-passwords through Datasette's `set_cookie`, whose default
  is `httponly=False`) gets HttpOnly and SameSite=Lax, and Secure when the request came over
  https, so a script injected into any page of the site cannot steal the operator's session.
  Rewritten on the way out because the plugin sets it inside its own login view.
- POST /-/login is throttled: after FREE_FAILURES failed sign-ins from one client address (and
  after GLOBAL_FREE_FAILURES from everyone, since there is in practice one operator account to
  guess), each further attempt waits twice as long as the last, up to MAX_WAIT_S; the answer
  meanwhile is 429 with Retry-After. A successful sign-in clears the address's count.
  Behind a reverse proxy every request comes from the proxy's address unless Datasette is told
  to trust X-Forwarded-For (SECURITY.md); the global bound holds either way.
- A successful sign-in lands on the operator page (signing in is only for operating), not on
  `/`; with no password hash configured, /-/login says so instead of showing a form nobody
  can get through.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from datasette import hookimpl

SESSION_COOKIE = b"ds_actor="
LOGIN_PATH = "/-/login"
AFTER_SIGN_IN = "/-/operator"
NOT_SET_UP = ("<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>登录未设置</title>"
              "<p>运维登录尚未设置：用 <code>govwatch operator-password</code> 生成密码哈希，放入环境变量 "
              "<code>GOVWATCH_OPERATOR_PASSWORD_HASH</code> 后重启 <code>govwatch serve</code>。</p>"
              "<p><a href=\"/-/operator\">返回采集源页面（只读）</a></p></html>")
FREE_FAILURES = 5
GLOBAL_FREE_FAILURES = 50
MAX_WAIT_S = 900.0
_TRACKED_ADDRESSES = 10_000  # oldest forgotten beyond this: a flood of addresses cannot fill memory


class SignInThrottle:
    """Failed sign-ins per key, and how long the next attempt must wait (exponential back-off)."""

    def __init__(self, free: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.clock = free, clock
        self.failures: OrderedDict[str, tuple[int, float]] = OrderedDict()  # key → (count, last failure)

    def wait_s(self, key: str) -> float:
        count, last = self.failures.get(key, (0, 0.0))
        if count < self.free:
            return 0.0
        return max(0.0, last + min(MAX_WAIT_S, 2.0 ** (count - self.free)) - self.clock())

    def failed(self, key: str) -> None:
        count = self.failures.pop(key, (0, 0.0))[0]
        self.failures[key] = (count + 1, self.clock())
        while len(self.failures) > _TRACKED_ADDRESSES:
            self.failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        self.failures.pop(key, None)


def harden_session_cookie(value: bytes, https: bool) -> bytes:
    """A `Set-Cookie` value for ds_actor with HttpOnly, SameSite=Lax (and Secure over https)."""
    attributes = [a.strip() for a in value.split(b";")]
    kept = [a for a in attributes[1:] if a.split(b"=")[0].lower() not in (b"httponly", b"samesite", b"secure")]
    extra = [b"HttpOnly", b"SameSite=Lax", *([b"Secure"] if https else [])]
    return b"; ".join([attributes[0], *kept, *extra])


@hookimpl
def asgi_wrapper(datasette):
    per_address = SignInThrottle(FREE_FAILURES)
    everyone = SignInThrottle(GLOBAL_FREE_FAILURES)

    def wrap(app):
        async def guarded(scope, receive, send):
            if scope.get("type") != "http":
                await app(scope, receive, send)
                return
            https = scope.get("scheme") == "https"
            if scope.get("path") == LOGIN_PATH and not _sign_in_ready(datasette):
                await _not_set_up(send)
                return
            login = scope.get("method") == "POST" and scope.get("path") == LOGIN_PATH
            address = (scope.get("client") or ("?",))[0]
            if login:
                wait = max(per_address.wait_s(address), everyone.wait_s("*"))
                if wait > 0:
                    await _too_many(send, wait)
                    return
            outcome = {"signed_in": False}

            async def send_hardened(message):
                if message["type"] == "http.response.start":
                    headers = []
                    for key, value in message.get("headers") or []:
                        if key.lower() == b"set-cookie" and value.startswith(SESSION_COOKIE):
                            token = value[len(SESSION_COOKIE):].split(b";", 1)[0].strip(b'" ')
                            outcome["signed_in"] = bool(token)  # an emptied cookie is a sign-out
                            value = harden_session_cookie(value, https)
                        headers.append((key, value))
                    if login and outcome["signed_in"]:  # back to the page the operator signed in for
                        target = datasette.urls.path(AFTER_SIGN_IN).encode()
                        headers = [(k, target if k.lower() == b"location" else v) for k, v in headers]
                    message = {**message, "headers": headers}
                await send(message)

            await app(scope, receive, send_hardened)
            if login:
                if outcome["signed_in"]:
                    per_address.succeeded(address)
                else:
                    per_address.failed(address)
                    everyone.failed("*")

        return guarded

    return wrap


def _sign_in_ready(datasette) -> bool:
    config = datasette.plugin_config("datasette-auth-passwords") or {}
    return any(value for key, value in config.items() if key.endswith("_password_hash"))


async def _not_set_up(send) -> None:
    body = NOT_SET_UP.encode()
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _too_many(send, wait: float) -> None:
    body = f"Too many failed sign-ins: try again in {int(wait) + 1} s.".encode()
    await send({"type": "http.response.start", "status": 429,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", str(int(wait) + 1).encode()),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
