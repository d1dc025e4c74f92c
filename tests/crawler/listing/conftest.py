"""Fixtures for the list-reader tests: the realsites-dev set, unpacked once per session from /work/shared."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench.listpages import TARBALL, score_lists, score_sites, unpack

# Column pages whose lists the site copier blanked (javascript:;): only their menus are left.
BLANKED = ("gz_fezx_hosp/gysy/csxd/index.html", "cwl_lottery/fcspp/index.html")


@pytest.fixture(scope="session")
def realsites(tmp_path_factory) -> Path:
    """The unpacked realsites-dev set (read from /work/shared, never copied into the project)."""
    if not TARBALL.is_file():
        pytest.skip(f"{TARBALL} is absent: the realsites-dev gate needs the shared data set")
    return unpack(TARBALL, tmp_path_factory.mktemp("realsites"), starts_only=True, extra=BLANKED)


@pytest.fixture(scope="session")
def list_scores(realsites):
    """bench.listpages' scores of the _lists pages (computed once for the gate tests)."""
    return score_lists(realsites)


@pytest.fixture(scope="session")
def site_scores(realsites):
    """bench.listpages' scores of the 39 site start pages."""
    return score_sites(realsites)
