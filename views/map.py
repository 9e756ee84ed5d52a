"""Map: a choropleth of any loaded measure, or the bivariate need × capacity map."""

from __future__ import annotations

import streamlit as st

from insight import nations, queries
from insight import streamlit_adapter as ui
from insight.maps.classes import SCHEMES
from insight.pages import map as page

ui.require_database()
st.title("Map")
st.write(
    "Colour each area by one measure, or by need and capacity together. Hover an area for its name, code and values."
)
st.caption(nations.OWN_NATION_NOTE)

left, right = st.columns(2)
ui.link_ids("view", page.VIEWS)
ui.link_ids("geo", queries.MAP_GEOGRAPHIES)
view = left.radio("Map", list(page.VIEWS), format_func=page.VIEWS.get, key="view", horizontal=True, bind="query-params")
geos = list(queries.MAP_GEOGRAPHIES)
geography = right.selectbox("Areas", geos, format_func=queries.MAP_GEOGRAPHIES.get, key="geo", bind="query-params")
lad_codes: tuple[str, ...] = ()
if geography == "lsoa_in_lads":
    lads = ui.cached_query(page.lad_names)
    ui.link_ids("lads", lads, many=True)
    chosen = st.multiselect("Districts", list(lads), list(lads)[:1], lads.get, key="lads", bind="query-params")
    if not (lad_codes := tuple(chosen)):
        st.info("Choose one or more districts to map their neighbourhoods.")
        st.stop()
elif geography == "lsoa21":
    st.caption(page.LSOA_NOTE)
c = ui.cached_query(page.choices, geography=geography, lad_codes=lad_codes)
if c.missing or (view == "bivariate" and c.missing_capacity):
    st.warning(c.missing or c.missing_capacity)
    st.stop()

for key in ("measure", "need", "capacity"):
    ui.link_ids(key, c.labels)
if view == "single":
    measure = st.selectbox("Measure", c.measures, c.default(), c.labels.get, key="measure", bind="query-params")
    natural = ui.cached_query(page.natural_scheme, geography=geography, measure=measure, lad_codes=lad_codes)
    ui.link_ids("scale", SCHEMES)
    schemes = list(SCHEMES)
    scheme = st.radio(
        "Colours", schemes, schemes.index(natural), SCHEMES.get, key="scale", horizontal=True, bind="query-params"
    )
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
# Every neighbourhood is ~34,000 rows (1.3 MB to the browser): shown on request, always downloadable.
rows, on_request = len(shown.table), geography == "lsoa21" and view == "single"
if not on_request or st.toggle(f"Show all {rows:,} neighbourhoods as a table", key="lsoa_table"):
    ui.show_table(shown.table, filename=shown.table_name)
else:
    ui.download_csv(shown.table, filename=shown.table_name, label=f"Download all {rows:,} (CSV)")
