"""The real-site gate: `python -m bench.realsites [--sites a,b]` (govwatch issue 17).

Crawls offline snapshots of real Chinese sites that nobody here wrote, the way an operator
adds a source: only `name` and `start_urls` configured (politeness relaxed because the server
is local), with the real `govwatch crawl`, into a throw-away database; then scores what was
stored against the archive's ground truth (`_meta/<site>.json`):

- recall: the start pages' article links (the saved ones) found among the stored articles;
- nav: stored "articles" whose path is not an article of the site (`article_path_regex`):
  list, column and navigation pages taken for articles;
- titles: stored titles equal to the list's anchor for that article (anchors cut with "…" or
  "..." match a title that starts with them; whitespace is ignored);
- text: stored articles with at least 30 characters of text;
- dates: stored articles with a published date.

The archive is unpacked into a temporary directory at every run (it is third-party content:
never copied into the project) and each site is served by its own `http.server` on 127.0.0.1
(index.html for directories, as the snapshot's README prescribes). It also times
`govwatch sources try` on a start page (issue 17 asks for < 10 s); that is a figure of this
bench, not an assertion of any test.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ARCHIVE = Path("/work/shared/realsites-dev/realsites-dev.tar.xz")
# Issue 17's floors ("Done when"): every site's recall, and the pooled shares.
FLOORS = {"recall": 0.90, "nav_max": 0.10, "titles": 0.90, "text": 0.95, "dates": 0.80}
MIN_TEXT_CHARS = 30
ELLIPSES = ("…", "...", "……")
# List markers some templates put inside the link text ("• 标题", "· 标题"): decoration, not title.
LEADING_MARKERS = re.compile(r"^[•·●○◦■□◆◇▪▫►▶▸>»*\-–—]+")
CRAWL_TIMEOUT_S = 900


@dataclass
class SiteScore:
    """One site's figures (counts, so pooled shares are computed from the sums)."""

    site: str
    expected: int = 0  # distinct saved article links of the start pages
    found: int = 0  # of those, stored
    stored: int = 0
    nav: int = 0  # stored, not an article path of the site
    titled: int = 0  # stored with a known list anchor
    title_ok: int = 0
    text_ok: int = 0
    dated: int = 0
    status: str = ""
    seconds: float = 0.0
    missed: list[str] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)  # fetch_errors reasons of its last run, counted
    # of the missed links, those the crawl did request (and could not store: a fetch_errors row):
    # discovery found them, extraction or the page failed
    missed_fetched: int = 0
    bad_titles: list[tuple[str, str]] = field(default_factory=list)

    def share(self, part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    @property
    def figures(self) -> dict[str, float]:
        return {"recall": self.share(self.found, self.expected), "nav": self.share(self.nav, self.stored),
                "titles": self.share(self.title_ok, self.titled), "text": self.share(self.text_ok, self.stored),
                "dates": self.share(self.dated, self.stored)}


def unpack(archive: Path, into: Path, sites: list[str] | None = None) -> Path:
    """The archive (only `sites`, when given, with its manifest and `_meta/`) unpacked under
    `into`; the directory that holds the sites."""
    keep = None if sites is None else {*sites, "_meta", "manifest.json"}
    with tarfile.open(archive) as tar:
        members = [m for m in tar if keep is None or (m.name.split("/") + [""])[1] in keep]
        tar.extractall(into, members=members, filter="data")
    return next(p.parent for p in into.rglob("manifest.json"))


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """A real HTTP server for one site directory on 127.0.0.1 (any free port); yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def sources_yaml(bases: dict[str, str], starts: dict[str, list[str]]) -> str:
    """A sources file as an operator would write it: name and start URLs, nothing else."""
    entries = []
    for site, base in bases.items():
        entries.append({
            "name": site.replace("_", "-"),
            "start_urls": [base + path for path in starts[site]],
            # a local server: no delay, no AutoThrottle, no robots.txt (it has none)
            "politeness": {"download_delay": 0, "autothrottle": False, "obey_robots": False},
        })
    return json.dumps({"sources": entries}, ensure_ascii=False, indent=1)  # JSON is YAML


def crawl(config: Path, db: Path, names: list[str]) -> subprocess.CompletedProcess[str]:
    """The real `govwatch crawl` (a non-zero exit only says that some run was not ok)."""
    return subprocess.run([sys.executable, "-m", "monitor", "crawl", "--db", str(db), "--config", str(config), *names],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=CRAWL_TIMEOUT_S, check=False)


def normalised(text: str | None) -> str:
    """Without whitespace or a leading list marker."""
    return LEADING_MARKERS.sub("", re.sub(r"\s+", "", text or ""))


def title_matches(title: str | None, anchor: str) -> bool:
    """The title is the anchor, or starts with an anchor the list cut short with an ellipsis."""
    title, anchor = normalised(title), normalised(anchor)
    if not anchor:
        return False
    for ellipsis in ELLIPSES:
        if anchor.endswith(ellipsis):
            return bool(title) and title.startswith(anchor[: -len(ellipsis)])
    return title == anchor


def article_path(url: str) -> str:
    return unquote(urlsplit(url).path).lstrip("/")


def score_site(site: str, meta: dict[str, Any], rows: list[dict[str, Any]]) -> SiteScore:
    """One site's stored articles against its ground truth."""
    article_re = re.compile(meta["article_path_regex"])
    anchors: dict[str, str] = {}
    for start in meta["starts"]:
        for link in start["article_links"]:
            if link["saved"]:
                anchors.setdefault(unquote(link["path"]).lstrip("/"), link["anchor"])
    score = SiteScore(site, expected=len(anchors))
    stored = {article_path(r["url"]): r for r in rows}
    score.found = sum(path in stored for path in anchors)
    score.missed = sorted(path for path in anchors if path not in stored)
    for path, row in stored.items():
        score.stored += 1
        score.nav += not article_re.search(path)
        score.text_ok += len((row["text"] or "").strip()) >= MIN_TEXT_CHARS
        score.dated += bool(row["published"])
        anchor = anchors.get(path) or row.get("list_anchor")
        if anchor:
            score.titled += 1
            if title_matches(row["title"], anchor):
                score.title_ok += 1
            else:
                score.bad_titles.append((anchor, row["title"] or ""))
    return score


def stored_articles(db_path: Path, source: str) -> list[dict[str, Any]]:
    from storage import open_db

    db = open_db(db_path)
    try:
        return list(db.query("select url, title, text, published, list_anchor from articles where source = ?",
                             [source]))
    finally:
        db.close()


def run_facts(db_path: Path, source: str) -> tuple[str, float, str]:
    """The source's last run: status, seconds, message."""
    from datetime import datetime

    from storage import open_db
    from storage.runs import last_run

    db = open_db(db_path)
    try:
        run = last_run(db, source) or {}
    finally:
        db.close()
    if not run.get("finished_at"):
        return run.get("status", "none"), 0.0, run.get("message") or ""
    took = datetime.fromisoformat(run["finished_at"]) - datetime.fromisoformat(run["started_at"])
    return run["status"], took.total_seconds(), run.get("message") or ""


def failed_paths(db_path: Path, source: str) -> set[str]:
    """Paths the source's runs requested and logged a failure for."""
    from storage import open_db

    db = open_db(db_path)
    try:
        return {article_path(r["url"]) for r in db.query("select url from fetch_errors where source = ?", [source])}
    finally:
        db.close()


def error_reasons(db_path: Path, source: str) -> dict[str, int]:
    """The reasons in the source's run log (fetch_errors), with how often each was given."""
    from storage import open_db

    db = open_db(db_path)
    try:
        return {r["reason"]: r["n"] for r in db.query(
            "select reason, count(*) as n from fetch_errors where source = ? group by reason order by n desc", [source])}
    finally:
        db.close()


def time_try(url: str) -> tuple[float, int, int]:
    """Wall time of `govwatch sources try URL --json` (the whole command), its links and previews."""
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "monitor", "sources", "try", url, "--json"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    took = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"sources try {url} failed: {result.stderr.strip()}")
    preview = json.loads(result.stdout)
    return took, len(preview["article_links"]), sum("title" in a for a in preview["articles"])


def run(sites: list[str] | None = None, *, archive: Path = ARCHIVE, time_sources_try: bool = True,
        verbose: bool = False) -> dict[str, Any]:
    """Unpack, serve, crawl and score; the figures as a dict (see `report`)."""
    wall = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="govwatch-realsites-") as tmp:
        root = unpack(archive, Path(tmp) / "sites", sites)
        manifest = {entry["name"]: entry for entry in json.loads((root / "manifest.json").read_text("utf-8"))}
        chosen = sites or sorted(manifest)
        unknown = [s for s in chosen if s not in manifest]
        if unknown:
            raise ValueError(f"unknown site(s) {', '.join(unknown)}; the archive has {', '.join(sorted(manifest))}")
        metas = {s: json.loads((root / "_meta" / f"{s}.json").read_text("utf-8")) for s in chosen}
        starts = {s: [start["start"] for start in metas[s]["starts"]] for s in chosen}
        db_path = Path(tmp) / "realsites.db"
        config = Path(tmp) / "sources.yaml"
        with _servers(root, chosen) as bases:
            config.write_text(sources_yaml(bases, starts), encoding="utf-8")
            crawl_started = time.monotonic()
            result = crawl(config, db_path, [s.replace("_", "-") for s in chosen])
            crawl_s = time.monotonic() - crawl_started
            try_figures = None
            if time_sources_try:
                site = chosen[0]
                try_figures = (site, starts[site][0], *time_try(bases[site] + starts[site][0]))
        scores = []
        for site in chosen:
            source = site.replace("_", "-")
            score = score_site(site, metas[site], stored_articles(db_path, source))
            score.status, score.seconds, message = run_facts(db_path, source)
            score.errors = error_reasons(db_path, source)
            failed = failed_paths(db_path, source)
            score.missed_fetched = sum(path in failed for path in score.missed)
            if verbose and message:
                print(f"{site}: {score.status}: {message}", file=sys.stderr)
            scores.append(score)
    if not any(s.stored for s in scores) and result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n", file=sys.stderr)
    return {"scores": scores, "crawl_s": crawl_s, "wall_s": time.monotonic() - wall, "try": try_figures}


@contextmanager
def _servers(root: Path, sites: list[str]) -> Iterator[dict[str, str]]:
    from contextlib import ExitStack

    with ExitStack() as stack:
        yield {site: stack.enter_context(serve(root / site)) for site in sites}


def pooled(scores: list[SiteScore]) -> dict[str, float]:
    total = SiteScore("pooled")
    for s in scores:
        for name in ("expected", "found", "stored", "nav", "titled", "title_ok", "text_ok", "dated"):
            setattr(total, name, getattr(total, name) + getattr(s, name))
    return total.figures


def below_floors(scores: list[SiteScore]) -> list[str]:
    """Which floors of issue 17 are missed: every site's recall, the pooled shares."""
    missed = [f"{s.site}: recall {s.figures['recall']:.0%} < {FLOORS['recall']:.0%}"
              for s in scores if s.figures["recall"] < FLOORS["recall"]]
    total = pooled(scores)
    if total["nav"] > FLOORS["nav_max"]:
        missed.append(f"pooled nav {total['nav']:.1%} > {FLOORS['nav_max']:.0%}")
    missed += [f"pooled {name} {total[name]:.1%} < {FLOORS[name]:.0%}"
               for name in ("titles", "text", "dates") if total[name] < FLOORS[name]]
    return missed


def report(results: dict[str, Any], *, details: bool = False) -> str:
    scores: list[SiteScore] = results["scores"]
    header = (f"{'site':18} {'status':9} {'recall':>13} {'found':>6} {'stored':>6} {'nav':>6} {'titles':>7} "
              f"{'text':>6} {'dates':>6} {'run s':>6}")
    lines = [header]
    for s in scores:
        f = s.figures
        lines.append(f"{s.site:18} {s.status:9} {s.found:>4}/{s.expected:<4}{f['recall']:>4.0%} "
                     f"{s.share(s.found + s.missed_fetched, s.expected):>6.0%} {s.stored:>6} "
                     f"{f['nav']:>6.0%} {f['titles']:>7.0%} {f['text']:>6.0%} {f['dates']:>6.0%} {s.seconds:>6.1f}")
    total = pooled(scores)
    requested = sum(s.found + s.missed_fetched for s in scores) / max(1, sum(s.expected for s in scores))
    lines.append(f"{'pooled':18} {'':9} {total['recall']:>13.1%} {requested:>6.1%} {sum(s.stored for s in scores):>6} "
                 f"{total['nav']:>6.1%} {total['titles']:>7.1%} {total['text']:>6.1%} {total['dates']:>6.1%}")
    lines.append("found: the start pages' article links the crawl requested (stored, or failed with a reason in "
                 "fetch_errors): what list discovery found, whatever extraction made of it")
    lines.append(f"floors: every site recall ≥ {FLOORS['recall']:.0%}; nav ≤ {FLOORS['nav_max']:.0%}; titles ≥ "
                 f"{FLOORS['titles']:.0%}; text ≥ {FLOORS['text']:.0%}; dates ≥ {FLOORS['dates']:.0%}")
    missed = below_floors(scores)
    lines.append("floors missed: " + "; ".join(missed) if missed else "all floors met")
    lines.append(f"crawl (govwatch crawl, {len(scores)} site(s), 2 at a time): {results['crawl_s']:.1f} s; "
                 f"wall time with unpacking and scoring: {results['wall_s']:.1f} s")
    if results.get("try"):
        site, start, took, links, previews = results["try"]
        lines.append(f"govwatch sources try on {site} {start}: {took:.1f} s wall (whole command), "
                     f"{links} article links, {previews} articles previewed")
    if details:
        for s in scores:
            for path in s.missed[:10]:
                lines.append(f"  {s.site}: missed {path}")
            for reason, count in list(s.errors.items())[:5]:
                lines.append(f"  {s.site}: {count} × {reason[:100]}")
            for anchor, title in s.bad_titles[:5]:
                lines.append(f"  {s.site}: title {title[:60]!r} for anchor {anchor[:60]!r}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.realsites", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", help="comma-separated site directories (default: all)")
    parser.add_argument("--archive", type=Path, default=ARCHIVE)
    parser.add_argument("--details", action="store_true", help="list missed links and mismatched titles")
    parser.add_argument("--json", dest="json_out", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not args.archive.exists():
        parser.error(f"{args.archive}: no such archive")
    sites = [s.strip() for s in args.sites.split(",") if s.strip()] if args.sites else None
    try:
        results = run(sites, archive=args.archive, verbose=args.details)
    except ValueError as exc:
        parser.error(str(exc))
    print(report(results, details=args.details))
    if args.json_out:
        args.json_out.write_text(json.dumps({
            "sites": {s.site: {**s.figures, "expected": s.expected, "found": s.found, "stored": s.stored,
                               "status": s.status, "seconds": s.seconds} for s in results["scores"]},
            "pooled": pooled(results["scores"]), "crawl_s": results["crawl_s"], "wall_s": results["wall_s"],
            "try": results["try"]}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if not below_floors(results["scores"]) else 1


if __name__ == "__main__":
    sys.exit(main())
