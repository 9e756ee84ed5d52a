"""Overview: the national picture — capacity and dependence by need decile, need vs capacity across districts."""

from __future__ import annotations

import streamlit as st

from insight import captions, charts, nations, queries, robust
from insight import streamlit_adapter as ui
from insight.formatting import format_value, is_count, not_loaded_sentence

ui.require_database()
st.title("Overview: need and voluntary-sector capacity in England and Wales")
st.write(
    "Do the places with the greatest need have the fewest charities? Each chart below answers one part of "
    "that question. IMD deciles: 1 = the most deprived 10% of areas."
)
st.caption(nations.OWN_NATION_NOTE)

catalog = ui.cached_query(queries.available_measures, level="lad24")
missing_titles = ui.cached_query(queries.missing_titles)
register_missing = ui.cached_query(queries.missing_titles, like="charit")
labels = dict(zip(catalog["measure"], catalog["label"], strict=True))
units = dict(zip(catalog["measure"], catalog["unit"], strict=True))
need_options = catalog.loc[(catalog["layer"] == "need") & (catalog["unit"] != "decile"), "measure"].tolist()
capacity_options = catalog.loc[(catalog["layer"] == "capacity") & ~catalog["unit"].map(is_count), "measure"].tolist()
capacity_options.sort(key=lambda m: m != "ncvo_charities_per_1000")  # the offline build's capacity measure first

if missing_titles:
    st.info(not_loaded_sentence("Part of the data", missing_titles=missing_titles))

# Headline numbers
if need_options and capacity_options:
    # The headline follows the need measure chosen for the scatter below (own-nation share by default).
    headline_need = ui.url_value(
        "need", options=need_options, default=nations.default_need(need_options, fallbacks=("imd_average_score",))
    )
    headlines = ui.cached_query(queries.headline_numbers, need=headline_need, capacity=capacity_options[0])
    columns = st.columns(max(len(headlines), 1))
    for column, row in zip(columns, headlines.itertuples(), strict=False):
        value = robust.signed(row.value) if row.unit == "rho" else format_value(row.value, unit=row.unit)
        column.markdown(f"**{row.label}**")
        column.metric(row.label, value, label_visibility="collapsed")
        if row.detail:
            column.caption(row.detail)
    headline_measures = tuple(dict.fromkeys((*queries.DECILE_VIEW_MEASURES, headline_need, capacity_options[0])))
    st.caption(
        ui.cached_query(
            captions.caption, level="lad24", measures=(*headline_measures, "imd_score"), comparators=("lsoa21",)
        )
    )

# 1. Capacity by decile
st.header("1. Charities per 1,000 residents, by how deprived the district is")
deciles = ui.cached_query(queries.capacity_by_need_decile)
if deciles.empty:
    st.warning(not_loaded_sentence("District charity counts by need decile", missing_titles=register_missing))
else:
    st.caption(
        "English districts grouped by their IoD2025 IMD decile (rank of average score); charities pooled over the "
        "decile. Welsh districts are not in this chart: WIMD ranks Wales's 22 local authorities separately (see "
        "section 3 for both nations on own-nation measures)."
    )
    figure = charts.decile_bar(
        deciles, decile="imd_decile", value="charities_per_1000", count="areas", unit="per 1,000 residents",
        title="Charities per 1,000 residents by district IMD decile", value_label="Charities per 1,000 residents",
    )  # fmt: skip
    ui.show_chart(figure, filename="charities_per_1000_by_district_imd_decile")
    st.caption(ui.cached_query(captions.caption, level="lad24", measures=queries.DECILE_VIEW_MEASURES))
    ui.show_table(deciles, filename="capacity_by_need_decile")

lsoa_capacity = ui.cached_query(queries.available_measures, level="lsoa21", layer="capacity")
st.subheader("Neighbourhood (LSOA) deciles")
if lsoa_capacity.empty:
    st.write(
        not_loaded_sentence(
            "A neighbourhood-level capacity measure (charities geocoded from the Charity Commission register)",
            missing_titles=register_missing,
        )
        + " The district view above is shown instead."
    )
else:
    lsoa_measure = lsoa_capacity.iloc[0]
    by_lsoa = ui.cached_query(
        queries.measure_by_decile, level="lsoa21", measure=lsoa_measure["measure"], decile_measure="imd_decile"
    )
    figure = charts.decile_bar(
        by_lsoa, decile="decile", value="median", count="areas", unit=lsoa_measure["unit"],
        title=f"{lsoa_measure['label']} by neighbourhood IMD decile (median of neighbourhoods)",
        value_label=lsoa_measure["label"],
    )  # fmt: skip
    ui.show_chart(figure, filename=f"{lsoa_measure['measure']}_by_lsoa_imd_decile")
    ui.show_table(by_lsoa, filename=f"{lsoa_measure['measure']}_by_lsoa_decile")

# 2. Dependence by decile
st.header("2. Dependence on public money, by need decile")
dependence = catalog[catalog["layer"] == "dependence"]
if dependence.empty:
    st.warning(
        not_loaded_sentence(
            "Public-funding dependence (government income reported in charities' annual returns)",
            missing_titles=register_missing,
        )
    )
else:
    for row in dependence.itertuples():
        by_decile = ui.cached_query(
            queries.measure_by_decile, level="lad24", measure=row.measure, decile_measure="imd_lad_decile"
        )
        figure = charts.decile_bar(
            by_decile, decile="decile", value="median", count="areas", unit=row.unit,
            title=f"{row.label} by district IMD decile (median of districts)", value_label=row.label,
        )  # fmt: skip
        ui.show_chart(figure, filename=f"{row.measure}_by_district_imd_decile")
        ui.show_table(by_decile, filename=f"{row.measure}_by_district_decile")

# 3. Scatter
st.header("3. Need against capacity, district by district")
if not need_options or not capacity_options:
    st.warning(not_loaded_sentence("Need or capacity for districts", missing_titles=register_missing))
    st.stop()
areas = ui.cached_query(queries.area_list, level="lad24")
names = dict(zip(areas["code"], areas["name"], strict=True))
left, middle, right = st.columns(3)
default_need = nations.default_need(need_options, fallbacks=("imd_average_score",))
ui.url_value("need", options=need_options, default=default_need)
ui.url_value("capacity", options=capacity_options, default=capacity_options[0])
ui.url_value("area", options=["", *names], default="")
need = left.selectbox("Need measure", need_options, format_func=labels.get, key="need")
capacity = middle.selectbox("Capacity measure", capacity_options, format_func=labels.get, key="capacity")
area = right.selectbox(
    "Highlight an area", ["", *names], format_func=lambda c: names.get(c, "(none)"), key="area"
)  # fmt: skip
ui.to_url(need=need, capacity=capacity, area=area)
scatter_data = ui.cached_query(queries.measure_wide, level="lad24", measures=(need, capacity))
figure = charts.need_capacity_scatter(
    scatter_data, x=need, y=capacity, x_label=labels[need], y_label=labels[capacity],
    x_unit=units[need], y_unit=units[capacity], highlight=area or None,
)  # fmt: skip
ui.show_chart(figure, filename=f"{capacity}_vs_{need}_districts")
st.caption(ui.cached_query(captions.caption, level="lad24", measures=(need, capacity)))
complete = scatter_data.dropna()
st.caption(
    f"{len(complete):,} districts have both values. Capacity counts charities by registered office, which is not "
    "always where a charity works."
)
st.caption(ui.cached_query(queries.association_method, level="lad24", need=need, capacity=capacity))
if area:
    row = scatter_data[scatter_data["area_code"] == area]
    if not row.empty:
        st.write(
            f"**{names[area]}**: {labels[need]} {format_value(row[need].iloc[0], unit=units[need])}; "
            f"{labels[capacity]} {format_value(row[capacity].iloc[0], unit=units[capacity])}."
        )
ui.show_table(scatter_data, filename=f"{capacity}_vs_{need}_districts")
