"""Triple jeopardy: areas in the top X% for need, bottom Y% for capacity and top Z% for dependence."""

from __future__ import annotations

import streamlit as st

from insight import streamlit_adapter as ui
from insight.jeopardy import measures as jeopardy
from insight.jeopardy import view as jv

ui.require_database()
st.title("Triple jeopardy")
for caption in jv.INTRO:
    st.caption(caption)

# Every choice is bound to the URL under the names shared links use (level, need, capacity, dependence, x, y, z).
level = ui.bound_selectbox("Geography", list(jeopardy.LEVELS), key="level", labels=jeopardy.LEVELS)
pick = ui.cached_query(jv.choices, level=level)
chosen, percents = {}, []
for column, role, key in zip(st.columns(3), jeopardy.ROLES, "xyz", strict=True):
    with column:
        options, default = pick.options[role], pick.defaults[role]
        chosen[role] = ui.bound_selectbox(jv.PICKERS[role], options, key=role, default=default, labels=pick.labels)
        title, disabled = jv.THRESHOLDS[role], chosen[role] is None
        percents.append(
            st.slider(
                title, 1, 100, jeopardy.DEFAULT_PERCENT, format="%d%%", key=key, disabled=disabled, bind="query-params"
            )
        )

view = ui.cached_query(jv.jeopardy_view, level=level, **chosen, percents=tuple(percents))
if view.warning:
    st.warning(view.warning)
    st.stop()
if view.notice:
    st.info(view.notice)
ui.show_metrics(view.metrics)
for caption in view.captions:
    st.caption(caption)
table = view.shown(flagged_only=st.toggle("Show only flagged areas", value=True, key="tj_flagged_only"))
if table.empty:
    st.info(jv.NOTHING_FLAGGED)
else:
    formats = {column: st.column_config.NumberColumn(format=f) for column, f in view.formats.items()}
    st.dataframe(table, hide_index=True, column_config=formats)
ui.download_csv(view.table, filename=view.csv_name, label="Download the ranked table (CSV)")

# Only the open tab is built and sent (switching tabs reruns the page); the URL keeps which tab is open.
map_tab, top_tab, gap_tab = st.tabs(list(jv.TABS), key="tab", bind="query-params")
if map_tab.open:
    with map_tab:
        geo, url = ui.cached_query(jv.boundaries, level=level, codes=view.map_codes)  # only the areas drawn
        ui.show_panel(jv.map_panel(view, geo=geo, geojson_url=url))
for tab, panel in ((top_tab, jv.top_panel), (gap_tab, jv.gap_panel)):
    if tab.open:
        with tab:
            ui.show_panel(panel(view))
with st.expander("How flags, score and gap are defined"):
    st.markdown(jv.DEFINITIONS)
