"""Pure map builders: choropleths fitted to the areas drawn, no basemap tiles needed.

Up to SVG_MAX_AREAS areas a map is drawn as SVG (Plotly `geo` traces): no WebGL, so it draws in ~half the time
of a MapLibre map of the same districts in a browser without a GPU (docs/performance.md). More areas than that
(all neighbourhoods at once) are drawn with MapLibre (WebGL), which scales to tens of thousands of shapes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import orjson
import pandas as pd
import plotly.graph_objects as go
import shapely

from insight.formatting import hover_format, wrap
from insight.maps.classes import Classes, discrete_colorscale

FONT_SIZE = 16
NO_DATA_COLOUR = "#d9d9d9"
# 3×3 bivariate palette: multiply blend of an orange need ramp and a blue capacity ramp (Okabe-Ito hues,
# readable with the common colour-vision deficiencies); every class is also named in the legend and hover.
BIVARIATE = {
    (1, 1): "#e2e2e2",
    (2, 1): "#e4a868",
    (3, 1): "#c85800",
    (1, 2): "#84b5d3",
    (2, 2): "#858762",
    (3, 2): "#754700",
    (1, 3): "#006ba8",
    (2, 3): "#00504d",
    (3, 3): "#002a00",
}
LEVEL_WORDS = {1: "low", 2: "medium", 3: "high"}
SVG_MAX_AREAS = 5_000  # SVG maps need the app's static topology: config.STATIC_URL in the chart config


def use_svg(geo: pd.DataFrame) -> bool:
    """Whether a map of these boundary rows is drawn as SVG (few areas) rather than with MapLibre (many)."""
    return len(geo) <= SVG_MAX_AREAS


def clockwise(geojson: pd.Series) -> pd.Series:
    """Geometries with clockwise outer rings: d3-geo (Plotly's SVG maps) reads an anticlockwise ring as the whole
    globe minus the area, the opposite of the GeoJSON standard our boundaries follow."""
    shapes = shapely.orient_polygons(shapely.from_geojson(geojson.to_numpy()), exterior_cw=True)
    return pd.Series(shapely.to_geojson(shapes), index=geojson.index)


def feature_collection(geo: pd.DataFrame, *, svg: bool = False) -> dict:
    """GeoJSON FeatureCollection from boundary rows (code, geojson text); each feature's id is its code.

    svg: orient rings for Plotly's SVG maps (see clockwise).
    """
    texts = clockwise(geo["geojson"]) if svg and len(geo) else geo["geojson"]
    features = ",".join(
        f'{{"type":"Feature","id":"{code}","geometry":{text}}}' for code, text in zip(geo["code"], texts, strict=True)
    )
    return orjson.loads('{"type":"FeatureCollection","features":[' + features + "]}")


def area_trace(*, svg: bool, **kwargs: object) -> go.Choropleth | go.Choroplethmap:
    """One choropleth trace, SVG (geo subplot) or MapLibre (WebGL), from the same arguments."""
    if svg:
        return go.Choropleth(locationmode="geojson-id", **kwargs)
    return go.Choroplethmap(**kwargs)


def total_bounds(geo: pd.DataFrame) -> tuple[float, float, float, float]:
    """(west, south, east, north) of all the geometries."""
    shapes = shapely.from_geojson(geo["geojson"].to_numpy())
    west, south, east, north = shapely.total_bounds(shapes)
    return float(west), float(south), float(east), float(north)


def mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fitted_view(bounds: tuple[float, float, float, float], *, width: int = 900, height: int = 650) -> dict:
    """Centre and zoom that fit the bounds into a width × height map (512-px MapLibre tiles)."""
    west, south, east, north = bounds
    lon_span = max(east - west, 1e-6)
    y_span = max(mercator_y(north) - mercator_y(south), 1e-6)
    zoom_x = math.log2(width * 360 / (512 * lon_span))
    zoom_y = math.log2(height * 2 * math.pi / (512 * y_span))
    centre_lat = math.degrees(math.atan(math.sinh((mercator_y(north) + mercator_y(south)) / 2)))
    return {"center": {"lon": (west + east) / 2, "lat": centre_lat}, "zoom": round(min(zoom_x, zoom_y) - 0.15, 2)}


def map_layout(fig: go.Figure, *, geo: pd.DataFrame, title: str, revision: str, height: int = 650) -> go.Figure:
    """Fitted view without basemap (works offline), large fonts; uirevision keeps zoom across reruns.

    SVG traces get a Mercator geo subplot fitted to their areas; MapLibre traces a blank style and a fitted view.
    """
    if any(trace.type == "choropleth" for trace in fig.data):
        fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator", bgcolor="rgba(0,0,0,0)")
    else:
        view = (
            fitted_view(total_bounds(geo), height=height) if len(geo) else {"center": {"lon": -2, "lat": 53}, "zoom": 5}
        )
        fig.update_layout(map={"style": "white-bg", **view})
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"size": FONT_SIZE, "family": "Arial, Helvetica, sans-serif"},
        height=height,
        margin={"l": 0, "r": 0, "t": 50, "b": 0},
        uirevision=revision,
        hoverlabel={"font_size": FONT_SIZE},
    )
    return fig


def subset(geo: pd.DataFrame, codes: Iterable[str], *, svg: bool = False, url: str | None = None) -> dict | str:
    """What a trace draws its areas from: the served file of the whole level when there is one (url: the trace's
    locations pick its areas), else a FeatureCollection of only these codes (each trace carries just its own)."""
    return url or feature_collection(geo[geo["code"].isin(set(codes))], svg=svg)


def no_data_trace(
    geo: pd.DataFrame, missing: list[str], *, svg: bool, url: str | None = None
) -> go.Choropleth | go.Choroplethmap:
    """Grey areas that have a boundary but no value, labelled 'no data' on hover."""
    names = geo.set_index("code")["name"].reindex(missing).fillna("")
    return area_trace(
        svg=svg,
        geojson=subset(geo, missing, svg=svg, url=url),
        locations=missing,
        z=[0] * len(missing),
        featureidkey="id",
        showscale=False,
        colorscale=[[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]],
        marker={"line": {"width": 0.3, "color": "white"}},
        customdata=np.column_stack([names.to_numpy(), missing]) if missing else None,
        name="No data",
        hovertemplate="<b>%{customdata[0]}</b> (%{customdata[1]})<br>No data<extra></extra>",
    )


def choropleth(
    values: pd.DataFrame,
    geo: pd.DataFrame,
    *,
    label: str,
    unit: str,
    title: str,
    colorscale: str = "Viridis",
    reverse: bool = False,
    revision: str = "map",
    geojson_url: str | None = None,
    classes: Classes | None = None,
) -> go.Figure:
    """Choropleth of one measure (values: area_code, area_name, value) over boundary rows (code, name, geojson).

    geojson_url: the level's served boundary file (insight.maps.files), drawn from instead of embedding geo.
    classes: decile classes aligned with the rows of values (insight.maps.classes): the areas are coloured by class,
        class 1 at the top of a stepped legend naming each class's range, the class named on hover.
    """
    values = values.reset_index(drop=True)
    if classes is not None:
        values = values.assign(class_number=classes.number, class_name=[""] * len(values))
        values["class_name"] = [classes.names[n - 1] if n else "" for n in classes.number]
    data = values.dropna(subset=["value"])
    data = data[data["area_code"].isin(set(geo["code"]))]
    missing = sorted(set(geo["code"]) - set(data["area_code"]))
    fmt = hover_format(unit)
    svg = use_svg(geo)
    fig = go.Figure()
    if missing:
        fig.add_trace(no_data_trace(geo, missing, svg=svg, url=geojson_url))
    hover = f"<b>%{{customdata[0]}}</b> (%{{customdata[1]}})<br>{label}: %{{customdata[2]:{fmt}}}"
    common = {
        "svg": svg,
        "geojson": subset(geo, data["area_code"], svg=svg, url=geojson_url),
        "locations": data["area_code"],
        "featureidkey": "id",
        "name": label,
        "marker": {"line": {"width": 0.3, "color": "white"}},
    }
    if classes is None:
        trace = area_trace(
            **common,
            z=data["value"],
            colorscale=colorscale,
            reversescale=reverse,
            customdata=data[["area_name", "area_code", "value"]].to_numpy(dtype=object),
            colorbar={
                "title": {"text": label + (f"<br>({unit})" if unit else ""), "side": "right"},
                "tickformat": fmt.replace(".2f", ".1f"),
            },
            hovertemplate=hover + "<extra></extra>",
        )
    else:
        trace = class_trace(data, classes=classes, common=common, hover=hover)
    fig.add_trace(trace)
    return map_layout(fig, geo=geo, title=title, revision=revision)


def class_trace(data: pd.DataFrame, *, classes: Classes, common: dict, hover: str) -> go.Choropleth:
    """The choropleth trace of decile classes: z = COUNT + 1 − class so class 1 is at the top of the legend."""
    count = len(classes.colours)
    return area_trace(
        **common,
        z=count + 1 - data["class_number"],
        zmin=0.5,
        zmax=count + 0.5,
        colorscale=discrete_colorscale(classes.colours[::-1]),
        customdata=data[["area_name", "area_code", "value", "class_name"]].to_numpy(dtype=object),
        colorbar={
            "title": {"text": wrap(classes.title, width=28), "side": "top"},
            "tickvals": list(range(1, count + 1)),
            "ticktext": classes.labels[::-1],
        },
        hovertemplate=hover + "<br>%{customdata[3]}<extra></extra>",
    )


def terciles(series: pd.Series) -> pd.Series:
    """1/2/3 = lowest/middle/highest third of the values (ties broken by order, so thirds are equal-sized)."""
    return pd.qcut(series.rank(method="first"), 3, labels=[1, 2, 3]).astype(int)


def bivariate_classes(frame: pd.DataFrame, *, need: str, capacity: str) -> pd.DataFrame:
    """Add need_class, capacity_class (terciles) and class_label ('high need, low capacity') to areas with both."""
    data = frame.dropna(subset=[need, capacity]).copy()
    if data.empty:
        return data.assign(need_class=[], capacity_class=[], class_label=[])
    data["need_class"] = terciles(data[need])
    data["capacity_class"] = terciles(data[capacity])
    data["class_label"] = [
        f"{LEVEL_WORDS[n]} need, {LEVEL_WORDS[c]} capacity"
        for n, c in zip(data["need_class"], data["capacity_class"], strict=True)
    ]
    return data


def bivariate_map(
    frame: pd.DataFrame,
    geo: pd.DataFrame,
    *,
    need: str,
    capacity: str,
    need_label: str,
    capacity_label: str,
    title: str,
    revision: str = "bivariate",
    geojson_url: str | None = None,
) -> go.Figure:
    """3×3 bivariate need × capacity map: one named trace per class, 'high need, low capacity' first in the legend.

    geojson_url: the level's served boundary file (insight.maps.files), drawn from instead of embedding geo.
    """
    data = bivariate_classes(frame[frame["area_code"].isin(set(geo["code"]))], need=need, capacity=capacity)
    svg = use_svg(geo)
    fig = go.Figure()
    missing = sorted(set(geo["code"]) - set(data["area_code"]))
    if missing:
        fig.add_trace(no_data_trace(geo, missing, svg=svg, url=geojson_url))
    hover = (
        f"<b>%{{customdata[0]}}</b> (%{{customdata[1]}})<br>%{{customdata[2]}}<br>{need_label}: %{{customdata[3]:.1f}}"
        f"<br>{capacity_label}: %{{customdata[4]:.2f}}<extra></extra>"
    )
    for (n, c), colour in sorted(BIVARIATE.items(), key=lambda item: (-item[0][0], item[0][1])):
        part = data[(data["need_class"] == n) & (data["capacity_class"] == c)]
        fig.add_trace(
            area_trace(
                svg=svg,
                geojson=subset(geo, part["area_code"], svg=svg, url=geojson_url),
                locations=part["area_code"],
                z=[1] * len(part),
                featureidkey="id",
                colorscale=[[0, colour], [1, colour]],
                showscale=False,
                showlegend=True,
                name=f"{LEVEL_WORDS[n]} need, {LEVEL_WORDS[c]} capacity ({len(part)})",
                marker={"line": {"width": 0.3, "color": "white"}},
                hovertemplate=hover,
                customdata=part[["area_name", "area_code", "class_label", need, capacity]].to_numpy(dtype=object),
            )
        )
    fig.update_layout(
        legend={
            "title": {"text": "Need × capacity (thirds)"},
            "x": 1.0,
            "xanchor": "left",
            "y": 0.99,
            "bgcolor": "rgba(255,255,255,0.85)",
        }
    )
    return map_layout(fig, geo=geo, title=title, revision=revision)


def luminance(colour: str) -> float:
    """Relative brightness 0..1 of a #rrggbb colour (to pick black or white text on it)."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def bivariate_legend(*, need_label: str, capacity_label: str) -> go.Figure:
    """The 3×3 key as its own small figure: need across, capacity up, every cell named in words."""
    words = ["low", "medium", "high"]
    z = [[(c - 1) * 3 + (n - 1) for n in (1, 2, 3)] for c in (1, 2, 3)]
    scale = [[i / 8, BIVARIATE[(i % 3 + 1, i // 3 + 1)]] for i in range(9)]
    fig = go.Figure(
        go.Heatmap(
            z=z, x=words, y=words, colorscale=scale, showscale=False, hoverinfo="skip", zmin=0, zmax=8, xgap=2, ygap=2
        )
    )
    for (n, c), colour in BIVARIATE.items():
        fig.add_annotation(
            x=words[n - 1],
            y=words[c - 1],
            showarrow=False,
            text=f"{words[n - 1]} need,<br>{words[c - 1]} capacity",
            font={"size": 11, "color": "black" if luminance(colour) > 0.45 else "white"},
        )
    fig.update_xaxes(title=f"{need_label} →")
    fig.update_yaxes(title=f"{capacity_label} →")
    fig.update_layout(height=380, margin={"l": 10, "r": 10, "t": 40, "b": 10}, title="Key", font={"size": 14})
    return fig
