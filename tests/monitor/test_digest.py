"""What the digest says: sections, keyword filters on Chinese text, folded copies, health, empty days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from monitor.digest.contents import build_digest
from monitor.digest.keywords import keep
from monitor.digest.period import day_period, parse_instant, range_period
from monitor.digest.renderers import render
from monitor.digest.subscriptions import load_subscriptions
from storage import open_db
from tests.monitor.digest_history import DAY, write_config, write_history


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    return write_history(tmp_path_factory.mktemp("digest") / "govwatch.db")


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return load_subscriptions(write_config(tmp_path_factory.mktemp("config") / "subscriptions.yaml"))


@pytest.fixture(scope="module")
def db(history):
    database = open_db(history.path)
    yield database
    database.close()


def digest_of(db, settings, name, day=DAY):
    return build_digest(db, day_period(day, "Asia/Shanghai"), settings.subscription(name), settings)


def section_ids(digest, kind):
    section = next(s for s in digest.sections if s.kind == kind)
    return [i.article_id for g in section.groups for i in g.items]


def item(digest, kind, article_id):
    section = next(s for s in digest.sections if s.kind == kind)
    return next(i for g in section.groups for i in g.items if i.article_id == article_id)


def test_day_is_shanghai_midnight_to_midnight_in_utc():
    period = day_period(date(2026, 3, 10), "Asia/Shanghai")
    assert (period.start_iso, period.end_iso) == ("2026-03-09T16:00:00+00:00", "2026-03-10T16:00:00+00:00")
    assert period.key == "2026-03-10"


def test_sections_hold_the_right_articles(db, settings, history):
    ids = history.ids
    digest = digest_of(db, settings, "all")
    # newest first; the copy of "plan" is not a story of its own; 23:59:59 is in, 00:00 next day is out
    assert section_ids(digest, "new") == [ids["late"], ids["measures"], ids["spring"], ids["hiring"], ids["plan"]]
    assert section_ids(digest, "changed") == [ids["old-notice"]]
    assert section_ids(digest, "withdrawn") == [ids["old-news"]]
    assert section_ids(digest, "republished") == [ids["old-notice"]]
    assert digest.counts == {"new": 5, "changed": 1, "withdrawn": 1, "restored": 0, "republished": 1,
                             "copies": 2, "health": 2}
    assert "撤 1 · 改 1 · 新 5 · 转载 2 · 异常源 2" in digest.subject and "2026-03-10" in digest.subject


def test_new_items_grouped_by_source_with_lead_and_links(db, settings, history):
    digest = digest_of(db, settings, "all")
    new = next(s for s in digest.sections if s.kind == "new")
    assert [g.source for g in new.groups] == ["news", "gov"]  # the source with the newest item first
    plan = item(digest, "new", history.ids["plan"])
    assert plan.lead == "为全面推进乡村振兴，现将重点工作安排如下。\n一、巩固拓展脱贫攻坚成果。"
    assert plan.link == f"http://127.0.0.1:8001/-/article/{history.ids['plan']}"  # the article page
    assert plan.url.startswith("http://gov.example.cn/") and plan.published == "2026-03-10"


def test_copies_are_folded_under_their_original(db, settings, history):
    digest = digest_of(db, settings, "all")
    plan = item(digest, "new", history.ids["plan"])
    assert [c.url for c in plan.copies] == ["http://mirror.example.cn/news/101.html"]
    assert plan.copies[0].source == "mirror"
    older = item(digest, "republished", history.ids["old-notice"])  # its original is not new today
    assert [c.url for c in older.copies] == ["http://mirror.example.cn/news/102.html"]
    all_ids = {i.article_id for s in digest.sections for g in s.groups for i in g.items}
    assert history.ids["plan-copy"] not in all_ids and history.ids["old-notice-copy"] not in all_ids


def test_edit_shows_what_changed_and_links_the_full_diff(db, settings, history):
    edited = item(digest_of(db, settings, "all"), "changed", history.ids["old-notice"])
    [change] = edited.changes
    assert change.excerpt == "正文：“补助资金”改为“补助资金（第二批）”"
    assert change.link == f"http://127.0.0.1:8001/-/article/{history.ids['old-notice']}#version-{change.version}"
    assert change.version == 2 and change.segments == []  # no JSON diff in this history: the summary is shown


def test_withdrawn_links_our_last_copy(db, settings, history):
    gone = item(digest_of(db, settings, "all"), "withdrawn", history.ids["old-news"])
    assert gone.detail == "HTTP 404" and gone.reason == "页面不存在（404）"
    assert gone.version_link.startswith(f"http://127.0.0.1:8001/-/article/{history.ids['old-news']}#version-")


def test_keywords_include_and_exclude_on_chinese_title_and_text(db, settings, history):
    ids = history.ids
    digest = digest_of(db, settings, "rural")
    # 乡村振兴 in the title (plan, late) or only in the text (measures); 招聘 excludes hiring; spring has neither
    assert section_ids(digest, "new") == [ids["late"], ids["measures"], ids["plan"]]
    assert section_ids(digest, "changed") == [ids["old-notice"]]
    assert section_ids(digest, "withdrawn") == [ids["old-news"]]


@pytest.mark.parametrize("text, include, exclude, kept", [
    ("全面推进乡村振兴战略", ["乡村振兴"], [], True),
    ("乡村振兴局公开招聘公告", ["乡村振兴"], ["招聘"], False),
    ("春耕生产", ["乡村振兴"], [], False),
    ("春耕生产", [], [], True),
    ("ＣＯＶＩＤ－１９ 防控", ["covid-19"], [], True),  # full-width forms and case are normalised
    ("Covid 防控", [], ["COVID"], False),
    ("乡村\n振兴", ["乡村 振兴"], [], True),  # line breaks count as one space
])
def test_keyword_matching(text, include, exclude, kept):
    assert keep(text, include, exclude) is kept


def test_source_filter(db, settings, history, tmp_path):
    config = write_config(tmp_path / "s.yaml", subscriptions=[{"name": "mirror-only", "sources": ["mirror"]}])
    only_mirror = load_subscriptions(config)
    digest = digest_of(db, only_mirror, "mirror-only")
    # a mirror follower sees the originals its source copied, and nothing else of gov or news
    assert section_ids(digest, "new") == [history.ids["plan"]]
    assert section_ids(digest, "republished") == [history.ids["old-notice"]]
    assert section_ids(digest, "changed") == [] and section_ids(digest, "withdrawn") == []
    assert digest.health == []  # mirror is healthy


def test_health_names_failed_and_silent_sources(db, settings):
    notes = {(n.source, n.problem): n.message for n in digest_of(db, settings, "all").health}
    assert set(notes) == {("broken", "failed"), ("quiet", "silent")}
    assert "HTTP 503 on every list page" in notes[("broken", "failed")]
    assert "usual gap 24.0 h" in notes[("quiet", "silent")]


def test_empty_day_says_so(db, settings):
    digest = digest_of(db, settings, "all", DAY + timedelta(days=5))
    assert digest.is_empty and digest.counts["new"] == 0
    assert "本期没有新发布、修改、撤下或转载的文章" in render("markdown", digest)
    assert "No new, edited, withdrawn or republished articles" in render("html", digest)
    assert "No new, edited, withdrawn or republished articles" in render("atom", digest)


def test_range_digest(db, settings, history):
    period = range_period(parse_instant("2026-03-10T12:30"), parse_instant("2026-03-11T01:00"), "Asia/Shanghai")
    digest = build_digest(db, period, settings.subscription("all"), settings)
    assert section_ids(digest, "new") == [history.ids["next-day"], history.ids["late"]]
    assert period.key == "2026-03-10T04:30:00+00:00/2026-03-10T17:00:00+00:00"


def test_markdown_lists_every_section_with_links(db, settings, history):
    text = render("markdown", digest_of(db, settings, "all"))
    assert text.startswith("# govwatch 2026-03-10 全部")
    for heading in ("## 新发布 New (5)", "## 有修改 Edited (1)", "## 已撤下 Withdrawn (1)", "## 被转载 Republished (1)",
                    "## 采集状况 Source health"):
        assert heading in text
    assert f"[2026年乡村振兴重点工作安排](http://127.0.0.1:8001/-/article/{history.ids['plan']})" in text
    assert f"(http://127.0.0.1:8001/-/article/{history.ids['old-notice']}#version-2)" in text
    assert (f"被 彩神资讯 转载: [2026年乡村振兴重点工作安排](http://127.0.0.1:8001/-/article/{history.ids['plan-copy']}) "
            in text)
    assert text.index("## 已撤下 Withdrawn") < text.index("## 有修改 Edited") < text.index("## 新发布 New")


def test_html_has_no_scripts_or_external_css(db, settings):
    html = render("html", digest_of(db, settings, "all"))
    lowered = html.lower()
    assert "<script" not in lowered and "<link" not in lowered and "<style" not in lowered
    assert "2026年乡村振兴重点工作安排" in html and "style=" in html


def test_diff_excerpt_from_the_change_monitor_when_installed(monkeypatch):
    import sys
    import types

    from monitor.digest import excerpts

    fake = types.ModuleType("monitor.diffs")
    fake.diff_excerpt = lambda diff, max_chars: f"{len(diff['ops'])} ops"[:max_chars]
    monkeypatch.setitem(sys.modules, "monitor.diffs", fake)
    monkeypatch.setattr(excerpts, "_diffs_module", lambda: fake)
    assert excerpts.change_excerpt('{"ops": [1, 2]}', "summary") == "2 ops"
    monkeypatch.setattr(excerpts, "_diffs_module", lambda: None)
    assert excerpts.change_excerpt('{"ops": [1, 2]}', "summary") == "summary"
    assert excerpts.change_excerpt(None, None) is None
