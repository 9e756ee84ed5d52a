"""Small areas painted into an index image: each pixel holds the row number of the area drawn there.

The national LSOA map (insight.maps.national) is built on this: 35,672 polygons become one image, painted once per
database in Web Mercator, where every area owns at least one pixel (the few smaller than a pixel are given the
nearest one that can be spared), so a colour or a hover lookup per pixel is exact for every area.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

import duckdb
import numpy as np
import shapely
from PIL import Image, ImageDraw

from insight.db import query

RASTER_SIZE = 2500  # pixels on the longer side: north-south in England and Wales (~260 m each); the few LSOAs
# smaller than a pixel are given one
OUTSIDE = 0  # index of pixels outside every area
T = TypeVar("T")
_CACHE: dict[tuple, object] = {}  # per database file version: the index raster (~10 MB) and what is made from it
# Streamlit runs each session in a thread: _LOCK guards the two dicts, and one lock per key makes a second session
# asking for the same thing wait for the first one's build instead of building it again.
_LOCK = threading.Lock()
_BUILDING: dict[tuple, threading.Lock] = {}


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
    """Web Mercator northing (radians) of latitudes in degrees: the index image is square-pixelled in this space."""
    return np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def raster_size(bounds: tuple[float, float, float, float], longest: int) -> tuple[int, int]:
    """(width, height) of an image of the bounds with square Web Mercator pixels and its longer side longest."""
    west, south, east, north = bounds
    span = mercator_y(np.array([north]))[0] - mercator_y(np.array([south]))[0]
    aspect = np.radians(east - west) / span if span > 0 else 1.0  # width ÷ height
    if aspect <= 1:
        return max(1, round(longest * aspect)), longest
    return longest, max(1, round(longest / aspect))


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


def rasterise(codes: np.ndarray, geometries: np.ndarray, *, longest: int = RASTER_SIZE) -> IndexRaster:
    """Paint every area into an index image, largest first so small areas stay visible (outline included); an
    area still without a pixel (several areas inside one pixel) is then given the nearest pixel that can be spared."""
    west, south, east, north = (float(v) for v in shapely.total_bounds(geometries))
    bounds = (west, south, east, north)
    size = raster_size(bounds, longest)
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
    with _LOCK:
        building = _BUILDING.setdefault(key, threading.Lock())
    with building:  # held only while this key is built; other keys (and nested builds) go on
        with _LOCK:
            if key in _CACHE:
                return cast(T, _CACHE[key])  # the cache holds what build() of this kind returned
        made = build()
        with _LOCK:
            for old in [k for k in _CACHE if k[0] == kind]:
                del _CACHE[old]
                _BUILDING.pop(old, None)
            _CACHE[key] = made
    return made


def index_raster(con: duckdb.DuckDBPyConnection, *, level: str = "lsoa21", longest: int = RASTER_SIZE) -> IndexRaster:
    """The index image of a boundary level, built on first use and kept per database file version.

    Raises:
        LookupError: the database has no boundaries at this level.
    """

    def build() -> IndexRaster:
        geo = query(con, "SELECT code, geojson FROM boundaries WHERE level = ? ORDER BY code", [level])
        if geo.empty:
            raise LookupError(f"no {level} boundaries in the database")
        return rasterise(geo["code"].to_numpy(), shapely.from_geojson(geo["geojson"].to_numpy()), longest=longest)

    return per_database(con, "index_raster", (level, longest), build)
