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
from insight.uploads import figures as byod_figures
from insight.uploads.readers import UploadError, upload_limit_mb
from insight.uploads.sandbox import read_upload, warm_up
from insight.uploads.tables import STATUS_LABELS

PRIVACY = (
    "Your file is processed in memory for this browser session only: nothing is written to disk or to the "
    "database, and no row is logged. Closing the tab discards it. Numbers are protected before anything is shown or "
    "downloaded: small counts are hidden ([c]) and every other count gets a small fixed random adjustment (at most "
    "±2, the same in every table, filter and date range), so no two views can be subtracted to reveal a small count."
)
NONE = "(none)"

con = ui.require_database()
st.title("Your data")
st.caption("Upload service records or grants (postcodes, LSOA codes or district codes) to see your reach against need.")
st.info(PRIVACY, icon=":material/lock:")

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
        st.write(
            f"A small set of **invented** service records ({len(byod_example.records())} rows in "
            f"{len(byod_example.DISTRICTS)} real districts; every count, date and service is made up, and every row says "
            "so). It shows the column layout this page expects; it is never mixed with published data."
        )
        example_format = st.radio(
            "Example format", list(byod_example.FORMATS), format_func=byod_example.FORMATS.get, horizontal=True,
            key="byod_example_format",
        )  # fmt: skip
        try_column, download_column = st.columns(2)
        if try_column.button("Try the example file", key="byod_example_try"):
            st.session_state.byod_example = example_format
        download_column.download_button(
            "Download the example file", data=byod_example.example_bytes(example_format),
            file_name=byod_example.example_file(example_format).name, mime=byod_example.MIME[example_format],
        )  # fmt: skip
if upload_file is None and st.session_state.get("byod_example"):
    upload_file = byod_example.example_file(st.session_state.byod_example)
    st.warning(
        f"Showing the example file **{upload_file.name}**: invented records, not real data. Upload a file above to use your own."
    )
if upload_file is None:
    st.stop()

sheet = st.session_state.get("byod_sheet")
read_key = (upload_file.file_id, sheet)
if st.session_state.get("byod_read_key") != read_key:  # parse once per file and sheet, kept in this session only
    st.session_state.pop("byod_upload", None)
    try:
        with st.spinner("Reading the file"):
            st.session_state.byod_upload = read_upload(
                upload_file.getvalue(), name=upload_file.name, sheet=sheet, limit_mb=limit
            )
    except UploadError as error:
        st.error(byod.escape_markdown(error))
        if len(error.sheets) > 1:
            st.selectbox("Try another sheet", error.sheets, key="byod_sheet")
        st.stop()
    st.session_state.byod_read_key = read_key
upload = st.session_state.byod_upload
if len(upload.sheets) > 1:
    st.selectbox("Sheet", upload.sheets, key="byod_sheet")
for note in upload.notes:
    st.caption(byod.escape_markdown(note))
st.write(f"**{len(upload.frame):,} rows** and {len(upload.frame.columns)} columns. First rows (shown as plain text):")
st.dataframe(neutralised(upload.frame.head(10)), hide_index=True)  # the grid's CSV download takes cells as shown

guess = byod.detect_mapping(upload.frame)
columns = list(upload.frame.columns)
optional = [NONE, *columns]
st.subheader("Check the columns")
left, right = st.columns(2)
if guess.location is None:
    st.error(byod.escape_markdown(byod.NO_LOCATION_MESSAGE))
location = left.selectbox(
    "Location column",
    columns,
    index=columns.index(guess.location) if guess.location in columns else None,
    placeholder="Choose the column with postcodes or area codes",
)
kind = right.radio(
    "It holds", byod.KINDS, index=byod.KINDS.index(guess.location_kind), format_func=byod.KIND_LABELS.get
)
picks = {}
for field, label, side in (
    ("count", "Count per row", left),
    ("amount", "Amount (£)", right),
    ("date", "Date", left),
    ("category", "Category", right),
):
    current = getattr(guess, field)
    picks[field] = side.selectbox(label, optional, index=optional.index(current) if current in optional else 0)
mapping = byod.ColumnMapping(
    location=location, location_kind=kind, **{f: (None if v == NONE else v) for f, v in picks.items()}
)
chosen: tuple[str, ...] = ()
if mapping.category:
    values = byod.category_values(upload.frame, mapping=mapping)
    chosen = tuple(st.multiselect("Only these categories (none chosen = all)", values))
dates = byod.date_range(upload.frame, mapping=mapping)
span = st.slider("Dates", dates[0], dates[1], value=dates) if dates and dates[0] < dates[1] else None
threshold = st.number_input(
    "Hide counts below", min_value=cellkey.MIN_THRESHOLD, value=cellkey.DEFAULT_THRESHOLD, step=1
)
submitted = st.button("Map my records", type="primary")
run_key = (upload_file.file_id, upload.sheet, mapping, chosen, span, int(threshold))
if submitted:
    bar = st.progress(0.0, text="Starting")
    try:
        st.session_state.byod_result = byod.analyse(
            con,
            frame=upload.frame,
            mapping=mapping,
            threshold=int(threshold),
            categories=chosen,
            span=span,
            progress=lambda f, m: bar.progress(f, text=m),
        )
        st.session_state.byod_run = run_key
    except UploadError as error:
        st.error(byod.escape_markdown(error))
        st.stop()
    bar.empty()
result = st.session_state.get("byod_result")
if result is None or st.session_state.get("byod_run") != run_key:
    st.caption("Press **Map my records** to see the results.")
    st.stop()

st.subheader("How your rows matched")
summary = result.summary
for cell, (status, label) in zip(st.columns(len(byod.METRIC_LABELS)), byod.METRIC_LABELS.items(), strict=True):
    cell.metric(label, byod.shown_count(summary[status]), help=STATUS_LABELS.get(status))
st.caption(
    f"Blank location: {byod.shown_count(summary['missing'])}. Terminated postcodes still placed: "
    f"{byod.shown_count(summary['terminated'])}. These counts are protected like every table below."
)
if summary["out_of_scope"] != 0:
    st.dataframe(byod.labelled(result.out_of_scope, columns=byod.SCOPE_COLUMNS), hide_index=True)
if len(result.not_matched):
    st.download_button(
        "Download the rows not placed (your own rows, to fix them; not a summary to share)",
        partial(to_csv_bytes, result.not_matched),  # built only when clicked
        file_name="rows_not_placed.csv",
        mime="text/csv",
    )
for note in result.notes:
    st.caption(byod.escape_markdown(note))
st.warning(byod.suppression_sentence(result), icon=":material/visibility_off:")

st.subheader("Reach against need")
st.write(result.headline)
st.caption(byod.POPULATION_NOTE)
ui.show_chart(
    byod_figures.reach_by_decile(result.deciles, title="Your records and neighbourhoods by IMD decile"),
    filename="your_data_by_decile",
)
st.dataframe(byod.labelled(result.deciles, columns=byod.DECILE_COLUMNS), hide_index=True)
st.download_button(
    "Download by decile (CSV)", partial(byod.export_csv, result.deciles, columns=byod.DECILE_COLUMNS), "by_decile.csv"
)

level, areas = byod.map_areas(result)
if len(areas):
    codes = tuple(sorted(areas["code"].dropna()))
    geo = ui.cached_query(queries.geometry, level=level, codes=codes)
    if len(geo):
        title = "Your records by neighbourhood (LSOA)" if level == "lsoa21" else "Your records by district"
        ui.show_chart(byod_figures.reach_map(areas, geo=geo, title=title), filename="your_data_map")
    else:
        st.info("Boundaries are not loaded in this database, so there is no map.")

st.subheader("High need, low reach")
st.caption(
    "Neighbourhoods in the most deprived 20% of their nation, in the districts you reach, with none or few of your records."
)
st.dataframe(byod.labelled(result.underserved, columns=byod.UNDERSERVED_COLUMNS), hide_index=True)
st.download_button(
    "Download (CSV)",
    partial(byod.export_csv, result.underserved, columns=byod.UNDERSERVED_COLUMNS),
    "high_need_low_reach.csv",
)

st.subheader("By district")
st.dataframe(byod.labelled(result.lad, columns=byod.LAD_COLUMNS), hide_index=True)
st.download_button(
    "Download by district (CSV)", partial(byod.export_csv, result.lad, columns=byod.LAD_COLUMNS), "by_district.csv"
)
st.subheader("By neighbourhood (LSOA)")
st.dataframe(byod.labelled(result.lsoa, columns=byod.LSOA_COLUMNS), hide_index=True)
st.download_button(
    "Download by LSOA (CSV)", partial(byod.export_csv, result.lsoa, columns=byod.LSOA_COLUMNS), "by_lsoa.csv"
)
