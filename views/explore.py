"""Explore & download: pick geography, columns and filters; tidy table; CSV/Parquet; read-only SQL; schema browser."""

from __future__ import annotations

from functools import partial

import streamlit as st

from insight import explore
from insight import streamlit_adapter as ui
from insight.export import to_csv_bytes, to_parquet_bytes
from insight.pages import explore as page

ui.require_database()
st.title("Explore & download")
st.caption("Build a tidy table of any loaded measures, download it, or query the database directly (read-only).")


def new_level() -> None:
    """Another level opens on its own default measures."""
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
    formats = {m: st.column_config.NumberColumn(format=f) for m, f in view.formats.items()}
    st.dataframe(view.table, hide_index=True, column_config=formats)
if view.caption:
    st.caption(view.caption)
buttons = st.columns(2)
buttons[0].download_button("Download CSV", partial(to_csv_bytes, view.table), f"{view.name}.csv", "text/csv")
buttons[1].download_button(
    "Download Parquet", partial(to_parquet_bytes, view.table), f"{view.name}.parquet", "application/octet-stream"
)
if measures:
    with st.expander("What the columns mean"):
        ui.show_table(view.legend, filename=f"{view.name}_columns", label="Download column definitions (CSV)")

st.header("Query the database (read-only SQL)")
st.caption(view.sql_limits)
linked = explore.url_sql(st.query_params.get("sql"))  # a shared link's query is put in the box and run
sql = st.text_area("SQL", linked or explore.EXAMPLE_SQL, height=140, key="ex_sql")
if st.button("Run query", type="primary", key="ex_run") or (linked and "ex_result" not in st.session_state):
    st.session_state.ex_result = page.run_sql(sql)
    if st.session_state.ex_result.link:
        st.query_params["sql"] = st.session_state.ex_result.link
if (run := st.session_state.get("ex_result")) and run.error:
    st.error(run.error)
elif run:
    st.markdown(run.sentence)
    st.dataframe(run.shown, hide_index=True)  # the grid's own CSV download takes cells as shown
    st.download_button("Download query result (CSV)", partial(to_csv_bytes, run.result), "query.csv", "text/csv")

st.header("Tables and columns")
st.dataframe(view.tables, hide_index=True)
chosen = st.selectbox("Show the columns of", view.tables["Table"].tolist(), key="ex_table")
st.dataframe(view.columns[chosen], hide_index=True)
st.caption("Every table and column is described in docs/schema.md; measures are defined on Methods & sources.")
