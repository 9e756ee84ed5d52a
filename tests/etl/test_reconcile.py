"""The reconciliation table: published summaries reproduced from detail rows; a drifted value fails the build.

Invented rows in the official layouts: one district with four LSOAs, one of them in the most deprived decile, and a
File 10 row publishing that share (0.25) — or a drifted share.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl import build as build_module
from etl import checks, reconcile
from etl.build import build
from etl.source import ValidationError
from tests.etl.fake_sources import FAKE_BUILD_CHECKS, ROWS_V1, fake_source, write_mirror

ROOT = Path(__file__).resolve().parents[2]
LSOAS = """INSERT INTO imd_lsoa (edition, country, lsoa_code, lad_code, imd_decile, income_decile) VALUES
    ('IoD2025', 'E', 'E01900001', 'E06000901', 1, 2), ('IoD2025', 'E', 'E01900002', 'E06000901', 4, 1),
    ('IoD2025', 'E', 'E01900003', 'E06000901', 7, 1), ('IoD2025', 'E', 'E01900004', 'E06000901', 10, 9);"""


def published(share: float, income: float = 0.5) -> str:
    """A File 10 row publishing the share of the district's LSOAs in the most deprived 10% (IMD, income)."""
    return f"""INSERT INTO imd_lad VALUES
        ('IoD2025', 'E06000901', 'Invented district', 'imd', 'proportion_most_deprived_10', {share}),
        ('IoD2025', 'E06000901', 'Invented district', 'income', 'proportion_most_deprived_10', {income});"""


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute((ROOT / "etl" / "schema.sql").read_text())
    connection.execute(LSOAS)
    yield connection
    connection.close()


def test_reproduced_shares_match_the_published_within_rounding(con) -> None:
    con.execute(published(0.25))
    assert reconcile.build(con) == 2
    rows = con.execute(
        "SELECT check_id, source_id, level, published, reproduced, within FROM reconciliation ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("imd_lad:IoD2025:imd", "imd2025_lad", "lad24", 0.25, 0.25, True),
        ("imd_lad:IoD2025:income", "imd2025_lad", "lad24", 0.5, 0.5, True),
    ]
    assert checks.check_reconciliation(con) == []


def test_a_value_off_by_more_than_rounding_is_reported(con) -> None:
    con.execute(published(0.2501, income=0.50004))  # 0.0001 is beyond 4-dp rounding; 0.00004 is not
    reconcile.build(con)
    assert checks.check_reconciliation(con) == [
        "reconciliation imd_lad:IoD2025:imd: 1 areas beyond tolerance 5.0001e-05 (worst E06000901, |difference| "
        "0.000100)"
    ]


def test_a_drifted_value_fails_the_build_and_keeps_the_old_database(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(build_module.checks, "CHECKS", (*FAKE_BUILD_CHECKS, checks.check_reconciliation))
    write_mirror(tmp_path / "mirror", ROWS_V1)
    mirror = tmp_path / "mirror"
    db = tmp_path / "out" / "vcs_insight.duckdb"
    kwargs = {"mirror": mirror, "cache": tmp_path / "raw", "progress": lambda _m: None}
    build(db, sources=[fake_source(derive_sql=LSOAS + published(0.25))], **kwargs)
    good = db.read_bytes()
    with pytest.raises(ValidationError, match=r"reconciliation imd_lad:IoD2025:imd: 1 areas beyond tolerance"):
        build(db, sources=[fake_source(derive_sql=LSOAS + published(0.3))], **kwargs)
    assert db.read_bytes() == good
    with duckdb.connect(str(db), read_only=True) as old:
        assert old.execute("SELECT count(*) FROM reconciliation WHERE within").fetchall() == [(2,)]
