"""NSPL postcode lookup: normalisation, the official zip in its three published layouts, and the mirror's 10 areas."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.source import SourceError
from etl.sources import nspl
from tests.standin.content import nspl as standin_nspl
from tests.standin.content._places import Place

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "charity" / "NSPL_NOV_2021_UK_ZZ.csv"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        (" wc1a  2hr ", "WC1A 2HR"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("POOLE", None),
        ("", None),
        (None, None),
        ("NOT A POSTCODE", None),
    ],
)
def test_normalise_postcode_python_and_sql_agree(raw, expected):
    assert nspl.normalise_postcode(raw) == expected
    con = duckdb.connect()
    con.execute(nspl.NORMALISE_SQL)
    assert con.execute("SELECT normalise_postcode(?)", [raw]).fetchall()[0][0] == expected


def test_fixture_rows_keep_terminated_and_blank_pseudo_codes():
    frame = nspl.read_partial({"nspl_zz": FIXTURE})["postcodes"].set_index("postcode")
    assert list(frame.index) == ["ZZ1 1AA", "ZZ1 1AB", "ZZ2 2AA"]
    assert frame["terminated"].tolist() == [False, True, False]
    assert frame.loc["ZZ1 1AB", "pcd_compact"] == "ZZ11AB"
    assert pd.isna(frame.loc["ZZ2 2AA", "lad_code"])
    assert frame.loc["ZZ1 1AA", "lsoa11_code"] == "E01999991"


@pytest.mark.integration
def test_mirror_partial_ten_areas(mirror):
    paths = {
        f"nspl_{a.lower()}": mirror / f"postcodes_nspl_nov2021_partial/NSPL_NOV_2021_UK_{a}.csv" for a in nspl.AREAS
    }
    frame = nspl.read_partial(paths)["postcodes"]
    assert len(frame) == 75_849
    assert int(frame["terminated"].sum()) == 75_849 - 54_527
    assert int(frame["lsoa11_code"].notna().sum()) == 75_526


@pytest.mark.integration
@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT count(*) FROM postcodes", 75_849),
        ("SELECT count(lad24_code) FROM postcodes", 75_526),
        ("SELECT count(lsoa21_code) FROM postcodes", 72_158),
        ("SELECT lad24_code FROM postcodes WHERE lad_code = 'E07000165' LIMIT 1", "E06000065"),
        ("SELECT count(*) FROM provenance WHERE source_id = 'nspl' AND distribution = 'mirror_partial_10_areas'", 10),
    ],
)
def test_built_postcodes(db_con, sql, expected):
    assert db_con.execute(sql).fetchall()[0][0] == expected


# The official zip in each published layout, from the stand-in's writer (invented postcodes, invented codes).
PLACES = [
    Place("ZZ0 1AA", "E01999981", "E05999991", "E06999991"),
    Place("ZZ0 2AB", "W01999982", "W05999992", "W06999992"),
]


@pytest.mark.parametrize(
    ("release", "vintage"), [("NOV_2021", "2021-11"), ("MAY_2025", "2025-05"), ("AUG_2025", "2025-08")]
)
def test_official_zip_in_each_layout(tmp_path, release, vintage):
    path = standin_nspl.write_zip(tmp_path / "nspl.zip", PLACES, release=release)
    frame = nspl.read_full_zip({"nspl_zip": path})["postcodes"].set_index("postcode")
    assert list(frame.index) == ["ZZ0 1AA", "ZZ0 2AB", "ZZ99 9ZZ"]
    assert frame.loc["ZZ0 2AB", "lad_code"] == "W06999992"
    assert frame.loc["ZZ0 2AB", "country_code"] == "W92000004"
    assert set(frame["nspl_vintage"]) == {vintage}
    assert pd.isna(frame.loc["ZZ99 9ZZ", "lad_code"]) and pd.isna(frame.loc["ZZ99 9ZZ", "lsoa21_code"])
    lsoa = "lsoa11_code" if release == "NOV_2021" else "lsoa21_code"
    assert frame.loc["ZZ0 1AA", lsoa] == "E01999981"
    other = "lsoa21_code" if release == "NOV_2021" else "lsoa11_code"
    assert frame[other].isna().all()


def test_terminated_postcodes_are_kept_and_flagged(tmp_path):
    rows = [Place(f"ZZ1 {i}AA", "E01999981", "E05999991", "E06999991") for i in range(1, 9)] + PLACES
    path = standin_nspl.write_zip(tmp_path / "nspl.zip", rows)
    frame = nspl.read_full_zip({"nspl_zip": path})["postcodes"].set_index("postcode")
    assert frame["terminated"].tolist().count(True) == 1
    assert bool(frame.loc["ZZ0 2AB", "terminated"])  # the tenth row is written terminated


def test_zip_without_the_national_csv_is_refused(tmp_path):
    path = tmp_path / "nspl.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Data/multi_csv/NSPL_MAY_2025_UK_AB.csv", "pcds\n")
    with pytest.raises(SourceError, match=r"no Data/NSPL_<MON>_<YEAR>_UK\.csv"):
        nspl.read_full_zip({"nspl_zip": path})


def test_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "nspl.zip"
    path.write_bytes(b"<!DOCTYPE html><html>Sign in</html>")
    with pytest.raises(SourceError, match="not a zip file"):
        nspl.read_full_zip({"nspl_zip": path})


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("pcds,doterm,ctry,lsoa21", "laua"),
        ("pcds,doterm,laua,ctry", "lsoa21 or lsoa11"),
        ("pcd7,doterm,lad25cd,ctry25cd,lsoa21cd", "pcds"),
    ],
)
def test_a_renamed_column_is_named(header, missing):
    with pytest.raises(SourceError, match=f"missing expected column.*{missing}"):
        nspl.resolve_columns(header.split(","), file_name="NSPL_MAY_2026_UK.csv")


@given(st.permutations(standin_nspl.HEADERS["AUG_2025"].split(",")))
def test_column_order_does_not_matter(header):
    assert nspl.resolve_columns(header, file_name="x") == {
        "pcds": "pcds",
        "doterm": "doterm",
        "laua": "lad25cd",
        "ctry": "ctry25cd",
        "lsoa21": "lsoa21cd",
    }


@pytest.mark.parametrize(
    ("name", "vintage"),
    [
        ("Data/NSPL_MAY_2025_UK.csv", "2025-05"),
        ("NSPL21_FEB_2024_UK.csv", "2024-02"),
        ("NSPL_NOV_2021_UK_DT.csv", "2021-11"),
    ],
)
def test_release_comes_from_the_file_name(name, vintage):
    assert nspl.release_of(name) == vintage


def test_a_file_name_without_a_release_is_refused():
    with pytest.raises(SourceError, match="names no release"):
        nspl.release_of("postcodes.csv")
