"""After the crawls: turn what the crawler stored into changes people can read.

The crawler only records versions and events (storage/articles.py); this step, run once all
crawls of a batch have finished, fills each new version's diff against the one before it
and links republished copies. Both are idempotent: only rows still lacking their annotation
are touched, so a step interrupted by a crash is simply finished by the next run.
"""

from __future__ import annotations

import sqlite_utils

from monitor.copies import detect_copies
from monitor.diffs import diff_json, render_diff_html, summary_line, version_diff
from storage.versions import previous_version, save_diff, versions_missing_diff


def fill_diffs(db: sqlite_utils.Database) -> int:
    """Diff every version after the first that has none yet; return how many were filled."""
    filled = 0
    for version in versions_missing_diff(db):
        before = previous_version(db, version["article_id"], version["version"])
        if before is None:  # a gap in the version numbers: nothing to compare with
            continue
        result = version_diff(before, version)
        save_diff(db, version["id"], diff_json({**result["diff"], "change_count": result["change_count"]}),
                  summary_line(result["diff"]), render_diff_html(result["diff"]))
        filled += 1
    return filled


def annotate_changes(db: sqlite_utils.Database) -> int:
    """Fill missing diffs and link new copies; return the number of annotations written."""
    return fill_diffs(db) + detect_copies(db)
