"""360Giving: the standard-file reader (CSV and JSON), GrantNav's export of every grant, and the mirror's aggregation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.build import SCHEMA_SQL, insert_frames
from etl.source import SourceError
from etl.sources import grants360
from tests.standin.content import grants360 as standin_grants
from tests.standin.content._places import Place

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "grants"


def clean(values: list) -> list:
    """Missing values (NaN or None, depending on the pandas string dtype) as None."""
    return [None if pd.isna(v) else v for v in values]


def test_standard_csv():
    frame = grants360.read_360giving(FIXTURES / "standard_grants.csv").set_index("identifier")
    assert list(frame.index) == ["360G-invented-0001", "360G-invented-0002", "360G-invented-0003"]
    assert frame.loc["360G-invented-0002", "amount"] == 2500.50
    assert frame.loc["360G-invented-0002", "award_date"] == dt.date(2017, 11, 20)
    assert frame["award_year"].tolist() == [2017, 2017, 2018]
    assert clean(frame["recipient_postcode"].tolist()) == ["ZZ1 1AA", "ZZ1 1AB", None]


def test_standard_json():
    frame = grants360.read_360giving(FIXTURES / "standard_grants.json")
    assert frame["funder"].tolist() == ["Invented Trust Fund"] * 2
    assert clean(frame["recipient_geo_code"].tolist()) == ["E06999991", None]
    assert frame["amount"].sum() == 1000


def test_grants_table_aggregates_by_funder_year_district():
    records = grants360.read_360giving(FIXTURES / "standard_grants.csv")
    table = grants360.grants_table(records, distribution="test").sort_values("award_year")
    rows = [
        clean(r) for r in table[["funder", "award_year", "lad_code", "ward_code", "amount", "grants"]].values.tolist()
    ]
    assert rows[0] == ["Invented Foundation", 2017, "E06999991", None, 3500.5, 2]
    assert rows[1][2:] == [None, "E05999991", 400.0, 1]


def test_missing_standard_column_named(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Identifier,Amount Awarded\nx,1\n")
    with pytest.raises(SourceError, match="Award Date, Funding Org:Name"):
        grants360.read_360giving(path)


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


# GrantNav's export of every grant, in its CSV layout (the stand-in's writer), on invented places.
PLACES = (
    Place("ZZ0 1AA", "E01999981", "E05999991", "E06999991"),
    Place("ZZ0 2AB", "W01999982", "W05999992", "W06999992"),
)


@pytest.fixture()
def grantnav(tmp_path: Path) -> pd.DataFrame:
    path = standin_grants.write_csv(tmp_path / "grantnav_search.csv", count=100, where=PLACES)
    return grants360.read_grantnav({"grantnav_csv": path})["grants"]


def test_grantnav_keeps_gbp_grants_only(grantnav):
    expected = [standin_grants.grant(n, PLACES[0]) for n in range(1, 101)]
    gbp = [g for g in expected if g["Currency"] == "GBP"]
    assert int(grantnav["grants"].sum()) == len(gbp) == 98
    assert grantnav["amount"].sum() == sum(float(g["Amount Awarded"]) for g in gbp)


def test_grantnav_postcode_falls_back_to_registered_postcode(grantnav):
    assert set(grantnav["postcode"]) == {"ZZ0 1AA", "ZZ0 2AB"}


def test_grantnav_district_and_ward_codes_as_published(grantnav):
    with_code = grantnav.dropna(subset=["lad_code"])
    assert set(with_code["lad_code"]) == {"E06999991", "W06999992"}
    assert set(with_code["ward_code"]) == {"E05999991", "W05999992"}
    assert int(grantnav.loc[grantnav["lad_code"].isna(), "grants"].sum()) == 24  # every 4th (n = 100 is EUR)


def test_grantnav_years_and_funders(grantnav):
    assert (grantnav["award_year"].min(), grantnav["award_year"].max()) == (2019, 2025)
    assert grantnav["funder"].nunique() == standin_grants.FUNDERS
    assert set(grantnav["source_distribution"]) == {"grantnav_search_csv"}


def test_grantnav_missing_standard_column_named(tmp_path):
    path = tmp_path / "grantnav_search.csv"
    path.write_text('"Identifier","Amount Awarded","Award Date"\n"x","1","2020-01-01"\n', encoding="utf-8")
    with pytest.raises(SourceError, match="Funding Org:Name"):
        grants360.read_grantnav({"grantnav_csv": path})


def test_grants_placed_by_postcode(grantnav):
    con = duckdb.connect()
    con.execute(SCHEMA_SQL.read_text())
    con.execute(
        """INSERT INTO postcodes VALUES ('ZZ0 1AA', 'ZZ01AA', NULL, 'E01999981', 'E06999991', 'E06999991',
           'E92000001', false, 'test')"""
    )
    insert_frames(con, {"grants": grantnav})
    con.execute(grants360.POSTCODE_SQL)
    placed = con.execute(
        "SELECT count(*) FILTER (WHERE lsoa21_code = 'E01999981'), count(*) FILTER (WHERE lad24_code = 'E06999991') "
        "FROM grants WHERE postcode = 'ZZ0 1AA'"
    ).fetchone()
    total = con.execute("SELECT count(*) FROM grants WHERE postcode = 'ZZ0 1AA'").fetchone()[0]
    assert placed == (total, total)
    assert con.execute("SELECT count(lsoa21_code) FROM grants WHERE postcode = 'ZZ0 2AB'").fetchone() == (0,)
