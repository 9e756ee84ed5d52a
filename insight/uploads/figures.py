"""Figures for the Your data page, built only from already-suppressed tables."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from insight import charts
from insight.maps import choropleth as maps

SUPPRESSED_HOVER = "<b>%{customdata[0]}</b> (%{customdata[1]})<br>Suppressed (small count)<extra></extra>"
REACH_COLOURS = {"records": charts.DARK_BLUE, "national": charts.DARK_GREY, "local": charts.TURQUOISE}


def reach_map(areas: pd.DataFrame, *, geo: pd.DataFrame, title: str) -> go.Figure:
    """Records per area (areas: code, name, records, suppressed); suppressed areas grey and labelled so."""
    values = areas.loc[~areas["suppressed"], ["code", "name", "records"]]
    values = values.rename(columns={"code": "area_code", "name": "area_name", "records": "value"})
    values["value"] = values["value"].astype(float)
    fig = maps.choropleth(values, geo, label="Records", unit="count", title=title, colorscale="Blues", revision="byod")
    if len(fig.data) == 2:  # the first trace holds areas without a value: here exactly the suppressed ones
        fig.data[0].name = "Suppressed"
        fig.data[0].hovertemplate = SUPPRESSED_HOVER
    return fig


def reach_by_decile(deciles: pd.DataFrame, *, title: str) -> go.Figure:
    """Share of your records by IMD decile beside the share of LSOAs nationally and locally (hidden deciles blank)."""
    known = deciles[deciles["imd_decile"].notna()]
    fig = go.Figure()
    series = (
        ("share_of_records", "Your records", "records"),
        ("lsoas_national_pct", "LSOAs, England and Wales", "national"),
        ("lsoas_local_pct", "LSOAs in the districts you reach", "local"),
    )
    for column, label, colour in series:
        values = pd.to_numeric(known[column], errors="coerce").astype(float)  # a hidden count is NA: drawn blank
        fig.add_trace(
            go.Bar(
                x=known["imd_decile"].astype(int),
                y=values,
                name=label,
                marker_color=REACH_COLOURS[colour],
                hovertemplate=f"Decile %{{x}}<br>{label}: %{{y:.1f}}%<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.25})
    fig.update_xaxes(title=charts.DECILE_AXIS, tickmode="linear", dtick=1)
    fig.update_yaxes(title="Share (%)")
    return charts.style(fig, title=title)
