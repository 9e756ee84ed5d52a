"""Shared fixtures: the mirror folder and one real database built from it per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def mirror_dir() -> Path | None:
    """VCS_INSIGHT_MIRROR, else ../shared/data beside the checkout when present."""
    env = os.environ.get("VCS_INSIGHT_MIRROR")
    candidate = Path(env) if env else ROOT.parent / "shared" / "data"
    return candidate.resolve() if candidate.is_dir() else None


@pytest.fixture(scope="session")
def mirror() -> Path:
    found = mirror_dir()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have the mirror: set VCS_INSIGHT_MIRROR=../shared/data")
        pytest.skip("no mirror folder (set VCS_INSIGHT_MIRROR)")
    return found


@pytest.fixture(scope="session")
def built_db(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real database, built once from the mirror into a temp folder."""
    from etl.build import build
    from etl.sources import all_sources

    db = tmp_path_factory.mktemp("db") / "vcs_insight.duckdb"
    build(db, sources=all_sources(), mirror=mirror, cache=db.parent / "raw", progress=lambda _m: None)
    return db


@pytest.fixture(scope="session")
def db_con(built_db: Path):
    import duckdb

    con = duckdb.connect(str(built_db), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def rehearsal(tmp_path_factory: pytest.TempPathFactory):
    """The online build against the stand-in, once per session (tests/standin/rehearsal.py; a minute or two)."""
    from tests.standin.content import ContentMissing, mirror
    from tests.standin.rehearsal import rehearse

    try:
        mirror()  # the stand-in's content is built from the mirror's bytes
    except ContentMissing as missing:
        pytest.skip(str(missing))
    with pytest.MonkeyPatch.context() as patch:
        return rehearse(tmp_path_factory.mktemp("rehearsal"), patch=patch)
