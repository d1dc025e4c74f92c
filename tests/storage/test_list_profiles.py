"""List profiles (m008): learned per start URL, pinned profiles never replaced, reset forgets."""

from __future__ import annotations

import pytest

from storage import open_db
from storage.list_profiles import pin_profiles, reset_profiles, save_learned_profile, source_profiles
from storage.sources import UnknownSource, sync_sources

START = "http://x.gov.cn/col/index.html"
FIRST = {"region": "/html/body/div[2]/ul/li", "url_shape": r"^(?:/col/\d+\.html)$", "records": 20}
CHANGED = {"region": "/html/body/div[3]/table/tr", "url_shape": r"^(?:/col/\d+\.html)$", "records": 15}


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "govwatch.db")
    sync_sources(database, [{"name": "county", "schedule": "every 1h"}, {"name": "other", "schedule": "every 1h"}])
    yield database
    database.close()


def test_learned_then_relearned_profile_is_kept_per_start_url(db):
    assert save_learned_profile(db, "county", START, FIRST)
    assert save_learned_profile(db, "county", START, CHANGED, relearned=True)
    profiles = source_profiles(db, "county")
    assert list(profiles) == [START]
    assert profiles[START]["profile"] == CHANGED and profiles[START]["relearned_count"] == 1
    assert not profiles[START]["pinned"]
    assert source_profiles(db, "other") == {}


def test_a_pinned_profile_is_never_replaced_and_reset_forgets_it(db):
    save_learned_profile(db, "county", START, FIRST)
    assert pin_profiles(db, "county") == 1
    assert not save_learned_profile(db, "county", START, CHANGED, relearned=True)
    assert source_profiles(db, "county")[START]["profile"] == FIRST
    assert source_profiles(db, "county")[START]["pinned"]
    assert reset_profiles(db, "county") == 1
    assert source_profiles(db, "county") == {}
    assert save_learned_profile(db, "county", START, CHANGED)  # learned again after the reset


def test_unknown_source_is_named(db):
    with pytest.raises(UnknownSource, match="nope"):
        pin_profiles(db, "nope")
    with pytest.raises(UnknownSource, match="nope"):
        reset_profiles(db, "nope")


def test_operator_view_shows_the_profile(db):
    save_learned_profile(db, "county", START, FIRST)
    pin_profiles(db, "county")
    row = next(db.query("select list_profile from operator_sources where name = 'county'"))
    assert row["list_profile"] == f"{FIRST['region']} → {FIRST['url_shape']} (pinned)"
    assert "list_anchor" in db["articles"].columns_dict
