"""Shared fixtures of the store's tests."""

from __future__ import annotations

import pytest

from storage import open_db
from storage.sources import sync_sources


@pytest.fixture
def county_city_db(tmp_path):
    """A store at tmp_path/store.db with two sources, "county" and "city"."""
    database = open_db(tmp_path / "store.db")
    sync_sources(database, [{"name": "county", "schedule": "every 1h"}, {"name": "city", "schedule": "every 1h"}])
    yield database
    database.close()
