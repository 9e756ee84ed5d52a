"""Sector change: is the charity sector in the neediest places growing or shrinking, and do its charities survive?"""

from __future__ import annotations

import streamlit as st

from insight import streamlit_adapter as ui
from insight.sector import view

ui.require_database()
st.title("Sector change: charity registrations, removals and survival by need")
st.caption(view.INTRO)

page = ui.cached_query(view.sector_page)
if not page.loaded:
    st.warning(page.missing)
    st.write(view.NOT_LOADED_DETAIL)
    st.stop()

left, right = st.columns([3, 1])
scope = left.selectbox(view.AREA_LABEL, page.options, key="scope", bind="query-params")
groups = right.radio("Need groups", view.GROUPINGS, key="groups", horizontal=True, bind="query-params")
st.caption(page.caption)


def show(section: view.SectorView) -> None:
    """Notices, charts, the caption, the table with its download, then further downloads."""
    for notice in section.notices:
        st.info(notice)
    for chart in section.charts:
        ui.show_chart(chart.figure, filename=chart.filename)
    st.caption(section.caption)
    table = section.table
    ui.show_table(table.frame, filename=table.filename, label=table.label, formats=dict(table.formats))
    for extra in section.downloads:
        ui.download_csv(extra.frame, filename=extra.filename, label=extra.label)


for tab, name in zip(st.tabs(view.TABS, key="tab", bind="query-params"), view.TABS, strict=True):
    if tab.open:
        with tab:
            show(ui.cached_query(view.sector_view, area=page.codes[scope], groups=groups, tab=name))
