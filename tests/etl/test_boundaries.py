"""Unit tests: coverage simplification and the boundary readers on an invented 2×2 grid of squares."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from etl.simplify import LayerSpec, dissolve, read_features, simplify_layer
from etl.source import SourceError
from etl.sources.boundaries import read_lad24, read_layer

GEO = Path(__file__).resolve().parents[1] / "fixtures" / "geo"
SQUARES = GEO / "squares.geojson"
SPEC = LayerSpec("lad24", tolerance_deg=0.003, decimals=5)  # removes the ±0.0003° zigzags
GRID_AREA = 0.2 * 0.2  # the four invented squares cover [0, 0.2] × [50, 50.2]


@pytest.fixture(scope="module")
def squares() -> pd.DataFrame:
    return read_features(SQUARES)


@pytest.fixture(scope="module")
def result(squares) -> tuple[pd.DataFrame, int]:
    return simplify_layer(squares["ltla24_code"], squares["geometry"].to_numpy(), spec=SPEC)


def geometries(frame: pd.DataFrame) -> np.ndarray:
    return shapely.from_geojson(frame["geojson"].tolist())


def test_every_area_kept_and_none_empty(squares, result):
    frame, fallbacks = result
    assert frame["code"].tolist() == squares["ltla24_code"].tolist()
    assert not shapely.is_empty(geometries(frame)).any()
    assert shapely.is_valid(geometries(frame)).all()
    assert fallbacks == 0


def test_zigzag_edges_are_simplified(squares, result):
    frame, _ = result
    before = shapely.get_num_coordinates(squares["geometry"].to_numpy())
    assert (frame["vertices"].to_numpy() < before).all()
    assert frame["vertices"].sum() <= before.sum() / 2


def test_area_ratio_within_tolerance(result):
    frame, _ = result
    assert (abs(1 - frame["area_ratio"].astype(float)) < 0.02).all()


def test_shared_edges_stay_shared(result):
    """No overlaps (union = sum of parts) and no gaps (union = the grid) beyond tolerance."""
    parts = geometries(result[0])
    union = shapely.union_all(parts).area
    assert abs(shapely.area(parts).sum() - union) < 1e-9
    assert abs(union - GRID_AREA) < 0.001 * GRID_AREA


def test_rings_follow_rfc7946(squares, result):
    assert not any(shapely.is_ccw(g.exterior) for g in squares["geometry"])  # the fixture is wound clockwise
    assert all(shapely.is_ccw(g.exterior) for g in geometries(result[0]))


def test_geojson_text_is_a_rounded_geometry(result):
    frame, _ = result
    parsed = [json.loads(text) for text in frame["geojson"]]
    assert {p["type"] for p in parsed} == {"Polygon"}
    coords = [c for p in parsed for ring in p["coordinates"] for point in ring for c in point]
    assert all(round(c, 5) == c for c in coords)
    assert set(frame["tolerance_deg"]) == {0.003}


def test_tiny_area_never_dropped():
    """A polygon that rounding would erase keeps its original geometry instead."""
    tiny = box(0.5, 50.5, 0.50002, 50.50002)
    frame, fallbacks = simplify_layer(
        ["E01900001", "E01900002"],
        np.array([box(0, 50, 0.1, 50.1), tiny], dtype=object),
        spec=LayerSpec("lsoa21", tolerance_deg=0.01, decimals=4),
    )
    kept = geometries(frame)[1]
    assert fallbacks == 1
    assert not kept.is_empty and kept.is_valid
    assert kept.area == pytest.approx(tiny.area)
    assert frame["vertices"].tolist()[1] == 5


def test_dissolve_unions_by_group(squares):
    codes, merged = dissolve(squares["geometry"].to_numpy(), ["A", "A", "B", "B"])
    assert codes == ["A", "B"]
    assert shapely.area(merged) == pytest.approx([GRID_AREA / 2, GRID_AREA / 2], rel=1e-3)


@pytest.fixture(scope="module")
def lad_layers() -> pd.DataFrame:
    paths = {
        "lad24": SQUARES,
        "ltla23_utla23": GEO / "lookup_ltla23_utla23.csv",
        "lad24_region24": GEO / "lookup_ltla24_region24.csv",
    }
    return read_lad24(paths)["boundaries"]


@pytest.mark.parametrize(
    ("level", "codes", "names"),
    [
        ("lad24", ["E07900001", "E07900002", "W06900001"], ["Invented Vale", "Made-up Dale", "Dychmygol"]),
        ("utla24", ["E10900001", "W06900001"], ["Inventedshire", "Dychmygol"]),
        ("region", ["E12900001", "W92000004"], ["Invented Region", "Wales"]),
    ],
)
def test_lad24_reader_levels(lad_layers, level, codes, names):
    """Scottish codes are dropped; UTLAs and regions are dissolved from the English and Welsh LADs."""
    rows = lad_layers[lad_layers["level"] == level].sort_values("code")
    assert rows["code"].tolist() == codes
    assert rows["name"].tolist() == names
    assert (rows["vertices"] >= 4).all()


def test_dissolved_county_covers_its_districts(lad_layers):
    county = lad_layers[(lad_layers["level"] == "utla24") & (lad_layers["code"] == "E10900001")]
    assert shapely.from_geojson(county["geojson"].iloc[0]).area == pytest.approx(GRID_AREA / 2, rel=0.01)


def test_lad_without_upper_tier_is_an_error(tmp_path):
    lookup = tmp_path / "lookup_ltla23_utla23.csv"
    lookup.write_text(
        '"ltla23_code","ltla23_name","utla23_code","utla23_name"\n"E07900001","Invented Vale","E10900001","X"\n'
    )
    paths = {"lad24": SQUARES, "ltla23_utla23": lookup, "lad24_region24": GEO / "lookup_ltla24_region24.csv"}
    with pytest.raises(SourceError, match="without a parent"):
        read_lad24(paths)


def test_duplicate_codes_are_an_error(tmp_path):
    features = json.loads(SQUARES.read_text())
    features["features"][1]["properties"]["ltla24_code"] = "E07900001"
    duplicate = tmp_path / "dup.geojson"
    duplicate.write_text(json.dumps(features))
    with pytest.raises(SourceError, match="duplicate codes"):
        read_layer(duplicate, source_id="test", code="ltla24_code", name="ltla24_name")
