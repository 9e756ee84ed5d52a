"""Figures for the Triple jeopardy page: top-20 bars, need–capacity scatter with the national line, flag map."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from insight import robust
from insight.formatting import wrap
from insight.jeopardy.measures import Result
from insight.maps import choropleth as maps

# Okabe-Ito: distinguishable with colour-blindness; flagged areas also get a different marker shape or no hatch.
FLAGGED_COLOUR, OTHER_COLOUR, LINE_COLOUR, NOT_FLAGGED_MAP_COLOUR = "#D55E00", "#0072B2", "#000000", "#9ecae1"


def build_top_bar(result: Result, *, n: int = 20, title: str) -> go.Figure:
    """Horizontal bar chart of the n highest-scoring areas, flagged bars solid and labelled, others hatched."""
    top = result.table.dropna(subset=["score"]).head(n).iloc[::-1]
    colours = [FLAGGED_COLOUR if f else OTHER_COLOUR for f in top["flagged"]]
    patterns = ["" if f else "/" for f in top["flagged"]]
    figure = go.Figure(
        go.Bar(
            x=top["score"],
            y=top["area_name"],
            orientation="h",
            marker={"color": colours, "pattern": {"shape": patterns}},
            text=["flagged" if f else "" for f in top["flagged"]],
            textposition="inside",
            customdata=top[["area_code"]],
            hovertemplate="%{y} (%{customdata[0]})<br>score %{x:.1f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=title,
        xaxis={"title": "Score (0–100, higher = worse)", "range": [0, 100]},
        height=max(400, 28 * len(top) + 120),
        font={"size": 16},
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
    )
    return figure


def build_gap_scatter(result: Result, *, need_label: str, capacity_label: str) -> go.Figure:
    """Need (x) against capacity (y) for every area, the national Theil–Sen line, flagged areas as orange diamonds."""
    table = result.table.dropna(subset=["need", "capacity"])
    figure = go.Figure()
    trace = go.Scattergl if len(table) > 5000 else go.Scatter
    for flagged, name, colour, symbol in (
        (False, "Other areas", OTHER_COLOUR, "circle"),
        (True, "Flagged", FLAGGED_COLOUR, "diamond"),
    ):
        part = table[table["flagged"] == flagged]
        figure.add_trace(
            trace(
                x=part["need"],
                y=part["capacity"],
                mode="markers",
                name=name,
                marker={
                    "color": colour,
                    "symbol": symbol,
                    "size": 9 if flagged else 7,
                    "line": {"width": 0.5, "color": "white"},
                },
                customdata=part[["area_name", "area_code", "gap"]],
                hovertemplate="%{customdata[0]} (%{customdata[1]})<br>need %{x:,.2f}<br>capacity %{y:,.2f}"
                "<br>gap %{customdata[2]:+,.2f}<extra></extra>",
            )
        )
    if result.fit is not None and len(table):
        xs = np.linspace(table["need"].min(), table["need"].max(), 50)
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=result.fit.intercept + result.fit.slope * xs,
                mode="lines",
                name=f"Expected for need (Theil–Sen, ρ = {robust.signed(result.fit.rho)})",
                line={"color": LINE_COLOUR, "dash": "dash"},
                hoverinfo="skip",
            )
        )
    capacity = table["capacity"]
    # One outlier (e.g. the City of London's tiny population) can flatten everyone else: use a log axis then.
    log_y = bool(len(capacity)) and bool((capacity > 0).all()) and capacity.max() > 10 * capacity.median()
    yaxis: dict = {"title": wrap(capacity_label + (" (log scale)" if log_y else ""), width=40), "type": "linear"}
    if log_y:
        ticks = log_ticks(capacity)
        yaxis |= {"type": "log", "tickvals": ticks, "ticktext": [f"{tick:,g}" for tick in ticks]}
    figure.update_layout(
        xaxis_title=wrap(need_label, width=70),
        yaxis=yaxis,
        font={"size": 16},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 100, "b": 120},
    )
    return figure


def log_ticks(values: pd.Series) -> list[float]:
    """Ticks 1, 2, 5, 10, 20, 50 ... spanning the values, for a log axis that reads in one direction (Plotly's
    own labels its minor steps '2' and '5' between decades, which read as '100, 5, 2, 10')."""
    low, high = float(values.min()), float(values.max())
    decades = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
    ticks = [step * 10.0**decade for decade in decades for step in (1, 2, 5)]
    inside = [tick for tick in ticks if low / 2 <= tick <= high * 2]
    return [float(f"{tick:.12g}") for tick in inside]


def build_flag_map(result: Result, geo: pd.DataFrame, *, title: str, geojson_url: str | None = None) -> go.Figure:
    """Map: flagged areas in orange, other scored areas in light blue, areas without a score grey; hover gives score.

    geojson_url: the level's served boundary file (insight.maps.files), drawn from instead of embedding geo.
    """
    table = result.table[result.table["area_code"].isin(set(geo["code"]))]
    svg = maps.use_svg(geo)
    figure = go.Figure()
    groups = (
        ("Flagged", FLAGGED_COLOUR, table[table["flagged"]]),
        ("Not flagged", NOT_FLAGGED_MAP_COLOUR, table[~table["flagged"] & table["score"].notna()]),
        ("No data", maps.NO_DATA_COLOUR, table[table["score"].isna()]),
    )
    for name, colour, part in groups:
        figure.add_trace(
            maps.area_trace(
                svg=svg,
                geojson=maps.subset(geo, part["area_code"], svg=svg, url=geojson_url),
                locations=part["area_code"],
                z=[1] * len(part),
                featureidkey="id",
                colorscale=[[0, colour], [1, colour]],
                showscale=False,
                showlegend=True,
                name=f"{name} ({len(part)})",
                marker={"line": {"width": 0.4, "color": "white"}},
                customdata=part[["area_name", "area_code", "score"]].to_numpy(dtype=object),
                hovertemplate=f"<b>%{{customdata[0]}}</b> (%{{customdata[1]}})<br>{name}<br>"
                "score %{customdata[2]:.1f}<extra></extra>",
            )
        )
    figure.update_layout(legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)"})
    return maps.map_layout(figure, geo=geo, title=title, revision="jeopardy")
