"""insight.jeopardy.view on the ten invented districts of tests/fixtures/jeopardy/tiny.sql: what the page shows."""

from __future__ import annotations

import pandas as pd
import pytest

from insight.jeopardy import view as jv

MEASURES = {"need": "imd_average_score", "capacity": "ncvo_charities_per_1000"}


@pytest.fixture(scope="module")
def con(jeopardy_con):
    return jeopardy_con


def test_choices_offer_directed_measures_with_defaults(con):
    pick = jv.choices(con, level="lad24")
    assert pick.options == {
        "need": ["imd_average_score", "imd_rank_test"],  # the decile has no direction, counts are not offered
        "capacity": ["ncvo_charities_per_1000"],
        "dependence": ["share_charities_govt_funded"],  # govt_income_share has no values
    }
    assert pick.defaults == {
        "need": "imd_average_score",
        "capacity": "ncvo_charities_per_1000",
        "dependence": "share_charities_govt_funded",
    }
    assert pick.labels["imd_rank_test"] == "IMD rank (test)"


def test_three_jeopardy_view(con):
    view = jv.jeopardy_view(
        con, level="lad24", **MEASURES, dependence="share_charities_govt_funded", percents=(20, 30, 20)
    )
    assert view.warning is None and view.notice is None and view.word == "Triple"
    # Worked by hand in test_jeopardy: J alone is in the worst 20% of need, 30% of capacity and 20% of dependence.
    assert view.metrics == (
        ("Triple-jeopardy areas", "1", "In the worst share for every measure"),
        ("Top 20% for need", "2", None),
        ("Bottom 30% for capacity", "3", None),
        ("Top 20% for dependence", "2", None),
    )
    assert view.captions[0] == "10 of 10 local authority districts have every chosen measure."
    assert view.captions[1].startswith("Data — ")
    assert len(view.table) == 10 and view.shown(flagged_only=True)["Area"].tolist() == ["Testshire J"]
    assert list(view.table.columns[4:7]) == ["IMD average score", "Charities per 1,000", "Share govt funded"]
    assert view.formats["Share govt funded"] == "percent" and view.formats["Capacity gap"] == "%+.2f"
    assert view.map_codes is None  # districts: every area is drawn


def test_two_jeopardy_says_what_is_missing(con):
    view = jv.jeopardy_view(con, level="lad24", **MEASURES, dependence=None, percents=(20, 20, 20))
    assert view.word == "Two" and view.metrics[0][0] == "Two-jeopardy areas"
    assert view.metrics[3] == ("Top 20% for dependence", "not loaded", None)
    assert "Invented charity register" in view.notice and "two-jeopardy version" in view.notice
    assert "Share govt funded" not in view.table.columns


def test_missing_capacity_gives_only_a_warning(con):
    view = jv.jeopardy_view(
        con, level="lad24", need="imd_average_score", capacity=None, dependence=None, percents=(20, 20, 20)
    )
    assert view.warning.startswith("No capacity measure has values for local authority districts")
    assert view.result is None and view.table.empty and view.metrics == ()


def test_panels(con):
    view = jv.jeopardy_view(con, level="lad24", **MEASURES, dependence=None, percents=(20, 20, 20))
    top = jv.top_panel(view)
    assert top.figure.data[0].type == "bar" and top.filename == "jeopardy_top20_lad24"
    gap = jv.gap_panel(view)
    assert gap.figure.layout.xaxis.title.text == "IMD average score"
    assert gap.captions[0].startswith("Expected capacity = 20.000 − 1.000 × need (Theil–Sen line over 10 areas")
    no_boundaries = jv.map_panel(view, geo=pd.DataFrame(columns=["code", "geometry"]), geojson_url=None)
    assert no_boundaries.figure is None
    assert (
        no_boundaries.notice == "No boundaries for local authority districts are in this database, so there is no map."
    )


def test_neighbourhood_map_draws_only_flagged_areas():
    table = pd.DataFrame({"area_code": ["E01000001", "E01000002"], "flagged": [False, False], "score": [1.0, 2.0]})
    result = jv.jeopardy.Result(table=table, fit=None, roles=("need", "capacity"))
    view = jv.JeopardyView(level="lsoa21", result=result)
    assert view.map_codes == ()
    panel = jv.map_panel(view, geo=None, geojson_url=None)  # the page fetches no boundaries for no areas
    assert panel.notice == "No neighbourhood is flagged at these thresholds, so there is nothing to map."


def test_definitions_describe_the_robust_line():
    assert "Theil–Sen" in jv.DEFINITIONS and "least squares" not in jv.DEFINITIONS


def test_map_boundaries_only_of_the_areas_drawn(con):
    assert jv.boundaries(con, level="lsoa21", codes=()) == (None, None)  # nothing flagged: nothing fetched
    try:
        con.execute(
            "INSERT INTO boundaries VALUES ('E01000001', 'lsoa21', 'A', '{}', 0, 4, 1), "
            "('E01000002', 'lsoa21', 'B', '{}', 0, 4, 1)"
        )
        geo, url = jv.boundaries(con, level="lsoa21", codes=("E01000002",))
        assert geo["code"].tolist() == ["E01000002"] and url is None  # neighbourhoods have no boundary file
        assert jv.boundaries(con, level="lsoa21", codes=None)[0]["code"].tolist() == ["E01000001", "E01000002"]
    finally:
        con.execute("DELETE FROM boundaries WHERE level = 'lsoa21'")
    geo, url = jv.boundaries(con, level="lad24", codes=None)
    assert geo.empty and url is None  # no district boundaries in the tiny database: map_panel says so


def test_page_texts_and_download_name(con):
    assert jv.INTRO[0].startswith("Which areas combine high need") and jv.INTRO[1] == jv.nations.OWN_NATION_NOTE
    view = jv.jeopardy_view(con, level="lad24", **MEASURES, dependence=None, percents=(20, 20, 20))
    assert view.csv_name == "triple_jeopardy_lad24"
