"""The benchmark's report: machine and versions, every figure in one flat table, and JSON.

Why one flat `figures` mapping: a reader (or the smoke test) checks one list of named numbers
against the issue's targets, and a later run is compared with `latest.json` key by key. The
nested sections keep the raw measurements behind each figure.
"""

from __future__ import annotations

import json
import os
import platform
import re
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.nginx import NGINX

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"

# The targets: figure → (limit, whether the limit is a minimum or a maximum).
TARGETS: dict[str, tuple[float, str]] = {
    "govwatch_vs_trafilatura_light": (1.0, "min"),  # issue 22 (issue 5 asked 0.8)
    "recrawl_bytes_share": (0.10, "max"),
    "govwatch_vs_urlwatch_recheck": (2.0, "min"),
    # Issue 22, from the optional sections (--many-sources, --search-articles).
    "many_sources_unchanged_vs_urlwatch": (3.0, "min"),
    "many_sources_unchanged_cpu_per_source_s": (0.15, "max"),
    "search_table_p95_ms": (500.0, "max"),
    "search_canned_p95_ms": (200.0, "max"),
    "search_hits_equal_like": (1.0, "min"),
}
UNITS = {  # first match wins: the specific suffixes before the general ones
    "_vs_": "×", "share": "×", "ratio": "×", "cpu_ms": "ms CPU", "ms_per_page": "ms CPU", "pages_per_s": "pages/s",
    "checks_per_s": "checks/s", "rss_mb": "MB", "workers": "processes", "seconds": "s", "bytes": "bytes",
    "cpu_per_source_s": "s CPU", "_ms": "ms", "hits_equal": "1 = yes",
}


def machine() -> dict[str, Any]:
    """What the figures were measured on (and how busy it was: the load average matters on 2 cores)."""
    model = platform.processor() or ""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
        model = found.group(1).strip() if found else model
    except OSError:
        pass
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"nproc": os.cpu_count(), "cpu": model, "ram_gb": round(ram_gb, 1), "kernel": platform.release(),
            "loadavg_start": list(os.getloadavg())}


def versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for package in ("scrapy", "trafilatura", "sqlite-utils", "lxml", "twisted", "urlwatch"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    root = Path(__file__).resolve().parents[1]
    try:  # which govwatch was measured: the commit, "-dirty" when the working tree had edits
        found["govwatch"] = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=root, capture_output=True,
                                           text=True, check=False).stdout.strip() or "unknown"
    except OSError:
        found["govwatch"] = "unknown"
    try:
        out = subprocess.run([NGINX, "-v"], capture_output=True, text=True, check=False).stderr
        found["nginx"] = out.strip().rsplit("/", 1)[-1]
    except OSError:
        found["nginx"] = "not installed"
    return found


def figures(results: dict[str, Any]) -> dict[str, float]:
    """The headline numbers, flat, from the nested results."""
    t = results["trafilatura"]
    g = results["govwatch"]
    r = results["recrawl"]
    out: dict[str, float] = {
        "trafilatura_light_ms_per_page": t["light_1proc"]["ms_per_page"],
        "trafilatura_heavy_ms_per_page": t["heavy_1proc"]["ms_per_page"],
        "trafilatura_light_1proc_pages_per_s": t["light_1proc"]["pages_per_s"],
        "trafilatura_light_all_cores_pages_per_s": t["light_all_cores"]["pages_per_s"],
        "trafilatura_mix_1proc_pages_per_s": t["mix_1proc"]["pages_per_s"],
        "trafilatura_mix_all_cores_pages_per_s": t["mix_all_cores"]["pages_per_s"],
    }
    for mix in ("light", "mix"):
        c = g[mix]
        out[f"govwatch_{mix}_pages_per_s"] = c["pages_per_s"]
        out[f"govwatch_{mix}_crawl_pages_per_s"] = c["crawl_pages_per_s"]
        out[f"govwatch_{mix}_cpu_ms_per_page"] = c["cpu_ms_per_page"]
        out[f"govwatch_{mix}_peak_rss_mb"] = c["peak_rss_mb"]
        out[f"govwatch_{mix}_crawl_process_rss_mb"] = c.get("crawl_rss_mb", c["peak_rss_mb"])
        out[f"govwatch_{mix}_extraction_workers"] = c.get("extraction_workers", 0)
    # Each light crawl against the bare runs on either side of it; the headline is the median pair,
    # which bench/__main__.py made the "light" crawl (older results had one crawl, compared with
    # the baseline as a whole).
    pairs = sorted(run["ratio"] for run in g.get("light_runs", []))
    if pairs:
        out["govwatch_vs_trafilatura_light"] = g["light"]["ratio"]
        out["govwatch_vs_trafilatura_light_lowest"] = pairs[0]
        out["govwatch_vs_trafilatura_light_highest"] = pairs[-1]
    else:
        out["govwatch_vs_trafilatura_light"] = g["light"]["pages_per_s"] / t["light_all_cores"]["pages_per_s"]
    out["govwatch_vs_trafilatura_mix"] = g["mix"]["pages_per_s"] / t["mix_all_cores"]["pages_per_s"]
    out.update({
        "recrawl_seconds": r["seconds"],
        "recrawl_seconds_share": r["seconds_share"],
        "recrawl_bytes": r["bytes"],
        "recrawl_bytes_share": r["bytes_share"],
        "recrawl_checks_per_s": r["checks_per_s"],
        "recrawl_cpu_ms_per_check": r["cpu_ms_per_check"],
    })
    for step in results["growth"]:
        out[f"growth_{_held(step['held'])}_pages_per_s"] = step["crawl"]["pages_per_s"]
        out[f"growth_{_held(step['held'])}_cpu_ms_per_page"] = step["crawl"]["cpu_ms_per_page"]
    base = results["growth"][0]["crawl"]["cpu_ms_per_page"]
    out["growth_largest_vs_smallest_cpu_ratio"] = results["growth"][-1]["crawl"]["cpu_ms_per_page"] / base
    u = results.get("urlwatch")
    if u:
        out["urlwatch_checks_per_s"] = u["checks_per_s"]
        out["urlwatch_cpu_ms_per_check"] = u["cpu_ms_per_check"]
        out["govwatch_vs_urlwatch_recheck"] = r["checks_per_s"] / u["checks_per_s"]
    out.update(_many_sources_figures(results.get("many_sources")))
    out.update(_search_figures(results.get("search")))
    return out


def _many_sources_figures(section: dict[str, Any] | None) -> dict[str, float]:
    """bench.many_sources' medians over its pairs (none: the run had no --many-sources, or older results).

    The urlwatch ratios are None in its summary when urlwatch was not installed: left out, as
    the re-check's are above. `..._urlwatch_cpu_vs_govwatch` is urlwatch's CPU per check ÷ the
    unchanged round's (its summary's longer name does not fit the table's name column).
    """
    if not section:
        return {}
    out = {"many_sources_unchanged_cpu_per_source_s": section["unchanged_cpu_per_source_s"]}
    for figure, key in (("many_sources_unchanged_vs_urlwatch", "unchanged_vs_urlwatch"),
                        ("many_sources_urlwatch_cpu_vs_govwatch", "urlwatch_cpu_per_check_vs_unchanged")):
        if section.get(key) is not None:
            out[figure] = section[key]
    return out


def _search_figures(section: dict[str, Any] | None) -> dict[str, float]:
    """Search latency percentiles and the hits check as a number (1.0: every word = LIKE), so the
    check has a target and a verdict like every other figure."""
    if not section:
        return {}
    out = {f"search_{kind}_{p}_ms": section[kind][f"{p}_ms"] for kind in ("table", "canned") for p in ("p50", "p95")}
    out["search_hits_equal_like"] = 1.0 if section["hits_equal_like"] else 0.0
    return out


def _held(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 else str(n)


def table(results: dict[str, Any]) -> str:
    """Plain-text report: header lines, then one figure per line with unit and target verdict."""
    m, v, p = results["machine"], results["versions"], results["params"]
    lines = [
        (f"machine: {m['nproc']} cores, {m['cpu']}, {m['ram_gb']} GB RAM; load average "
         f"{_load(m['loadavg_start'])} at start, {_load(m.get('loadavg_end', []))} at end"),
        "versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        (f"site: {results['site']['pages']} pages ({results['site']['light_pages']} light ~"
         f"{results['site']['light_kb_mean']} KB, {results['site']['heavy_pages']} heavy ~"
         f"{results['site']['heavy_kb_mean']} KB), {results['site']['list_pages']} list pages; "
         f"growth crawls of {p['sample']} pages; took {results['seconds']:.0f} s"),
        *_section_lines(results),
        "",
        f"{'figure':<44} {'value':>12}  {'unit':<9} target",
    ]
    for name, value in results["figures"].items():
        target = TARGETS.get(name)
        verdict = ""
        if target:
            limit, kind = target
            ok = value >= limit if kind == "min" else value <= limit
            verdict = f"{'≥' if kind == 'min' else '≤'} {limit:g}  {'ok' if ok else 'MISSED'}"
        lines.append(f"{name:<44} {_fmt(value):>12}  {_unit(name):<9} {verdict}")
    return "\n".join(lines)


def _section_lines(results: dict[str, Any]) -> list[str]:
    """What the optional sections measured, when the run had them (the figures alone do not say)."""
    lines = []
    many = results.get("many_sources")
    if many:
        lines.append(f"many sources: {many['sources']} × {many['articles']} articles, --parallel {many['parallel']}, "
                     f"{len(many['pairs'])} pair{'' if len(many['pairs']) == 1 else 's'} against urlwatch;"
                     f" took {many['seconds']:.0f} s")
    search = results.get("search")
    if search:
        built = f"built in {search['build_seconds']:.0f} s" if search["build_seconds"] else "reused"
        differ = "; ".join(f"{w} {d['search']} ≠ {d['like']}" for w, d in search["hits_differ"].items())
        lines.append(f"search: {search['articles']:,} articles ({built}, {search['db']}), "
                     f"{search['table']['queries']} table and {search['canned']['queries']} canned queries; "
                     f"hits against LIKE on {len(search['like_hits'])} one-word queries: "
                     + (f"DIFFER: {differ}" if differ else "all equal"))
    return lines


def _unit(name: str) -> str:
    for key, unit in UNITS.items():
        if key in name:
            return unit
    return ""


def _fmt(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def _load(values: list[float]) -> str:
    return "/".join(f"{x:.2f}" for x in values) or "?"


def write_json(results: dict[str, Any], path: Path = RESULTS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
