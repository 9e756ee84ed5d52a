"""Explore & download: pick geography, columns and filters; tidy table; CSV/Parquet; read-only SQL; schema browser."""

from __future__ import annotations

from functools import partial

import streamlit as st

from insight import explore
from insight import streamlit_adapter as ui
from insight.export import neutralised, to_csv_bytes, to_parquet_bytes
from insight.pages import explore as page

ui.require_database()
st.title("Explore & download")
st.caption("Build a tidy table of any loaded measures, download it, or query the database directly (read-only).")

left, middle, right = st.columns([1, 1, 1])
ui.link_ids("level", explore.LEVELS)
level = left.selectbox(
    "Geography",
    list(explore.LEVELS),
    format_func=explore.LEVELS.get,
    key="level",
    bind="query-params",
    on_change=lambda: st.session_state.pop("measures", None),  # another level opens on its own default measures
)
c = ui.cached_query(page.choices, level=level)
ui.link_ids("region", c.regions)
region = middle.selectbox(
    "Region", list(c.regions), None, c.regions.get, key="region", placeholder="All regions", bind="query-params"
)
ui.link_ids("deciles", {str(d): str(d) for d in range(1, 11)}, many=True)
deciles = right.multiselect(
    "IMD decile (1 = most deprived 10%)",
    list(range(1, 11)),
    key="deciles",
    placeholder="All deciles",
    disabled=not c.decile_ready,
    help="Available for neighbourhoods (LSOA decile) and districts (decile of districts).",
    bind="query-params",
)
if not c.labels:
    st.info(f"No measures have values for {explore.LEVELS[level].lower()} in this database.")
    st.stop()
ui.link_ids("measures", c.labels, many=True)
measures = st.multiselect(
    "Columns (measures)", list(c.labels), c.defaults, c.labels.get, key="measures", bind="query-params"
)
chosen_deciles = tuple(sorted(deciles)) if c.decile_ready else ()
view = ui.cached_query(page.table, level=level, measures=tuple(measures), region=region, deciles=chosen_deciles)

st.markdown(f"**{view.scope}**, one row each; columns are measure ids (blank = no value for that area).")
if view.table.empty:
    st.info("No areas match these filters. Clear the region or decile filter to see more.")
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
        st.dataframe(view.legend, hide_index=True)
        st.download_button(
            "Download column definitions (CSV)", to_csv_bytes(view.legend), f"{view.name}_columns.csv", "text/csv"
        )

st.header("Query the database (read-only SQL)")
st.caption(page.sql_limits()[2])


linked = explore.url_sql(st.query_params.get("sql"))  # a shared link's query is put in the box and run
sql = st.text_area("SQL", linked or explore.EXAMPLE_SQL, height=140, key="ex_sql")
if st.button("Run query", type="primary", key="ex_run") or (linked and "ex_result" not in st.session_state):
    st.session_state.ex_result = page.run_sql(sql)  # (result, None) or (None, why it was refused)
    if len(sql) <= explore.MAX_URL_SQL:  # longer queries still run; the link just does not carry them
        st.query_params["sql"] = sql
result, error = st.session_state.get("ex_result", (None, None))
if error:
    st.error(explore.plain_text(error))
elif result is not None:
    st.markdown(page.result_sentence(result))
    st.dataframe(neutralised(result), hide_index=True)  # the grid's own CSV download takes cells as shown
    st.download_button("Download query result (CSV)", partial(to_csv_bytes, result), "query.csv", "text/csv")

st.header("Tables and columns")
tables, columns = ui.cached_query(page.schema)
st.dataframe(tables, hide_index=True)
chosen = st.selectbox("Show the columns of", tables["Table"].tolist(), key="ex_table")
st.dataframe(columns[columns["table_name"] == chosen][["Column", "Type"]], hide_index=True)
st.caption("Every table and column is described in docs/schema.md; measures are defined on Methods & sources.")
