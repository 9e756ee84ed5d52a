"""The Overview view-model on the tiny database: choices, headlines, decile charts and the scatter in one call."""

from __future__ import annotations

from insight.pages import overview as page


def test_choices_offer_rates_and_default_by_the_one_rule(con) -> None:
    choices = page.choices(con)
    assert "imd_lad_decile" not in choices.need and "imd_average_score" in choices.need
    assert choices.capacity[choices.default("capacity")] == "ncvo_charities_per_1000"
    assert choices.areas["E06000901"] == "Aldbury"


def test_one_call_holds_every_section(con) -> None:
    view = page.overview(con, need="imd_average_score", capacity="ncvo_charities_per_1000", area="E06000901")
    assert view.scatter is not None and view.scatter.name == "ncvo_charities_per_1000_vs_imd_average_score_districts"
    assert len(view.scatter.table) == 6 and view.scatter.captions[1].startswith("6 districts have both values")
    assert view.highlight.startswith("**Aldbury**: IMD average score 40.0;")
    assert set(view.headlines.columns) == {"label", "text", "detail"}
    assert [chart.name for chart in view.dependence] == ["share_charities_govt_funded_by_district_imd_decile"]
    assert view.lsoa is None and "not loaded" in view.notes["lsoa"]  # no neighbourhood capacity measure


def test_without_measures_the_scatter_says_why(con) -> None:
    view = page.overview(con, need=None, capacity=None, area=None)
    assert view.scatter is None and view.headlines.empty and view.highlight == ""
    assert view.notes["scatter"].startswith("Need or capacity for districts is not loaded")
