"""Map: a choropleth of any loaded measure, or the bivariate need × capacity map."""

from __future__ import annotations

import streamlit as st

from insight import captions, districts, nations, queries
from insight import streamlit_adapter as ui
from insight.formatting import is_count, not_loaded_sentence
from insight.maps import choropleth as maps
from insight.maps import classes
from insight.maps import files as map_files
from insight.maps import national as national_map

ui.require_database()
st.title("Map")
st.write(
    "Colour each area by one measure, or by need and capacity together. Hover an area for its name, code and values."
)
st.caption(nations.OWN_NATION_NOTE)

missing_titles = ui.cached_query(queries.missing_titles)
views = {"single": "One measure", "bivariate": "Need × capacity (bivariate)"}
geographies = list(queries.MAP_GEOGRAPHIES)
ui.url_value("view", options=list(views), default="single")
ui.url_value("geo", options=geographies, default="lad24")
left, right = st.columns(2)
view = left.radio("Map", list(views), format_func=views.get, key="view", horizontal=True)
geography = right.selectbox("Areas", geographies, format_func=queries.MAP_GEOGRAPHIES.get, key="geo")
level = queries.map_level(geography)
ui.to_url(view=view, geo=geography)

lad_codes: tuple[str, ...] = ()
if geography == "lsoa_in_lads":
    lads = ui.cached_query(queries.area_list, level="lad24")
    lad_names = dict(zip(lads["code"], lads["name"], strict=True))
    ui.url_values("lads", options=list(lad_names), default=list(lad_names)[:1])
    chosen = st.multiselect("Districts", list(lad_names), format_func=lad_names.get, key="lads")
    ui.to_url(lads=chosen)
    lad_codes = tuple(chosen)
    if not lad_codes:
        st.info("Choose one or more districts to map their neighbourhoods.")
        st.stop()
elif geography == "lsoa21":
    st.caption(
        "All ~35,700 neighbourhoods. One measure is drawn as an image of every neighbourhood: hover for its value, "
        "scroll or use + and − to zoom, drag or use the arrow keys to pan, 0 to reset (map chosen districts for "
        "street detail). Need × capacity draws each neighbourhood as a shape and takes several seconds."
    )

catalog = ui.cached_query(queries.available_measures, level=level)
catalog = catalog[~catalog["unit"].map(is_count)]
labels = dict(zip(catalog["measure"], catalog["label"], strict=True))
units = dict(zip(catalog["measure"], catalog["unit"], strict=True))
geo = ui.cached_query(queries.map_geometry, geography=geography, lad_codes=lad_codes)
if catalog.empty or geo.empty:
    what = "Measures" if catalog.empty else "Boundaries"
    st.warning(
        not_loaded_sentence(
            f"{what} for this geography ({queries.MAP_GEOGRAPHIES[geography]})", missing_titles=missing_titles
        )
    )
    st.stop()
revision = f"{geography}:{','.join(lad_codes)}"
# The boundaries as a file the browser fetches once (None for neighbourhoods in chosen districts: those stay in the
# figure; the national neighbourhood map serves its own geometry file).
served = ui.cached_query(map_files.geojson_url, level=level)
options = catalog["measure"].tolist()

if view == "single":
    default = nations.default_need(options, fallbacks=("imd_average_score", "imd_score"))
    ui.url_value("measure", options=options, default=default)
    measure = st.selectbox("Measure", options, format_func=labels.get, key="measure")
    ui.to_url(measure=measure)
    rule = ui.cached_query(districts.rule_for, measures=(measure,))
    if lad_codes:
        geo = ui.cached_query(queries.map_geometry, geography=geography, lad_codes=lad_codes, districts=rule)
    frame = ui.cached_query(
        queries.map_frame, geography=geography, measures=(measure,), lad_codes=lad_codes, districts=rule
    )
    values = frame.rename(columns={measure: "value"})
    title = f"{labels[measure]} — {queries.MAP_GEOGRAPHIES[geography]}"
    row = catalog[catalog["measure"] == measure].iloc[0]
    natural = classes.default_scheme(layer=row["layer"], unit=row["unit"], values=values["value"])
    ui.url_value("scale", options=list(classes.SCHEMES), default=natural)
    scheme = st.radio("Colours", list(classes.SCHEMES), format_func=classes.SCHEMES.get, key="scale", horizontal=True)
    ui.to_url(scale=scheme)
    found = (
        ui.cached_query(
            queries.map_classes,
            geography=geography,
            measure=measure,
            label=labels[measure],
            lad_codes=lad_codes,
            districts=rule,
        )
        if scheme == "classes"
        else None
    )
    provenance = ui.cached_query(captions.caption, level=level, measures=(measure,))
    if geography == "lsoa21":  # every LSOA painted into one image, drawn by the app's viewer (docs/performance.md)
        payload = ui.cached_query(
            national_map.national_map, measure=measure, label=labels[measure], unit=units[measure], title=title,
            source=ui.cached_query(captions.source_line, level=level, measures=(measure,)),
            filename=f"map_{measure}_{geography}",
            serve_geometry=ui.static_serving(), scheme=scheme,
        )  # fmt: skip
        ui.show_raster_map(payload, key="national_map")
    else:
        figure = maps.choropleth(
            values, geo, label=labels[measure], unit=units[measure], title=title, revision=revision,
            geojson_url=served, classes=found,
        )  # fmt: skip
        ui.show_chart(figure, filename=f"map_{measure}_{geography}")
    st.caption(f"{row['definition']} {provenance} Grey: no value.")
    if geography == "lsoa21":  # the hover's district medians
        st.caption(ui.cached_query(districts.national_note, rule=rule))
    if lad_codes and (district_note := ui.cached_query(districts.note_for, level="lad24", codes=lad_codes, rule=rule)):
        st.caption(district_note)
    if found is not None:
        st.caption(classes.scheme_sentence(found, published=geography.startswith("lsoa") and measure != "imd_decile"))
    # Every neighbourhood is ~34,000 rows (1.3 MB to the browser): shown on request, always downloadable.
    if geography != "lsoa21" or st.toggle(f"Show all {len(frame):,} neighbourhoods as a table", key="lsoa_table"):
        ui.show_table(frame, filename=f"{measure}_{geography}")
    else:
        ui.download_csv(frame, filename=f"{measure}_{geography}", label=f"Download all {len(frame):,} (CSV)")
    st.stop()

need_options = catalog.loc[(catalog["layer"] == "need") & (catalog["unit"] != "decile"), "measure"].tolist()
capacity_options = catalog.loc[catalog["layer"] == "capacity", "measure"].tolist()
capacity_options.sort(key=lambda m: m != "ncvo_charities_per_1000")
if not need_options or not capacity_options:
    st.warning(
        not_loaded_sentence(
            f"A capacity measure for this geography ({queries.MAP_GEOGRAPHIES[geography]})",
            missing_titles=missing_titles,
        )
    )
    st.stop()
need_default = nations.default_need(need_options, fallbacks=("imd_average_score", "imd_score"))
ui.url_value("need", options=need_options, default=need_default)
ui.url_value("capacity", options=capacity_options, default=capacity_options[0])
left, right = st.columns(2)
need = left.selectbox("Need measure", need_options, format_func=labels.get, key="need")
capacity = right.selectbox("Capacity measure", capacity_options, format_func=labels.get, key="capacity")
ui.to_url(need=need, capacity=capacity)
rule = ui.cached_query(districts.rule_for, measures=(need, capacity))
if lad_codes:
    geo = ui.cached_query(queries.map_geometry, geography=geography, lad_codes=lad_codes, districts=rule)
frame = ui.cached_query(
    queries.map_frame, geography=geography, measures=(need, capacity), lad_codes=lad_codes, districts=rule
)
figure = maps.bivariate_map(
    frame, geo, need=need, capacity=capacity, need_label=labels[need], capacity_label=labels[capacity],
    title=f"Need × capacity — {queries.MAP_GEOGRAPHIES[geography]}", revision=revision, geojson_url=served,
)  # fmt: skip
ui.show_chart(figure, filename=f"bivariate_{need}_{capacity}_{geography}")
key_column, _ = st.columns([2, 3])
with key_column:
    legend = maps.bivariate_legend(need_label=labels[need], capacity_label=labels[capacity])
    ui.show_chart(legend, filename="bivariate_key")
st.caption(ui.cached_query(captions.caption, level=level, measures=(need, capacity)))
st.caption(
    "Areas are split into thirds on each measure. Orange-red: high need, low capacity — where need most outstrips "
    "the voluntary sector. Capacity counts charities by registered office, which is not always where they work."
)
if lad_codes and (district_note := ui.cached_query(districts.note_for, level="lad24", codes=lad_codes, rule=rule)):
    st.caption(district_note)
ui.show_table(
    maps.bivariate_classes(frame, need=need, capacity=capacity), filename=f"bivariate_{need}_{capacity}_{geography}"
)
