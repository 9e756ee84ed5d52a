"""Simplify a boundary layer once at build time: topology-preserving, rounded, RFC 7946 winding, no area lost.

Shapely (GEOS) and pyogrio stay on the write side: the app only ever sees the GeoJSON geometry text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely

# Ring winding written into every geometry (RFC 7946 §3.1.6: exterior rings counter-clockwise).
WINDING = "RFC 7946: exterior rings counter-clockwise, holes clockwise"


@dataclass(frozen=True)
class LayerSpec:
    """How one boundary layer is simplified: coverage tolerance in degrees and decimals kept."""

    level: str
    tolerance_deg: float
    decimals: int


def usable(geometries: np.ndarray) -> np.ndarray:
    """True where a geometry is non-empty, valid and polygonal."""
    polygonal = np.isin(shapely.get_type_id(geometries), [3, 6])
    return ~shapely.is_empty(geometries) & shapely.is_valid(geometries) & polygonal


def snapped(geometries: np.ndarray, decimals: int) -> np.ndarray:
    """Snap-round to a 10^-decimals grid with GEOS: slower, but the output is valid."""
    return shapely.set_precision(geometries, 10.0**-decimals)


def simplified_coverage(geometries: np.ndarray, tolerance_deg: float) -> np.ndarray:
    """Simplify the whole layer as one coverage so neighbours keep their shared edges."""
    if tolerance_deg <= 0:
        return geometries
    return shapely.coverage_simplify(geometries, tolerance_deg)


def mend_shared_edges(chosen: np.ndarray, original: np.ndarray, *, decimals: int, rounds: int = 3) -> np.ndarray:
    """Snap areas whose shared edges broke on the grid back onto their neighbours' vertices.

    Snap-rounding each area on its own can leave a vertex of one neighbour off the other's edge (a sliver gap or
    overlap). Areas with such new coverage-invalid edges are snapped to the boundaries of the areas they touch and
    put back on the grid; edges already invalid in the published file are left as published.
    """
    grid = 10.0**-decimals
    already = ~shapely.is_empty(shapely.coverage_invalid_edges(original))
    for _ in range(rounds):
        broken = np.flatnonzero(~shapely.is_empty(shapely.coverage_invalid_edges(chosen)) & ~already)
        if broken.size == 0:
            break
        tree = shapely.STRtree(chosen)
        for index in broken:
            near = [j for j in tree.query(chosen[index], predicate="intersects") if j != index]
            reference = shapely.union_all(shapely.boundary(chosen[near]))
            chosen[index] = shapely.set_precision(shapely.snap(chosen[index], reference, 2 * grid), grid)
    return chosen


def with_fallback(original: np.ndarray, *, tolerance_deg: float, decimals: int) -> tuple[np.ndarray, int]:
    """Per area: the simplified coverage snapped to the grid with shared edges mended, else the snapped original,
    else the repaired original.

    Returns:
        The chosen geometries and how many areas fell back to an unsimplified geometry.
    """
    simplified = simplified_coverage(original, tolerance_deg)
    chosen = mend_shared_edges(snapped(simplified, decimals), original, decimals=decimals)
    bad = ~usable(chosen)
    chosen[bad] = snapped(original[bad], decimals)
    still_bad = ~usable(chosen)
    chosen[still_bad] = shapely.make_valid(original[still_bad], method="structure", keep_collapsed=False)
    return chosen, int(bad.sum())


def area_ratio(simplified: np.ndarray, original: np.ndarray) -> np.ndarray:
    """Simplified area / original area (planar in degrees: a ratio, so the unit cancels)."""
    before = shapely.area(original)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(before > 0, shapely.area(simplified) / before, np.nan)


def simplify_layer(codes: Sequence[str], geometries: np.ndarray, *, spec: LayerSpec) -> tuple[pd.DataFrame, int]:
    """Simplify one layer and return one row per code in the boundaries layout.

    Args:
        codes: GSS code of each geometry.
        geometries: Shapely polygons/multipolygons in WGS84 lon/lat, one per code.
        spec: level name, tolerance (degrees) and decimals.

    Returns:
        Frame with code, level, geojson, tolerance_deg, vertices, area_ratio; and the fallback count.
    """
    original = np.asarray(geometries, dtype=object)
    chosen, fallbacks = with_fallback(original, tolerance_deg=spec.tolerance_deg, decimals=spec.decimals)
    oriented = shapely.orient_polygons(chosen, exterior_cw=False)
    ratio = area_ratio(oriented, original)
    frame = pd.DataFrame(
        {
            "code": list(codes),
            "level": spec.level,
            "geojson": shapely.to_geojson(oriented),
            "tolerance_deg": spec.tolerance_deg,
            "vertices": shapely.get_num_coordinates(oriented).astype("int32"),
            "area_ratio": np.round(ratio, 6),
        }
    )
    frame["area_ratio"] = frame["area_ratio"].astype(object).where(frame["area_ratio"].notna(), None)
    return frame, fallbacks


def read_features(path: Path, *, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A vector file's attribute columns (all, or `columns`) and a `geometry` column of Shapely geometries.

    Read by pyogrio as Arrow (geometry as WKB), so no GeoPandas frame is built.
    """
    meta, table = pyogrio.read_arrow(path, columns=None if columns is None else list(columns))
    geometry = meta["geometry_name"] or "wkb_geometry"
    frame = table.drop_columns([geometry]).to_pandas()
    frame["geometry"] = shapely.from_wkb(table[geometry].to_numpy(zero_copy_only=False))
    return frame


def dissolve(geometries: np.ndarray, groups: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Union geometries by group code (e.g. LADs into upper-tier LAs); groups in sorted order."""
    frame = pd.DataFrame({"group": list(groups), "geometry": list(geometries)})
    parts = frame.groupby("group", sort=True)["geometry"]
    codes = list(parts.groups)
    return codes, np.array([shapely.union_all(np.array(list(g), dtype=object)) for _, g in parts], dtype=object)
