"""The Overview page's view-model: headline numbers, capacity and dependence by need decile, need against capacity."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import duckdb
import pandas as pd

from insight import captions, charts, queries, robust
from insight.defaults import default_measure, role_options
from insight.formatting import format_value, not_loaded_sentence
from insight.panel import Panel

INTRO = (
    "Do the places with the greatest need have the fewest charities? Each chart below answers one part of "
    "that question. IMD deciles: 1 = the most deprived 10% of areas."
)
DECILE_NOTE = (
    "English districts grouped by their IoD2025 IMD decile (rank of average score); charities pooled over the "
    "decile. Welsh districts are not in this chart: WIMD ranks Wales's 22 local authorities separately (see "
    "section 3 for both nations on own-nation measures)."
)
REGISTER = "Public-funding dependence (government income reported in charities' annual returns)"
LSOA_CAPACITY = "A neighbourhood-level capacity measure (charities geocoded from the Charity Commission register)"


@dataclass(frozen=True)
class Section:
    """A section's charts (each a figure, captions under it and the table behind it), or why there are none."""

    charts: tuple[Panel, ...]
    missing: str  # shown instead of the charts when there are none
    note: str = ""  # a caption above the charts


@dataclass(frozen=True)
class Choices:
    """The scatter's options at district level: measure ids with their labels, and the areas to highlight."""

    need: list[str]
    capacity: list[str]
    labels: dict[str, str]
    areas: dict[str, str]  # code: name

    def default(self, role: str) -> int:
        """Index of the role's default measure among its options."""
        options = getattr(self, role)
        found = default_measure(pd.DataFrame(), role=role, options=options)
        return options.index(found) if found else 0


@dataclass(frozen=True)
class Overview:
    """Everything the page shows; a section without charts says why."""

    missing: str  # '' when every source was loaded
    headlines: pd.DataFrame  # label, text, detail
    headline_caption: str
    deciles: Section
    lsoa: Section
    dependence: Section
    scatter: Section
    highlight: str  # the highlighted area's values in words ('' for none)


def choices(con: duckdb.DuckDBPyConnection) -> Choices:
    """Need and capacity options (rates, not counts) and the districts, for the scatter's widgets."""
    catalog = queries.available_measures(con, level="lad24")
    areas = queries.area_list(con, level="lad24")
    return Choices(
        need=role_options(catalog, role="need"),
        capacity=role_options(catalog, role="capacity"),
        labels=dict(zip(catalog["measure"], catalog["label"], strict=True)),
        areas=dict(zip(areas["code"], areas["name"], strict=True)),
    )


def overview(con: duckdb.DuckDBPyConnection, *, need: str | None, capacity: str | None, area: str | None) -> Overview:
    """The page for the chosen need and capacity measures (None when none is loaded) and highlighted district."""
    missing = queries.missing_titles(con)
    why = partial(not_loaded_sentence, missing_titles=queries.missing_titles(con, like="charit"))
    if need and capacity:
        chosen = (headlines(con, need=need, capacity=capacity), headline_caption(con, need=need, capacity=capacity))
        scatter = scatter_chart(con, need=need, capacity=capacity, area=area)
        words = highlight(con, need=need, capacity=capacity, area=area) if area else ""
    else:
        chosen, scatter, words = (pd.DataFrame(), ""), None, ""
    return Overview(
        missing=not_loaded_sentence("Part of the data", missing_titles=missing) if missing else "",
        headlines=chosen[0],
        headline_caption=chosen[1],
        deciles=Section(drawn(decile_chart(con)), why("District charity counts by need decile"), DECILE_NOTE),
        lsoa=Section(drawn(lsoa_chart(con)), why(LSOA_CAPACITY) + " The district view above is shown instead."),
        dependence=Section(tuple(dependence_charts(con)), why(REGISTER)),
        scatter=Section(drawn(scatter), why("Need or capacity for districts")),
        highlight=words,
    )


def drawn(chart: Panel | None) -> tuple[Panel, ...]:
    """The chart alone, or none."""
    return () if chart is None else (chart,)


def headlines(con: duckdb.DuckDBPyConnection, *, need: str, capacity: str) -> pd.DataFrame:
    """The headline numbers as text: label, text, detail."""
    rows = queries.headline_numbers(con, need=need, capacity=capacity)
    text = [
        robust.signed(r.value) if r.unit == "rho" else format_value(r.value, unit=r.unit) for r in rows.itertuples()
    ]
    return rows.assign(text=text)[["label", "text", "detail"]]


def headline_caption(con: duckdb.DuckDBPyConnection, *, need: str, capacity: str) -> str:
    """Provenance of the headline numbers (the decile view, the chosen measures and the LSOA IMD score)."""
    measures = tuple(dict.fromkeys((*queries.DECILE_VIEW_MEASURES, need, capacity, "imd_score")))
    return captions.caption(con, level="lad24", measures=measures, comparators=("lsoa21",))


def decile_chart(con: duckdb.DuckDBPyConnection) -> Panel | None:
    """Charities per 1,000 residents by district IMD decile (England), or None when the view is empty."""
    deciles = queries.capacity_by_need_decile(con)
    if deciles.empty:
        return None
    figure = charts.decile_bar(
        deciles,
        decile="imd_decile",
        value="charities_per_1000",
        count="areas",
        unit="per 1,000 residents",
        title="Charities per 1,000 residents by district IMD decile",
        value_label="Charities per 1,000 residents",
    )
    caption = captions.caption(con, level="lad24", measures=queries.DECILE_VIEW_MEASURES)
    name = "charities_per_1000_by_district_imd_decile"
    return Panel(
        figure=figure, filename=name, captions=(caption,), table=deciles, table_filename="capacity_by_need_decile"
    )


def lsoa_chart(con: duckdb.DuckDBPyConnection) -> Panel | None:
    """The first neighbourhood capacity measure by LSOA IMD decile, or None when none is loaded."""
    capacity = queries.available_measures(con, level="lsoa21", layer="capacity")
    if capacity.empty:
        return None
    row = capacity.iloc[0]
    by_decile = queries.measure_by_decile(con, level="lsoa21", measure=row["measure"], decile_measure="imd_decile")
    figure = charts.decile_bar(
        by_decile,
        decile="decile",
        value="median",
        count="areas",
        unit=row["unit"],
        value_label=row["label"],
        title=f"{row['label']} by neighbourhood IMD decile (median of neighbourhoods)",
    )
    name = row["measure"]
    return Panel(
        figure=figure, filename=f"{name}_by_lsoa_imd_decile", table=by_decile, table_filename=f"{name}_by_lsoa_decile"
    )


def dependence_charts(con: duckdb.DuckDBPyConnection) -> list[Panel]:
    """Each dependence measure's median by district IMD decile (none when no dependence measure is loaded)."""
    found = []
    for row in queries.available_measures(con, level="lad24", layer="dependence").itertuples():
        by_decile = queries.measure_by_decile(con, level="lad24", measure=row.measure, decile_measure="imd_lad_decile")
        figure = charts.decile_bar(
            by_decile,
            decile="decile",
            value="median",
            count="areas",
            unit=row.unit,
            title=f"{row.label} by district IMD decile (median of districts)",
            value_label=row.label,
        )
        name, table_name = f"{row.measure}_by_district_imd_decile", f"{row.measure}_by_district_decile"
        found.append(Panel(figure=figure, filename=name, table=by_decile, table_filename=table_name))
    return found


def scatter_chart(con: duckdb.DuckDBPyConnection, *, need: str, capacity: str, area: str | None) -> Panel:
    """Need against capacity across districts, with the area highlighted, its provenance, count and method."""
    catalog = queries.available_measures(con, level="lad24").set_index("measure")
    data = queries.measure_wide(con, level="lad24", measures=(need, capacity))
    figure = charts.need_capacity_scatter(
        data,
        x=need,
        y=capacity,
        x_label=catalog.at[need, "label"],
        y_label=catalog.at[capacity, "label"],
        x_unit=catalog.at[need, "unit"],
        y_unit=catalog.at[capacity, "unit"],
        highlight=area or None,
    )
    notes = (
        captions.caption(con, level="lad24", measures=(need, capacity)),
        f"{len(data.dropna()):,} districts have both values. Capacity counts charities by registered office, which "
        "is not always where a charity works.",
        queries.association_method(con, level="lad24", need=need, capacity=capacity),
    )
    name = f"{capacity}_vs_{need}_districts"
    return Panel(figure=figure, filename=name, captions=notes, table=data, table_filename=name)


def highlight(con: duckdb.DuckDBPyConnection, *, need: str, capacity: str, area: str) -> str:
    """'**Hartlepool**: IMD average score 37.6; Charities per 1,000 residents 2.0.' ('' when it has no values)."""
    catalog = queries.available_measures(con, level="lad24").set_index("measure")
    row = queries.measure_wide(con, level="lad24", measures=(need, capacity), codes=(area,))
    if row.empty:
        return ""
    values = [
        f"{catalog.at[m, 'label']} {format_value(row[m].iloc[0], unit=catalog.at[m, 'unit'])}" for m in (need, capacity)
    ]
    return f"**{row['area_name'].iloc[0]}**: {'; '.join(values)}."
