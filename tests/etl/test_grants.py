"""360Giving: the standard-file reader (CSV and JSON), aggregation to `grants`, and the mirror's aggregation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from etl.source import SourceError
from etl.sources import grants360

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
