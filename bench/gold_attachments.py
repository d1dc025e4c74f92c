"""`python -m bench.gold_attachments`: where the attachment gold set came from, kept in git, and
how to bring its files back.

The set (bench/attachments.py reads it from $GOVWATCH_GOLD_ATTACHMENTS) is government bodies'
attachments that other people keep in public repositories, with truth text made from them: none
of it goes into git. It lived outside git on one machine and was lost with it, and finding the
files again was most of the work of rebuilding it. So git keeps the provenance only, in
bench/gold_attachments.json: each file's repository, commit, path, licence, SHA-1 and how its
truth was made, and the SHA-1 of the truth, so truth made again can be compared with the
hand-checked one.

    record  [--set DIR]                    write bench/gold_attachments.json from the set's manifests
    restore [--set DIR] [--mirrors DIR]    write each missing file from a local mirror of its
                                           repository (`git show <commit>:<path>`), check its SHA-1,
                                           and name the repositories still to be mirrored; a set
                                           with no manifest of its own gets manifest-restored.json
                                           (the bench's crawl part can then link its PDFs)

A mirror is a bare git directory at <mirrors>/<owner>+<name>/repo, as the developers' `fetch`
tool leaves it (default /work/.mirror). Truth files are not restored: they are the documents'
text. `restore` says which are missing; their `truth_by` says how they were made. The bench scores
F1 only on files whose truth is there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.attachments import gold_dir, gold_manifest

RECORD = Path(__file__).with_name("gold_attachments.json")
RESTORED = "manifest-restored.json"  # the manifest `restore` writes, of the files it brought back
MIRRORS = Path("/work/.mirror")
# What the record keeps of a manifest entry: where the file came from and how its truth was made,
# never text of the document beyond its title.
KEPT = ("file", "format", "sha1", "size", "truth", "repo", "commit", "path", "licence", "publisher", "title",
        "truth_by", "bench", "scanned", "pages")


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def record(root: Path, out: Path = RECORD) -> list[dict[str, Any]]:
    """The record of the set at `root`, written to `out` (entries in the manifest's order)."""
    entries = []
    for entry in gold_manifest(root):
        kept = {key: entry[key] for key in KEPT if key in entry}
        truth = root / entry["truth"]
        kept["truth_sha1"] = _sha1(truth.read_bytes()) if truth.exists() else None
        entries.append(kept)
    out.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return entries


def mirror_of(repo: str, mirrors: Path) -> Path:
    return mirrors / repo.replace("/", "+") / "repo"


def restore(root: Path, mirrors: Path = MIRRORS, source: Path = RECORD) -> dict[str, list[str]]:
    """Write every recorded file missing from `root` from its repository's mirror, and a
    manifest-restored.json of the files it has when the set has no manifest of its own. Returns
    what was written, what was already there, the repositories with no mirror, the files whose
    bytes differ from the record, and the truth files missing or changed."""
    done: dict[str, list[str]] = {"written": [], "present": [], "unmirrored": [], "differs": [], "truth": []}
    have: list[dict[str, Any]] = []  # the entries whose file is now in the set
    root.mkdir(parents=True, exist_ok=True)
    for entry in json.loads(source.read_text(encoding="utf-8")):
        target = root / entry["file"]
        if target.exists() and _sha1(target.read_bytes()) == entry["sha1"]:
            done["present"].append(entry["file"])
        else:
            git_dir = mirror_of(entry["repo"], mirrors)
            if not git_dir.is_dir():
                if entry["repo"] not in done["unmirrored"]:
                    done["unmirrored"].append(entry["repo"])
                continue
            shown = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{entry['commit']}:{entry['path']}"],
                                   capture_output=True, check=False)
            if shown.returncode or _sha1(shown.stdout) != entry["sha1"]:
                done["differs"].append(entry["file"])
                continue
            target.write_bytes(shown.stdout)
            done["written"].append(entry["file"])
        have.append(entry)
        truth = root / entry["truth"]
        if not truth.exists() or _sha1(truth.read_bytes()) != entry.get("truth_sha1"):
            done["truth"].append(entry["truth"])
    # The bench finds a set's files through its manifest: without one, restored files were invisible
    # to it. A set that has its own manifest (the one the record was made from) keeps it.
    own = [m for m in (root / "manifest.json", *root.glob("manifest-*.json")) if m.exists() and m.name != RESTORED]
    if not own and have:
        manifest = [{key: value for key, value in entry.items() if key != "truth_sha1"} for entry in have]
        (root / RESTORED).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return done


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gold_attachments",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("record", "restore"))
    parser.add_argument("--set", type=Path, default=None, help="the gold set's folder (default: as bench.attachments)")
    parser.add_argument("--mirrors", type=Path, default=MIRRORS, help=f"mirrors of the repositories (default {MIRRORS})")
    args = parser.parse_args(argv)
    root = args.set or gold_dir()
    if args.command == "record":
        entries = record(root)
        print(f"{RECORD}: {len(entries)} files from {len({e['repo'] for e in entries})} repositories")
        return 0
    done = restore(root, args.mirrors)
    print(f"{root}: {len(done['written'])} written, {len(done['present'])} already there")
    if done["unmirrored"]:
        print("mirror these repositories first (fetch), then run restore again:", ", ".join(done["unmirrored"]))
    if done["differs"]:
        print("not as recorded (the commit or path is gone, or the bytes differ):", ", ".join(done["differs"]))
    if done["truth"]:
        print(f"{len(done['truth'])} truth file(s) missing or not as recorded: make them as each entry's truth_by says")
    return 1 if done["differs"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
