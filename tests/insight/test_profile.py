"""Area profile logic: similar areas, Fingertips-style comparisons, ranked neighbourhoods and the HTML brief."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from insight import profile
from tests.fixtures.dashboard.tiny_db import build_tiny_db


def test_similar_areas_are_nearest_first(con) -> None:
    similar = profile.similar_areas(profile.level_data(con, level="lad24"), code="E06000901", n=3)
    assert similar["area_name"].tolist() == ["Brambleton", "Cressford", "Dunmere"]
    assert similar["distance"].is_monotonic_increasing


def test_similarity_statement_names_inputs(con) -> None:
    text = profile.similarity_statement(profile.level_data(con, level="lad24"), code="E06000901")
    assert "areas of England" in text and "IMD average score, Income average score, log population" in text


@pytest.mark.parametrize(
    ("value", "national", "sd", "polarity", "unit", "quintile", "expected"),
    [
        (40.0, 21.0, 12.0, "higher_is_worse", "score", None, "Worse"),
        (25.0, 21.0, 12.0, "higher_is_worse", "score", None, "Similar"),
        (4.0, 2.4, 1.0, "higher_is_better", "per 1,000 residents", None, "Better"),
        (1.0, 2.4, 1.0, "higher_is_better", "per 1,000 residents", None, "Worse"),
        (100.0, 500.0, 50.0, "none", "count", 1, "Not compared (a count, not a rate)"),
        (0.7, 0.5, 0.1, "none", "index", 4, "Quintile 4 of 5"),
        (3.0, 6.0, 2.0, "none", "decile", None, "Decile 3 (1 = most deprived)"),
        (float("nan"), 2.0, 1.0, "higher_is_worse", "score", None, "No data"),
    ],
)
def test_compare_rule(value, national, sd, polarity, unit, quintile, expected) -> None:
    assert profile.compare(value, national=national, sd=sd, polarity=polarity, unit=unit, quintile=quintile) == expected


@pytest.mark.parametrize(("value", "expected"), [(1.0, 1), (2.5, 3), (4.0, 5)])
def test_quintile_of(value: float, expected: int) -> None:
    assert profile.quintile_of(value, pd.Series([1.0, 1.5, 2.0, 2.5, 3.0, 4.0])) == expected


def test_comparison_table_for_aldbury(con) -> None:
    table = profile.comparison_table(profile.level_data(con, level="lad24"), code="E06000901").set_index("measure")
    score = table.loc["imd_average_score"]
    assert (score["value"], score["national"], score["region"], score["comparison"]) == (40.0, 21.0, 30.0, "Worse")
    # similar = mean of the other five districts (all of them are among the 10 nearest here)
    assert score["similar"] == pytest.approx((32 + 25 + 18 + 12 + 8) / 5)
    assert table.loc["ncvo_charities_per_1000", "comparison"] == "Worse"
    assert table.loc["share_charities_govt_funded", "national"] == pytest.approx(0.35)  # median of districts


def test_area_lsoas_ranked_by_need(con) -> None:
    lsoas = profile.area_lsoas(con, level="icb24", code="E54000901")
    assert lsoas["lsoa_name"].tolist()[:2] == ["Aldbury 001A", "Brambleton 001A"]
    assert lsoas["need_rank"].tolist() == [1, 2, 3, 4, 5, 6]
    assert "capacity_gap" not in lsoas.columns  # no LSOA capacity measure in this database


def test_brief_html_escapes_and_lists_sources(con) -> None:
    table = profile.comparison_table(profile.level_data(con, level="lad24"), code="E06000901")
    sources = pd.DataFrame(
        [{"title": "Invented <source>", "publisher": "Nobody", "vintage": "2099", "licence": "none"}]
    )
    figures = [
        fig
        for _, fig in profile.profile_figures(
            table, pd.DataFrame({"imd_score": [], "lsoa_name": []}), area_name="Aldbury", region_name=None, font_size=16
        )
    ]
    text = profile.brief_html(
        area_name="A <b>",
        level_label="District",
        table=table,
        figures=figures[:1],
        sources=sources,
        notes=["note & more"],
    )
    assert "A &lt;b&gt;: need and voluntary-sector capacity" in text
    assert "Invented &lt;source&gt; — Nobody, 2099" in text
    assert "note &amp; more" in text
    assert text.count("<table>") == 1 and "Plotly.newPlot" in text


def test_area_lsoas_gap_when_an_lsoa_capacity_measure_is_loaded(tmp_path) -> None:
    path = build_tiny_db(tmp_path / "tiny.duckdb")
    writable = duckdb.connect(str(path))
    writable.execute(
        """INSERT INTO area_measures SELECT 'lsoa21', area_code, 'charity_income_per_resident', 100 - value,
           'invented_src', '2099', NULL FROM area_measures WHERE level = 'lsoa21' AND measure = 'imd_score'"""
    )
    writable.execute(
        "UPDATE area_measures SET value = 90 WHERE area_code = 'E01000001' AND measure = 'charity_income_per_resident'"
    )
    writable.close()
    con = duckdb.connect(str(path), read_only=True)
    lsoas = profile.area_lsoas(con, level="lad24", code="E06000901").set_index("lsoa_code")
    con.close()
    # The national Theil–Sen line over all 12 invented LSOAs is exactly value = 100 − score: one lifted LSOA
    # (E01000001, 55 → 90) cannot tilt a median of pairwise slopes, as it would tilt least squares.
    assert lsoas.loc["E01000001", "capacity_gap"] == pytest.approx(90.0 - (100 - 45.0))
    assert lsoas.loc["E01000002", "capacity_gap"] == pytest.approx(0.0)
    assert lsoas.loc["E01000001", "capacity_gap"] > 20 > lsoas.loc["E01000002", "capacity_gap"]


@pytest.mark.parametrize(
    ("value", "css"),
    [
        ("Better", "background-color: #9ecae1; color: black"),
        ("Worse", "background-color: #fdae6b; color: black"),
        ("Quintile 2 of 5", ""),
    ],
)
def test_comparison_style(value: str, css: str) -> None:
    assert profile.comparison_style(value) == css


def two_nation_level() -> profile.LevelData:
    """Invented districts: three English with an English-index measure, three Welsh with a Welsh-index one."""
    catalog = pd.DataFrame(
        [("eng_score", "English index score"), ("wal_share", "Welsh index share")], columns=["measure", "label"]
    ).assign(layer="need", unit="score", polarity="higher_is_worse", definition="", areas=3, source_id="s", vintage="v")
    values = pd.DataFrame(
        {
            "area_code": ["E09999991", "E09999992", "E09999993", "W09999991", "W09999992", "W09999993"],
            "area_name": ["Ea", "Eb", "Ec", "Wa", "Wb", "Wc"],
            "eng_score": [10.0, 20.0, 30.0, None, None, None],
            "wal_share": [None, None, None, 0.1, 0.2, 0.5],
        }
    )
    comparators = {
        "E": pd.DataFrame({"measure": ["eng_score"], "national": [20.0], "level_median": [20.0], "level_sd": [5.0]}),
        "W": pd.DataFrame({"measure": ["wal_share"], "national": [0.1], "level_median": [0.2], "level_sd": [0.1]}),
    }
    areas = values[["area_code", "area_name"]].rename(columns={"area_code": "code", "area_name": "name"})
    return profile.LevelData(
        level="lad24",
        catalog=catalog,
        values=values,
        comparators=comparators,
        regions=pd.DataFrame(columns=["area_code", "eng_score", "wal_share"]),
        areas=areas.assign(region_code=None),
        population=pd.DataFrame(),
    )


def test_a_welsh_area_is_compared_with_wales_on_welsh_measures() -> None:
    data = two_nation_level()
    table = profile.comparison_table(data, code="W09999993").set_index("measure")
    assert list(table.index) == ["wal_share"]  # the English index is not shown for a Welsh area
    assert (table.loc["wal_share", "national"], table.loc["wal_share", "comparison"]) == (0.1, "Worse")
    similar = profile.similar_areas(data, code="W09999993")
    assert set(similar["area_code"]) == {"W09999991", "W09999992"}
    assert "areas of Wales" in profile.similarity_statement(data, code="W09999993")
    assert profile.comparison_rule("W09999993").startswith("Compared with Wales")
    display = profile.display_table(table.reset_index(), area_name="Wc", region_name="Wales", nation="Wales")
    assert list(display.columns)[3:7] == ["Wales (region)", "Similar areas (mean)", "Wales", "vs Wales"]


def test_an_english_area_is_compared_with_england_only() -> None:
    data = two_nation_level()
    table = profile.comparison_table(data, code="E09999991").set_index("measure")
    assert list(table.index) == ["eng_score"] and table.loc["eng_score", "comparison"] == "Better"
    assert set(profile.similar_areas(data, code="E09999991")["area_code"]) == {"E09999992", "E09999993"}
