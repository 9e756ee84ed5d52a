"""Triple jeopardy: areas in the top X% for need, bottom Y% for capacity and top Z% for dependence."""

from __future__ import annotations

import streamlit as st

from insight import captions, explore, nations, queries
from insight import streamlit_adapter as ui
from insight.export import to_csv_bytes
from insight.formatting import format_int
from insight.jeopardy import figures as jeopardy_figures
from insight.jeopardy import measures as jeopardy
from insight.maps import files as map_files

ui.require_database()
st.title("Triple jeopardy")
st.caption(
    "Which areas combine high need, a thin voluntary and community sector, and charities that depend on public "
    "money? Move the thresholds; the link in your address bar keeps your choices."
)
st.caption(nations.OWN_NATION_NOTE)

params = st.query_params.to_dict()
if "tj_level" not in st.session_state:
    st.session_state.tj_level = params.get("level") if params.get("level") in jeopardy.LEVELS else "lad24"
level = st.selectbox("Geography", list(jeopardy.LEVELS), format_func=jeopardy.LEVELS.get, key="tj_level")
level_label = jeopardy.LEVELS[level]
available = ui.cached_query(jeopardy.loaded_measures, level=level)
state = ui.url_state(jeopardy.parse_state, available=available, level=level)
labels = dict(zip(available["measure"], available["label"], strict=True))
units = dict(zip(available["measure"], available["unit"], strict=True))


def measure_picker(role: str, title: str) -> str | None:
    """A selectbox over the loaded measures of one layer, initialised from the URL."""
    options = jeopardy.role_options(available, role=role)
    if not options:
        st.selectbox(title, ["Not loaded for this geography"], disabled=True, key=f"tj_{role}_none")
        return None
    key = f"tj_{role}_{level}"
    if key not in st.session_state:
        st.session_state[key] = state[role]
    return st.selectbox(title, options, format_func=labels.get, key=key)


def slider(key: str, title: str, *, disabled: bool = False) -> int:
    if f"tj_{key}" not in st.session_state:
        st.session_state[f"tj_{key}"] = state[key]
    return st.slider(title, 1, 100, step=1, format="%d%%", key=f"tj_{key}", disabled=disabled)


left, middle, right = st.columns(3)
with left:
    need = measure_picker("need", "Need measure")
    x = slider("x", "Top X% for need")
with middle:
    capacity = measure_picker("capacity", "Capacity measure")
    y = slider("y", "Bottom Y% for capacity", disabled=capacity is None)
with right:
    dependence = measure_picker("dependence", "Dependence measure")
    z = slider("z", "Top Z% for dependence", disabled=dependence is None)

ui.to_url(level=level, need=need, capacity=capacity, dependence=dependence, x=str(x), y=str(y), z=str(z))

if need is None or capacity is None:
    missing_role = "need" if need is None else "capacity"
    st.warning(
        f"No {missing_role} measure has values for {level_label.lower()} in this database, so areas cannot be flagged "
        "at this level. Choose another geography (local authority districts have need and capacity)."
    )
    st.stop()

result = ui.cached_query(
    jeopardy.scored_areas, level=level, need=need, capacity=capacity, dependence=dependence, percents=(x, y, z)
)
if dependence is None or "dependence" not in result.roles:
    st.info(jeopardy.dependence_missing_sentence(ui.cached_query(jeopardy.missing_sources), level_label=level_label))

counts = jeopardy.flag_counts(result)
jeopardy_word = "Triple" if "dependence" in result.roles else "Two"
metrics = st.columns(4)
metrics[0].metric(
    f"{jeopardy_word}-jeopardy areas", format_int(counts["flagged"]), help="In the worst share for every measure"
)
metrics[1].metric(f"Top {x}% for need", format_int(counts["need"]))
metrics[2].metric(f"Bottom {y}% for capacity", format_int(counts["capacity"]))
metrics[3].metric(
    f"Top {z}% for dependence", format_int(counts["dependence"]) if "dependence" in counts else "not loaded"
)
st.caption(
    f"{format_int(counts['scored'])} of {format_int(len(result.table))} {level_label.lower()} have every chosen measure."
)

chosen = tuple(m for m in (need, capacity, dependence) if m)
st.caption(ui.cached_query(captions.caption, level=level, measures=chosen))
role_labels = {
    role: labels.get(m, m) for role, m in (("need", need), ("capacity", capacity), ("dependence", dependence))
}
flagged_only = st.toggle("Show only flagged areas", value=True, key="tj_flagged_only")
table = jeopardy.display_table(result, labels=role_labels, flagged_only=flagged_only)
if table.empty:
    st.info("No area is in the worst share for every measure at these thresholds. Widen a threshold to see more.")
else:
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            role_labels[role]: st.column_config.NumberColumn(format=explore.column_format(units.get(measure)))
            for role, measure in (("need", need), ("capacity", capacity), ("dependence", dependence))
            if measure
        }
        | {
            "Score": st.column_config.NumberColumn(format="%.1f"),
            "Expected capacity": st.column_config.NumberColumn(format="%.2f"),
            "Capacity gap": st.column_config.NumberColumn(format="%+.2f"),
            "Flagged": st.column_config.CheckboxColumn(),
        },
    )
st.download_button(
    "Download the ranked table (CSV)",
    lambda: to_csv_bytes(jeopardy.display_table(result, labels=role_labels, flagged_only=False)),  # when clicked
    file_name=f"triple_jeopardy_{level}.csv",
    mime="text/csv",
)

# Only the open tab is built and sent (switching tabs reruns the page); the URL keeps which tab is open.
map_tab, chart_tab, gap_tab = st.tabs(["Map", "Top 20", "Capacity gap"], key="tab", bind="query-params")
if chart_tab.open:
    with chart_tab:
        bar = jeopardy_figures.build_top_bar(result, n=20, title=f"Highest scores: {level_label.lower()}")
        ui.show_chart(bar, filename=f"jeopardy_top20_{level}")
if map_tab.open:
    with map_tab:
        many = level in jeopardy.MANY_AREAS
        flagged_codes = tuple(result.table.loc[result.table["flagged"], "area_code"])
        geo = ui.cached_query(queries.geometry, level=level, codes=flagged_codes if many else None)
        if many and not flagged_codes:
            st.info("No neighbourhood is flagged at these thresholds, so there is nothing to map.")
        elif geo.empty:
            st.info(f"No boundaries for {level_label.lower()} are in this database, so there is no map.")
        else:
            figure = jeopardy_figures.build_flag_map(
                result, geo, title=f"{jeopardy_word}-jeopardy areas: {level_label.lower()}",
                geojson_url=ui.cached_query(map_files.geojson_url, level=level),
            )  # fmt: skip
            ui.show_chart(figure, filename=f"jeopardy_map_{level}")
            unscored = int(result.table["score"].isna().sum())
            if many:
                st.caption("Only the flagged neighbourhoods are drawn, so the map stays quick.")
            elif unscored:
                st.caption(
                    f"Grey: {format_int(unscored)} areas lack a value for at least one chosen measure (a measure "
                    "from one nation's index, such as the IoD or WIMD, covers that nation only). Hover over an area "
                    "for its score."
                )
if gap_tab.open:
    with gap_tab:
        scatter = jeopardy_figures.build_gap_scatter(
            result, need_label=role_labels["need"], capacity_label=role_labels["capacity"]
        )
        ui.show_chart(scatter, filename=f"jeopardy_gap_{level}")
        if result.fit is not None:
            st.caption(jeopardy.fit_sentence(result))

with st.expander("How flags, score and gap are defined"):
    st.markdown(
        "- **Flags.** Each measure is turned so that the worse end is high need, low capacity and high dependence. "
        "An area is in the worst X% when its rank from the worse end (1 = worst; tied areas share the better rank) "
        "is at most X% of the areas with a value. It is flagged when it is in the worst share for every measure.\n"
        "- **Score (0–100, higher = worse).** The mean of the area's percentile ranks on the chosen measures "
        "(rank from the better end ÷ number of areas × 100; ties averaged).\n"
        "- **Capacity gap.** Observed capacity minus the capacity expected for the area's need, from a straight "
        "line (ordinary least squares) of capacity on need across all areas of this geography; areas with extreme "
        "capacity (more than 3 × the interquartile range beyond the quartiles) are left out of the line but still "
        "get a gap.\n"
        "- Charities are counted where they are registered, which is not always where they work. Measures come "
        "from different years; see Methods & sources."
    )
