"""The Map view-model on the tiny database: what can be mapped, one measure, need × capacity."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go

from insight.maps.classes import SCHEMES
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


def test_what_cannot_be_drawn_is_said_per_view(con) -> None:
    choices = page.choices(con, geography="lad24")
    assert choices.warning("single") == choices.warning("bivariate") == ""
    no_capacity = replace(choices, missing_capacity="No capacity measure.")
    assert no_capacity.warning("single") == "" and no_capacity.warning("bivariate") == "No capacity measure."
    nothing = replace(no_capacity, missing="No measures.")
    assert nothing.warning("single") == nothing.warning("bivariate") == "No measures."


def test_colours_open_on_the_natural_scheme(con) -> None:
    natural = page.natural_scheme(con, geography="lad24", measure="imd_average_score", lad_codes=())
    index = page.scheme_index(con, geography="lad24", measure="imd_average_score", lad_codes=())
    assert list(SCHEMES)[index] == natural == "classes"


def test_old_links_name_ids_the_page_rewrites_to_labels(con) -> None:
    labels = page.link_labels(con)
    assert set(labels) == {"view", "geo", "measure", "need", "capacity", "scale"}
    assert labels["view"]["bivariate"] == "Need × capacity (bivariate)" and labels["scale"] == SCHEMES
    assert labels["geo"] is page.GEOGRAPHIES and labels["measure"]["imd_average_score"] == "IMD average score"
    assert labels["need"] == labels["capacity"] == labels["measure"]  # any measure, offered here or not


def test_every_neighbourhood_table_is_shown_on_request() -> None:
    table = pd.DataFrame({"area_code": [f"E01{i:06d}" for i in range(1234)]})
    raster = page.Map(None, b"packed", "map_imd_score_lsoa21", [], table, "imd_score_lsoa21")
    assert raster.on_request and raster.table_toggle == "Show all 1,234 neighbourhoods as a table"
    held = raster.table_panel(held=True)
    assert not held.table_shown and held.table_label == "Download all 1,234 (CSV)" and held.table is table
    shown = raster.table_panel(held=False)
    assert shown.table_shown and shown.table_label == "Download table (CSV)"
    assert shown.table_filename == "imd_score_lsoa21"
    assert not replace(raster, payload=None, figure=go.Figure()).on_request  # any other map: the table at once
