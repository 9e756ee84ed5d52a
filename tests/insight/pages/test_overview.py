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
    (scatter,) = view.scatter.charts
    assert scatter.filename == scatter.table_filename == "ncvo_charities_per_1000_vs_imd_average_score_districts"
    assert len(scatter.table) == 6 and scatter.captions[1].startswith("6 districts have both values")
    assert view.highlight.startswith("**Aldbury**: IMD average score 40.0;")
    assert set(view.headlines.columns) == {"label", "text", "detail"}
    assert [chart.filename for chart in view.dependence.charts] == [
        "share_charities_govt_funded_by_district_imd_decile"
    ]
    assert view.lsoa.charts == () and "not loaded" in view.lsoa.missing  # no neighbourhood capacity measure
    assert view.lsoa.missing.endswith(" The district view above is shown instead.")


def test_each_section_says_why_it_has_no_chart_and_notes_only_what_is_drawn(con) -> None:
    view = page.overview(con, need=None, capacity=None, area=None)
    assert view.scatter.charts == () and view.headlines.empty and view.highlight == ""
    assert view.scatter.missing.startswith("Need or capacity for districts is not loaded")
    assert view.dependence.missing.startswith(page.REGISTER) and view.scatter.note == ""
    (deciles,) = view.deciles.charts  # noted as English districts only, above the chart
    assert view.deciles.note == page.DECILE_NOTE and deciles.table_filename == "capacity_by_need_decile"
    assert page.drawn(None) == ()
