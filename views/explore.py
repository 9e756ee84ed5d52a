"""Explore & download: pick geography, columns and filters; tidy table; CSV/Parquet; read-only SQL; schema browser."""

from __future__ import annotations

import streamlit as st

from insight import explore
from insight import streamlit_adapter as ui
from insight.pages import explore as page

ui.require_database()
st.title("Explore & download")
st.caption("Build a tidy table of any loaded measures, download it, or query the database directly (read-only).")


def new_level() -> None:  # another level opens on its own default measures
    st.session_state.pop("measures", None)


left, middle, right = st.columns([1, 1, 1])
ui.link_ids("level", explore.LEVELS)
level = left.selectbox(
    "Geography", list(explore.LEVELS), 0, explore.LEVELS.get, key="level", on_change=new_level, bind="query-params"
)
c = ui.cached_query(page.choices, level=level)
ui.link_ids("region", c.regions)
region = middle.selectbox(
    "Region", list(c.regions), None, c.regions.get, key="region", placeholder="All regions", bind="query-params"
)
ui.link_ids("deciles", page.DECILES, many=True)
deciles = right.multiselect(
    "IMD decile (1 = most deprived 10%)",
    list(range(1, 11)),
    key="deciles",
    placeholder="All deciles",
    disabled=not c.decile_ready,
    help=page.DECILE_HELP,
    bind="query-params",
)
if c.missing:
    st.info(c.missing)
    st.stop()
ui.link_ids("measures", c.labels, many=True)
measures = st.multiselect(
    "Columns (measures)", list(c.labels), c.defaults, c.labels.get, key="measures", bind="query-params"
)
view = ui.cached_query(page.view, level=level, measures=tuple(measures), region=region, deciles=tuple(deciles))

st.markdown(view.scope)
if view.table.empty:
    st.info(page.NO_AREAS)
else:
    st.dataframe(view.table, hide_index=True, column_config=ui.number_formats(view.formats))
if view.caption:
    st.caption(view.caption)
ui.download_table(view.table, filename=view.name)
if measures:
    with st.expander("What the columns mean"):
        ui.show_table(view.legend, filename=f"{view.name}_columns", label="Download column definitions (CSV)")

st.header("Query the database (read-only SQL)")
st.caption(view.sql_limits)
ui.sql_box(page.run_sql, example=explore.EXAMPLE_SQL, from_link=explore.url_sql)

st.header("Tables and columns")
st.dataframe(view.tables, hide_index=True)
chosen = st.selectbox("Show the columns of", view.tables["Table"].tolist(), key="ex_table")
st.dataframe(view.columns[chosen], hide_index=True)
st.caption("Every table and column is described in docs/schema.md; measures are defined on Methods & sources.")
