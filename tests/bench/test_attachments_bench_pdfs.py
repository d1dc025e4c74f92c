"""bench.attachments: which PDFs the crawl-cost bench links, read from the gold set's manifest parts.

The set is outside git; a small one is made here. `--pdf bench` takes the entry marked bench,
`--pdf gold-mix` every text PDF in turn (not the scanned ones), and without a set the bench
falls back to the PDF it writes itself.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bench.attachments import attachment_site, bench_pdfs, gold_manifest, load_gold


def _gold(root: Path) -> None:
    (root / "truth").mkdir(parents=True)
    parts: dict[str, list[dict]] = {"pdf": [], "docx": []}
    for name, fmt, extra in (("pdf-a.pdf", "pdf", {}), ("pdf-b.pdf", "pdf", {"bench": True}),
                             ("pdf-scan.pdf", "pdf", {"scanned": True}), ("docx-a.docx", "docx", {})):
        data = f"%PDF-1.4 {name}".encode()
        (root / name).write_bytes(data)
        (root / "truth" / f"{name}.txt").write_text("第一条", encoding="utf-8")
        parts[fmt].append({"file": name, "format": fmt, "sha1": hashlib.sha1(data).hexdigest(),
                           "truth": f"truth/{name}.txt", **extra})
    for fmt, entries in parts.items():
        (root / f"manifest-{fmt}.json").write_text(json.dumps(entries), encoding="utf-8")


def test_the_bench_links_the_bench_entry_or_every_text_pdf_in_turn(tmp_path: Path, monkeypatch) -> None:
    _gold(tmp_path / "gold")
    monkeypatch.setenv("GOVWATCH_GOLD_ATTACHMENTS", str(tmp_path / "gold"))

    # the per-format parts, in their files' order, when there is no whole manifest.json
    assert [e["file"] for e in gold_manifest(tmp_path / "gold")] == ["docx-a.docx", "pdf-a.pdf", "pdf-b.pdf",
                                                                     "pdf-scan.pdf"]
    assert len(load_gold(tmp_path / "gold")) == 4
    assert bench_pdfs("bench") == ([b"%PDF-1.4 pdf-b.pdf"], "gold pdf-b.pdf")
    assert bench_pdfs("gold-mix")[0] == [b"%PDF-1.4 pdf-a.pdf", b"%PDF-1.4 pdf-b.pdf"]

    _site, count, _size, _origin = attachment_site(tmp_path / "site", 40, "gold-mix")
    files = sorted((tmp_path / "site" / "gov" / "files").iterdir())
    assert count == len(files) == 4  # one PDF per ten articles
    # in turn, and each its own bytes (no store or cache may see one file twice)
    assert [f.read_bytes().split(b"\n")[0] for f in files] == [b"%PDF-1.4 pdf-a.pdf", b"%PDF-1.4 pdf-b.pdf"] * 2
    assert len({f.read_bytes() for f in files}) == 4


def test_without_a_gold_set_the_bench_writes_its_own_pdf_and_gold_mix_says_what_it_needs(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVWATCH_GOLD_ATTACHMENTS", str(tmp_path / "none"))
    pdfs, origin = bench_pdfs("bench")
    assert len(pdfs) == 1 and pdfs[0].startswith(b"%PDF") and "reportlab" in origin
    with pytest.raises(SystemExit, match="gold-mix needs the gold set"):
        bench_pdfs("gold-mix")


def test_machine_busy_seconds_count_the_work_done_in_between() -> None:
    # The bench's machine-wide CPU figure (/proc/stat) must see this process's work.
    import time

    from bench.attachments import machine_busy_s

    busy, cpu = machine_busy_s(), time.process_time()
    total = 0
    while time.process_time() - cpu < 0.5:
        total += sum(range(10_000))
    assert machine_busy_s() - busy >= 0.4 and total > 0


def test_a_manifest_naming_only_its_files_is_read_with_formats_and_truths_by_name(tmp_path: Path) -> None:
    # Another set's manifest.json may give only the files: the format comes from the extension,
    # the truth from truth/<stem>.txt; a sha1, when given, must match.
    from bench.attachments import score_gold
    from demo.attachment_files import docx_bytes

    (tmp_path / "truth").mkdir()
    (tmp_path / "通知.DOCX").write_bytes(docx_bytes(["关于开展评选工作的通知"]))
    (tmp_path / "truth" / "通知.txt").write_text("关于开展评选工作的通知", encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps([{"file": "通知.DOCX"}]), encoding="utf-8")
    rows = score_gold(load_gold(tmp_path))
    assert [(r["format"], r["status"], r["f1"]) for r in rows] == [("docx", "read", 1.0)]
    (tmp_path / "manifest.json").write_text(json.dumps([{"file": "通知.DOCX", "sha1": "0" * 40}]), encoding="utf-8")
    with pytest.raises(SystemExit, match="sha1 differs"):
        load_gold(tmp_path)


def test_a_set_that_names_only_its_files_and_marks_no_bench_file_is_linked_in_turn(tmp_path: Path, monkeypatch) -> None:
    # Another set's manifest: no format, no bench mark, no scanned flag. Its PDFs come from their
    # extension, a scan from its empty truth, and the default bench links the set's real PDFs in
    # turn rather than the written one (whose font is not embedded: not the usual real file).
    root = tmp_path / "other"
    (root / "truth").mkdir(parents=True)
    for name, truth in (("a.pdf", "第一条"), ("b.PDF", "第二条"), ("scan.pdf", "\n"), ("c.docx", "第三条")):
        (root / name).write_bytes(f"%PDF-1.4 {name}".encode())
        (root / "truth" / f"{Path(name).stem}.txt").write_text(truth, encoding="utf-8")
    (root / "manifest.json").write_text(json.dumps([{"file": n} for n in ("a.pdf", "b.PDF", "scan.pdf", "c.docx")]),
                                        encoding="utf-8")
    monkeypatch.setenv("GOVWATCH_GOLD_ATTACHMENTS", str(root))
    expected = ([b"%PDF-1.4 a.pdf", b"%PDF-1.4 b.PDF"], "the gold set's 2 text PDFs in turn")
    assert bench_pdfs("bench") == expected
    assert bench_pdfs("gold-mix") == expected
