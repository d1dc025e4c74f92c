"""Signing in to the real Datasette as the operator (datasette-auth-passwords), for tests."""

from __future__ import annotations


async def csrf_token(ds, cookies: dict[str, str]) -> str:
    """The CSRF token for `cookies`: asgi-csrf sets it on the first page that asks for it."""
    if "ds_csrftoken" not in cookies:
        page = await ds.client.get("/-/login", cookies=cookies)
        cookies["ds_csrftoken"] = page.cookies["ds_csrftoken"]
    return cookies["ds_csrftoken"]


async def sign_in(ds, username: str, password: str, expect: int = 302) -> dict[str, str] | None:
    """Cookies of a signed-in session, or None when the sign-in was refused (with status `expect`)."""
    cookies: dict[str, str] = {}
    token = await csrf_token(ds, cookies)
    response = await ds.client.post("/-/login", data={"username": username, "password": password,
                                                      "csrftoken": token}, cookies=cookies)
    assert response.status_code == expect, (response.status_code, response.text[:300])
    if response.status_code != 302:
        return None
    return {**cookies, "ds_actor": response.cookies["ds_actor"]}
