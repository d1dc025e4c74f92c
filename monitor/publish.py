"""Publishing the store with Datasette, configured from the project's datasette/ folder."""

from __future__ import annotations

import sys
from pathlib import Path

DATASETTE_DIR = Path(__file__).resolve().parents[1] / "datasette"
# Facet suggestions run a query per column on every table page: on the articles table of a
# 20,000-article store they cost ~3.5 s of a 4 s page (bench/search_scale.py), so they are off;
# the configured facets stay. Each facet and query is bounded.
DATASETTE_SETTINGS = {
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 500,
    "suggest_facets": False,
    "default_page_size": 50,
}


def datasette_command(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """`datasette serve` for the store: metadata, plugins and templates from datasette/.

    Served mutable (not -i): the crawler writes the file while Datasette reads it.
    """
    return [
        sys.executable, "-m", "datasette", "serve", str(db_path),
        "--metadata", str(DATASETTE_DIR / "metadata.yml"),
        "--plugins-dir", str(DATASETTE_DIR / "plugins"),
        "--template-dir", str(DATASETTE_DIR / "templates"),
        "--host", host, "--port", str(port),
        *[arg for key, value in DATASETTE_SETTINGS.items() for arg in ("--setting", key, _setting(value))],
    ]


def _setting(value: object) -> str:
    return ("on" if value else "off") if isinstance(value, bool) else str(value)
