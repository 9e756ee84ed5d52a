"""Your data: upload service records or grants and see reach against need, with every count protected."""

from __future__ import annotations

from functools import partial

import streamlit as st

from insight import queries
from insight import streamlit_adapter as ui
from insight.export import neutralised, to_csv_bytes
from insight.uploads import analyse as byod
from insight.uploads import cellkey
from insight.uploads import example as byod_example
from insight.uploads import view as uv
from insight.uploads.readers import UploadError, upload_limit_mb
from insight.uploads.sandbox import read_upload, warm_up

con = ui.require_database()
st.title("Your data")
st.caption("Upload service records or grants (postcodes, LSOA codes or district codes) to see your reach against need.")
st.info(uv.PRIVACY, icon=":material/lock:")

# The server refuses bodies over server.maxUploadSize before this page sees them: state the smaller limit.
limit = min(upload_limit_mb(), int(st.get_option("server.maxUploadSize")))
warm_up()  # the parser process starts while the user picks a file
upload_file = st.file_uploader(
    f"CSV, Excel (.xlsx) or 360Giving JSON file, up to {limit} MB",
    type=["csv", "txt", "tsv", "xlsx", "json"],
    max_upload_size=limit,
    key="byod_file",
)
if upload_file is None:  # no file of their own yet: offer the invented example
    with st.expander("No file to hand? Try an example file", expanded=True):
        st.write(uv.example_blurb())
        formats = byod_example.FORMATS
        kind = st.radio(
            "Example format", list(formats), format_func=formats.get, horizontal=True, key="byod_example_format"
        )
        try_column, download_column = st.columns(2)
        if try_column.button("Try the example file", key="byod_example_try"):
            st.session_state.byod_example = kind
        example = byod_example.example_file(kind)
        download_column.download_button(
            "Download the example file", byod_example.example_bytes(kind), example.name, byod_example.MIME[kind]
        )
    if st.session_state.get("byod_example"):
        upload_file = byod_example.example_file(st.session_state.byod_example)
        st.warning(uv.example_warning(upload_file.name))
if upload_file is None:
    st.stop()

sheet = st.session_state.get("byod_sheet")
try:  # parsed once per file and sheet, in a separate process, kept in this session only
    with st.spinner("Reading the file"):
        parse = partial(read_upload, name=upload_file.name, sheet=sheet, limit_mb=limit)
        upload = ui.once_per_session("byod_upload", (upload_file.file_id, sheet), lambda: parse(upload_file.getvalue()))
except UploadError as error:
    st.error(byod.escape_markdown(error))
    if len(error.sheets) > 1:
        st.selectbox("Try another sheet", error.sheets, key="byod_sheet")
    st.stop()
if len(upload.sheets) > 1:
    st.selectbox("Sheet", upload.sheets, key="byod_sheet")
for note in upload.notes:
    st.caption(byod.escape_markdown(note))
st.write(uv.preview_line(upload))
st.dataframe(neutralised(upload.frame.head(10)), hide_index=True)  # the grid's CSV download takes cells as shown

form = uv.mapping_form(upload.frame)
st.subheader("Check the columns")
left, right = st.columns(2)
if form.problem:
    st.error(form.problem)
location = left.selectbox("Location column", form.columns, form.location, placeholder=uv.LOCATION_PLACEHOLDER)
kind = right.radio("It holds", byod.KINDS, index=form.kind, format_func=byod.KIND_LABELS.get)
picks = {}
for i, (field, name) in enumerate(uv.OPTIONAL_FIELDS.items()):
    picks[field] = (left, right)[i % 2].selectbox(name, form.optional, form.picks[field])
mapping = uv.chosen_mapping(location=location, kind=kind, picks=picks)
categories = byod.category_values(upload.frame, mapping=mapping) if mapping.category else []
chosen = tuple(st.multiselect("Only these categories (none chosen = all)", categories)) if mapping.category else ()
dates = byod.date_range(upload.frame, mapping=mapping)
span = st.slider("Dates", dates[0], dates[1], value=dates) if dates and dates[0] < dates[1] else None
low, default = cellkey.MIN_THRESHOLD, cellkey.DEFAULT_THRESHOLD
threshold = int(st.number_input("Hide counts below", min_value=low, value=default, step=1))
run_key = (upload_file.file_id, upload.sheet, mapping, chosen, span, threshold)
if st.button("Map my records", type="primary"):
    bar = st.progress(0.0, text="Starting")
    try:
        filters = {"threshold": threshold, "categories": chosen, "span": span}
        result = byod.analyse(con, frame=upload.frame, mapping=mapping, progress=bar.progress, **filters)
        st.session_state.byod_view, st.session_state.byod_run = uv.results_view(result), run_key
    except UploadError as error:
        st.error(byod.escape_markdown(error))
        st.stop()
    bar.empty()
view = st.session_state.get("byod_view")
if view is None or st.session_state.get("byod_run") != run_key:
    st.caption("Press **Map my records** to see the results.")
    st.stop()


def show_section(section: uv.Section) -> None:
    """A protected table under its heading, with its CSV download (built when clicked)."""
    if section.heading:
        st.subheader(section.heading)
    if section.caption:
        st.caption(section.caption)
    st.dataframe(section.shown, hide_index=True)
    st.download_button(section.label, section.csv, section.file_name)


st.subheader("How your rows matched")
ui.show_metrics(view.metrics)
st.caption(view.match_caption)
if view.out_of_scope is not None:
    st.dataframe(view.out_of_scope, hide_index=True)
if len(view.not_matched):  # the user's own rows, built only when clicked
    st.download_button(uv.NOT_PLACED_LABEL, partial(to_csv_bytes, view.not_matched), "rows_not_placed.csv", "text/csv")
for note in view.notes:
    st.caption(note)
st.warning(view.suppression, icon=":material/visibility_off:")

st.subheader("Reach against need")
st.write(view.headline)
st.caption(byod.POPULATION_NOTE)
ui.show_chart(view.decile_figure, filename="your_data_by_decile")
show_section(view.deciles)
if view.map_codes:
    ui.show_panel(uv.map_panel(view, geo=ui.cached_query(queries.geometry, level=view.map_level, codes=view.map_codes)))
for section in view.sections:
    show_section(section)
