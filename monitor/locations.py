"""Where govwatch's files are, and where its demo site answers.

Kept apart from monitor.crawls (which starts crawl processes and opens the store) so that a
command line can name its defaults without importing either: `govwatch --help` or a bad
sources file should answer before Scrapy's and SQLite's wrappers are loaded.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Where the packages are: crawl processes get it on their PYTHONPATH.
PACKAGE_ROOT = Path(__file__).resolve().parents[1]

DEFAULT_DEMO_URL = "http://127.0.0.1:8765"


def project_files_root() -> Path:
    """Where sources.yaml, subscriptions.yaml, datasette/ and data/ are: the checkout (also an
    editable install), else what `pip install .` put under the environment's share/govwatch
    (pyproject.toml's data-files), since an installed package has no checkout around it."""
    if (PACKAGE_ROOT / "sources.yaml").exists():
        return PACKAGE_ROOT
    return Path(sys.prefix) / "share" / "govwatch"


PROJECT_ROOT = project_files_root()
