"""Issue 19 items 6 and 7 on the real operator page and sign-in (Datasette's own test client,
the real `govwatch sources …` commands behind it), on a store named `archive-2026.db` (item 8).

A signed-in operator's request must not be turned into CLI options, a crash must not show a
traceback, a link must not put words in the page's banner, a multipart POST must not be a 500,
and password guessing must be slowed down."""

from __future__ import annotations

import sqlite3
from urllib.parse import quote

import pytest
from datasette_auth_passwords.utils import hash_password

from tests.datasette.test_publish import make_datasette
from tests.security.sign_in import csrf_token, sign_in

PASSWORD = "correct horse battery"


@pytest.fixture
async def ds(store, monkeypatch):
    monkeypatch.setenv("GOVWATCH_OPERATOR_PASSWORD_HASH", hash_password(PASSWORD))
    datasette = make_datasette(store)
    await datasette.invoke_startup()
    return datasette


def schedule_of(store) -> str:
    return sqlite3.connect(store).execute("select schedule from sources where name = 'hostile'").fetchone()[0]


async def change(ds, cookies, path: str, **form) -> str:
    """POST an operator change like the page's form does; the page it redirects to."""
    token = await csrf_token(ds, cookies)
    response = await ds.client.post(path, data={"csrftoken": token, **form}, cookies=cookies)
    assert response.status_code == 302, (response.status_code, response.text[:300])
    page = await ds.client.get(response.headers["location"], cookies=cookies)
    assert page.status_code == 200
    return page.text


@pytest.mark.slow  # each change runs the real CLI
async def test_values_are_never_options_and_crashes_show_one_line(ds, store):
    cookies = await sign_in(ds, "operator", PASSWORD)
    for name in ("--help", "-h", "--db=%2Ftmp%2Fx.db"):
        refused = await ds.client.post(f"/-/operator/{name}/pause", data={"csrftoken": await csrf_token(ds, cookies)},
                                       cookies=cookies)
        assert refused.status_code == 404
    page = await change(ds, cookies, "/-/operator/hostile/schedule", spec="--help")
    assert 'id="error"' in page and "refused" in page and "Usage:" not in page
    page = await change(ds, cookies, "/-/operator/hostile/schedule", spec="every 99999999999999999999d")
    assert "too long" in page and "Traceback" not in page and "OverflowError" not in page
    assert schedule_of(store) == "every 1h"
    page = await change(ds, cookies, "/-/operator/hostile/schedule", spec="every 2h")
    assert 'id="message"' in page and "every 2h" in page and schedule_of(store) == "every 2h"


@pytest.mark.slow
async def test_the_banner_shows_only_what_the_server_said(ds):
    lure = "Your session expired: sign in again at http://evil.example/login"
    for key in ("error", "message", "outcome"):
        page = await ds.client.get(f"/-/operator?{key}={quote(lure)}")
        assert page.status_code == 200 and "evil.example" not in page.text
    forged = ds.sign({"kind": "error", "text": lure}, "another-namespace")
    assert "evil.example" not in (await ds.client.get(f"/-/operator?outcome={quote(forged)}")).text


@pytest.mark.slow
async def test_multipart_post_with_cookies_is_refused_not_500(ds):
    cookies = {"ds_csrftoken": await csrf_token(ds, {})}
    for path in ("/-/login", "/-/operator/hostile/pause", "/archive-2026/articles"):
        response = await ds.client.post(path, files={"csrftoken": (None, cookies["ds_csrftoken"]),
                                                     "username": (None, "operator")}, cookies=cookies)
        assert response.status_code == 415, (path, response.status_code)


@pytest.mark.slow
async def test_password_guessing_is_slowed_down(ds):
    for _ in range(5):
        assert (await sign_in(ds, "operator", "wrong", expect=200)) is None
    refused = await ds.client.post("/-/login", data={"username": "operator", "password": PASSWORD})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
