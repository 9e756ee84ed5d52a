"""Cross-source validation on tiny hand-made databases: each check finds exactly the planted problem."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl import checks
from etl.build import SCHEMA_SQL
from etl.source import ValidationError


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(Path(SCHEMA_SQL).read_text())
    return connection


def add_lsoas(con: duckdb.DuckDBPyConnection, *, deciles: list[int], prefix: str = "E01") -> None:
    for number, decile in enumerate(deciles):
        code = f"{prefix}{number:06d}"
        con.execute(
            "INSERT INTO imd_lsoa (edition, country, lsoa_code, imd_decile) VALUES ('Test', 'E', ?, ?)", [code, decile]
        )
        con.execute("INSERT INTO areas (code, level, lad_code) VALUES (?, 'lsoa21', 'E06000001')", [code])


def test_balanced_deciles_pass(con: duckdb.DuckDBPyConnection) -> None:
    add_lsoas(con, deciles=[d for d in range(1, 11) for _ in range(3)])
    assert checks.check_deciles_balanced(con) == []


def test_unbalanced_deciles_are_named(con: duckdb.DuckDBPyConnection) -> None:
    add_lsoas(con, deciles=[1] * 12 + [d for d in range(2, 11) for _ in range(2)])
    problems = checks.check_deciles_balanced(con)
    assert any(p.startswith("imd_lsoa Test: decile 1 holds 40.0%") for p in problems)


@pytest.mark.parametrize(
    ("level", "code", "ok"),
    [("lad24", "E06000001", True), ("lad24", "E12000001", False), ("icb24", "E38000001", False)],
)
def test_gss_prefix_check(con: duckdb.DuckDBPyConnection, level: str, code: str, ok: bool) -> None:
    con.execute("INSERT INTO areas (code, level) VALUES (?, ?)", [code, level])
    assert (checks.check_gss_prefixes(con) == []) is ok


def test_lsoa_count_mismatch_is_reported(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO imd_lsoa (edition, country, lsoa_code) VALUES ('IoD2025', 'E', 'E01000001')")
    assert checks.check_lsoa_counts(con) == ["imd_lsoa IoD2025: 1 LSOAs, expected 33,755"]


def test_validate_raises_with_every_problem(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO areas (code, level) VALUES ('X99', 'lad24'), ('Y99', 'icb24')")
    with pytest.raises(ValidationError, match="lad24.*X99.*icb24.*Y99"):
        checks.validate(con)


def test_measures_of_unnamed_areas_are_reported(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO areas (code, level, name) VALUES ('E06000001', 'lad24', 'Aldbury'), ('E06000002', 'lad24', NULL)"
    )
    con.execute(
        """INSERT INTO area_measures (level, area_code, measure, value, source_id, vintage) VALUES
           ('lad24', 'E06000001', 'm', 1, 's', 'v'), ('lad24', 'E06000002', 'm', 2, 's', 'v'),
           ('lad24', 'E06000003', 'm', 3, 's', 'v')"""
    )
    assert checks.check_measures_have_named_areas(con) == [
        "area_measures lad24: 2 areas without a named areas row (e.g. E06000002)"
    ]
