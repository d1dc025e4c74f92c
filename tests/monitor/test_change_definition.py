"""One definition of a change: the fingerprint that makes a new version and the diff people
read judge the same fields the same way (storage/fingerprint.py CHANGE_FIELDS)."""

from __future__ import annotations

import json

import pytest

from monitor.diffs import version_diff
from storage.fingerprint import CHANGE_FIELDS, change_fields, changed_fields, content_hash
from storage.outcomes import FetchedArticle
from storage.prepared import prepare_content

BASE = {"title": "关于乡村振兴的通知", "text": "第一段。\n第二段。", "published": "2021-06-07",
        "metadata": {"doc_no": "县政发〔2021〕3号", "publisher": "示范县人民政府", "浏览次数": "12"}}


def row(**changes):
    """A version row as the store keeps it: doc_no and publisher inside the metadata JSON."""
    data = json.loads(json.dumps(BASE))
    for key, value in changes.items():
        if key in ("doc_no", "publisher", "浏览次数"):
            data["metadata"][key] = value
        else:
            data[key] = value
    return {**data, "metadata": json.dumps(data["metadata"], ensure_ascii=False)}


def fingerprint(version):
    meta = json.loads(version["metadata"])
    return content_hash({**change_fields(meta), **{k: version[k] for k in ("title", "text", "published")}})


# change → the CHANGE_FIELDS it changes ([] : the same content, no version, no diff)
CASES = {
    "title whitespace": ({"title": " 关于乡村振兴的通知 "}, []),
    "full-width digits": ({"text": "第一段。\n第二段。１２"}, ["text"]),
    "same digits full-width and half-width": ({"text": "第一段。\n第二段。"}, []),
    "blank lines": ({"text": "第一段。\n\n\n第二段。"}, []),
    "a new sentence": ({"text": "第一段。\n第二段。第三句。"}, ["text"]),
    "re-dated": ({"published": "2021-06-08"}, ["published"]),
    "new 文号": ({"doc_no": "县政发〔2021〕4号"}, ["doc_no"]),
    "new issuer": ({"publisher": "示范县农业农村局"}, ["publisher"]),
    "a view counter": ({"浏览次数": "13"}, []),
    "title and text": ({"title": "关于乡村振兴的补充通知", "text": "第一段。"}, ["title", "text"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_fingerprint_and_the_diff_agree_on_what_changed(name):
    changes, expected = CASES[name]
    old, new = row(), row(**changes)
    diff = version_diff(old, new)["diff"]
    assert [f for f in diff["summary"]["changed"] if f in CHANGE_FIELDS] == expected
    assert (fingerprint(old) == fingerprint(new)) == (expected == [])


def test_the_store_and_the_extraction_workers_fingerprint_the_same_fields():
    fields = {"title": "通知", "text": "正文", "published": "2021-06-07", "doc_no": "3号", "publisher": "县政府"}
    article = FetchedArticle(url="http://x.gov.cn/1.html", source="s", body=b"x", **fields)
    assert article.fingerprint() == prepare_content(fields, b"x").content_hash == content_hash(fields)
    assert changed_fields(fields, {**fields, "author": "someone else"}) == []
