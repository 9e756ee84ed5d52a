"""Map: a choropleth of any loaded measure, or the bivariate need × capacity map."""

from __future__ import annotations

import streamlit as st

from insight import nations
from insight import streamlit_adapter as ui
from insight.maps.classes import SCHEMES
from insight.pages import map as page

ui.require_database()
st.title("Map")
st.write(page.INTRO)
st.caption(nations.OWN_NATION_NOTE)

for key, labels in ui.cached_query(page.link_labels).items():  # links written before the widgets were bound
    ui.link_ids(key, labels)
left, right = st.columns(2)
view = left.radio("Map", list(page.VIEWS), format_func=page.VIEWS.get, key="view", horizontal=True, bind="query-params")
geos = page.GEOGRAPHIES
geography = right.selectbox("Areas", list(geos), format_func=geos.get, key="geo", bind="query-params")
lad_codes: tuple[str, ...] = ()
if geography == "lsoa_in_lads":
    lads = ui.cached_query(page.lad_names)
    ui.link_ids("lads", lads, many=True)
    chosen = st.multiselect("Districts", list(lads), list(lads)[:1], lads.get, key="lads", bind="query-params")
    if not (lad_codes := tuple(chosen)):
        st.info(page.CHOOSE_DISTRICTS)
        st.stop()
elif geography == "lsoa21":
    st.caption(page.LSOA_NOTE)
c = ui.cached_query(page.choices, geography=geography, lad_codes=lad_codes)
if warning := c.warning(view):
    st.warning(warning)
    st.stop()

if view == "single":
    measure = st.selectbox("Measure", c.measures, c.default(), c.labels.get, key="measure", bind="query-params")
    natural = ui.cached_query(page.scheme_index, geography=geography, measure=measure, lad_codes=lad_codes)
    scheme = st.radio("Colours", list(SCHEMES), natural, SCHEMES.get, key="scale", horizontal=True, bind="query-params")
    args = {"measure": measure, "scheme": scheme, "serve_geometry": ui.static_serving()}
    shown = ui.cached_query(page.single_map, geography=geography, lad_codes=lad_codes, **args)
else:
    left, right = st.columns(2)
    need = left.selectbox("Need measure", c.need, c.default("need"), c.labels.get, key="need", bind="query-params")
    capacity = right.selectbox(
        "Capacity measure", c.capacity, c.default("capacity"), c.labels.get, key="capacity", bind="query-params"
    )
    shown = ui.cached_query(page.bivariate_map, geography=geography, lad_codes=lad_codes, need=need, capacity=capacity)

if shown.payload is not None:
    ui.show_raster_map(shown.payload, key="national_map")
else:
    ui.show_chart(shown.figure, filename=shown.filename)
if shown.legend is not None:
    with st.columns([2, 3])[0]:
        ui.show_chart(shown.legend, filename="bivariate_key")
for caption in shown.captions:
    st.caption(caption)
held = shown.on_request and not st.toggle(shown.table_toggle, key="lsoa_table")
ui.show_panel(shown.table_panel(held=held))
