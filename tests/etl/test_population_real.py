"""Integration: population denominators from the real files, with known totals, and their roll-ups."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

CENSUS_2021_ENGLAND = 56_490_048  # ONS Census 2021 first results, usual residents in England (unrounded)


def total(con, *, level: str, vintage: str, code: str | None = None) -> float:
    sql = "SELECT sum(population) FROM population WHERE level = ? AND vintage = ? AND age_group = 'all'"
    params = [level, vintage]
    if code:
        sql += " AND area_code = ?"
        params.append(code)
    return con.execute(sql, params).fetchone()[0]


def test_census_2021_england_matches_published_total(db_con):
    """The LAD figures are rounded to 100: their sum (56,489,800) is within 0.1% of the published total."""
    england = total(db_con, level="country", vintage="census-2021", code="E92000001")
    assert england == 56_489_800
    assert abs(england - CENSUS_2021_ENGLAND) / CENSUS_2021_ENGLAND < 0.001


@pytest.mark.parametrize(
    ("level", "vintage", "expected"),
    [
        ("lsoa11", "mid-2015", 54_728_204),  # IoD2019 File 6, England
        ("lsoa11", "mid-2019", 59_439_840),
        ("lad21", "mid-2020", 59_719_724),
        ("lad21", "census-2021", 59_597_500),
    ],
)
def test_published_totals(db_con, level, vintage, expected):
    assert total(db_con, level=level, vintage=vintage) == expected


@pytest.mark.parametrize("vintage", ["mid-2015", "mid-2019", "mid-2020", "census-2021"])
@pytest.mark.parametrize("level", ["lad24", "utla24", "region", "country"])
def test_rollups_keep_the_total(db_con, vintage, level):
    loaded = "lsoa11" if vintage in ("mid-2015", "mid-2019") else "lad21"
    assert total(db_con, level=level, vintage=vintage) == total(db_con, level=loaded, vintage=vintage)


@pytest.mark.parametrize(
    ("vintage", "lads"), [("census-2021", 318), ("mid-2020", 318), ("mid-2019", 318), ("mid-2015", 296)]
)
def test_every_lad24_has_a_population(db_con, vintage, lads):
    found = db_con.execute(
        "SELECT count(*) FROM population WHERE level = 'lad24' AND vintage = ? AND age_group = 'all'", [vintage]
    ).fetchone()[0]
    assert found == lads


def test_merged_district_sums_its_predecessors(db_con):
    """Buckinghamshire (E06000060, 2020) = its four 2019 districts, mid-2015."""
    parts = db_con.execute(
        """SELECT sum(population) FROM population p JOIN lad_successor s ON s.lad_code = p.area_code
           WHERE s.lad_vintage = '2019' AND s.lad24_code = 'E06000060'
             AND p.level = 'lad19' AND p.vintage = 'mid-2015' AND p.age_group = 'all'"""
    ).fetchone()[0]
    assert total(db_con, level="lad24", vintage="mid-2015", code="E06000060") == parts > 0


@pytest.mark.parametrize("group", ["0-15", "16-59", "60+"])
def test_age_groups_present(db_con, group):
    rows = db_con.execute(
        "SELECT DISTINCT vintage FROM population WHERE level = 'lad24' AND age_group = ? ORDER BY 1", [group]
    ).fetchall()
    assert rows == [("mid-2015",), ("mid-2019",), ("mid-2020",)]


def test_iod2025_denominators_are_reported_missing_offline(db_con):
    found = db_con.execute("SELECT source_id FROM missing_layers WHERE source_id = 'iod2025_population'").fetchall()
    assert found == [("iod2025_population",)]
    assert db_con.execute("SELECT count(*) FROM population WHERE vintage = 'mid-2022'").fetchone()[0] == 0
