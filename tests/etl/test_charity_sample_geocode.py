"""Geocode the real UK-CAT sample of CCEW charities through the mirror's partial NSPL (test only, not loaded)."""

from __future__ import annotations

import pandas as pd
import pytest

from etl.sources.nspl import normalise_postcode

pytestmark = pytest.mark.integration
SAMPLE = "charity_commission/ukcat_charity_classification/sample.csv"


@pytest.fixture(scope="module")
def geocoded(mirror, db_con) -> pd.DataFrame:
    sample = pd.read_csv(mirror / SAMPLE, dtype=str, usecols=["org_id", "postcode"])
    sample = sample[sample["org_id"].str.startswith("GB-CHC-")].assign(
        norm=lambda f: f["postcode"].map(normalise_postcode)
    )
    cursor = db_con.cursor()
    cursor.register("sample_postcodes", sample)
    try:
        return cursor.execute(
            """SELECT s.org_id, s.postcode, s.norm, p.lsoa11_code, p.lad24_code, p.terminated
               FROM sample_postcodes s LEFT JOIN postcodes p ON p.postcode = s.norm"""
        ).df()
    finally:
        cursor.close()


def test_sample_counts(geocoded):
    assert len(geocoded) == 3_496
    assert int(geocoded["postcode"].notna().sum()) == 3_481
    assert int(geocoded["norm"].notna().sum()) == 3_477
    assert int(geocoded["lad24_code"].notna().sum()) == 137
    assert int(geocoded["terminated"].fillna(False).sum()) == 3


@pytest.mark.parametrize(
    ("lad24", "charities"), [("E06000019", 23), ("E06000059", 17), ("E06000065", 11), ("W06000023", 10)]
)
def test_sample_charities_land_in_lads(geocoded, lad24, charities):
    assert int((geocoded["lad24_code"] == lad24).sum()) == charities
