"""bench.gold_attachments: the gold set's provenance goes into git without the documents' text, and
the files come back from a mirror of their repository, byte for byte, or are named as missing.

The repository here is a real git repository made in the test, mirrored bare as `fetch` leaves one.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from bench.gold_attachments import record, restore

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main"]


def _repository_with(tmp_path: Path, files: dict[str, bytes]) -> tuple[Path, str]:
    """A bare mirror at <tmp>/mirrors/owner+name/repo holding `files`; returns the mirrors and the commit."""
    work = tmp_path / "work"
    work.mkdir()
    subprocess.run([*GIT, "init", "-q", str(work)], check=True)
    for path, data in files.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_bytes(data)
    subprocess.run([*GIT, "-C", str(work), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(work), "commit", "-q", "-m", "files"], check=True)
    commit = subprocess.run([*GIT, "-C", str(work), "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    mirrors = tmp_path / "mirrors"
    subprocess.run([*GIT, "clone", "-q", "--bare", str(work), str(mirrors / "owner+name" / "repo")], check=True)
    return mirrors, commit


def _gold_set(root: Path, commit: str, files: dict[str, bytes]) -> None:
    (root / "truth").mkdir(parents=True)
    entries = []
    for i, (path, data) in enumerate(files.items()):
        name = f"pdf-{i}.pdf"
        (root / name).write_bytes(data)
        (root / "truth" / f"pdf-{i}.txt").write_text("第一条 为规范管理，制定本办法。", encoding="utf-8")
        entries.append({"file": name, "format": "pdf", "sha1": hashlib.sha1(data).hexdigest(),
                        "truth": f"truth/pdf-{i}.txt", "repo": "owner/name", "commit": commit, "path": path,
                        "licence": "none", "title": "某局2024年度部门决算", "truth_by": "pdftotext, checked by eye",
                        "truth_chars": 15, "notes": "p5 prints 征收集体士地"})
    (root / "manifest-pdf.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")


def test_the_record_keeps_provenance_and_hashes_but_no_document_text(tmp_path: Path) -> None:
    files = {"samples/附件1.pdf": b"%PDF-1.4 one", "samples/附件2.pdf": b"%PDF-1.4 two"}
    _gold_set(tmp_path / "set", "0" * 40, files)

    entries = record(tmp_path / "set", tmp_path / "record.json")

    text = (tmp_path / "record.json").read_text(encoding="utf-8")
    assert "为规范管理" not in text and "士地" not in text  # neither truth nor notes quoting the document
    assert [e["path"] for e in entries] == list(files)
    truth_sha1 = hashlib.sha1("第一条 为规范管理，制定本办法。".encode()).hexdigest()
    assert {e["truth_sha1"] for e in entries} == {truth_sha1}


def test_restore_brings_back_each_file_from_its_mirror_and_names_what_it_cannot(tmp_path: Path) -> None:
    files = {"samples/附件1.pdf": b"%PDF-1.4 one", "samples/附件2.pdf": b"%PDF-1.4 two"}
    mirrors, commit = _repository_with(tmp_path, files)
    _gold_set(tmp_path / "set", commit, files)
    record(tmp_path / "set", tmp_path / "record.json")
    fresh = tmp_path / "fresh"

    done = restore(fresh, mirrors, tmp_path / "record.json")

    assert done["written"] == ["pdf-0.pdf", "pdf-1.pdf"]
    assert (fresh / "pdf-1.pdf").read_bytes() == b"%PDF-1.4 two"
    assert done["truth"] == ["truth/pdf-0.txt", "truth/pdf-1.txt"]  # the text is not in the record
    again = restore(fresh, mirrors, tmp_path / "record.json")
    assert again["written"] == [] and again["present"] == ["pdf-0.pdf", "pdf-1.pdf"]

    entries = json.loads((tmp_path / "record.json").read_text(encoding="utf-8"))
    entries[0]["sha1"] = "0" * 40
    entries[1]["repo"] = "other/repo"
    (tmp_path / "record.json").write_text(json.dumps(entries), encoding="utf-8")
    done = restore(tmp_path / "third", mirrors, tmp_path / "record.json")
    assert done["differs"] == ["pdf-0.pdf"] and done["unmirrored"] == ["other/repo"] and done["written"] == []


def test_a_restored_set_gets_a_manifest_the_bench_reads_and_is_scored_only_where_truth_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.attachments import bench_pdfs, gold_manifest, load_gold

    files = {"samples/附件1.pdf": b"%PDF-1.4 one", "samples/附件2.pdf": b"%PDF-1.4 two"}
    mirrors, commit = _repository_with(tmp_path, files)
    _gold_set(tmp_path / "set", commit, files)
    record(tmp_path / "set", tmp_path / "record.json")
    fresh = tmp_path / "fresh"

    restore(fresh, mirrors, tmp_path / "record.json")

    assert [e["file"] for e in gold_manifest(fresh)] == ["pdf-0.pdf", "pdf-1.pdf"]
    assert "truth_sha1" not in gold_manifest(fresh)[0]
    assert load_gold(fresh) == []  # no truth made yet: nothing to score
    (fresh / "truth").mkdir()
    (fresh / "truth" / "pdf-1.txt").write_text("第一条", encoding="utf-8")
    assert [e["file"] for e in load_gold(fresh)] == ["pdf-1.pdf"]
    monkeypatch.setenv("GOVWATCH_GOLD_ATTACHMENTS", str(fresh))
    pdfs, origin = bench_pdfs("gold-mix")
    assert pdfs == [b"%PDF-1.4 one", b"%PDF-1.4 two"] and "2 text PDFs" in origin

    # a set with a manifest of its own keeps it: restore writes none beside it
    restore(tmp_path / "set", mirrors, tmp_path / "record.json")
    assert not (tmp_path / "set" / "manifest-restored.json").exists()
