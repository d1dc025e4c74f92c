"""Publishing the store with Datasette, configured from the project's datasette/ folder."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from monitor.locations import PROJECT_ROOT

# Not next to this package in an installed copy: there it would be Datasette's own package.
DATASETTE_DIR = PROJECT_ROOT / "datasette"
METADATA = DATASETTE_DIR / "metadata.yml"
# metadata.yml describes the store under this name; Datasette names a database after its file.
METADATA_DATABASE_KEY = "govwatch"
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
        "--metadata", str(metadata_file(db_path)),
        "--plugins-dir", str(DATASETTE_DIR / "plugins"),
        "--template-dir", str(DATASETTE_DIR / "templates"),
        "--host", host, "--port", str(port),
        *[arg for key, value in DATASETTE_SETTINGS.items() for arg in ("--setting", key, _setting(value))],
    ]


def datasette_metadata(db_path: str | Path) -> dict[str, Any]:
    """metadata.yml with the store's block (tables, search, canned queries) under the name
    Datasette gives `db_path`, so `archive-2026.db` is described like `govwatch.db`."""
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    databases = metadata.get("databases") or {}
    if METADATA_DATABASE_KEY in databases:
        databases[Path(db_path).stem] = databases.pop(METADATA_DATABASE_KEY)
    return metadata


def metadata_file(db_path: str | Path) -> Path:
    """metadata.yml itself for a store named like its key; otherwise the re-keyed copy, written
    to a private temporary file (the served process reads it at start-up)."""
    if Path(db_path).stem == METADATA_DATABASE_KEY:
        return METADATA
    handle, name = tempfile.mkstemp(prefix="govwatch-metadata-", suffix=".json")
    with open(handle, "w", encoding="utf-8") as out:
        json.dump(datasette_metadata(db_path), out, ensure_ascii=False)
    return Path(name)


def _setting(value: object) -> str:
    return ("on" if value else "off") if isinstance(value, bool) else str(value)
