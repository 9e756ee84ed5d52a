"""Area profile: one district, upper-tier LA / HWB or ICB against its own nation, its region and similar areas."""

from __future__ import annotations

import html

import streamlit as st

from insight import profile
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
view = ui.cached_query(page.area_profile, data=data, code=code, meeting=meeting)

st.header(view.name)
for caption in view.captions:
    st.caption(caption)
if meeting:
    back, counter, forward = st.columns([1, 2, 1])
    step = forward.button("Next ▶", key="next", width="stretch")
    step -= back.button("◀ Previous", key="previous", width="stretch")
    slide = view.slide(st.session_state.get("meeting_chart", 0) + step)
    st.session_state["meeting_chart"] = slide.position
    counter.markdown(
        f"<p style='text-align:center;font-size:1.6em'>{html.escape(slide.counter)}</p>", unsafe_allow_html=True
    )
    ui.show_chart(slide.figure, filename=slide.filename)
    st.stop()

# One section at a time (only the open tab is built and drawn); the URL keeps which one is open.
compare_tab, similar_tab, lsoa_tab = st.tabs(list(page.TABS), key="tab", bind="query-params")
if compare_tab.open:
    with compare_tab:
        st.caption(view.rule)
        ui.show_table(view.display, filename=f"{view.name}_profile", styled=page.styled(view))
        for note in view.notes:
            st.info(note)
        columns = st.columns(2)
        for i, (figure, filename) in enumerate(view.comparison_charts):
            with columns[i % 2]:
                ui.show_chart(figure, filename=filename)
        st.caption(view.comparison_caption)
for tab, panel in ((similar_tab, view.similar_panel), (lsoa_tab, view.lsoa_panel)):
    if tab.open:
        with tab:
            ui.show_panel(panel)

st.subheader("One-page brief")
ui.download("Download the HTML brief", view.brief_html(), view.brief_filename, "text/html", key="brief")
