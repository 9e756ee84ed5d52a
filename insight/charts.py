"""Pure figure builders: data in, go.Figure out. Projector-readable fonts, colour-blind-safe colours, labels."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from insight import robust
from insight.config import STATIC_URL
from insight.formatting import format_value, hover_format, unit_suffix, wrap

FONT_SIZE = 16
# Government Analysis Function categorical palette (colour-blind-safe in this order).
DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY = "#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D"
COMPARATOR_COLOURS = {"area": DARK_BLUE, "region": TURQUOISE, "similar": DARK_PINK, "england": DARK_GREY}
DECILE_AXIS = "IMD decile of the area (1 = most deprived 10%)"


def plotly_config(filename: str, *, scale: int = 2) -> dict:
    """st.plotly_chart config: modebar PNG download with a readable file name, no Plotly logo."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", filename).strip("_").lower() or "chart"
    return {
        "displaylogo": False,
        "topojsonURL": STATIC_URL,  # SVG maps' (empty) base topology, served by the app: never a CDN
        "toImageButtonOptions": {"format": "png", "filename": safe, "scale": scale, "width": 1200, "height": 700},
    }


def style(fig: go.Figure, *, title: str, height: int = 480, font_size: int = FONT_SIZE, width: int = 70) -> go.Figure:
    """Common layout: wrapped title, large fonts, room for labels (the white template is the app's default)."""
    lines = wrap(title, width=width).count("<br>")
    fig.update_layout(
        title={"text": wrap(title, width=width), "x": 0, "xanchor": "left"},
        font={"size": font_size, "family": "Arial, Helvetica, sans-serif"},
        height=height,
        margin={"l": 10, "r": 30, "t": 60 + 24 * lines, "b": 10},
        hoverlabel={"font_size": font_size},
    )
    return fig


def axis_title(label: str, unit: str) -> str:
    """Axis title: the label plus its unit, unless the label already names the unit."""
    return label if unit and unit.lower() in label.lower() else label + unit_suffix(unit)


def value_range(values: pd.Series) -> list[float] | None:
    """An axis range from 0 with 25% headroom for outside labels (None when values go negative)."""
    low, high = float(values.min()), float(values.max())
    return [0, high * 1.25] if low >= 0 and high > 0 else None


def empty_figure(message: str, *, title: str = "") -> go.Figure:
    """A blank figure that says why there is nothing to draw."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig, title=title, height=300)


def decile_bar(
    frame: pd.DataFrame, *, decile: str, value: str, title: str, value_label: str, unit: str, count: str | None = None
) -> go.Figure:
    """Bars of a value by IMD decile (1 = most deprived), each bar labelled with its formatted value."""
    if frame.empty:
        return empty_figure("No values to show.", title=title)
    labels = [format_value(v, unit=unit) for v in frame[value]]
    custom = frame[[count]].to_numpy() if count else None
    hover = f"Decile %{{x}}<br>{value_label}: %{{y:{hover_format(unit)}}}"
    hover += "<br>Areas: %{customdata[0]:,}" if count else ""
    fig = go.Figure(
        go.Bar(
            x=frame[decile],
            y=frame[value],
            text=labels,
            textposition="outside",
            marker_color=DARK_BLUE,
            customdata=custom,
            hovertemplate=hover + "<extra></extra>",
            cliponaxis=False,
        )
    )
    fig.update_xaxes(title=DECILE_AXIS, tickmode="linear", dtick=1)
    fig.update_yaxes(title=axis_title(value_label, unit), tickformat=hover_format(unit).replace(".2f", ".1f"))
    fig.update_yaxes(range=[0, float(frame[value].max()) * 1.15] if frame[value].min() >= 0 else None)
    return style(fig, title=title)


def need_capacity_scatter(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    x_label: str,
    y_label: str,
    x_unit: str = "",
    y_unit: str = "",
    highlight: str | None = None,
) -> go.Figure:
    """Scatter of areas (need on x, capacity on y) with a Theil–Sen trend line and one area highlighted and labelled."""
    data = frame.dropna(subset=[x, y])
    title = f"{y_label} against {x_label}, by area"
    if data.empty:
        return empty_figure("No area has both values.", title=title)
    hover = (
        f"<b>%{{customdata[0]}}</b> (%{{customdata[1]}})<br>{x_label}: %{{x:{hover_format(x_unit)}}}"
        f"<br>{y_label}: %{{y:{hover_format(y_unit)}}}<extra></extra>"
    )
    custom = data[["area_name", "area_code"]].to_numpy()
    fig = go.Figure(
        go.Scatter(
            x=data[x],
            y=data[y],
            mode="markers",
            name="Areas",
            customdata=custom,
            hovertemplate=hover,
            marker={"color": DARK_BLUE, "opacity": 0.6, "size": 9},
        )
    )
    add_trend_line(fig, data[x].to_numpy(), data[y].to_numpy())
    if highlight is not None and highlight in set(data["area_code"]):
        add_highlight(fig, data[data["area_code"] == highlight].iloc[0], x=x, y=y, hover=hover)
    fig.update_xaxes(title=axis_title(x_label, x_unit), tickformat=hover_format(x_unit).replace(".2f", ""))
    fig.update_yaxes(title=axis_title(y_label, y_unit), tickformat=hover_format(y_unit).replace(".2f", ""))
    clip_outliers(fig, data, y=y, unit=y_unit)
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return style(fig, title=title, height=560)


def clip_outliers(fig: go.Figure, data: pd.DataFrame, *, y: str, unit: str) -> None:
    """Cap the y axis when a few areas sit far above the rest (more than 10 interquartile ranges above the upper
    quartile, e.g. the City of London's tiny population) and name them, so the other areas stay readable."""
    q1, q3 = float(data[y].quantile(0.25)), float(data[y].quantile(0.75))
    above = data[data[y] > q3 + 10 * max(q3 - q1, 1e-9)]
    if above.empty:
        return
    cap = float(data.loc[~data.index.isin(above.index), y].max()) * 1.1
    fig.update_yaxes(range=[min(0.0, float(data[y].min())), cap])
    names = ", ".join(f"{row.area_name} ({format_value(getattr(row, y), unit=unit)})" for row in above.itertuples())
    fig.add_annotation(
        text=f"Off the scale: {names}",
        x=1,
        y=1,
        xref="paper",
        yref="paper",
        xanchor="right",
        yanchor="top",
        showarrow=False,
        bgcolor="rgba(255,255,255,0.9)",
    )


def add_trend_line(fig: go.Figure, x: np.ndarray, y: np.ndarray) -> None:
    """Add the Theil–Sen line y = a + b·x (robust to outliers; insight.robust), named with Spearman's rho."""
    line = robust.theil_sen(x, y)
    rho = robust.spearman(x, y)
    if line is None:
        return
    xs = np.array([np.nanmin(x), np.nanmax(x)])
    rho_text = f", ρ = {robust.signed(rho)}" if rho is not None else ""
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=line.at(xs),
            mode="lines",
            name=f"Trend (Theil–Sen{rho_text})",
            line={"color": DARK_GREY, "dash": "dash", "width": 3},
            hoverinfo="skip",
        )
    )


def add_highlight(fig: go.Figure, row: pd.Series, *, x: str, y: str, hover: str) -> None:
    """Mark one area with a large diamond and its name (shape and label, not colour alone)."""
    fig.add_trace(
        go.Scatter(
            x=[row[x]],
            y=[row[y]],
            mode="markers+text",
            name=str(row["area_name"]),
            text=[str(row["area_name"])],
            textposition="top center",
            customdata=[[row["area_name"], row["area_code"]]],
            hovertemplate=hover,
            marker={"color": ORANGE, "size": 20, "symbol": "diamond", "line": {"color": "black", "width": 2}},
            textfont={"size": FONT_SIZE + 2, "color": "black"},
        )
    )


def comparison_chart(frame: pd.DataFrame, *, title: str, unit: str, font_size: int = FONT_SIZE) -> go.Figure:
    """Horizontal bars of one measure: the area and its comparators (columns: name, kind, value)."""
    data = frame.dropna(subset=["value"])
    if data.empty:
        return empty_figure("No values for this measure.", title=title)
    colours = [COMPARATOR_COLOURS.get(kind, DARK_GREY) for kind in data["kind"]]
    fig = go.Figure(
        go.Bar(
            y=data["name"],
            x=data["value"],
            orientation="h",
            marker_color=colours,
            cliponaxis=False,
            text=[format_value(v, unit=unit) for v in data["value"]],
            textposition="outside",
            hovertemplate=f"%{{y}}: %{{x:{hover_format(unit)}}}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(
        title=unit or None, tickformat=hover_format(unit).replace(".2f", ""), range=value_range(data["value"])
    )
    return style(fig, title=title, height=max(280, 70 * len(data) + 130), font_size=font_size, width=40)


def ranked_bar(
    frame: pd.DataFrame, *, value: str, name: str, title: str, value_label: str, unit: str, font_size: int = FONT_SIZE
) -> go.Figure:
    """Horizontal bars of areas ranked by a value, highest first (e.g. neighbourhoods by need)."""
    data = frame.dropna(subset=[value])
    if data.empty:
        return empty_figure("No values to rank.", title=title)
    fig = go.Figure(
        go.Bar(
            y=data[name],
            x=data[value],
            orientation="h",
            marker_color=DARK_BLUE,
            cliponaxis=False,
            text=[format_value(v, unit=unit) for v in data[value]],
            textposition="outside",
            hovertemplate=f"%{{y}}<br>{value_label}: %{{x:{hover_format(unit)}}}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", title=None, type="category")
    fig.update_xaxes(title=axis_title(value_label, unit), range=value_range(data[value]))
    return style(fig, title=title, height=max(300, 32 * len(data) + 120), font_size=font_size, width=60)
