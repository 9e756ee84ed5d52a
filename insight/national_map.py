"""The fast national LSOA map: every neighbourhood painted into one image, district outlines as another.

A vector choropleth of all 35,672 LSOAs sends ~16 MB and takes tens of seconds to draw (docs/performance.md).
Here the LSOAs are rasterised once per database into an *index image* (each pixel holds the row number of the
LSOA drawn there; every area is given at least one pixel), and each measure is then a palette lookup into small
lossless images laid on the MapLibre map. District outlines are a see-through image too, and the hover comes from
invisible points on a ~10 km grid, each naming its district and the median of its LSOAs: no vector geometry at
all, which is what costs time in a browser without a GPU.
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import duckdb
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely
from PIL import Image, ImageDraw, features
from plotly.colors import sample_colorscale

from insight import maps
from insight.db import query
from insight.formatting import hover_format

RASTER_HEIGHT = 2500  # pixels north-south (~260 m each); the few LSOAs smaller than a pixel are given one
TILE = 1024  # largest image side sent to the browser: small tiles cropped to land send ~40% fewer pixels
OUTLINE_HEIGHT = 1400  # district outline image: ~2× the map's height on screen, lines 2 px wide
OUTLINE_COLOUR = (255, 255, 255, 220)
HOVER_ROWS = 66  # hover points north-south: ~10 km apart
OUTSIDE, NO_VALUE, FIRST_STEP = 0, 1, 2  # palette indices: transparent, grey, then the colour scale
STEPS = 254  # colour steps in the scale (palette indices 2..255)
T = TypeVar("T")
_CACHE: dict[tuple, object] = {}  # per database file version: the index raster (~10 MB), the outline layer


@dataclass(frozen=True)
class IndexRaster:
    """LSOA index image: pixels[y, x] = i + 1 for the LSOA codes[i] drawn there, 0 outside every area."""

    codes: np.ndarray
    pixels: np.ndarray
    bounds: tuple[float, float, float, float]

    def coverage(self) -> int:
        """How many LSOAs own at least one pixel."""
        return int(np.count_nonzero(np.bincount(self.pixels.ravel(), minlength=len(self.codes) + 1)[1:]))


def mercator_y(lat: np.ndarray) -> np.ndarray:
    """Web Mercator northing (radians) of latitudes in degrees: MapLibre stretches image layers in this space."""
    return np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def raster_width(bounds: tuple[float, float, float, float], height: int) -> int:
    """Image width that keeps Web Mercator pixels square."""
    west, south, east, north = bounds
    span = mercator_y(np.array([north]))[0] - mercator_y(np.array([south]))[0]
    return max(1, round(height * np.radians(east - west) / span))


def exterior_rings(geometries: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Exterior ring coordinates of every polygon part, and the index of the geometry each part belongs to.

    Holes are not cut: the area inside a hole is another, smaller LSOA, painted later on top.
    """
    parts, owner = shapely.get_parts(geometries, return_index=True)
    coords, ring = shapely.get_coordinates(shapely.get_exterior_ring(parts), return_index=True)
    splits = np.flatnonzero(np.diff(ring)) + 1
    return np.split(coords, splits), owner[np.unique(ring)]


def to_pixels(coords: np.ndarray, *, bounds: tuple[float, float, float, float], size: tuple[int, int]) -> np.ndarray:
    """Longitude/latitude → image x/y (Web Mercator, north up)."""
    west, south, east, north = bounds
    width, height = size
    top, bottom = mercator_y(np.array([north, south]))
    x = (coords[:, 0] - west) / (east - west) * width
    y = (top - mercator_y(coords[:, 1])) / (top - bottom) * height
    return np.column_stack([x, y])


def rasterise(codes: np.ndarray, geometries: np.ndarray, *, height: int = RASTER_HEIGHT) -> IndexRaster:
    """Paint every area into an index image, largest first so small areas stay visible (outline included); an
    area still without a pixel (several areas inside one pixel) is then given the nearest pixel that can be spared."""
    west, south, east, north = (float(v) for v in shapely.total_bounds(geometries))
    bounds = (west, south, east, north)
    size = (raster_width(bounds, height), height)
    areas = shapely.area(geometries)
    order = np.argsort(-areas, kind="stable")
    rings, owner = exterior_rings(geometries[order])
    image = Image.new("I", size, OUTSIDE)
    draw = ImageDraw.Draw(image)
    for ring, index in zip(rings, order[owner] + 1, strict=True):
        points = [tuple(p) for p in to_pixels(ring, bounds=bounds, size=size).tolist()]
        draw.polygon(points, fill=int(index), outline=int(index))
    dtype = np.uint16 if len(codes) < np.iinfo(np.uint16).max else np.uint32
    pixels = np.asarray(image).astype(dtype)
    inside = shapely.get_coordinates(shapely.point_on_surface(geometries))
    claim_pixels(pixels, to_pixels(inside, bounds=bounds, size=size), order=np.argsort(areas, kind="stable"))
    return IndexRaster(np.asarray(codes, dtype=object), pixels, bounds)


def claim_pixels(pixels: np.ndarray, points: np.ndarray, *, order: np.ndarray, reach: int = 8) -> None:
    """Give every area without a pixel one (in place), smallest area first: the pixel nearest its point (x, y in
    pixels) that is outside every area or whose area keeps another pixel.

    Raises:
        ValueError: no such pixel within reach (never seen: an area is at most a few pixels from a spare one).
    """
    counts = np.bincount(pixels.ravel(), minlength=len(points) + 1)
    height, width = pixels.shape
    for row in order:
        if counts[row + 1]:
            continue
        x, y = (int(np.clip(v, 0, limit - 1)) for v, limit in zip(points[row], (width, height), strict=True))
        top, left = max(0, y - reach), max(0, x - reach)
        window = pixels[top : y + reach + 1, left : x + reach + 1]
        spare = (window == OUTSIDE) | (counts[window] > 1)
        if not spare.any():
            raise ValueError(f"no pixel to spare within {reach} px of area {row}")
        rows, cols = np.nonzero(spare)
        nearest = np.argmin((rows + top - y) ** 2 + (cols + left - x) ** 2)
        cy, cx = rows[nearest] + top, cols[nearest] + left
        counts[pixels[cy, cx]] -= 1
        pixels[cy, cx] = row + 1
        counts[row + 1] += 1


def _database_key(con: duckdb.DuckDBPyConnection) -> tuple[str, float]:
    path = query(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")["path"].iloc[0]
    return str(path), os.stat(path).st_mtime if path and os.path.exists(path) else 0.0


def per_database(con: duckdb.DuckDBPyConnection, kind: str, params: tuple, build: Callable[[], T]) -> T:
    """build() once per database file version (and params), one of each kind kept at a time."""
    key = (kind, *_database_key(con), *params)
    if key not in _CACHE:
        for old in [k for k in _CACHE if k[0] == kind]:
            del _CACHE[old]
        _CACHE[key] = build()
    return _CACHE[key]


def index_raster(con: duckdb.DuckDBPyConnection, *, level: str = "lsoa21", height: int = RASTER_HEIGHT) -> IndexRaster:
    """The index image of a boundary level, built on first use and kept per database file version.

    Raises:
        LookupError: the database has no boundaries at this level.
    """

    def build() -> IndexRaster:
        geo = query(con, "SELECT code, geojson FROM boundaries WHERE level = ? ORDER BY code", [level])
        if geo.empty:
            raise LookupError(f"no {level} boundaries in the database")
        return rasterise(geo["code"].to_numpy(), shapely.from_geojson(geo["geojson"].to_numpy()), height=height)

    return per_database(con, "index_raster", (level, height), build)


def colour_steps(values: np.ndarray, *, vmin: float, vmax: float) -> np.ndarray:
    """Palette index per area: NO_VALUE where missing, else one of STEPS equal steps from vmin to vmax."""
    span = vmax - vmin if vmax > vmin else 1.0
    scaled = np.clip((values - vmin) / span, 0, 1) * (STEPS - 1)
    steps = np.where(np.isnan(values), NO_VALUE, FIRST_STEP + np.round(np.nan_to_num(scaled)))
    return steps.astype(np.uint8)


def palette(colorscale: str, *, reverse: bool = False) -> list[int]:
    """Flat RGB palette: white (transparent), the no-data grey, then the colour scale."""
    scale = sample_colorscale(colorscale, list(np.linspace(0, 1, STEPS)), colortype="tuple")
    scale = scale[::-1] if reverse else scale
    grey = tuple(int(maps.NO_DATA_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
    rgb = [(255, 255, 255), grey] + [tuple(round(c * 255) if c <= 1 else round(c) for c in colour) for colour in scale]
    return [channel for colour in rgb for channel in colour]


def encode_image(steps_image: np.ndarray, colours: list[int]) -> str:
    """A data: URL of an array of palette indices, OUTSIDE transparent: lossless WebP (~30% smaller than PNG)."""
    height, width = steps_image.shape
    image = Image.frombytes("P", (width, height), np.ascontiguousarray(steps_image).tobytes())
    image.putpalette(colours)
    image.info["transparency"] = OUTSIDE
    return data_url(image.convert("RGBA"))


def data_url(image: Image.Image) -> str:
    """A data: URL of an RGBA image: lossless WebP, or PNG where Pillow lacks WebP."""
    buffer = io.BytesIO()
    if features.check("webp"):
        image.save(buffer, "WEBP", lossless=True, method=4)
        mime = "image/webp"
    else:
        image.save(buffer, "PNG", compress_level=6)
        mime = "image/png"
    return f"data:{mime};base64," + base64.b64encode(buffer.getvalue()).decode()


def latitude(northing: float | np.ndarray) -> np.ndarray:
    """Inverse of mercator_y: latitudes in degrees of Web Mercator northings (radians)."""
    return np.degrees(np.arctan(np.sinh(northing)))


def tile_bounds(raster: IndexRaster, rows: tuple[int, int], cols: tuple[int, int]) -> tuple[float, float, float, float]:
    """Longitude/latitude bounds of a pixel block (rows and columns as [start, stop))."""
    west, south, east, north = raster.bounds
    height, width = raster.pixels.shape
    top, bottom = mercator_y(np.array([north, south]))
    lon = [west + (east - west) * c / width for c in cols]
    lat = [
        north if r == 0 else south if r == height else float(latitude(top - (top - bottom) * r / height)) for r in rows
    ]
    return lon[0], lat[1], lon[1], lat[0]


def content_blocks(pixels: np.ndarray, *, tile: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Pixel blocks of ≤ tile × tile, each cropped to the areas it holds; blocks of only sea and sky are left out."""
    height, width = pixels.shape
    blocks = []
    for r0 in range(0, height, tile):
        for c0 in range(0, width, tile):
            inside = pixels[r0 : r0 + tile, c0 : c0 + tile] != OUTSIDE
            rows, cols = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
            if rows.size:
                blocks.append(((r0 + rows[0], r0 + rows[-1] + 1), (c0 + cols[0], c0 + cols[-1] + 1)))
    return blocks


def image_layers(
    raster: IndexRaster, steps: np.ndarray, *, colorscale: str, reverse: bool = False, tile: int = TILE
) -> list[dict]:
    """The coloured map as MapLibre image layers: each pixel takes its LSOA's colour, in tiles of ≤ tile pixels.

    Tiles keep every image well within the texture size limit of modest GPUs (4,096 px) and skip the sea.
    """
    lookup = np.concatenate([[OUTSIDE], steps]).astype(np.uint8)
    colours = palette(colorscale, reverse=reverse)
    layers = []
    for rows, cols in content_blocks(raster.pixels, tile=tile):
        block = lookup[raster.pixels[rows[0] : rows[1], cols[0] : cols[1]]]
        layers.append(image_layer(encode_image(block, colours), tile_bounds(raster, rows, cols)))
    return layers


def aligned_values(raster: IndexRaster, values: pd.DataFrame) -> np.ndarray:
    """Values (area_code, value) in the raster's LSOA order; NaN where an LSOA has no value."""
    series = values.drop_duplicates("area_code").set_index("area_code")["value"].astype(float)
    return series.reindex(raster.codes).to_numpy(dtype=float)


def district_summary(values: pd.DataFrame, lsoa_lad: pd.DataFrame) -> pd.DataFrame:
    """Per district: LSOAs with a value and their median (code, lsoas, median)."""
    joined = lsoa_lad.merge(values, left_on="code", right_on="area_code", how="left")
    grouped = joined.groupby("lad_code")["value"]
    return pd.DataFrame({"lsoas": grouped.count(), "median": grouped.median()}).reset_index(names="code")


def image_layer(url: str, bounds: tuple[float, float, float, float]) -> dict:
    """A MapLibre image layer under the traces, its corners at the raster bounds (top-left clockwise)."""
    west, south, east, north = bounds
    return {
        "sourcetype": "image",
        "source": url,
        "coordinates": [[west, north], [east, north], [east, south], [west, south]],
        "below": "traces",
    }


def district_hover(data: pd.DataFrame, *, label: str, unit: str) -> list[str]:
    """Hover text per district (code, name, lsoas, median): its name and the median of its LSOAs' values."""
    fmt = hover_format(unit)
    return [
        f"<b>{name}</b> ({code})<br>{label}: "
        + (f"{format(median, fmt)}, the median of its {int(lsoas):,} neighbourhoods" if lsoas else "no values")
        for code, name, lsoas, median in zip(
            data["code"], data["name"], data["lsoas"].fillna(0), data["median"], strict=True
        )
    ]


def outline_layer(
    geometries: np.ndarray, *, bounds: tuple[float, float, float, float], height: int = OUTLINE_HEIGHT
) -> dict:
    """District outlines as one see-through image layer over the LSOA tiles (lines 2 px wide at height px)."""
    size = (raster_width(bounds, height), height)
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for ring in exterior_rings(geometries)[0]:
        draw.line([tuple(p) for p in to_pixels(ring, bounds=bounds, size=size).tolist()], fill=OUTLINE_COLOUR, width=2)
    return image_layer(data_url(image), bounds)


def district_outlines(lads: pd.DataFrame, raster: IndexRaster) -> dict:
    """The outline layer of district boundary rows (code, geojson) over the raster's extent."""
    return outline_layer(shapely.from_geojson(lads["geojson"].to_numpy()), bounds=raster.bounds)


def hover_points(
    raster: IndexRaster, lsoa_lad: pd.DataFrame, lads: pd.DataFrame, *, rows: int = HOVER_ROWS
) -> pd.DataFrame:
    """Points on a regular grid (rows north-south) over the areas, each with the district of the LSOA under it
    (lon, lat, code); a district the grid misses gets one point inside it, so every district can be hovered."""
    height, width = raster.pixels.shape
    stride = max(1, height // rows)
    ys, xs = np.mgrid[stride // 2 : height : stride, stride // 2 : width : stride]
    under = raster.pixels[ys, xs].ravel()
    ys, xs, under = ys.ravel()[under > 0], xs.ravel()[under > 0], under[under > 0]
    district = lsoa_lad.drop_duplicates("code").set_index("code")["lad_code"].reindex(raster.codes).to_numpy()
    west, south, east, north = raster.bounds
    top, bottom = mercator_y(np.array([north, south]))
    grid = pd.DataFrame(
        {
            "lon": west + (east - west) * (xs + 0.5) / width,
            "lat": latitude(top - (top - bottom) * (ys + 0.5) / height),
            "code": district[under - 1],
        }
    ).dropna(subset=["code"])
    missed = lads[~lads["code"].isin(set(grid["code"]))]
    inside = shapely.point_on_surface(shapely.from_geojson(missed["geojson"].to_numpy()))
    extra = pd.DataFrame(
        {"lon": shapely.get_x(inside), "lat": shapely.get_y(inside), "code": missed["code"].to_numpy()}
    )
    return pd.concat([grid, extra], ignore_index=True)


def hover_trace(
    points: pd.DataFrame,
    hover: pd.Series,
    *,
    vmin: float,
    vmax: float,
    label: str,
    unit: str,
    colorscale: str,
    reverse: bool,
) -> go.Scattermap:
    """Invisible points (lon, lat, code) whose hover is their district's text; they also carry the colour bar."""
    fmt = hover_format(unit).replace(".2f", ".1f")
    return go.Scattermap(
        lon=points["lon"],
        lat=points["lat"],
        mode="markers",
        text=hover.reindex(points["code"]).to_numpy(),
        hovertemplate="%{text}<extra></extra>",
        showlegend=False,
        name="Districts",
        marker={
            "size": 12,  # invisible, but the size widens the area a point answers hover for
            "color": np.full(len(points), vmin),
            "cmin": vmin,
            "cmax": vmax,
            "colorscale": colorscale,
            "reversescale": reverse,
            "showscale": True,
            "opacity": 0,
            "colorbar": {
                "title": {"text": label + (f"<br>({unit})" if unit else ""), "side": "right"},
                "tickformat": fmt,
            },
        },
    )


def national_map(
    values: pd.DataFrame,
    raster: IndexRaster,
    *,
    lads: pd.DataFrame,
    lsoa_lad: pd.DataFrame,
    label: str,
    unit: str,
    title: str,
    colorscale: str = "Viridis",
    reverse: bool = False,
    revision: str = "national-lsoa",
    outlines: dict | None = None,
) -> go.Figure:
    """National LSOA map of one measure (values: area_code, value) as images, with district outlines and hover.

    Every LSOA in the raster is coloured by its own value (grey when it has none); lads are district boundary rows
    (code, name, geojson) and lsoa_lad maps LSOA code to district (code, lad_code) for the hover medians;
    outlines is the districts' outline_layer when already made (it does not depend on the measure).
    """
    aligned = aligned_values(raster, values)
    finite = aligned[np.isfinite(aligned)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    steps = colour_steps(aligned, vmin=vmin, vmax=vmax)
    data = lads.merge(district_summary(values, lsoa_lad), on="code", how="left")
    hover = pd.Series(district_hover(data, label=label, unit=unit), index=data["code"])
    points = hover_points(raster, lsoa_lad, lads)
    fig = go.Figure(
        hover_trace(points, hover, vmin=vmin, vmax=vmax, label=label, unit=unit, colorscale=colorscale, reverse=reverse)
    )
    maps.map_layout(fig, geo=lads, title=title, revision=revision)
    outlines = outlines or district_outlines(lads, raster)
    layers = [*image_layers(raster, steps, colorscale=colorscale, reverse=reverse), outlines]
    fig.update_layout(map_layers=layers, showlegend=False, hoverdistance=30)
    return fig


def national_map_figure(
    con: duckdb.DuckDBPyConnection,
    *,
    measure: str,
    label: str,
    unit: str,
    title: str,
    colorscale: str = "Viridis",
    reverse: bool = False,
    height: int = RASTER_HEIGHT,
) -> go.Figure:
    """The national LSOA map of one area_measures measure, read from the database (cache the result).

    Raises:
        LookupError: the database has no LSOA or district boundaries.
    """
    values = query(con, "SELECT area_code, value FROM area_measures WHERE level = 'lsoa21' AND measure = ?", [measure])
    lads = query(con, "SELECT code, name, geojson FROM boundaries WHERE level = 'lad24' ORDER BY code")
    if lads.empty:
        raise LookupError("no lad24 boundaries in the database")
    lsoa_lad = query(con, "SELECT code, lad_code FROM areas WHERE level = 'lsoa21'")
    raster = index_raster(con, height=height)
    outlines = per_database(con, "outlines", (height,), lambda: district_outlines(lads, raster))
    return national_map(
        values, raster, lads=lads, lsoa_lad=lsoa_lad, label=label, unit=unit, title=title,
        colorscale=colorscale, reverse=reverse, outlines=outlines,
    )  # fmt: skip
