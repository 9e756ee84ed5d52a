"""ONS Health Index: mirror tables, latest-year measures at LAD 2024, merged districts left without a value."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from etl.build import SCHEMA_SQL, insert_frames
from etl.sources import health


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    """Invented: E07999991 and E07999992 merged into E06999990; E06999993 unchanged."""
    con = duckdb.connect()
    con.execute(SCHEMA_SQL.read_text())
    con.execute("INSERT INTO areas (code, level) VALUES ('E06999990', 'lad24'), ('E06999993', 'lad24')")
    con.execute(
        "INSERT INTO lad_successor VALUES ('E07999991', '2021', 'E06999990'), ('E07999992', '2021', 'E06999990')"
    )
    scores = pd.DataFrame(
        {
            "ltla21_code": ["E07999991", "E07999992", "E06999993", "E06999993"],
            "year": [2021, 2021, 2020, 2021],
            "overall_score": [101.0, 99.0, 95.5, 97.5],
            "healthy_people_score": 100.0,
            "healthy_lives_score": 100.0,
            "healthy_places_score": 100.0,
        }
    )
    indicators = pd.DataFrame(
        {
            "ltla21_code": ["E06999993", "E06999993"],
            "year": [2021, 2021],
            "indicator": ["Life expectancy", "Suicides"],
            "value": [80.25, 9.0],
        }
    )
    insert_frames(con, {"health_index_lad": scores, "health_indicators_lad": indicators})
    con.execute(health.DERIVE_SQL)
    yield con
    con.close()


def test_latest_year_for_unchanged_district_only(con):
    rows = con.execute("SELECT area_code, measure, value, vintage FROM area_measures ORDER BY 1, 2").fetchall()
    assert rows == [
        ("E06999993", "health_index_overall", 97.5, "2021"),
        ("E06999993", "life_expectancy", 80.25, "2021"),
    ]


@pytest.mark.integration
def test_mirror_tables(mirror):
    paths = {
        "scores": mirror / health.MIRROR_DIR / "england_health_index.csv",
        "indicators": mirror / health.MIRROR_DIR / "england_health_index_indicators.csv.gz",
    }
    frames = health.read_mirror(paths)
    assert len(frames["health_index_lad"]) == 2_149
    assert len(frames["health_indicators_lad"]) == 120_344
    assert frames["health_index_lad"]["ltla21_code"].nunique() == 307


@pytest.mark.integration
@pytest.mark.parametrize("measure", ["health_index_overall", "life_expectancy"])
def test_built_health_measures(db_con, measure):
    count, low, high = db_con.execute(
        "SELECT count(value), min(value), max(value) FROM area_measures WHERE level = 'lad24' AND measure = ?",
        [measure],
    ).fetchall()[0]
    # 296 English districts less City of London, Isles of Scilly (not in the index) and 4 merged in 2023.
    assert count == 290
    assert 70 < low < high < 130
