"""Area profile: one district, upper-tier LA / HWB or ICB against its own nation, its region and similar areas."""

from __future__ import annotations

import streamlit as st

from insight import charts, districts, nations, profile, queries
from insight import streamlit_adapter as ui
from insight.formatting import not_loaded_sentence

ui.require_database()
st.title("Area profile")

levels = {
    "lad24": "District (LAD)",
    "utla24": "Upper-tier LA / health and wellbeing board",
    "icb24": "Integrated care board",
}
ui.url_value("level", options=list(levels), default="lad24")
left, right = st.columns([1, 2])
level = left.selectbox("Type of area", list(levels), format_func=levels.get, key="level")
areas = ui.cached_query(queries.area_list, level=level)
if areas.empty:
    missing_titles = ui.cached_query(queries.missing_titles)
    st.warning(not_loaded_sentence(f"Data for this type of area ({levels[level]})", missing_titles=missing_titles))
    st.stop()
names = dict(zip(areas["code"], areas["name"], strict=True))
ui.url_value("area", options=list(names), default=next(iter(names)))
code = right.selectbox("Area", list(names), format_func=lambda c: f"{names[c]} ({c})", key="area")
meeting = st.toggle("Meeting view (large type, one chart at a time)", key="meeting")
ui.to_url(level=level, area=code)

level_data = ui.cached_query(profile.level_data, level=level)  # once per level; each area is arithmetic on it
table = profile.comparison_table(level_data, code=code)
similar = profile.similar_areas(level_data, code=code)
area = ui.cached_query(queries.area_row, level=level, code=code)
region_name = None if area.empty else area["region_name"].iloc[0]
lsoas = ui.cached_query(profile.area_lsoas, level=level, code=code)
font = 22 if meeting else charts.FONT_SIZE
nation = nations.nation_name(code)

figures = profile.profile_figures(
    table, lsoas, area_name=names[code], region_name=region_name, font_size=font, nation=nation
)

st.header(f"{names[code]}")
st.caption(f"{levels[level]} {code}" + (f", {region_name}" if region_name else "") + f". Compared with {nation}.")
st.caption(nations.OWN_NATION_NOTE)

if meeting:
    position = st.session_state.setdefault("meeting_chart", 0) % len(figures)
    back, counter, forward = st.columns([1, 2, 1])
    if back.button("◀ Previous", key="previous", width="stretch"):
        position = (position - 1) % len(figures)
    if forward.button("Next ▶", key="next", width="stretch"):
        position = (position + 1) % len(figures)
    st.session_state["meeting_chart"] = position
    counter.markdown(
        f"<p style='text-align:center;font-size:1.6em'>Chart {position + 1} of {len(figures)}</p>",
        unsafe_allow_html=True,
    )
    name, figure = figures[position]
    ui.show_chart(figure.update_layout(height=650), filename=f"{names[code]}_{name}")
    st.stop()

# One section at a time (only the open tab is built and drawn); the URL keeps which one is open.
compare_tab, similar_tab, lsoa_tab = st.tabs(
    ["How the area compares", "Most similar areas", "Neighbourhoods ranked by need"], key="tab", bind="query-params"
)
if compare_tab.open:
    with compare_tab:
        st.caption(profile.comparison_rule(code))
        display = profile.display_table(table, area_name=names[code], region_name=region_name, nation=nation)
        ui.show_table(
            display,
            filename=f"{names[code]}_profile",
            styled=display.style.map(profile.comparison_style, subset=[f"vs {nation}"]),
        )
        if nation == "Wales" and "health" not in set(table["layer"]):
            st.info(nations.HEALTH_WALES_NOTE)
        missing_layers = [layer for layer in queries.LAYER_ORDER if layer not in set(table["layer"])]
        if missing_layers:
            missing_titles = ui.cached_query(queries.missing_titles)
            st.info(
                not_loaded_sentence(
                    f"For this type of area ({levels[level]}), the {' and '.join(missing_layers)} layer",
                    missing_titles=missing_titles,
                )
            )
        columns = st.columns(2)
        for i, (name, figure) in enumerate(figures[:-1]):
            with columns[i % 2]:
                ui.show_chart(figure, filename=f"{names[code]}_{name}")
        st.caption(ui.cached_query(profile.comparison_caption, level=level, measures=tuple(table["measure"])))
if similar_tab.open:
    with similar_tab:
        st.caption(profile.similarity_statement(level_data, code=code))
        st.caption(ui.cached_query(profile.similarity_caption, level=level))
        if similar.empty:
            st.write("This area lacks the need measures or population needed to find similar areas.")
        else:
            ui.show_table(
                similar.assign(distance=similar["distance"].round(2)), filename=f"{names[code]}_similar_areas"
            )
if lsoa_tab.open:
    with lsoa_tab:
        if lsoas.empty:
            st.write("No neighbourhood (LSOA) data for this area in this build.")
        else:
            ui.show_chart(figures[-1][1], filename=f"{names[code]}_most_deprived_lsoas")
            if district_note := ui.cached_query(districts.note_for, level=level, codes=(code,), rule="iod"):
                st.caption(district_note)
            if "capacity_gap" not in lsoas.columns:
                st.caption(
                    "Ranking by capacity gap needs a neighbourhood-level capacity measure, which is not loaded in "
                    "this build."
                )
            ui.show_table(lsoas, filename=f"{names[code]}_lsoas")

st.subheader("One-page brief")
sources = ui.cached_query(queries.source_vintages)
notes = [profile.comparison_rule(code), profile.similarity_statement(level_data, code=code), nations.OWN_NATION_NOTE,
         "Charity counts are by registered office, which is not always where a charity works.",
         ui.cached_query(profile.comparison_caption, level=level, measures=tuple(table["measure"])),
         ui.cached_query(profile.similarity_caption, level=level)]  # fmt: skip
st.download_button(
    "Download the HTML brief",
    data=lambda: profile.brief_html(
        area_name=names[code], level_label=levels[level], table=table, figures=[f for _, f in figures],
        sources=sources, notes=notes, nation=nation,
    ),
    file_name=f"vcs_insight_brief_{code}.html", mime="text/html", key="brief",
)  # fmt: skip
