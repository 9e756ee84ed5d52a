"""Funding & services: grants per resident against need, and where a funder's money goes by deprivation decile."""

from __future__ import annotations

import streamlit as st

from insight import funding
from insight import funding_view as fv
from insight import streamlit_adapter as ui

ui.require_database()
st.title("Funding & services")
st.caption("Where does grant money go, relative to need? Choose a funder and years; the link keeps your choices.")

pick = ui.cached_query(fv.choices)
if not pick.loaded:
    st.info(fv.NOT_LOADED)
    st.stop()
st.warning(fv.CAVEAT, icon=":material/info:")

# Both choices are bound to the URL (funder, years); links from before the binding held the years as from= and to=.
if (old := fv.old_link_years(st.query_params.to_dict(), bounds=pick.years)) is not None:
    ui.rewrite_old_link({"years": [str(year) for year in old], "from": None, "to": None})
left, right = st.columns([2, 1])
with left:
    choice = ui.bound_selectbox("Funder", pick.funders, key="funder")
first, last = right.slider("Award years", *pick.years, value=pick.years, key="years", bind="query-params")
funder = None if choice == funding.ALL_FUNDERS else choice

view = ui.cached_query(fv.funding_view, funder=funder, years=(int(first), int(last)))
if view.empty:
    st.info(view.empty)
    st.stop()
ui.show_metrics(view.metrics)
if view.unmatched:
    st.caption(view.unmatched)

# Only the open tab is built and sent (switching tabs reruns the page); the URL keeps which tab is open.
for tab, panel in zip(st.tabs(list(fv.TABS), key="tab", bind="query-params"), fv.TABS.values(), strict=True):
    if tab.open:
        with tab:
            ui.show_panel(panel(view))
