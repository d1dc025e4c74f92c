"""Publishing the store with Datasette, configured from the project's datasette/ folder."""

from __future__ import annotations

import sys
from pathlib import Path

DATASETTE_DIR = Path(__file__).resolve().parents[1] / "datasette"


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
        "--setting", "sql_time_limit_ms", "3000",
        "--setting", "default_page_size", "50",
    ]
