"""Overview: the national picture — capacity and dependence by need decile, need vs capacity across districts."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from insight import nations
from insight import streamlit_adapter as ui
from insight.pages import overview as page


def show(section: page.Section, alert: Callable[[str], object] = st.warning) -> None:
    """A section's charts (figure, captions, table with its download) under its note, or why it has none."""
    if not section.charts:
        alert(section.missing)
    elif section.note:
        st.caption(section.note)
    for chart in section.charts:
        ui.show_panel(chart)


ui.require_database()
st.title("Overview: need and voluntary-sector capacity in England and Wales")
st.write(page.INTRO)
st.caption(nations.OWN_NATION_NOTE)
sections = [st.container() for _ in range(3)]  # drawn once the scatter's measures (the headline's too) are chosen
st.header("3. Need against capacity, district by district")
c = ui.cached_query(page.choices)
need = capacity = area = None
if c.need and c.capacity:
    left, middle, right = st.columns(3)
    for key, labels in (("need", c.labels), ("capacity", c.labels), ("area", c.areas)):
        ui.link_ids(key, labels)
    need = left.selectbox("Need measure", c.need, c.default("need"), c.labels.get, key="need", bind="query-params")
    capacity = middle.selectbox(
        "Capacity measure", c.capacity, c.default("capacity"), c.labels.get, key="capacity", bind="query-params"
    )
    area = right.selectbox(
        "Highlight an area", list(c.areas), None, c.areas.get, key="area", placeholder="(none)", bind="query-params"
    )
view = ui.cached_query(page.overview, need=need, capacity=capacity, area=area)

with sections[0]:
    if view.missing:
        st.info(view.missing)
    for column, row in zip(st.columns(max(len(view.headlines), 1)), view.headlines.itertuples(), strict=False):
        column.markdown(f"**{row.label}**")
        column.metric(row.label, row.text, label_visibility="collapsed")
        if row.detail:
            column.caption(row.detail)
    if view.headline_caption:
        st.caption(view.headline_caption)
with sections[1]:
    st.header("1. Charities per 1,000 residents, by how deprived the district is")
    show(view.deciles)
    st.subheader("Neighbourhood (LSOA) deciles")
    show(view.lsoa, alert=st.write)
with sections[2]:
    st.header("2. Dependence on public money, by need decile")
    show(view.dependence)
show(view.scatter)
if view.highlight:
    st.write(view.highlight)
