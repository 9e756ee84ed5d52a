"""Read-side queries on a tiny invented database (tests/fixtures/dashboard/tiny_db.py)."""

from __future__ import annotations

import duckdb
import pytest

from etl import vintages
from insight import queries
from tests.fixtures.dashboard.tiny_db import SCHEMA


def test_available_measures_lists_only_measures_with_values_need_first(con) -> None:
    frame = queries.available_measures(con, level="lad24")
    assert frame["measure"].tolist()[:3] == ["imd_average_score", "income_average_score", "imd_lad_decile"]
    assert "charity_income_per_resident" not in set(frame["measure"])  # every value NULL: not loaded
    assert frame.set_index("measure").loc["ncvo_charities_per_1000", "areas"] == 6


@pytest.mark.parametrize(
    ("layer", "expected"),
    [
        ("dependence", ["share_charities_govt_funded"]),
        ("health", []),
        ("capacity", ["ncvo_charities", "ncvo_charities_per_1000"]),
    ],
)
def test_available_measures_by_layer(con, layer: str, expected: list[str]) -> None:
    assert sorted(queries.available_measures(con, level="lad24", layer=layer)["measure"]) == expected


def test_measure_catalog_marks_unloaded_measures_with_no_levels(con) -> None:
    catalog = queries.measure_catalog(con).set_index("measure")
    assert list(catalog.loc["charity_income_per_resident", "levels"]) == []
    assert list(catalog.loc["imd_average_score", "levels"]) == ["country", "lad24", "region"]


def test_measure_wide_one_row_per_area(con) -> None:
    frame = queries.measure_wide(con, level="lad24", measures=("imd_average_score", "ncvo_charities_per_1000"))
    assert len(frame) == 6
    row = frame.set_index("area_code").loc["E06000903"]
    assert (row["area_name"], row["imd_average_score"], row["ncvo_charities_per_1000"]) == ("Cressford", 25.0, 2.0)


def test_measure_wide_filters_codes(con) -> None:
    frame = queries.measure_wide(con, level="lad24", measures=("imd_average_score",), codes=("E06000901", "E06000906"))
    assert frame["area_name"].tolist() == ["Aldbury", "Foxholt"]


@pytest.mark.parametrize(
    ("level", "code", "count"), [("lad24", "E06000901", 2), ("icb24", "E54000902", 6), ("utla24", "E06000905", 2)]
)
def test_lsoas_in_area_by_parent_level(con, level: str, code: str, count: int) -> None:
    frame = queries.lsoas_in_area(con, level=level, codes=(code,), measures=("imd_score",))
    assert len(frame) == count


def test_capacity_by_need_decile_pools_charities(con) -> None:
    frame = queries.capacity_by_need_decile(con).set_index("imd_decile")
    assert frame.loc[1, "charities_per_1000"] == pytest.approx(1.0)
    assert frame.loc[10, "charities"] == pytest.approx(1400.0)


def test_measure_by_decile(con) -> None:
    frame = queries.measure_by_decile(
        con, level="lad24", measure="share_charities_govt_funded", decile_measure="imd_lad_decile"
    )
    assert frame["decile"].tolist() == [1, 3, 5, 7, 9, 10]
    assert frame["mean"].iloc[0] == pytest.approx(0.5)


def test_comparator_values_uses_the_country_row(con) -> None:
    frame = queries.comparator_values(con, level="lad24", measures=("imd_average_score",))
    row = frame.iloc[0]
    assert (row["national"], row["level_median"]) == (21.0, 21.5)


def test_population_totals_takes_all_ages(con) -> None:
    frame = queries.population_totals(con, level="lad24").set_index("area_code")
    assert frame.loc["E06000906", "population"] == 350_000


def test_population_totals_takes_the_latest_vintage_by_date_not_label(tmp_path) -> None:
    """'mid-2020' sorts after 'census-2021' as text; the census (21 March 2021) is the later estimate."""
    con = duckdb.connect(str(tmp_path / "vintages.duckdb"))
    con.execute(SCHEMA.read_text())
    con.executemany(
        "INSERT INTO population VALUES ('E06000901', 'lad24', ?, 'all', ?, 'invented_src')",
        [("mid-2015", 1.0), ("mid-2020", 2.0), ("census-2021", 3.0)],
    )
    vintages.record(con)
    frame = queries.population_totals(con, level="lad24")
    assert frame[["vintage", "population"]].values.tolist() == [["census-2021", 3.0]]
    assert max(["mid-2015", "mid-2020", "census-2021"]) == "mid-2020"  # what string order would have chosen


def test_headline_numbers(con) -> None:
    frame = queries.headline_numbers(con, need="imd_average_score", capacity="ncvo_charities_per_1000")
    values = dict(zip(frame["label"], frame["value"], strict=True))
    assert values["Charities per 1,000 residents in the most deprived tenth of districts"] == pytest.approx(1.0)
    assert values["Neighbourhoods (LSOAs) with an IMD score"] == 12
    rank = frame.set_index("label").loc["Rank correlation of district need with capacity (Spearman ρ)"]
    assert rank["value"] < -0.9 and rank["unit"] == "rho"
    assert rank["detail"].startswith("95% CI −") and rank["detail"].endswith("; n = 6 districts")
    assert set(frame["source"]) == {"Invented source"}


@pytest.mark.parametrize(
    ("geography", "lads", "rows"), [("lad24", (), 6), ("lsoa21", (), 12), ("lsoa_in_lads", ("E06000902",), 2)]
)
def test_map_frame_and_geometry_agree(con, geography: str, lads: tuple[str, ...], rows: int) -> None:
    frame = queries.map_frame(con, geography=geography, measures=("imd_score", "imd_average_score"), lad_codes=lads)
    geo = queries.map_geometry(con, geography=geography, lad_codes=lads)
    assert len(frame) == len(geo) == rows
    assert set(frame["area_code"]) == set(geo["code"])


def test_missing_layers_and_provenance(con) -> None:
    assert queries.missing_layers(con)["source_id"].tolist() == ["ccew_register"]
    assert queries.source_vintages(con)[["title", "vintage"]].values.tolist() == [["Invented source", "2099"]]
