"""Explore & download: pick geography, columns and filters; tidy table; CSV/Parquet; read-only SQL; schema browser."""

from __future__ import annotations

from functools import partial

import streamlit as st

from insight import captions, config, explore, sql_sandbox
from insight import streamlit_adapter as ui
from insight.export import neutralised, to_csv_bytes, to_parquet_bytes
from insight.formatting import format_int

ui.require_database()
st.title("Explore & download")
st.caption("Build a tidy table of any loaded measures, download it, or query the database directly (read-only).")

state = ui.url_state(explore.parse_state)
if "ex_level" not in st.session_state:
    st.session_state.ex_level = state["level"]
    st.session_state.ex_region = state["region"] or ""
    st.session_state.ex_deciles = list(state["deciles"])

left, middle, right = st.columns([1, 1, 1])
level = left.selectbox("Geography", list(explore.LEVELS), format_func=explore.LEVELS.get, key="ex_level")
catalog = ui.cached_query(explore.measure_catalog, level=level)
region_table = ui.cached_query(explore.regions)
region_names = dict(zip(region_table["code"], region_table["name"], strict=True))
if st.session_state.ex_region not in region_names:
    st.session_state.ex_region = ""
region = (
    middle.selectbox(
        "Region", ["", *region_names], format_func=lambda c: region_names.get(c, "All regions"), key="ex_region"
    )
    or None
)
decile_measure = explore.DECILE_MEASURE.get(level)
decile_ready = decile_measure is not None and decile_measure in set(catalog["measure"])
deciles = right.multiselect(
    "IMD decile (1 = most deprived 10%)",
    list(range(1, 11)),
    key="ex_deciles",
    placeholder="All deciles",
    disabled=not decile_ready,
    help="Available for neighbourhoods (LSOA decile) and districts (decile of districts).",
)

if catalog.empty:
    st.info(f"No measures have values for {explore.LEVELS[level].lower()} in this database.")
    st.stop()
labels = dict(zip(catalog["measure"], catalog["label"], strict=True))
key = f"ex_measures_{level}"
if key not in st.session_state:
    wanted = [m for m in state["measures"] if m in labels] if level == state["level"] else []
    st.session_state[key] = wanted or list(explore.default_measures(catalog))
measures = st.multiselect("Columns (measures)", list(labels), format_func=lambda m: f"{labels[m]} ({m})", key=key)
st.query_params.from_dict(
    {"level": level, "measures": ",".join(measures)}
    | ({"region": region} if region else {})
    | ({"deciles": ",".join(map(str, sorted(deciles)))} if deciles and decile_ready else {})
)
chosen_deciles = tuple(sorted(deciles)) if decile_ready else ()

table = ui.cached_query(
    explore.wide_table, level=level, measures=tuple(measures), region=region, deciles=chosen_deciles
)
scope = f"{format_int(len(table))} {explore.LEVELS[level].lower()}" + (f" in {region_names[region]}" if region else "")
st.markdown(f"**{scope}**, one row each; columns are measure ids (blank = no value for that area).")
if table.empty:
    st.info("No areas match these filters. Clear the region or decile filter to see more.")
else:
    units = dict(zip(catalog["measure"], catalog["unit"], strict=True))
    st.dataframe(
        table,
        hide_index=True,
        column_config={m: st.column_config.NumberColumn(format=explore.column_format(units.get(m))) for m in measures},
    )
if measures:
    st.caption(ui.cached_query(captions.caption, level=level, measures=tuple(measures)))
name = f"vcs_insight_{level}" + (f"_{region}" if region else "")
buttons = st.columns(2)
buttons[0].download_button("Download CSV", partial(to_csv_bytes, table), file_name=f"{name}.csv", mime="text/csv")
buttons[1].download_button(
    "Download Parquet", partial(to_parquet_bytes, table), file_name=f"{name}.parquet", mime="application/octet-stream"
)
if measures:
    with st.expander("What the columns mean"):
        legend = explore.measure_legend(catalog, measures=tuple(measures))
        st.dataframe(legend, hide_index=True)
        st.download_button(
            "Download column definitions (CSV)", to_csv_bytes(legend), file_name=f"{name}_columns.csv", mime="text/csv"
        )

st.header("Query the database (read-only SQL)")
max_rows = int(config.setting("VCS_INSIGHT_SQL_ROWS"))
seconds = float(config.setting("VCS_INSIGHT_SQL_SECONDS"))
st.caption(
    f"One SELECT over the tables listed below. Results stop at {format_int(max_rows)} rows and {seconds:g} seconds; "
    "files, settings and changes to the database are refused."
)


def run_query(text: str) -> None:
    """Run the SQL box in the sandbox; keep the result or the refusal, and the text for the URL when short."""
    st.session_state.ex_ran_sql = text if len(text) <= explore.MAX_URL_SQL else None
    try:
        st.session_state.ex_result = sql_sandbox.run_readonly_sql(
            config.db_path(), text, max_rows=max_rows, timeout_s=seconds
        )
        st.session_state.ex_error = None
    except sql_sandbox.SqlRefused as refused:
        st.session_state.ex_result, st.session_state.ex_error = None, str(refused)


if "ex_sql" not in st.session_state:
    st.session_state.ex_sql = state["sql"] or explore.EXAMPLE_SQL
    if state["sql"]:
        run_query(state["sql"])
sql = st.text_area("SQL", height=140, key="ex_sql")
if st.button("Run query", type="primary", key="ex_run"):
    run_query(sql)
if st.session_state.get("ex_ran_sql"):
    st.query_params["sql"] = st.session_state.ex_ran_sql
if st.session_state.get("ex_error"):
    st.error(explore.plain_text(st.session_state.ex_error))
elif st.session_state.get("ex_result") is not None:
    result = st.session_state.ex_result
    capped = " (stopped at the row limit; more rows exist)" if result.attrs.get("truncated") else ""
    st.markdown(f"{format_int(len(result))} rows{capped}.")
    st.dataframe(neutralised(result), hide_index=True)  # the grid's own CSV download takes cells as shown
    st.download_button(
        "Download query result (CSV)", partial(to_csv_bytes, result), file_name="query.csv", mime="text/csv"
    )  # built when clicked: a result near the size limit is not converted on every rerun

st.header("Tables and columns")
tables = ui.cached_query(explore.schema_tables)
st.dataframe(
    tables.rename(
        columns={"table_name": "Table", "table_type": "Type", "columns": "Columns", "column_list": "Column names"}
    ),
    hide_index=True,
)
chosen = st.selectbox("Show the columns of", tables["table_name"].tolist(), key="ex_table")
columns = ui.cached_query(explore.schema_columns)
st.dataframe(
    columns[columns["table_name"] == chosen][["column_name", "data_type"]].rename(
        columns={"column_name": "Column", "data_type": "Type"}
    ),
    hide_index=True,
)
st.caption("Every table and column is described in docs/schema.md; measures are defined on Methods & sources.")
