"""NSPL postcode lookup: normalisation, the official CSV layout, and the mirror's 10 postcode areas."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.sources import nspl

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "charity" / "NSPL_FIXTURE_UK_ZZ.csv"


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
