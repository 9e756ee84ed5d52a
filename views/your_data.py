"""Your data: upload service records or grants and see reach against need, with every count protected."""

from __future__ import annotations

import streamlit as st

from insight import streamlit_adapter as ui
from insight.pages import your_data as page
from insight.uploads.checks import UploadError
from insight.uploads.sandbox import warm_up

con = ui.require_database()
st.title("Your data")
st.caption(page.INTRO)
st.info(page.PRIVACY, icon=":material/lock:")
limit = page.upload_limit(int(st.get_option("server.maxUploadSize")))
warm_up()  # the parser process starts while the user picks a file
offer = page.example_offer()  # while no file of their own is chosen: the invented example
file = ui.file_or_example(page.uploader_label(limit), page.FILE_TYPES, key="byod", max_upload_size=limit, offer=offer)
if file is None:  # neither a file nor the example tried
    st.stop()

sheet = st.session_state.get("byod_sheet")
try:  # parsed once per file and sheet, in a separate process (the upload sandbox), kept in this session only
    with st.spinner("Reading the file"):
        shown = ui.once_per_session("byod_upload", (file.file_id, sheet), lambda: page.read(file, sheet, limit))
except UploadError as error:
    st.error(page.refusal(error))
    if sheets := page.sheet_options(error.sheets):
        st.selectbox("Try another sheet", sheets, key="byod_sheet")
    st.stop()
if shown.sheets:
    st.selectbox("Sheet", shown.sheets, key="byod_sheet")
ui.show_panel(shown.panel)  # the reader's notes and the first rows

form = shown.form
st.subheader("Check the columns")
left, right = st.columns(2)
if form.problem:
    st.error(form.problem)
location = left.selectbox("Location column", form.columns, form.location, placeholder=page.LOCATION_PLACEHOLDER)
kind = right.radio("It holds", page.KINDS, index=form.kind, format_func=page.KIND_LABELS.get)
picks = {key: (left, right)[i % 2].selectbox(name, form.optional, at) for i, (key, name, at) in enumerate(form.fields)}
ask = page.filters(shown.upload.frame, location=location, kind=kind, picks=picks)
chosen = st.multiselect("Only these categories (none chosen = all)", ask.categories) if ask.category else []
span = st.slider("Dates", *ask.dates, value=ask.dates) if ask.dates else None
threshold = st.number_input("Hide counts below", min_value=page.MIN_THRESHOLD, value=page.DEFAULT_THRESHOLD, step=1)
run = page.Run(file.file_id, shown.upload.sheet, ask.mapping, tuple(chosen), span, int(threshold))
if st.button("Map my records", type="primary"):
    bar = st.progress(0.0, text="Starting")
    try:
        st.session_state.byod_results = run, page.results(con, frame=shown.upload.frame, run=run, progress=bar.progress)
    except UploadError as error:
        st.error(page.refusal(error))
        st.stop()
    bar.empty()
shown_run, view = st.session_state.get("byod_results", (None, None))
if shown_run != run:
    st.caption(page.PRESS_TO_MAP)
    st.stop()
for panel in view.panels:  # the results, every count protected; the rows not placed are built only when clicked
    ui.show_panel(panel)
