"""The index image (insight.maps.raster): tiny invented areas, then the real build, where every one of the 35,672
LSOAs owns a pixel."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import shapely

from insight.maps import raster

# Invented areas: two 1°×1° squares side by side, and a tiny square inside the first (an enclave).
CODES = np.array(["E01900001", "E01900002", "E01900003"], dtype=object)
SHAPES = np.array(
    [shapely.box(0, 50, 1, 51), shapely.box(1, 50, 2, 51), shapely.box(0.5, 50.5, 0.5001, 50.5001)], dtype=object
)


@pytest.fixture(scope="module")
def index() -> raster.IndexRaster:
    return raster.rasterise(CODES, SHAPES, longest=76)


def test_raster_bounds_and_square_pixels(index: raster.IndexRaster) -> None:
    # Given three invented areas, When rasterised 76 px on the longer side, Then the image spans their bounds with square
    # Web Mercator pixels: 2° of longitude over 1° of latitude at 50.5°N is 2 / (1 / cos 50.5°) ≈ 1.27 times as wide.
    assert index.bounds == (0.0, 50.0, 2.0, 51.0)
    assert index.pixels.shape == (60, 76)
    assert index.pixels.dtype == np.uint16


def test_every_area_owns_pixels_and_enclave_is_kept(index: raster.IndexRaster) -> None:
    counts = np.bincount(index.pixels.ravel(), minlength=4)
    assert index.coverage() == 3
    assert counts[3] >= 1  # the 11 m enclave is far below one pixel, yet painted
    assert abs(counts[1] - counts[2]) <= 60  # the two squares differ by at most their shared edge column
    assert counts[0] <= 2 * 60  # only boundary slivers are outside


def test_areas_sharing_a_pixel_each_get_one() -> None:
    # Given three invented areas inside one 1°×1° pixel of a 2 × 2 image, and one area covering the image, When
    # rasterised, Then each of the four owns a pixel: the tiny ones take the nearest pixels the big one can spare.
    codes = np.array(["E01900001", "E01900002", "E01900003", "E01900004"], dtype=object)
    shapes = np.array(
        [shapely.box(0, 50, 2, 51.27), *(shapely.box(0.2 + d, 50.2, 0.21 + d, 50.21) for d in (0, 0.1, 0.2))],
        dtype=object,
    )
    tiny = raster.rasterise(codes, shapes, longest=2)
    assert tiny.pixels.shape == (2, 2)
    assert tiny.coverage() == 4
    assert sorted(tiny.pixels.ravel().tolist()) == [1, 2, 3, 4]


def test_claim_pixels_fails_loudly_when_nothing_can_be_spared() -> None:
    pixels = np.array([[1]], dtype=np.uint16)
    with pytest.raises(ValueError, match="no pixel to spare"):
        raster.claim_pixels(pixels, np.array([[0.5, 0.5], [0.5, 0.5]]), order=np.array([1, 0]))


def test_to_pixels_is_web_mercator_north_up() -> None:
    middle = np.degrees(np.arctan(np.sinh(np.mean(raster.mercator_y(np.array([50.0, 51.0]))))))  # halfway in Mercator
    corners = np.array([[0.0, 51.0], [2.0, 50.0], [1.0, middle]])
    x, y = raster.to_pixels(corners, bounds=(0.0, 50.0, 2.0, 51.0), size=(76, 60)).T
    assert x.tolist() == pytest.approx([0, 76, 38]) and y.tolist() == pytest.approx([0, 60, 30])


def test_index_raster_is_made_once_per_database(con) -> None:
    raster._CACHE.clear()
    first = raster.index_raster(con)
    assert raster.index_raster(con) is first
    assert [key[0] for key in raster._CACHE] == ["index_raster"]


def test_sessions_racing_for_the_first_map_build_it_once(con) -> None:
    """Streamlit sessions are threads: two asking at once for the same thing get one build, the same object."""
    raster._CACHE.clear()
    start, builds = threading.Barrier(2), []

    def build() -> object:
        builds.append(threading.get_ident())
        time.sleep(0.2)  # long enough for the other session to arrive while this one builds
        return object()

    def session() -> object:
        cursor = con.cursor()  # each session has its own cursor on the shared database
        start.wait()
        return raster.per_database(cursor, "race", (), build)

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda _: session(), range(2))
    assert len(builds) == 1 and first is second


def test_sessions_racing_for_the_index_raster_share_it(con) -> None:
    raster._CACHE.clear()
    start = threading.Barrier(3)

    def session() -> raster.IndexRaster:
        cursor = con.cursor()
        start.wait()
        return raster.index_raster(cursor)

    with ThreadPoolExecutor(3) as pool:
        made = list(pool.map(lambda _: session(), range(3)))
    assert made[0] is made[1] is made[2]


def test_index_raster_says_when_a_level_has_no_boundaries(con) -> None:
    with pytest.raises(LookupError, match="no msoa21 boundaries"):
        raster.index_raster(con, level="msoa21")


@pytest.mark.integration
def test_real_build_every_lsoa_owns_a_pixel(db_con) -> None:
    index = raster.index_raster(db_con)
    assert len(index.codes) == 35_672
    assert index.pixels.shape == (2500, 2069)
    assert index.coverage() == 35_672
