"""Area profile: one district, upper-tier LA / HWB or ICB against its own nation, its region and similar areas."""

from __future__ import annotations

import html
from functools import partial

import streamlit as st

from insight import charts, nations, profile
from insight import streamlit_adapter as ui
from insight.pages import area_profile as page

ui.require_database()
st.title("Area profile")

left, right = st.columns([1, 2])
ui.link_ids("level", page.LEVELS)
level = left.selectbox("Type of area", list(page.LEVELS), format_func=page.LEVELS.get, key="level", bind="query-params")
names = ui.cached_query(page.area_names, level=level)
if not names:
    st.warning(ui.cached_query(page.level_not_loaded, level=level))
    st.stop()
ui.link_ids("area", names)
code = right.selectbox("Area", list(names), format_func=names.get, key="area", bind="query-params")
meeting = st.toggle("Meeting view (large type, one chart at a time)", key="meeting")
data = ui.cached_query(profile.level_data, level=level)  # once per level; each area is arithmetic on it
view = ui.cached_query(page.area_profile, data=data, code=code, font_size=22 if meeting else charts.FONT_SIZE)

st.header(view.name)
st.caption(view.heading)
st.caption(nations.OWN_NATION_NOTE)
if meeting:
    back, counter, forward = st.columns([1, 2, 1])
    step = forward.button("Next ▶", key="next", width="stretch")
    step -= back.button("◀ Previous", key="previous", width="stretch")
    position = st.session_state["meeting_chart"] = (st.session_state.get("meeting_chart", 0) + step) % len(view.figures)
    counter.markdown(
        f"<p style='text-align:center;font-size:1.6em'>{html.escape(page.chart_counter(position, count=len(view.figures)))}</p>",
        unsafe_allow_html=True,
    )
    name, figure = view.figures[position]
    ui.show_chart(figure.update_layout(height=650), filename=f"{view.name}_{name}")
    st.stop()

# One section at a time (only the open tab is built and drawn); the URL keeps which one is open.
tabs = ["How the area compares", "Most similar areas", "Neighbourhoods ranked by need"]
compare_tab, similar_tab, lsoa_tab = st.tabs(tabs, key="tab", bind="query-params")
if compare_tab.open:
    with compare_tab:
        st.caption(view.rule)
        ui.show_table(view.display, filename=f"{view.name}_profile", styled=page.styled(view))
        for note in view.notes:
            st.info(note)
        columns = st.columns(2)
        for i, (name, figure) in enumerate(view.figures[:-1]):
            with columns[i % 2]:
                ui.show_chart(figure, filename=f"{view.name}_{name}")
        st.caption(view.comparison_caption)
if similar_tab.open:
    with similar_tab:
        st.caption(view.similarity_statement)
        st.caption(view.similarity_caption)
        if view.similar.empty:
            st.write("This area lacks the need measures or population needed to find similar areas.")
        else:
            ui.show_table(view.similar, filename=f"{view.name}_similar_areas")
if lsoa_tab.open:
    with lsoa_tab:
        if view.lsoas.empty:
            st.write("No neighbourhood (LSOA) data for this area in this build.")
        else:
            ui.show_chart(view.figures[-1][1], filename=f"{view.name}_most_deprived_lsoas")
            for note in view.lsoa_notes:
                st.caption(note)
            ui.show_table(view.lsoas, filename=f"{view.name}_lsoas")

st.subheader("One-page brief")
brief = partial(page.brief, view)
st.download_button("Download the HTML brief", brief, f"vcs_insight_brief_{code}.html", "text/html", key="brief")
