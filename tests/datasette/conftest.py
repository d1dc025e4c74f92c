"""The project's Datasette (its metadata and plugins) over a test module's `db_path` store."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from datasette.app import Datasette

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def ds(db_path):
    metadata = yaml.safe_load((ROOT / "datasette/metadata.yml").read_text(encoding="utf-8"))
    datasette = Datasette([str(db_path)], metadata=metadata, plugins_dir=str(ROOT / "datasette/plugins"))
    await datasette.invoke_startup()
    return datasette
