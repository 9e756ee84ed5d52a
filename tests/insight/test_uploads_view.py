"""insight.uploads.view on the tiny invented database and its 50 invented records: what the Your data page shows."""

from __future__ import annotations

import pandas as pd
import pytest

from insight.uploads import analyse as byod
from insight.uploads import example
from insight.uploads import view as uv
from insight.uploads.sandbox import read_upload
from tests.fixtures.byod import HERE, tiny_connection
from tests.fixtures.byod import noise_free as exact


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    with tiny_connection(tmp_path_factory.mktemp("byod")) as connection:
        yield connection


@pytest.fixture(scope="module")
def upload():
    return read_upload((HERE / "records_50.csv").read_bytes(), name="records_50.csv")


@pytest.fixture(scope="module")
def view(con, upload) -> uv.ResultsView:
    return uv.results_view(exact(con, frame=upload.frame, mapping=byod.detect_mapping(upload.frame), threshold=10))


def test_example_and_preview_lines(upload):
    assert f"({len(example.records())} rows in {len(example.DISTRICTS)} real districts;" in uv.example_blurb()
    assert "invented records, not real data" in uv.example_warning("example.csv")
    assert (
        uv.preview_line(upload)
        == f"**50 rows** and {len(upload.frame.columns)} columns. First rows (shown as plain text):"
    )


def test_mapping_form_preselects_the_detected_columns(upload):
    form = uv.mapping_form(upload.frame)
    assert form.columns[form.location] == "Post Code" and byod.KINDS[form.kind] == "postcode"
    picked = {field: form.optional[index] for field, index in form.picks.items()}
    assert picked == {"count": uv.NONE, "amount": uv.NONE, "date": "Date seen", "category": "Service"}
    assert form.problem is None
    mapping = uv.chosen_mapping(location="Post Code", kind="postcode", picks=picked)
    assert mapping == byod.detect_mapping(upload.frame)


def test_mapping_form_without_a_location_column_says_so():
    form = uv.mapping_form(pd.DataFrame({"name": ["alpha"], "service": ["beta"]}))
    assert form.location is None and "No column with postcodes" in form.problem.replace("\\", "")


def test_results_view_is_protected(view):
    # Noise-free known answers (test_byod): 50 rows read, 44 matched; 1, 2 and 2 are below 10 and hidden.
    assert view.metrics[:2] == (("Rows read", "50", None), ("Matched", "44", "matched to an area"))
    assert [value for _, value, _ in view.metrics[2:]] == ["[c]", "[c]", "[c]"]
    assert view.match_caption.startswith("Blank location: [c]. Terminated postcodes still placed:")
    assert "Hidden: 4 LSOA cell(s), 2 district(s), 2 decile(s)" in view.suppression
    assert [s.heading for s in view.sections] == ["High need, low reach", "By district", "By neighbourhood (LSOA)"]
    names = [s.file_name for s in (view.deciles, *view.sections)]
    assert names == ["by_decile.csv", "high_need_low_reach.csv", "by_district.csv", "by_lsoa.csv"]
    lsoa = view.sections[2]
    assert list(lsoa.shown.columns) == [byod.LSOA_COLUMNS[c] for c in byod.LSOA_COLUMNS if c in lsoa.frame]
    assert b"[c]" in lsoa.csv()  # hidden cells are written as [c], never as numbers


def test_map_panel(view):
    assert view.map_level == "lsoa21" and view.map_codes == tuple(sorted(view.map_areas["code"].dropna()))
    assert uv.map_panel(view, geo=pd.DataFrame()).notice.startswith("Boundaries are not loaded")
    nothing = uv.ResultsView(**{**view.__dict__, "map_areas": view.map_areas.iloc[0:0]})
    empty = uv.map_panel(nothing, geo=pd.DataFrame())
    assert (empty.notice, empty.figure) == (None, None)
