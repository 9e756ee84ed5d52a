"""On the mirror build: vintages chosen by date, one district rule for E01027305, captions naming every vintage."""

from __future__ import annotations

import numpy as np
import pytest

from insight import captions, districts, funding, profile, queries
from insight.formatting import format_value
from insight.maps import national as national_map
from insight.maps import raster

WEST_NORTHANTS, CHERWELL, LSOA = "E06000062", "E07000177", "E01027305"


def used_vintages(con, *, levels: tuple[str, ...], measures: tuple[str, ...]) -> set[str]:
    """Every numerator vintage and denominator vintage (in words) of the measures' values at the levels."""
    rows = con.execute(
        """SELECT DISTINCT m.vintage, v.label FROM area_measures m LEFT JOIN vintages v ON v.vintage = m.denominator_vintage
           WHERE list_contains(?, m.level) AND list_contains(?, m.measure) AND m.value IS NOT NULL""",
        [list(levels), list(measures)],
    ).fetchall()
    return {text for row in rows for text in row if text}


def test_vintages_are_dated_and_census_2021_is_the_latest(db_con) -> None:
    ordered = [v for (v,) in db_con.execute("SELECT vintage FROM vintages ORDER BY reference_date").fetchall()]
    assert ordered == ["mid-2015", "mid-2019", "mid-2020", "census-2021"]
    assert sorted(ordered)[-1] == "mid-2020"  # string order would call mid-2020 the latest


def test_similar_areas_use_census_2021_residents(db_con) -> None:
    data = profile.level_data(db_con, level="lad24")
    assert set(data.population["vintage"]) == {"census-2021"}
    assert len(data.population) == 318
    caption = profile.similarity_caption(db_con, data, code="E08000025")  # Birmingham
    assert "Residents: Census 2021 usual residents (21 March 2021)" in caption
    assert "English Indices of Deprivation 2025" in caption and "Welsh Index" not in caption


def test_a_welsh_areas_similarity_caption_names_wimd_not_the_iod(db_con) -> None:
    # A Welsh district is compared with Welsh districts on WIMD measures: the caption must say so.
    data = profile.level_data(db_con, level="lad24")
    caption = profile.similarity_caption(db_con, data, code="W06000015")  # Cardiff
    assert "Welsh Index of Multiple Deprivation 2025" in caption
    assert "English Indices of Deprivation" not in caption and "IoD2025" not in caption


def test_funding_takes_the_population_closest_in_time(db_con) -> None:
    # mid-2015 is closer to 2013-2018 but covers England only: the estimate chosen must cover both nations.
    assert funding.population_vintage(db_con, years=(2013, 2018)) == "mid-2019"
    # Middle of 2020-2021 is 1 January 2021: census day is 79 days after it, 30 June 2020 185 days before (the
    # years in the labels, 2020 and 2021, would tie).
    assert funding.population_vintage(db_con, years=(2020, 2021)) == "census-2021"


def test_the_lsoa_the_iod_and_ons_place_differently(db_con) -> None:
    placed = db_con.execute("SELECT * FROM lsoa_districts WHERE iod_lad_code <> ons_lad_code").fetchall()
    assert placed == [(LSOA, CHERWELL, WEST_NORTHANTS)]


@pytest.mark.parametrize(("lad", "listed"), [(WEST_NORTHANTS, True), (CHERWELL, False)])
def test_iod_lists_and_maps_follow_the_iod_file(db_con, lad: str, listed: bool) -> None:
    iod_count = db_con.execute(
        "SELECT count(*) FROM imd_lsoa WHERE edition = 'IoD2025' AND lad_code = ?", [lad]
    ).fetchone()[0]
    lsoas = profile.area_lsoas(db_con, level="lad24", code=lad)
    assert (LSOA in set(lsoas["lsoa_code"]), len(lsoas)) == (listed, iod_count)  # 238 and 102 as in File 1
    rule = districts.rule_for(db_con, measures=("imd_score",))
    frame = queries.map_frame(
        db_con, geography="lsoa_in_lads", measures=("imd_score",), lad_codes=(lad,), districts=rule
    )
    geo = queries.map_geometry(db_con, geography="lsoa_in_lads", lad_codes=(lad,), districts=rule)
    assert set(frame["area_code"]) == set(geo["code"]) == set(lsoas["lsoa_code"])
    ons = queries.lsoas_in_area(db_con, level="lad24", codes=(lad,), measures=("imd_score",), districts="ons")
    assert (LSOA in set(ons["lsoa_code"])) is not listed  # geography-only: the ONS best fit (Cherwell)
    note = districts.note_for(db_con, level="lad24", codes=(lad,), rule="iod")
    assert f"({LSOA})" in note and "listed under West Northamptonshire" in note


def test_district_aggregates_reproduce_the_iod_file(db_con) -> None:
    share, expected = db_con.execute(
        """SELECT m.value, (SELECT avg((imd_decile <= 2)::INTEGER) FROM imd_lsoa
                            WHERE edition = 'IoD2025' AND lad_code = m.area_code)
           FROM area_measures m WHERE m.level = 'lad24' AND m.area_code = ? AND m.measure = ?""",
        [WEST_NORTHANTS, "imd_share_lsoas_most_deprived_20"],
    ).fetchone()
    assert share == pytest.approx(expected)
    assert districts.note_for(db_con, level="lad24", codes=("E06000001",), rule="iod") == ""  # Hartlepool: none


def test_national_map_medians_follow_the_iod_file(db_con) -> None:
    index = raster.index_raster(db_con)
    lads = [c for (c,) in db_con.execute("SELECT code FROM boundaries WHERE level = 'lad24' ORDER BY code").fetchall()]
    placed = national_map.rule_district(db_con, rule="iod", lads=lads, codes=list(index.codes))
    assert lads[placed[list(index.codes).index(LSOA)]] == WEST_NORTHANTS


@pytest.mark.parametrize(
    ("page", "level", "measures", "comparators"),
    [
        ("overview", "lad24", queries.DECILE_VIEW_MEASURES, ()),
        ("map", "lsoa21", ("imd_score",), ()),
        (
            "area profile",
            "utla24",
            ("imd_average_score", "ncvo_charities_per_1000", "grants_amount_per_resident"),
            ("region", "country"),
        ),
        (
            "triple jeopardy",
            "lad24",
            ("imd_average_score", "ncvo_charities_per_1000", "grants_amount_per_resident"),
            (),
        ),
    ],
)
def test_captions_name_every_vintage_they_combine(db_con, page, level, measures, comparators) -> None:
    text = captions.caption(db_con, level=level, measures=measures, comparators=comparators)
    expected = used_vintages(db_con, levels=(level, *comparators), measures=measures)
    assert expected and all(vintage in text for vintage in expected), (page, expected, text)


def test_national_map_payload_carries_the_iod_districts(db_con) -> None:
    """The IoD measure's payload has its own district index; West Northamptonshire's median counts E01027305."""
    payload = national_map.national_map(
        db_con, measure="imd_score", label="IMD score", unit="score", title="t", serve_geometry=False
    )
    meta, parts = national_map.unpack(payload)
    geo_meta, _ = national_map.unpack(parts["geometry"])
    lads = [code for code, _name in geo_meta["districts"]]
    _values, medians = national_map.hover_texts(parts)
    expected = db_con.execute(
        """SELECT median(imd_score) FROM imd_lsoa WHERE edition = 'IoD2025' AND lad_code = ?""", [WEST_NORTHANTS]
    ).fetchone()[0]
    assert medians[lads.index(WEST_NORTHANTS)] == "median " + format_value(expected, unit="score")
    codes = list(raster.index_raster(db_con).codes)
    assert lads[np.frombuffer(parts["district"], "<u2")[codes.index(LSOA)]] == WEST_NORTHANTS
