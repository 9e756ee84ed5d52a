"""insight.pages.your_data (the Your data page's view-model) on the tiny invented database and its 50 invented records.

What the page shows at each step: the example offer, the parsed file (through the upload sandbox's child process),
the column form and its filters, and the protected results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from insight.export import to_csv_bytes
from insight.pages import your_data as uv
from insight.panel import Panel
from insight.uploads import analyse as byod
from insight.uploads import cellkey, example
from insight.uploads.checks import UploadError
from insight.uploads.readers import Upload, upload_limit_mb
from tests.fixtures.byod import HERE, tiny_connection
from tests.fixtures.byod import noise_free as exact

RECORDS = example.ExampleFile(name="records_50.csv", data=(HERE / "records_50.csv").read_bytes(), file_id="records")


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    with tiny_connection(tmp_path_factory.mktemp("byod")) as connection:
        yield connection


@pytest.fixture(scope="module")
def shown() -> uv.Uploaded:
    return uv.read(RECORDS, None, 10)  # parsed in the sandbox's child process, as on the page


@pytest.fixture(scope="module")
def upload(shown):
    return shown.upload


@pytest.fixture(scope="module")
def result(con, upload) -> byod.ByodResult:
    return exact(con, frame=upload.frame, mapping=byod.detect_mapping(upload.frame), threshold=10)


@pytest.fixture(scope="module")
def view(result) -> uv.ResultsView:
    return uv.results_view(result)


def test_upload_limit_is_the_smaller_of_the_setting_and_the_server():
    assert uv.upload_limit(1) == 1
    assert uv.upload_limit(10**6) == upload_limit_mb()
    assert uv.uploader_label(7) == "CSV, Excel (.xlsx) or 360Giving JSON file, up to 7 MB"


def test_example_offer():
    assert f"({len(example.records())} rows in {len(example.DISTRICTS)} real districts;" in uv.example_blurb()
    assert "invented records, not real data" in uv.example_warning("example.csv")
    assert [uv.example_format(kind) for kind in uv.EXAMPLES] == ["CSV", "Excel (.xlsx)", "360Giving JSON"]
    data, name, mime = uv.example_download("csv")
    assert (data, name, mime) == (example.example_bytes("csv"), "vcs-insight-invented-example.csv", "text/csv")
    file = uv.example_upload("json")
    assert (file.name, file.file_id) == ("vcs-insight-invented-example.json", "example-json")


def test_example_offer_for_the_file_chooser():
    offer = uv.example_offer()
    assert offer.title == "No file to hand? Try an example file" and offer.blurb == uv.example_blurb()
    assert offer.formats == {"csv": "CSV", "xlsx": "Excel (.xlsx)", "json": "360Giving JSON"}
    assert list(offer.formats) == list(uv.EXAMPLES)
    assert offer.download("xlsx") == uv.example_download("xlsx") and offer.file("csv") == uv.example_upload("csv")
    assert offer.notice("x.csv") == uv.example_warning("x.csv")


def test_read_composes_what_the_page_shows_of_a_file(shown, upload):
    assert len(upload.frame) == 50 and shown.sheets == ()
    assert (
        shown.preview_line == f"**50 rows** and {len(upload.frame.columns)} columns. First rows (shown as plain text):"
    )
    assert uv.preview_line(upload) == shown.preview_line
    assert len(shown.preview) == 10
    services = shown.preview["Service"].tolist()
    assert '\'=HYPERLINK("http://example.invalid","click")' in services  # formula-like text neutralised
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in services)
    assert shown.form == uv.mapping_form(upload.frame)
    noted = uv.uploaded(Upload(upload.frame, "csv", sheets=("One", "Two"), sheet="Two", notes=("Read *one* sheet",)))
    assert noted.notes == ("Read \\*one\\* sheet",) and noted.sheets == ("One", "Two")
    panel = noted.panel  # notes, then the size line, then the first rows, with no download of ours
    assert (panel.captions, panel.text, panel.downloadable) == (noted.notes, noted.preview_line, False)
    assert panel.table is noted.preview and panel.table_shown


def test_a_refused_file_says_why_and_offers_other_sheets():
    with pytest.raises(UploadError) as refused:
        uv.read(example.ExampleFile(name="my*file.csv", data=b"", file_id="empty"), None, 10)
    assert uv.refusal(refused.value) == "The file is empty\\."  # made literal for markdown
    assert uv.refusal(UploadError("no column *Post Code*")) == "no column \\*Post Code\\*"
    assert uv.sheet_options(("Only",)) == () and uv.sheet_options(()) == ()
    assert uv.sheet_options(("Calculated", "Records")) == ("Calculated", "Records")


def test_mapping_form_preselects_the_detected_columns(upload):
    form = uv.mapping_form(upload.frame)
    assert form.columns[form.location] == "Post Code" and byod.KINDS[form.kind] == "postcode"
    picked = {field: form.optional[index] for field, index in form.picks.items()}
    assert picked == {"count": uv.NONE, "amount": uv.NONE, "date": "Date seen", "category": "Service"}
    assert [(field, label) for field, label, _ in form.fields] == list(uv.OPTIONAL_FIELDS.items())
    assert {field: form.optional[index] for field, _, index in form.fields} == picked
    assert form.problem is None
    mapping = uv.chosen_mapping(location="Post Code", kind="postcode", picks=picked)
    assert mapping == byod.detect_mapping(upload.frame)


def test_mapping_form_without_a_location_column_says_so():
    form = uv.mapping_form(pd.DataFrame({"name": ["alpha"], "service": ["beta"]}))
    assert form.location is None and "No column with postcodes" in form.problem.replace("\\", "")


def test_filters_offer_categories_and_dates_of_the_chosen_columns(upload):
    picks = {"count": uv.NONE, "amount": uv.NONE, "date": "Date seen", "category": "Service"}
    chosen = uv.filters(upload.frame, location="Post Code", kind="postcode", picks=picks)
    assert chosen.mapping == byod.detect_mapping(upload.frame)
    assert chosen.category and "Advice" in chosen.categories
    assert chosen.categories == byod.category_values(upload.frame, mapping=chosen.mapping)
    assert chosen.dates is not None and chosen.dates[0] < chosen.dates[1]
    none = uv.filters(upload.frame, location="Post Code", kind="postcode", picks=dict.fromkeys(picks, uv.NONE))
    assert (none.category, none.categories, none.dates) == (False, [], None)


def test_filters_give_no_slider_for_a_single_date():
    frame = pd.DataFrame({"pc": ["ZZ1 1AA", "ZZ1 1AB"], "when": ["2024-01-15", "2024-01-15"]})
    picks = {"count": uv.NONE, "amount": uv.NONE, "date": "when", "category": uv.NONE}
    assert uv.filters(frame, location="pc", kind="postcode", picks=picks).dates is None


def test_results_view_is_protected(view):
    # Noise-free known answers (test_uploads): 50 rows read, 44 matched; 1, 2 and 2 are below 10 and hidden.
    assert view.metrics[:2] == (("Rows read", "50", None), ("Matched", "44", "matched to an area"))
    assert [value for _, value, _ in view.metrics[2:]] == ["[c]", "[c]", "[c]"]
    assert view.match_caption.startswith("Blank location: [c]. Terminated postcodes still placed:")
    assert "Hidden: 4 LSOA cell(s), 2 district(s), 2 decile(s)" in view.suppression


def test_results_tables_are_protected_panels(view, result):
    assert [s.heading for s in view.sections] == ["High need, low reach", "By district", "By neighbourhood (LSOA)"]
    names = [s.table_filename for s in (view.deciles, *view.sections)]
    assert names == ["by_decile", "high_need_low_reach", "by_district", "by_lsoa"]
    labels = [s.table_label for s in (view.deciles, *view.sections)]
    assert labels == [
        "Download by decile (CSV)",
        "Download (CSV)",
        "Download by district (CSV)",
        "Download by LSOA (CSV)",
    ]
    assert view.sections[0].captions[0].startswith("Neighbourhoods in the most deprived 20% of their nation")
    assert view.deciles.figure is not None and view.deciles.filename == "your_data_by_decile"
    lsoa = view.sections[2]
    assert list(lsoa.table.columns) == [byod.LSOA_COLUMNS[c] for c in byod.LSOA_COLUMNS if c in result.lsoa]
    assert lsoa.table["Records"].notna().sum() == 3  # hidden cells are blank in the grid
    assert (lsoa.table_download["Records"] == "[c]").sum() == len(lsoa.table) - 3  # the download writes [c]
    assert to_csv_bytes(lsoa.table_download) == byod.export_csv(result.lsoa, columns=byod.LSOA_COLUMNS)


def test_results_panels_in_the_order_the_page_shows_them(view, result):
    matched, not_placed, notes, reach, population, *rest = view.panels
    assert (matched.heading, matched.metrics, matched.captions) == (
        "How your rows matched",
        view.metrics,
        (view.match_caption,),
    )
    assert view.out_of_scope is None and matched.table is None  # 2 rows outside: hidden, so no table of them
    outside = uv.results_view(replace(result, summary={**result.summary, "out_of_scope": 12})).panels[0]
    assert outside.table is not None and not outside.downloadable  # shown, with no download
    assert outside.table.equals(byod.labelled(result.out_of_scope, columns=byod.SCOPE_COLUMNS))
    assert not_placed.table is view.not_matched and not not_placed.table_shown and not_placed.downloadable
    assert (not_placed.table_filename, not_placed.table_label) == ("rows_not_placed", uv.NOT_PLACED_LABEL)
    assert notes.captions == view.notes and notes.warning == view.suppression
    assert notes.warning_icon == ":material/visibility_off:"
    assert (reach.heading, reach.text) == ("Reach against need", view.headline)
    assert population.captions == (uv.POPULATION_NOTE,)
    assert rest == [view.deciles, view.map, *view.sections]


def test_results_panels_without_unplaced_rows(view):
    placed = replace(view, not_matched=view.not_matched.iloc[0:0])
    assert placed.panels[1] == Panel()  # nothing to download: no button


def test_rows_not_placed_are_the_users_own_rows(view, upload):
    assert 0 < len(view.not_matched) < len(upload.frame)
    assert set(view.not_matched["Client ref"]) <= set(upload.frame["Client ref"])


def test_results_chain_the_run_through_analyse(con, upload, view, monkeypatch):
    monkeypatch.setattr(cellkey, "PTABLE", np.zeros_like(cellkey.PTABLE))  # true counts, as `view`
    steps = []
    run = uv.Run("records", None, byod.detect_mapping(upload.frame), threshold=10)
    shown = uv.results(con, frame=upload.frame, run=run, progress=lambda share, text: steps.append(share))
    assert shown.metrics == view.metrics and shown.headline == view.headline
    assert steps and steps[-1] == pytest.approx(1.0)
    later = uv.Run("records", None, run.mapping, span=(dt.date(2024, 6, 1), dt.date(2024, 12, 31)), threshold=10)
    assert later != run  # other choices: the page shows "Press Map my records" until pressed again
    fewer = uv.results(con, frame=upload.frame, run=later)
    assert fewer.metrics[0][1] in {"[c]", *(str(n) for n in range(10, 50))}
    assert uv.Run("records", None, run.mapping, threshold=10) == run


def test_map_panel(view, result, con):
    assert view.map_level == "lsoa21" and uv.map_codes(view.map_areas) == tuple(sorted(view.map_areas["code"].dropna()))
    assert view.map.notice.startswith("Boundaries are not loaded")  # results_view without boundaries
    assert uv.map_panel("lsoa21", view.map_areas, geo=pd.DataFrame()).notice.startswith("Boundaries are not loaded")
    empty = uv.map_panel("lsoa21", view.map_areas.iloc[0:0], geo=None)
    assert (empty.notice, empty.figure) == (None, None)
    geo = pd.DataFrame(
        {"code": ["E01999003"], "name": ["Invented"], "geojson": ['{"type":"Point","coordinates":[-1.5,52.5]}']}
    )
    drawn = uv.map_panel("lsoa21", view.map_areas, geo=geo)
    assert drawn.notice is None and drawn.figure is not None and drawn.filename == "your_data_map"
    assert uv.results_view(result, geo=geo).map.figure is not None
