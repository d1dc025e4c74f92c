"""Sending digests for real: SMTP to a local aiosmtpd, Apprise to a local webhook, file drops;
once per day and channel, failures recorded and retried."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from datetime import UTC, date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from monitor.digest.command import digest_command
from monitor.digest.delivery import EmailReporter, FileReporter, Reporter
from monitor.digest.jobs import retry_failed, run_digests, send_daily_digests
from monitor.digest.period import day_period
from monitor.digest.subscriptions import load_subscriptions
from storage import open_db
from tests.monitor.digest_history import DAY, write_config, write_history


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    """aiosmtpd handler keeping every envelope it is given."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, collector
    controller.stop()


@pytest.fixture
def webhook():
    """A tiny HTTP receiver standing in for a chat service (Apprise's json:// posts here)."""
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "json": json.loads(body)})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()


@pytest.fixture
def history(tmp_path):
    return write_history(tmp_path / "govwatch.db")


def configure(tmp_path, channels, smtp_port=1, **subscription):
    path = write_config(tmp_path / "subscriptions.yaml", smtp={"host": "127.0.0.1", "port": smtp_port, "timeout_s": 5},
                        subscriptions=[{"name": "rural", "title": "乡村振兴", "recipients": ["duty@example.org",
                                                                                           "chief@example.org"],
                                        "keywords": {"include": ["乡村振兴"], "exclude": ["招聘"]},
                                        "formats": ["html", "markdown", "atom"], "channels": channels,
                                        **subscription}])
    return load_subscriptions(path)


def send(history, settings, day=DAY, force=False):
    db = open_db(history.path)
    try:
        [outcome] = run_digests(db, settings, day_period(day), send=True, force=force)
        return outcome.deliveries
    finally:
        db.close()


def deliveries(history):
    db = open_db(history.path)
    try:
        return {r["channel"]: r for r in db.query("select * from digest_deliveries")}
    finally:
        db.close()


def test_reporters_register_by_kind():
    assert {"email", "apprise", "file"} <= set(Reporter.__kinds__)
    assert Reporter.__kinds__["email"] is EmailReporter and Reporter.__kinds__["file"] is FileReporter


def test_email_arrives_with_both_parts(history, tmp_path, smtp_server):
    port, collector = smtp_server
    settings = configure(tmp_path, ["email"], smtp_port=port)
    [result] = send(history, settings)
    assert result.status == "sent"
    [envelope] = collector.envelopes
    assert envelope.rcpt_tos == ["duty@example.org", "chief@example.org"]
    assert envelope.mail_from == "govwatch@localhost"
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "govwatch 2026-03-10 乡村振兴: 撤 1 · 改 1 · 新 3 · 转载 2 · 异常源 2"
    assert message.get_content_type() == "multipart/alternative"
    markdown, html = message.get_payload()
    assert markdown.get_content_type() == "text/markdown" and html.get_content_type() == "text/html"
    assert markdown.get_content_charset() == "utf-8"
    for part in (markdown, html):
        body = part.get_content()
        assert "2026年乡村振兴重点工作安排" in body and "我省出台稳就业新举措" in body
        assert "公开招聘工作人员公告" not in body and "全省春耕生产有序推进" not in body


def test_apprise_posts_the_markdown_digest(history, tmp_path, webhook):
    port, received = webhook
    settings = configure(tmp_path, [f"json://127.0.0.1:{port}/hook"])
    [result] = send(history, settings)
    assert result.status == "sent" and result.channel.startswith("apprise:json:")
    [post] = received
    assert post["path"] == "/hook"
    message = post["json"]["message"]
    assert message.startswith("#### govwatch 2026-03-10 乡村振兴") and not post["json"]["title"]
    assert "[2026年乡村振兴重点工作安排](http://127.0.0.1:8001/-/article/" in message
    assert "[阅读完整摘要 Full digest](" in message and len(message.encode()) <= 4096
    assert str(port) not in result.channel  # the channel key holds no part of the URL


def test_file_drop_writes_each_format(history, tmp_path):
    settings = configure(tmp_path, ["file://drop"])
    [result] = send(history, settings)
    folder = tmp_path / "drop" / "rural"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "2026-03-10.atom", "2026-03-10.html", "2026-03-10.md", "latest.atom", "latest.html", "latest.md"]
    assert (folder / "latest.atom").read_text(encoding="utf-8") == (folder / "2026-03-10.atom").read_text(encoding="utf-8")
    assert "2026年乡村振兴重点工作安排" in (folder / "2026-03-10.md").read_text(encoding="utf-8")
    assert result.channel == "file:drop"


def test_sent_once_unless_forced(history, tmp_path, smtp_server, webhook):
    smtp_port, collector = smtp_server
    hook_port, received = webhook
    settings = configure(tmp_path, ["email", f"json://127.0.0.1:{hook_port}/hook"], smtp_port=smtp_port)
    assert [r.status for r in send(history, settings)] == ["sent", "sent"]
    assert [r.status for r in send(history, settings)] == ["skipped", "skipped"]
    assert (len(collector.envelopes), len(received)) == (1, 1)
    assert [r.status for r in send(history, settings, force=True)] == ["sent", "sent"]
    assert (len(collector.envelopes), len(received)) == (2, 2)
    assert [r.status for r in send(history, settings, day=DAY - timedelta(days=1))] == ["sent", "sent"]
    rows = deliveries(history)
    assert {r["status"] for r in rows.values()} == {"sent"}


def test_failing_smtp_is_recorded_and_retried_next_run(history, tmp_path):
    port = free_port()  # nothing listens here yet
    settings = configure(tmp_path, ["email"], smtp_port=port)
    [result] = send(history, settings)
    assert result.status == "failed" and "ConnectionRefused" in result.detail
    row = deliveries(history)["email"]
    assert (row["status"], row["attempts"], row["sent_at"]) == ("failed", 2, None)  # retry.attempts = 2
    assert "ConnectionRefused" in row["last_error"]

    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        [result] = send(history, settings)  # the next run retries what failed
    finally:
        controller.stop()
    assert result.status == "sent" and len(collector.envelopes) == 1
    row = deliveries(history)["email"]
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 3, None)


def test_daily_job_retries_failed_days(history, tmp_path, smtp_server):
    port, collector = smtp_server
    broken = configure(tmp_path, ["email"], smtp_port=free_port())
    assert [r.status for r in send(history, broken)] == ["failed"]
    working = configure(tmp_path, ["email"], smtp_port=port)
    db = open_db(history.path)
    try:
        results = retry_failed(db, working, before=DAY + timedelta(days=2))
    finally:
        db.close()
    assert [(r.period, r.status) for r in results] == [("2026-03-10", "sent")]
    assert len(collector.envelopes) == 1


def test_send_daily_digests_is_the_scheduler_entry_point(history, tmp_path):
    settings = configure(tmp_path, ["file://drop"])
    config = tmp_path / "subscriptions.yaml"
    send_daily_digests(str(history.path), str(config))
    send_daily_digests(str(history.path), str(config))  # a second run sends nothing again
    yesterday = (date.today() - timedelta(days=1)).isoformat()  # the test day in Shanghai may differ by one
    rows = list(deliveries(history).values())
    assert len(rows) == 1 and rows[0]["status"] == "sent" and rows[0]["attempts"] == 1
    assert rows[0]["period"] in {yesterday, date.today().isoformat(), (date.today() - timedelta(days=2)).isoformat()}
    assert list((tmp_path / "drop" / "rural").glob("*.html")) and settings.digest_time == "07:30"


def test_cli_writes_and_sends(history, tmp_path, smtp_server):
    port, collector = smtp_server
    configure(tmp_path, ["email", "file://drop"], smtp_port=port)
    config = str(tmp_path / "subscriptions.yaml")
    runner = CliRunner()
    common = ["--db", str(history.path), "--config", config, "--day", "2026-03-10"]
    result = runner.invoke(digest_command, [*common, "--out", str(tmp_path / "preview")])
    assert result.exit_code == 0, result.output
    assert "rural 2026-03-10: 3 new, 1 edited, 1 withdrawn" in result.output
    assert (tmp_path / "preview" / "rural" / "2026-03-10.html").exists() and not collector.envelopes
    result = runner.invoke(digest_command, [*common, "--send"])
    assert result.exit_code == 0 and "sent email" in result.output and len(collector.envelopes) == 1
    result = runner.invoke(digest_command, [*common, "--send"])
    assert "skipped email" in result.output and len(collector.envelopes) == 1
    result = runner.invoke(digest_command, [*common, "--send", "--force", "--subscription", "rural"])
    assert "sent email" in result.output and len(collector.envelopes) == 2


def test_cli_failed_delivery_exits_1(history, tmp_path):
    configure(tmp_path, ["email"], smtp_port=free_port())
    result = CliRunner().invoke(digest_command, ["--db", str(history.path), "--config",
                                                 str(tmp_path / "subscriptions.yaml"), "--day", "2026-03-10", "--send"])
    assert result.exit_code == 1 and "failed email" in result.output


@pytest.mark.parametrize("args, message", [
    (["--day", "10/03/2026"], "--day '10/03/2026': expected YYYY-MM-DD"),
    (["--day", "2026-03-10", "--since", "2026-03-09"], "either --day or --since/--until"),
    (["--subscription", "nobody"], "unknown subscription 'nobody'"),
    (["--force"], "--force only matters with --send"),
])
def test_cli_user_errors_exit_2(history, tmp_path, args, message):
    configure(tmp_path, ["file://drop"])
    result = CliRunner().invoke(digest_command, ["--db", str(history.path), "--config",
                                                 str(tmp_path / "subscriptions.yaml"), *args])
    assert result.exit_code == 2 and message in result.output


def test_demo_digest_writes_beside_the_database(tmp_path):
    from datetime import datetime

    from monitor.digest.demo import demo_digest
    from storage.articles import FetchedArticle, record_page
    from storage.runs import close_run, start_run
    from storage.sources import sync_sources

    db = open_db(tmp_path / "govwatch.db")
    sync_sources(db, [{"name": "demo-gov", "schedule": "every 2h"}])
    run = start_run(db, "demo-gov")
    record_page(db, run, FetchedArticle(url="http://127.0.0.1/gov/t20260310_1.html", source="demo-gov", body=b"x",
                                        title="关于推进乡村振兴的实施意见", text="全文。",
                                        fetched_at=datetime.now(UTC).isoformat(timespec="seconds")))
    close_run(db, run, "ok")
    db.close()
    path = demo_digest(tmp_path / "govwatch.db", datasette_url="http://127.0.0.1:9001/govwatch")
    assert path.parent.parent == tmp_path / "digests" and path.suffix == ".html"
    html = path.read_text(encoding="utf-8")
    assert "关于推进乡村振兴的实施意见" in html and "http://127.0.0.1:9001/-/article/1" in html
    rural = next((tmp_path / "digests" / "rural-revitalisation").glob("*.md")).read_text(encoding="utf-8")
    assert "关于推进乡村振兴的实施意见" in rural
