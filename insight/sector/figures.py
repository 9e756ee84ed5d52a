"""Sector change figures: rates by year, survival curves with bands, small-charity income, per need group.

Need groups run from dark purple (most deprived) to green-yellow (least) along Viridis, stopping short of the
pale end so every line reads on white and on a projector; the whole area is black, the nation a dashed grey.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from insight.charts import DARK_GREY, empty_figure, style
from insight.sector.measures import ALL

AREA_COLOUR = "#000000"
DASHES = ("solid", "dash", "dot", "dashdot", "longdash")  # neighbouring groups differ by more than colour


def group_colours(count: int) -> list[str]:
    """`count` colour-blind-safe colours, most deprived first (Viridis 0–0.85)."""
    return sample_colorscale("Viridis", [0.85 * i / max(count - 1, 1) for i in range(count)])


def group_label(group: str, *, groups: str) -> str:
    """'Decile 1 (most deprived)', 'Quintile 3', …; 'All' stays as is."""
    if group == ALL:
        return ALL
    top = 10 if groups == "decile" else 5
    note = " (most deprived)" if group == "1" else " (least deprived)" if group == str(top) else ""
    return f"{groups.title()} {group}{note}"


def present_groups(frame: pd.DataFrame) -> list[str]:
    """Need groups in `frame` other than 'All', most deprived first."""
    return sorted((g for g in frame["group"].unique() if g != ALL), key=int)


def _group_line(part: pd.DataFrame, *, x: str, y: str, group: str, groups: str, hover: str) -> go.Scatter:
    """One need group's line: its own colour and dash, named for the legend."""
    name, index = group_label(group, groups=groups), int(group) - 1
    colour = group_colours(10 if groups == "decile" else 5)[index]
    return go.Scatter(
        x=part[x],
        y=part[y],
        mode="lines",
        name=name,
        legendgroup=name,
        line={"color": colour, "width": 2.5, "dash": DASHES[index % len(DASHES)]},
        hovertemplate=f"{name}<br>{hover}<extra></extra>",
    )


def _total_trace(frame: pd.DataFrame, *, x: str, y: str, name: str, hover: str, national: bool) -> go.Scatter:
    """The whole area's line (solid black) or the nation's (dashed grey)."""
    part = frame[frame["group"] == ALL]
    line = {"color": DARK_GREY, "width": 3, "dash": "dash"} if national else {"color": AREA_COLOUR, "width": 4}
    return go.Scatter(
        x=part[x], y=part[y], mode="lines", name=name, line=line, hovertemplate=f"{name}<br>{hover}<extra></extra>"
    )


def titled(fig: go.Figure, *, title: str, subtitle: str, height: int) -> go.Figure:
    """The common style with a title and, beneath it, a smaller subtitle (area, years, method)."""
    style(fig, title=title, height=height)
    fig.update_layout(title_subtitle={"text": subtitle, "font": {"size": 14}})
    fig.update_layout(margin_t=fig.layout.margin.t + 40)
    return fig


def trend_chart(
    area: pd.DataFrame,
    nation: pd.DataFrame | None,
    *,
    y: str,
    groups: str,
    title: str,
    subtitle: str,
    y_title: str,
    names: tuple[str, str],
    tickformat: str = ",.1f",
    prefix: str = "",
) -> go.Figure:
    """Lines over years: each need group of the area, the whole area, and (when given) the whole nation.

    Args:
        area, nation: frames with group, year and the `y` column (nation None when the area is the nation).
        names: legend names of the whole area and of the nation.
    """
    data = area.dropna(subset=[y])
    if data.empty:
        return empty_figure("No values to draw for this area.", title=title)
    hover = f"%{{x}}: {prefix}%{{y:{tickformat}}}"
    fig = go.Figure(
        [
            _group_line(data[data["group"] == g], x="year", y=y, group=g, groups=groups, hover=hover)
            for g in present_groups(data)
        ]
    )
    fig.add_trace(_total_trace(data, x="year", y=y, name=names[0], hover=hover, national=False))
    if nation is not None and not nation.dropna(subset=[y]).empty:
        fig.add_trace(_total_trace(nation.dropna(subset=[y]), x="year", y=y, name=names[1], hover=hover, national=True))
    span = int(data["year"].max()) - int(data["year"].min())
    fig.update_xaxes(title="Year", dtick=5 if span > 10 else 1)
    fig.update_yaxes(title=y_title, tickformat=tickformat, tickprefix=prefix, rangemode="tozero")
    fig.update_layout(legend={"orientation": "h", "y": -0.2}, hovermode="x unified")
    return titled(fig, title=title, subtitle=subtitle, height=580)


def _band(part: pd.DataFrame, *, group: str, groups: str) -> go.Scatter:
    """A group's 95% band between lower and upper, one closed translucent shape toggled with its line."""
    colour = group_colours(10 if groups == "decile" else 5)[int(group) - 1]
    years = pd.concat([part["years"], part["years"][::-1]])
    edge = pd.concat([part["upper"], part["lower"][::-1]])
    return go.Scatter(
        x=years,
        y=edge,
        mode="none",
        fill="toself",
        fillcolor=colour.replace("rgb(", "rgba(").replace(")", ", 0.18)"),
        hoverinfo="skip",
        showlegend=False,
        legendgroup=group_label(group, groups=groups),
        line_shape="hv",
    )


def survival_chart(
    curves: pd.DataFrame,
    nation: pd.DataFrame | None,
    *,
    groups: str,
    title: str,
    subtitle: str,
    names: tuple[str, str],
) -> go.Figure:
    """Kaplan–Meier curves per need group with 95% bands, the whole area, and the nation's curve dashed."""
    if curves.empty:
        return empty_figure("Too few charities registered since 2000 to draw survival curves.", title=title)
    hover = "%{x:.1f} years: %{y:.1%} still registered"
    fig = go.Figure()
    for group in present_groups(curves):
        part = curves[curves["group"] == group]
        fig.add_trace(_band(part, group=group, groups=groups))
        fig.add_trace(_group_line(part, x="years", y="survival", group=group, groups=groups, hover=hover))
    fig.add_trace(_total_trace(curves, x="years", y="survival", name=names[0], hover=hover, national=False))
    if nation is not None and not nation.empty:
        fig.add_trace(_total_trace(nation, x="years", y="survival", name=names[1], hover=hover, national=True))
    fig.update_traces(selector={"mode": "lines"}, line_shape="hv")
    fig.update_xaxes(title="Years since registration", dtick=5, rangemode="tozero")
    fig.update_yaxes(title="Share still registered", tickformat=".0%", range=[0, 1.02])
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return titled(fig, title=title, subtitle=subtitle, height=620)
