"""The Map view-model on the tiny database: what can be mapped, one measure, need × capacity."""

from __future__ import annotations

from insight.pages import map as page


def test_choices_and_defaults(con) -> None:
    choices = page.choices(con, geography="lad24")
    assert not choices.missing and not choices.missing_capacity
    assert "ncvo_charities" not in choices.measures  # raw counts are not mapped
    assert choices.measures[choices.default()] == "imd_average_score"  # no own-nation measure in the tiny database
    assert choices.capacity[choices.default("capacity")] == "ncvo_charities_per_1000"
    assert page.lad_names(con)["E06000901"] == "Aldbury"


def test_one_measure_as_a_choropleth_with_its_table(con) -> None:
    scheme = page.natural_scheme(con, geography="lad24", measure="imd_average_score", lad_codes=())
    shown = page.single_map(con, geography="lad24", measure="imd_average_score", scheme=scheme)
    assert scheme == "classes" and shown.payload is None and shown.legend is None
    assert shown.filename == "map_imd_average_score_lad24" and len(shown.table) == 6
    assert shown.captions[0].endswith("Grey: no value.") and any("decile" in c.lower() for c in shown.captions[1:])


def test_need_by_capacity_in_nine_classes(con) -> None:
    shown = page.bivariate_map(con, geography="lad24", need="imd_average_score", capacity="ncvo_charities_per_1000")
    assert shown.legend is not None and shown.table_name == "bivariate_imd_average_score_ncvo_charities_per_1000_lad24"
    assert len(shown.table) == 6 and page.BIVARIATE_NOTE in shown.captions
