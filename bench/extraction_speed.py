"""Bare trafilatura on the generated pages: the ceiling govwatch's crawl is measured against.

Why this baseline: extraction is the bulk of a crawl's CPU, so "how fast could we go if we
did nothing but run trafilatura on every page" is the honest yardstick for the whole
fetch-extract-compare-store pipeline. It is measured the way the issue states it —
`trafilatura.extract(html, output_format="json", with_metadata=True)` on the raw bytes — on
one process and on every core (a `multiprocessing.Pool`, pages read inside the workers), the
latter right before and right after the govwatch crawl it is compared with.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from multiprocessing import Pool
from pathlib import Path
from typing import Any, TypeVar

import trafilatura

T = TypeVar("T")

# Pages per task handed to a pool worker: large enough that IPC is noise, small enough to balance.
CHUNK = 16


def extract_file(path: str) -> float:
    """Extract one page; return its CPU seconds (the worker's own clock, free of pool overhead)."""
    data = Path(path).read_bytes()
    started = time.process_time()
    trafilatura.extract(data, output_format="json", with_metadata=True)
    return time.process_time() - started


def _warm_up(files: Sequence[Path]) -> None:
    """First calls load trafilatura's lazy modules (htmldate, justext stoplists): keep them out."""
    for f in list(files)[:3]:
        extract_file(str(f))


def single_process(files: Sequence[Path]) -> dict[str, float]:
    """pages/s and mean ms per page on this one process."""
    _warm_up(files)
    started = time.perf_counter()
    cpu = sum(extract_file(str(f)) for f in files)
    wall = time.perf_counter() - started
    return {"pages": len(files), "seconds": wall, "pages_per_s": len(files) / wall, "ms_per_page": 1000 * cpu / len(files)}


def all_cores(files: Sequence[Path], processes: int | None = None) -> dict[str, float]:
    """pages/s with one worker per core, wall clock from the first task to the last result."""
    processes = processes or os.cpu_count() or 1
    with Pool(processes, initializer=_warm_up, initargs=(list(files)[:3],)) as pool:
        pool.map(_noop, range(processes))  # wait until every worker is up and warm
        started = time.perf_counter()
        for _ in pool.imap_unordered(extract_file, [str(f) for f in files], chunksize=CHUNK):
            pass
        wall = time.perf_counter() - started
    return {"pages": len(files), "processes": processes, "seconds": wall, "pages_per_s": len(files) / wall}


def _noop(_: Any) -> None:
    return None


def measure(light: Sequence[Path], heavy: Sequence[Path]) -> dict[str, dict[str, Any]]:
    """Bare trafilatura on the light pages, the heavy pages and the mix, on one process.

    The one-process mix figure is the sum of the light and heavy runs (one process runs pages
    one after another, so nothing is lost). The all-cores figures are measured around each
    govwatch crawl (`bracketed`), not here.
    """
    light_1 = single_process(light)
    heavy_1 = single_process(heavy) if heavy else {"pages": 0, "seconds": 0.0, "pages_per_s": 0.0, "ms_per_page": 0.0}
    pages = light_1["pages"] + heavy_1["pages"]
    seconds = light_1["seconds"] + heavy_1["seconds"]
    return {
        "light_1proc": light_1,
        "heavy_1proc": heavy_1,
        "mix_1proc": {"pages": pages, "seconds": seconds, "pages_per_s": pages / seconds},
    }


def bracketed(files: Sequence[Path], between: Callable[[], T]) -> tuple[dict[str, Any], T]:
    """All cores on `files` just before and just after `between()` (a govwatch crawl of the
    same pages), and what it returned: `interleaved` with one crawl."""
    baseline, [(result, _)] = interleaved(files, [between])
    return baseline, result


def interleaved(files: Sequence[Path], crawls: Sequence[Callable[[], T]]) -> tuple[dict[str, Any], list[tuple[T, float]]]:
    """Bare all cores, then each crawl followed by bare all cores again: B C B C B … B.

    Why: this machine's speed drifts by up to a third within minutes (bench/README.md), so a
    ratio of two figures measured minutes apart measures the drift as much as the code. Each
    crawl is paired with the bare pages/s of the two runs on either side of it (all their pages
    over all their seconds); several pairs show how far the drift moves one ratio. Returns the
    baseline over every bare run (each kept) and (crawl result, bare pages/s around it) per crawl.
    """
    runs = [all_cores(files)]
    paired: list[tuple[T, float]] = []
    for crawl in crawls:
        result = crawl()
        runs.append(all_cores(files))
        before, after = runs[-2], runs[-1]
        paired.append((result, (before["pages"] + after["pages"]) / (before["seconds"] + after["seconds"])))
    pages, seconds = sum(r["pages"] for r in runs), sum(r["seconds"] for r in runs)
    baseline = {"pages": runs[0]["pages"], "processes": runs[0]["processes"], "seconds": seconds / len(runs),
                "pages_per_s": pages / seconds, "runs": runs}
    return baseline, paired
