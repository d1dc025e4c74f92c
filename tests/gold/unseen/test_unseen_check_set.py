"""check_set catches the mistakes it exists for, on a small set written here (no third-party pages).

The real unseen pages live outside git (see README.md); these tests build a one-page set in a tmp
folder, check that it passes, then break one thing at a time and check that exactly that is reported.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location("unseen_check_set", Path(__file__).with_name("check_set.py"))
check_set_module = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = check_set_module  # dataclasses look the module up while the class is built
_SPEC.loader.exec_module(check_set_module)
check_set, main = check_set_module.check_set, check_set_module.main

PAGE = """<html><head><meta charset="gbk"><title>县政府关于春耕的通知_某县人民政府</title>
<script>var t = "不是正文";</script></head><body><div class="nav">首页 &gt; 通知公告</div>
<h1>县政府关于春耕的通知</h1><p>发布机构：某县农业农村局　索引号：001/2024-01</p>
<div id="zoom"><p>各乡镇：</p><p>　　现就春耕　工作通知如下。</p><p>附件：<a href="/a.pdf">计划表</a></p></div>
</body></html>"""


def truth(raw: bytes, **changes) -> dict:
    record = {
        "url": "https://www.example.gov.cn/zwgk/t20240301_1.html", "kind": "gov", "encoding": "gbk",
        "title": "县政府关于春耕的通知", "date": "2024-03-01", "text": "各乡镇：\n现就春耕工作通知如下。",
        "author": None, "source": None, "publisher": "某县农业农村局", "index_no": "001/2024-01",
        "doc_no": None, "category": None, "attachments": ["https://www.example.gov.cn/a.pdf"], "metadata": {},
        "provenance": {"repo": "example/repo", "commit": "0" * 40, "path": "p.html",
                       "sha1": hashlib.sha1(raw).hexdigest(), "licence": "none", "publisher": "某县人民政府"},
        "truth_note": "body container //div[@id='zoom']",
    }
    record.update(changes)
    return record


def write_set(folder: Path, raw: bytes, record: dict, name: str = "p1") -> None:
    (folder / f"{name}.html").write_bytes(raw)
    (folder / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def raw() -> bytes:
    return PAGE.encode("gbk")


def test_a_faithful_page_passes(tmp_path, raw):
    write_set(tmp_path, raw, truth(raw))
    report = check_set(tmp_path)
    assert (report.pages, report.problems) == (1, [])
    assert main([str(tmp_path)]) == 0


@pytest.mark.parametrize(("changes", "expected"), [
    ({"text": "各乡镇：\n现就秋收工作通知如下。"}, "text line 1 not in the visible text"),
    ({"text": "各乡镇：\n不是正文"}, "text line 1 not in the visible text"),  # script text is not visible
    ({"title": "县政府关于秋收的通知"}, "title not found"),
    ({"date": "2024/03/01"}, "is not YYYY-MM-DD"),
    ({"kind": "blog"}, "unknown kind"),
    ({"attachments": ["/a.pdf"]}, "not an absolute http(s) URL"),
    ({"publisher": "某市农业农村局"}, "publisher '某市农业农村局' not in the visible text"),
    ({"encoding": "utf-8"}, "do not decode as 'utf-8'"),
])
def test_each_mistake_is_reported(tmp_path, raw, changes, expected):
    write_set(tmp_path, raw, truth(raw, **changes))
    problems = check_set(tmp_path).problems
    assert len(problems) == 1 and expected in problems[0], problems
    assert main([str(tmp_path)]) == 1


def test_changed_bytes_break_the_sha1(tmp_path, raw):
    write_set(tmp_path, raw, truth(raw))
    (tmp_path / "p1.html").write_bytes(raw.replace("春耕".encode("gbk"), "秋收".encode("gbk"), 1))
    assert any("sha1" in p for p in check_set(tmp_path).problems)


def test_a_missing_field_and_a_crowded_site(tmp_path, raw):
    record = truth(raw)
    del record["category"]
    write_set(tmp_path, raw, record, "broken")
    for i in range(5):
        write_set(tmp_path, raw, truth(raw), f"p{i}")
    problems = check_set(tmp_path).problems
    assert any(p.startswith("broken: missing or mistyped fields ['category']") for p in problems)
    assert "site www.example.gov.cn: 5 pages (at most 4)" in problems


def test_bad_usage_exits_2(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    assert main(["a", "b"]) == 2
    assert "holds no <id>.json" in capsys.readouterr().err
