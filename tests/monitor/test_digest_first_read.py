"""What staff read first: same-day edits shown, counters and subject in agreement, edits marked,
withdrawal reasons in words, and chat messages that fit each channel (a real Apprise post to a
real HTTP receiver on 127.0.0.1)."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from monitor.changes import fill_diffs
from monitor.diffs import diff_json, version_diff
from monitor.digest.chat import LIMITS, chat_message, limit_for
from monitor.digest.contents import build_digest
from monitor.digest.delivery import AppriseReporter, RenderedDigest
from monitor.digest.excerpts import change_segments, withdrawal_reason
from monitor.digest.period import day_period
from monitor.digest.renderers import render
from monitor.digest.subscriptions import load_subscriptions
from storage import open_db
from tests.monitor.digest_history import DAY, Script, write_config

LONG = "为全面推进乡村振兴，现将重点工作安排如下，请各地结合实际认真贯彻落实。"


@pytest.fixture(scope="module")
def same_day(tmp_path_factory):
    """An article published at 09:00 and quietly edited at 15:00 the same day, one withdrawn the
    day it appeared, and 60 more new articles (a long day), with diffs computed as the monitor does."""
    path = tmp_path_factory.mktemp("sameday") / "govwatch.db"
    s = Script(path)
    s.page("plan", "gov", "2026-03-10 09:00", "2026年乡村振兴重点工作安排", f"{LONG}\n一、巩固拓展脱贫攻坚成果。")
    s.page("plan", "gov", "2026-03-10 15:00", "2026年乡村振兴重点工作安排", f"{LONG}\n一、全面巩固拓展脱贫攻坚成果。")
    s.page("fleeting", "news", "2026-03-10 10:00", "很快撤下的通知", "内容。")
    s.gone("fleeting", "2026-03-10 16:00")
    for n in range(60):
        s.page(f"bulk-{n}", "news", f"2026-03-10 08:{n:02d}", f"乡村振兴工作动态第{n}期：各地扎实推进产业发展和人才振兴",
               f"第{n}期。")
    s.db.close()
    db = open_db(path)
    fill_diffs(db)
    settings = load_subscriptions(write_config(tmp_path_factory.mktemp("cfg") / "subscriptions.yaml"))
    digest = build_digest(db, day_period(DAY, "Asia/Shanghai"), settings.subscription("all"), settings)
    yield digest, s.ids
    db.close()


def items(digest, kind):
    section = next(s for s in digest.sections if s.kind == kind)
    return {i.article_id: i for g in section.groups for i in g.items}


def test_an_edit_on_the_day_of_publication_is_shown(same_day):
    digest, ids = same_day
    edited = items(digest, "changed")[ids["plan"]]
    assert edited.also_new and [c.version for c in edited.changes] == [2]
    assert items(digest, "new")[ids["plan"]].changes == edited.changes  # the New line links the edit too
    assert ("insert", "全面") in [(s.op, s.text) for s in edited.changes[0].segments]
    html = render("html", digest)
    assert re.search(r"<ins[^>]*>全面</ins>", html) and "{+" not in html
    assert f"/-/article/{ids['plan']}#version-2" in html and "本期新发布" in html


def test_counters_and_subject_agree(same_day):
    digest, _ = same_day
    counts = digest.counts
    assert counts["changed"] == 1 and counts["new"] == 62 and counts["withdrawn"] == 1
    html = render("html", digest)
    shown = dict(re.findall(r'data-kind="(\w+)".*?<div class="count"[^>]*>(\d+)</div>', html, re.DOTALL))
    assert {k: int(v) for k, v in shown.items()} == {k: counts[k] for k in shown}
    for key, short in (("withdrawn", "撤"), ("changed", "改"), ("new", "新")):
        assert f"{short} {counts[key]}" in digest.subject


def test_new_and_withdrawn_the_same_day_says_so(same_day):
    digest, ids = same_day
    assert items(digest, "new")[ids["fleeting"]].withdrawn_at is not None
    assert ids["fleeting"] in items(digest, "withdrawn")
    html = render("html", digest)
    assert html.index('id="withdrawn"') < html.index('id="changed"') < html.index('id="new"')


def test_change_segments_cut_context_at_clause_marks():
    old = {"title": "t", "text": f"{LONG}\n一、巩固拓展脱贫攻坚成果。"}
    new = {"title": "t", "text": f"{LONG}\n一、全面巩固拓展脱贫攻坚成果。"}
    segments = change_segments(diff_json(version_diff(old, new)["diff"]))
    assert [(s.op, s.text) for s in segments if s.op != "equal"] == [("insert", "全面")]
    before = "".join(s.text for s in segments[: [s.op for s in segments].index("insert")])
    assert before.startswith("…") and before.lstrip("…")[0] not in "，。"  # starts after a clause mark
    assert change_segments(None) == [] and change_segments("not json") == []


@pytest.mark.parametrize(("detail", "words"), [
    ("HTTP 404", "页面不存在（404）"),
    ("HTTP 410", "页面已删除（410）"),
    ("HTTP 302: redirects to http://gov.example.cn/index.html", "原地址跳转到其他页面 http://gov.example.cn/index.html"),
    ("soft 404: 页面不存在", "页面显示“页面不存在”"),
    ("HTTP 404 (confirmed: gone on 2 checks since 2026-03-09T01:00:00+00:00)", "页面不存在（404），连续 2 次检查确认"),
    (None, "原地址不再可访问"),
])
def test_withdrawal_reasons_in_words(detail, words):
    assert withdrawal_reason(detail) == words


class Receiver(BaseHTTPRequestHandler):
    """A chat service on 127.0.0.1: keeps each request body, answers as the real bots do."""

    bodies: ClassVar[list[bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.bodies.append(body)
        answer = b'{"errcode": 0, "errmsg": "ok", "code": 0, "StatusCode": 0}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Receiver.bodies = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# Each plugin's endpoint is its class's `notify_url`: pointed at the local receiver, Apprise
# builds and posts exactly the request it would send to the service.
CHANNELS = [
    ("wecombot://0123456789abcdef", "apprise.plugins.wecombot", "NotifyWeComBot", "{base}/wecom?key={{key}}",
     lambda body: body["text"]["content"]),
    ("dingtalk://0123456789abcdef/", "apprise.plugins.dingtalk", "NotifyDingTalk", "{base}/ding?access_token={{token}}",
     lambda body: body["markdown"]["text"]),
    ("feishu://0123456789abcdef", "apprise.plugins.feishu", "NotifyFeishu", "{base}/feishu/{{token}}/",
     lambda body: body["content"]["text"]),
]


@pytest.mark.parametrize(("channel", "module", "plugin", "endpoint", "text_of"), CHANNELS,
                         ids=["wecom", "dingtalk", "feishu"])
def test_chat_message_fits_the_channel_and_links_the_digest(same_day, receiver, monkeypatch, channel, module,
                                                           plugin, endpoint, text_of):
    import importlib

    digest, _ = same_day
    monkeypatch.setattr(getattr(importlib.import_module(module), plugin), "notify_url", endpoint.format(base=receiver))
    full = render("markdown", digest)
    limit = limit_for(channel)
    assert not limit.fits(full * 4)  # the whole digest would not fit: the summary has to choose
    AppriseReporter(channel, None).send(RenderedDigest(digest))
    [body] = Receiver.bodies
    text = text_of(json.loads(body))
    assert text == chat_message(digest, limit)
    assert limit.fits(text)
    if channel.startswith("wecombot"):  # Apprise sends WeCom `text`: 2,048 bytes (markdown would be 4,096)
        assert len(text.encode("utf-8")) <= 2048
    elif channel.startswith("dingtalk"):
        assert len(text.encode("utf-8")) <= 20_000 and len(text) <= 5000
    else:
        assert len(body) <= 30_000
    assert "阅读完整摘要 Full digest" in text and digest.link in text.replace("%28", "(").replace("%29", ")")
    assert "已撤下" in text and "很快撤下的通知" in text  # withdrawals come first, so they always make it


def test_every_chat_limit_holds_on_a_huge_day(same_day):
    digest, _ = same_day
    for limit in LIMITS.values():
        message = chat_message(digest, limit)
        assert limit.fits(message) and "阅读完整摘要" in message
