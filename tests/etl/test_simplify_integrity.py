"""Simplified web geometry must not lose an area or break a shared boundary.

Checks, for the real build against the mirror's original boundary files (and for tiny invented coverages):
every code present and no extra; no empty, invalid or non-polygonal geometry; each area within the distance the
simplification may move a boundary (|Δarea| ≤ perimeter × (tolerance + rounding)); neighbours still share their
edges (no area gains a coverage-invalid edge it did not have in the original: no new gaps or overlaps).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from etl.simplify import LayerSpec, read_features, simplify_layer

ROUNDING_DEG = 1e-4  # coordinates are rounded to at least 4 decimals
MIRROR_LAYERS = [  # level in the database, mirror file, code property
    ("lsoa21", "boundaries_lsoa21.geojson", "lsoa21_code"),
    ("lsoa11", "boundaries_lsoa11.geojson", "lsoa11_code"),
    ("lad24", "boundaries_ltla24.geojson", "ltla24_code"),
]
DISSOLVED_LEVELS = ["utla24", "icb24", "region"]


def unusable(geometries: np.ndarray) -> np.ndarray:
    polygonal = np.isin(shapely.get_type_id(geometries), [3, 6])
    return shapely.is_empty(geometries) | ~shapely.is_valid(geometries) | ~polygonal


def broken_edges(geometries: np.ndarray) -> np.ndarray:
    """True where an area's edges no longer match its neighbours' (a gap or overlap along a shared boundary)."""
    return ~shapely.is_empty(shapely.coverage_invalid_edges(geometries))


def integrity_problems(
    simplified: pd.Series, original: pd.Series, *, tolerance_deg: float, rounding_deg: float = ROUNDING_DEG
) -> list[str]:
    """Every way the simplified layer (code → geometry) falls short of the original; [] when it is sound."""
    problems = []
    if missing := sorted(set(original.index) - set(simplified.index)):
        problems.append(f"{len(missing)} codes lost, e.g. {missing[:3]}")
    if extra := sorted(set(simplified.index) - set(original.index)):
        problems.append(f"{len(extra)} codes not in the original, e.g. {extra[:3]}")
    codes = original.index.intersection(simplified.index)
    new, old = simplified.reindex(codes).to_numpy(), original.reindex(codes).to_numpy()
    if (bad := unusable(new)).any():
        problems.append(f"{bad.sum()} empty, invalid or non-polygonal, e.g. {list(codes[bad][:3])}")
        return problems
    allowed = shapely.length(old) * (tolerance_deg + rounding_deg)
    if (moved := np.abs(shapely.area(new) - shapely.area(old)) > allowed).any():
        problems.append(f"{moved.sum()} areas changed more than the tolerance allows, e.g. {list(codes[moved][:3])}")
    if (broken := broken_edges(new) & ~broken_edges(old)).any():
        problems.append(f"{broken.sum()} areas no longer share their boundaries, e.g. {list(codes[broken][:3])}")
    return problems


def mirror_layer(path: Path, code: str) -> pd.Series:
    frame = read_features(path)
    frame = frame[frame[code].str[0].isin(["E", "W"])]
    return pd.Series(frame["geometry"].to_numpy(), index=frame[code].to_numpy())


def built_layer(db_con, level: str) -> tuple[pd.Series, float]:
    frame = db_con.execute("SELECT code, geojson, tolerance_deg FROM boundaries WHERE level = ?", [level]).df()
    shapes = pd.Series(shapely.from_geojson(frame["geojson"].to_numpy()), index=frame["code"].to_numpy())
    return shapes, float(frame["tolerance_deg"].max())


# Invented coverage: a 2 × 1 block of squares and a small square sharing the first one's edge.
INVENTED = pd.Series(
    [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(0.2, 1, 0.3, 1.1)],
    index=["E01900001", "E01900002", "E01900003"],
)


def test_invented_coverage_simplifies_soundly() -> None:
    frame, fallbacks = simplify_layer(INVENTED.index, INVENTED.to_numpy(), spec=LayerSpec("lsoa21", 0.01, 4))
    simplified = pd.Series(shapely.from_geojson(frame["geojson"].to_numpy()), index=frame["code"].to_numpy())
    assert fallbacks == 0
    assert integrity_problems(simplified, INVENTED, tolerance_deg=0.01) == []


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda s: s.drop("E01900003"), "1 codes lost"),
        (lambda s: pd.concat([s, pd.Series([shapely.box(5, 5, 6, 6)], index=["E01900009"])]), "not in the original"),
        (lambda s: s.where(s.index != "E01900003", shapely.Polygon()), "empty, invalid"),
        (lambda s: s.where(s.index != "E01900002", shapely.box(1, 0, 1.5, 1)), "changed more than the tolerance"),
        (lambda s: s.where(s.index != "E01900001", shapely.box(0, 0, 1.005, 1)), "no longer share"),
    ],
    ids=["lost", "extra", "empty", "shrunk", "overlap"],
)
def test_checker_catches_damage(damage, problem: str) -> None:
    problems = integrity_problems(damage(INVENTED.copy()), INVENTED, tolerance_deg=0.01)
    assert any(problem in p for p in problems), problems


@pytest.mark.integration
@pytest.mark.parametrize(("level", "file_name", "code"), MIRROR_LAYERS, ids=[m[0] for m in MIRROR_LAYERS])
def test_built_boundaries_keep_every_area_and_shared_edge(
    db_con, mirror: Path, level: str, file_name: str, code: str
) -> None:
    simplified, tolerance = built_layer(db_con, level)
    original = mirror_layer(mirror / "boundaries" / file_name, code)
    assert len(simplified) == len(original) > 300
    assert integrity_problems(simplified, original, tolerance_deg=tolerance) == []


@pytest.mark.integration
@pytest.mark.parametrize("level", DISSOLVED_LEVELS)
def test_dissolved_boundaries_complete_and_tiling(db_con, level: str) -> None:
    simplified, _ = built_layer(db_con, level)
    codes = {c for (c,) in db_con.execute("SELECT code FROM areas WHERE level = ?", [level]).fetchall()}
    assert set(simplified.index) == codes
    assert not unusable(simplified.to_numpy()).any()
    assert not broken_edges(simplified.to_numpy()).any()
    lads, _ = built_layer(db_con, "lad24")
    countries = {c[0] for c in codes}  # ICBs are England only: compare with the districts of the same countries
    lads = lads[[c[0] in countries for c in lads.index]]
    total = shapely.area(simplified.to_numpy()).sum() / shapely.area(lads.to_numpy()).sum()
    assert total == pytest.approx(1.0, abs=1e-3)  # the same land, however it is divided
