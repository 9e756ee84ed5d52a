"""360Giving: a publisher's file through the registry route's flattening and aggregation, and the mirror's aggregation."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.build import SCHEMA_SQL, insert_frames
from etl.sources import _grants360_files as registry_files
from etl.sources import grants360
from tests.standin.content import grants360 as standin_grants
from tests.standin.content._places import Place


@pytest.mark.integration
def test_mirror_aggregation(mirror):
    frame = grants360.read_mirror_aggregation({"grants_lad_ward": mirror / grants360.MIRROR_GZ})["grants"]
    assert len(frame) == 44_206
    assert frame["funder"].nunique() == 54
    assert (frame["award_year"].min(), frame["award_year"].max()) == (2013, 2018)
    assert frame["amount"].sum() == pytest.approx(8_313_724_240.41, abs=1)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT count(*) FROM grants WHERE lad24_code IS NULL", 0),
        ("SELECT lad24_code FROM grants WHERE lad_code = 'E06000028' LIMIT 1", "E06000058"),
        ("SELECT lad24_code FROM grants WHERE lad_code = 'E08000020' LIMIT 1", "E08000037"),
        ("SELECT count(*) FROM area_measures WHERE level = 'lad24' AND measure = 'grants_count'", 317),
        (
            "SELECT count(value) FROM area_measures WHERE level = 'lad24' AND measure = 'grants_amount_per_resident'",
            317,  # every district with grants, the 21 Welsh ones included: the mid-2019 denominator covers Wales
        ),
    ],
)
def test_built_grants(db_con, sql, expected):
    assert db_con.execute(sql).fetchall()[0][0] == expected


@pytest.mark.integration
def test_built_grant_counts_add_up(db_con):
    total = db_con.execute("SELECT sum(grants) FROM grants").fetchall()[0][0]
    by_lad = db_con.execute("SELECT sum(value) FROM area_measures WHERE level = 'lad24' AND measure = 'grants_count'")
    assert by_lad.fetchall()[0][0] == total


# One publisher's CSV of the stand-in's invented grants (standard titles only), on invented places.
PLACES = (
    Place("ZZ0 1AA", "E01999981", "E05999991", "E06999991"),
    Place("ZZ0 2AB", "W01999982", "W05999992", "W06999992"),
)
GRANTS = [standin_grants.grant(n, PLACES[n % 2]) for n in range(1, 101)]


@pytest.fixture()
def publisher_grants(tmp_path: Path) -> pd.DataFrame:
    rows = [{title: g.get(title, "") for title in standin_grants.STANDARD} for g in GRANTS]
    flat = tmp_path / "flat.csv"
    registry_files.write_flat(standin_grants.write_publisher(tmp_path / "publisher.csv", "csv", rows), flat)
    return grants360.aggregate([flat], registry_files.FLAT_TITLES, distribution="360giving_registry")


def test_gbp_grants_only(publisher_grants):
    gbp = [g for g in GRANTS if g["Currency"] == "GBP"]
    assert int(publisher_grants["grants"].sum()) == len(gbp) == 98
    assert publisher_grants["amount"].sum() == sum(float(g["Amount Awarded"]) for g in gbp)


def test_no_postcode_keeps_the_recipient_charity_number(publisher_grants):
    """Every 9th grant has no postal code: its GB-CHC identifier's number is kept to place it by the register."""
    without = publisher_grants[publisher_grants["postcode"].isna()]
    expected = {str(1_100_000 + n % 30_000) for n in range(9, 101, 9) if n % 50}
    assert set(without["charity_number"]) == expected
    assert set(publisher_grants["postcode"].dropna()) == {"ZZ0 1AA", "ZZ0 2AB"}
    assert publisher_grants.loc[publisher_grants["postcode"].notna(), "charity_number"].isna().all()


def test_years_and_funders(publisher_grants):
    assert (publisher_grants["award_year"].min(), publisher_grants["award_year"].max()) == (2019, 2025)
    assert publisher_grants["funder"].nunique() == standin_grants.FUNDERS
    assert set(publisher_grants["source_distribution"]) == {"360giving_registry"}


def test_grants_placed_by_postcode(publisher_grants):
    con = duckdb.connect()
    con.execute(SCHEMA_SQL.read_text())
    con.execute(
        """INSERT INTO postcodes VALUES ('ZZ0 1AA', 'ZZ01AA', NULL, 'E01999981', 'E06999991', 'E06999991',
           'E92000001', false, 'test')"""
    )
    insert_frames(con, {"grants": publisher_grants})
    con.execute(grants360.POSTCODE_SQL)
    placed = con.execute(
        "SELECT count(*) FILTER (WHERE lsoa21_code = 'E01999981'), count(*) FILTER (WHERE lad24_code = 'E06999991') "
        "FROM grants WHERE postcode = 'ZZ0 1AA'"
    ).fetchone()
    total = con.execute("SELECT count(*) FROM grants WHERE postcode = 'ZZ0 1AA'").fetchone()[0]
    assert placed == (total, total)
    assert con.execute("SELECT count(lsoa21_code) FROM grants WHERE postcode = 'ZZ0 2AB'").fetchone() == (0,)
