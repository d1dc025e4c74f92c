"""Headless Chromium (Debian's, driven by Playwright) for the checks a person would make by eye."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Module-scoped: Playwright's sync API keeps an event loop running while it is open,
    which pytest-asyncio's tests elsewhere cannot share."""
    if not shutil.which("chromium") and not shutil.os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (./bootstrap.sh --test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_datasette(db_path, env: dict[str, str] | None = None, probe: str = "/govwatch"):
    """`govwatch serve` on a free port, returned once `probe` answers 200: (process, base URL)."""
    import os
    import subprocess
    import sys
    import urllib.request

    from tests.conftest import PROJECT_ROOT
    from tests.monitor.test_service import wait_for

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "monitor", "serve", "--db", str(db_path), "--port", str(port)],
                               cwd=PROJECT_ROOT, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        try:
            return urllib.request.urlopen(base + probe, timeout=2).status == 200
        except OSError:
            return False

    wait_for(answering, 30, "datasette to answer")
    return process, base
