"""Integration: simplified boundaries from the real ONS GeoJSON — every area present, none empty, RFC 7946 rings."""

from __future__ import annotations

import pytest
import shapely

pytestmark = pytest.mark.integration


def scalar(con, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


@pytest.mark.parametrize(
    ("level", "count"),
    [("lad24", 318), ("utla24", 175), ("region", 10), ("icb24", 42), ("lsoa21", 35_672), ("lsoa11", 34_753)],
)
def test_every_area_has_exactly_one_boundary(db_con, level, count):
    """Boundary codes and area codes are the same set at each level (the LAD file's 43 S/N codes are dropped)."""
    assert scalar(db_con, "SELECT count(*) FROM boundaries WHERE level = ?", [level]) == count
    unmatched = scalar(
        db_con,
        """SELECT count(*) FROM boundaries b FULL JOIN (SELECT code FROM areas WHERE level = ?) a ON a.code = b.code
           AND b.level = ? WHERE (b.level = ? OR b.level IS NULL) AND (a.code IS NULL OR b.code IS NULL)""",
        [level, level, level],
    )
    assert unmatched == 0


@pytest.mark.parametrize(
    ("level", "tolerance"),
    [("lad24", 0.002), ("utla24", 0.002), ("region", 0.005), ("icb24", 0.002), ("lsoa21", 0.0005), ("lsoa11", 0.0005)],
)
def test_tolerance_recorded(db_con, level, tolerance):
    found = db_con.execute("SELECT DISTINCT tolerance_deg FROM boundaries WHERE level = ?", [level]).fetchall()
    assert found == [(tolerance,)]


def test_no_empty_geometry(db_con):
    assert scalar(db_con, "SELECT min(vertices) FROM boundaries") >= 4
    assert scalar(db_con, "SELECT count(*) FROM boundaries WHERE geojson LIKE '%\"coordinates\":[]%'") == 0


@pytest.mark.parametrize(("level", "within_5pc"), [("lad24", 1.0), ("utla24", 1.0), ("icb24", 1.0), ("lsoa21", 0.999)])
def test_area_ratio(db_con, level, within_5pc):
    share = scalar(db_con, "SELECT avg((abs(1 - area_ratio) <= 0.05)::INT) FROM boundaries WHERE level = ?", [level])
    assert share >= within_5pc


@pytest.mark.parametrize("level", ["lad24", "region", "icb24"])
def test_rings_follow_rfc7946_and_are_valid(db_con, level):
    texts = [t for (t,) in db_con.execute("SELECT geojson FROM boundaries WHERE level = ?", [level]).fetchall()]
    geometries = shapely.from_geojson(texts)
    parts = shapely.get_parts(geometries)
    assert shapely.is_valid(geometries).all()
    assert shapely.is_ccw(shapely.get_exterior_ring(parts)).all()


def test_lsoa21_payload_is_rounded(db_con):
    """5 decimals (~1 m) for LSOAs: the national LSOA 2021 layer is under 10 MB of GeoJSON geometry text."""
    assert scalar(db_con, "SELECT sum(length(geojson)) FROM boundaries WHERE level = 'lsoa21'") < 10_000_000
    sample = scalar(db_con, "SELECT geojson FROM boundaries WHERE level = 'lsoa21' AND code = 'E01000001'")
    coords = shapely.get_coordinates(shapely.from_geojson(sample)).ravel()
    assert all(round(c, 5) == c for c in coords)
