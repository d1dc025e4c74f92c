"""An operator signs in, changes a schedule on the operator page, and sees the new next run."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from datasette_auth_passwords.utils import hash_password

from tests.browser.conftest import start_datasette
from tests.conftest import PROJECT_ROOT
from tests.monitor.test_service import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
PASSWORD = "correct horse battery staple"


@pytest.fixture
def running_stack(tmp_path, fresh_demo_site):
    """`govwatch run` on one demo source and `govwatch serve` on the same database."""
    db_path, config = tmp_path / "govwatch.db", tmp_path / "sources.yaml"
    config.write_text(f"""
sources:
  - name: demo-news
    start_urls: ["{fresh_demo_site.base_url}/news/list/index.html"]
    allow_paths: ["/news/"]
    schedule: every 1h
    politeness: {{autothrottle: false, download_delay: 0}}
""", encoding="utf-8")
    service = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--db", str(db_path), "--config", str(config),
                                "--poll", "0.5"], cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: db_path.exists(), 20, "the service to create the database")
    time.sleep(2)
    serve, base = start_datasette(
        db_path, {"GOVWATCH_OPERATOR_PASSWORD_HASH": hash_password(PASSWORD, iterations=1000)}, probe="/-/operator")
    yield base, db_path
    for process in (serve, service):
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def test_operator_signs_in_and_changes_a_schedule(browser, running_stack):
    base, _ = running_stack
    page = browser.new_page()
    page.goto(base + "/-/operator")
    assert "只读" in page.inner_text("body")
    assert page.locator("button.set-schedule").count() == 0

    page.goto(base + "/-/login")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/-/operator")  # signing in lands back on the operator page
    row = page.locator("#source-demo-news")
    assert row.locator(".next-run").get_attribute("data-utc")  # the running scheduler planned one

    row.locator("input[name=spec]").fill("0 3 * * *")
    row.locator("button.set-schedule").click()
    assert "schedule is now '0 3 * * *'" in page.locator("#message").inner_text()

    def next_run_is_3am_shanghai() -> bool:
        page.goto(base + "/-/operator")
        text = page.locator("#source-demo-news .next-run").get_attribute("data-utc")  # shown in Beijing time
        if not text:
            return False
        moment = datetime.fromisoformat(text).astimezone(UTC)
        return moment.hour == 19 and moment.minute == 0  # 03:00 Asia/Shanghai is 19:00 UTC

    wait_for(next_run_is_3am_shanghai, 20, "the new next-run time on the operator page")
    assert "0 3 * * *" in page.locator("#source-demo-news .schedule").inner_text()

    page.locator("#source-demo-news input[name=spec]").fill("every fortnight")
    page.locator("#source-demo-news button.set-schedule").click()
    assert "refused" in page.locator("#error").inner_text()


def test_anonymous_changes_are_refused(running_stack):
    import urllib.error
    import urllib.request

    base, db_path = running_stack
    request = urllib.request.Request(base + "/-/operator/demo-news/pause", data=b"", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 403
    import sqlite3

    assert sqlite3.connect(db_path).execute("select paused from sources where name = 'demo-news'").fetchone()[0] == 0
