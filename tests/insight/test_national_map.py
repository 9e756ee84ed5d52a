"""The national LSOA map: index raster, colour steps, image tiles, outlines, hover points and the figure (tiny
invented areas), then the real build: every one of the 35,672 LSOAs owns a pixel and the figure stays small."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image

from insight import national_map as nm

ROOT = Path(__file__).resolve().parents[2]

# Invented areas: two 1°×1° squares side by side, and a tiny square inside the first (an enclave).
CODES = np.array(["E01900001", "E01900002", "E01900003"], dtype=object)
SHAPES = np.array(
    [shapely.box(0, 50, 1, 51), shapely.box(1, 50, 2, 51), shapely.box(0.5, 50.5, 0.5001, 50.5001)], dtype=object
)


@pytest.fixture(scope="module")
def raster() -> nm.IndexRaster:
    return nm.rasterise(CODES, SHAPES, height=60)


def test_raster_bounds_and_square_pixels(raster: nm.IndexRaster) -> None:
    # Given three invented areas, When rasterised 60 px tall, Then the image spans their bounds with square
    # Web Mercator pixels: 2° of longitude over 1° of latitude at 50.5°N is 2 / (1 / cos 50.5°) ≈ 1.27 times as wide.
    assert raster.bounds == (0.0, 50.0, 2.0, 51.0)
    assert raster.pixels.shape == (60, 76)
    assert raster.pixels.dtype == np.uint16


def test_every_area_owns_pixels_and_enclave_is_kept(raster: nm.IndexRaster) -> None:
    counts = np.bincount(raster.pixels.ravel(), minlength=4)
    assert raster.coverage() == 3
    assert counts[3] >= 1  # the 11 m enclave is far below one pixel, yet painted
    assert abs(counts[1] - counts[2]) <= 60  # the two squares differ by at most their shared edge column
    assert counts[0] <= 2 * 60  # only boundary slivers are outside


@pytest.mark.parametrize(
    ("value", "step"),
    [(np.nan, nm.NO_VALUE), (10.0, 2), (20.0, 255), (15.0, 2 + 126), (-5.0, 2), (99.0, 255)],
)
def test_colour_steps(value: float, step: int) -> None:
    assert nm.colour_steps(np.array([value]), vmin=10.0, vmax=20.0)[0] == step


def test_palette_reserves_transparent_and_grey() -> None:
    colours = nm.palette("Viridis")
    assert len(colours) == 256 * 3
    assert colours[3:6] == [0xD9, 0xD9, 0xD9]
    assert colours[6:9] == [68, 1, 84]  # Viridis starts at #440154
    assert nm.palette("Viridis", reverse=True)[-3:] == [68, 1, 84]


def test_tiles_cover_the_raster_exactly(raster: nm.IndexRaster) -> None:
    steps = np.array([10, 20, 30], dtype=np.uint8)
    layers = nm.image_layers(raster, steps, colorscale="Viridis", tile=40)
    assert len(layers) == 4  # 60 × 76 in tiles of 40 → 2 × 2
    corners = [layer["coordinates"] for layer in layers]
    assert corners[0][0] == [0.0, 51.0] and corners[-1][2] == [2.0, 50.0]
    assert corners[0][1][0] == corners[1][0][0]  # neighbours share their edge
    assert corners[0][2][1] == pytest.approx(corners[2][0][1])


def test_content_blocks_are_cropped_and_skip_empty_tiles() -> None:
    pixels = np.zeros((6, 8), dtype=np.uint16)
    pixels[1:3, 1:3] = 1  # top-left tile: areas in rows 1-2, columns 1-2
    pixels[4, 7] = 2  # bottom-right tile: one pixel
    assert nm.content_blocks(pixels, tile=4) == [((1, 3), (1, 3)), ((4, 5), (7, 8))]


def test_tile_pixels_carry_each_area_colour(raster: nm.IndexRaster) -> None:
    steps = np.array([10, 20, 30], dtype=np.uint8)
    layer = nm.image_layers(raster, steps, colorscale="Viridis", tile=1000)[0]
    assert layer["source"].startswith("data:image/webp;base64,")
    image = Image.open(io.BytesIO(nm.base64.b64decode(layer["source"].split(",", 1)[1]))).convert("RGBA")
    pixels = np.asarray(image)
    assert pixels.shape[:2] == raster.pixels.shape
    rgb = np.array(nm.palette("Viridis")).reshape(-1, 3)
    expected = rgb[np.array([0, 10, 20, 30])[raster.pixels]]
    inside = raster.pixels > 0
    assert (pixels[..., :3][inside] == expected[inside]).all()  # lossless: every pixel its area's exact colour
    assert (pixels[..., 3][~inside] == 0).all() and (pixels[..., 3][inside] == 255).all()


def test_aligned_values_and_district_summary(raster: nm.IndexRaster) -> None:
    values = pd.DataFrame({"area_code": ["E01900002", "E01900003", "E01999999"], "value": [4.0, 8.0, 1.0]})
    assert np.isnan(nm.aligned_values(raster, values)[0])
    assert nm.aligned_values(raster, values)[1:].tolist() == [4.0, 8.0]
    lsoa_lad = pd.DataFrame({"code": CODES, "lad_code": ["E06900001", "E06900001", "E06900002"]})
    summary = nm.district_summary(values, lsoa_lad).set_index("code")
    assert summary.loc["E06900001"].tolist() == [1, 4.0]
    assert summary.loc["E06900002"].tolist() == [1, 8.0]


def test_district_hover_says_when_there_are_no_values() -> None:
    data = pd.DataFrame(
        {
            "code": ["W06900001", "E06900002"],
            "name": ["Dyffryn", "Invented"],
            "lsoas": [0, 1200],
            "median": [np.nan, 0.25],
        }
    )
    assert nm.district_hover(data, label="Share", unit="share of residents") == [
        "<b>Dyffryn</b> (W06900001)<br>Share: no values",
        "<b>Invented</b> (E06900002)<br>Share: 25.0%, the median of its 1,200 neighbourhoods",
    ]


def test_figure_layers_traces_and_hover(raster: nm.IndexRaster) -> None:
    values = pd.DataFrame({"area_code": CODES[:2], "value": [3.0, 7.0]})
    lads = pd.DataFrame(
        {
            "code": ["E06900001"],
            "name": ["Invented district"],
            "geojson": [shapely.to_geojson(shapely.box(0, 50, 2, 51))],
        }
    )
    lsoa_lad = pd.DataFrame({"code": CODES, "lad_code": ["E06900001"] * 3})
    fig = nm.national_map(values, raster, lads=lads, lsoa_lad=lsoa_lad, label="Score", unit="score", title="T")
    (points,) = fig.data
    assert points.type == "scattermap" and points.marker.opacity == 0 and len(points.lon) > 1
    assert set(points.text) == {
        "<b>Invented district</b> (E06900001)<br>Score: 5.00, the median of its 2 neighbourhoods"
    }
    assert (points.marker.cmin, points.marker.cmax, points.marker.showscale) == (3.0, 7.0, True)
    assert [layer.sourcetype for layer in fig.layout.map.layers] == ["image", "image"]  # the LSOA tile, outlines
    assert fig.layout.uirevision == "national-lsoa"


def test_areas_sharing_a_pixel_each_get_one() -> None:
    # Given three invented areas inside one 1°×1° pixel of a 2 × 2 image, and one area covering the image, When
    # rasterised, Then each of the four owns a pixel: the tiny ones take the nearest pixels the big one can spare.
    codes = np.array(["E01900001", "E01900002", "E01900003", "E01900004"], dtype=object)
    shapes = np.array(
        [shapely.box(0, 50, 2, 51.27), *(shapely.box(0.2 + d, 50.2, 0.21 + d, 50.21) for d in (0, 0.1, 0.2))],
        dtype=object,
    )
    tiny = nm.rasterise(codes, shapes, height=2)
    assert tiny.pixels.shape == (2, 2)
    assert tiny.coverage() == 4
    assert sorted(tiny.pixels.ravel().tolist()) == [1, 2, 3, 4]


def test_claim_pixels_fails_loudly_when_nothing_can_be_spared() -> None:
    pixels = np.array([[1]], dtype=np.uint16)
    with pytest.raises(ValueError, match="no pixel to spare"):
        nm.claim_pixels(pixels, np.array([[0.5, 0.5], [0.5, 0.5]]), order=np.array([1, 0]))


def test_outline_layer_draws_the_shared_edge_only() -> None:
    # Given two districts side by side, When their outlines are drawn 60 px tall, Then the image is opaque white on
    # the edge they share (x = 1°, the middle column) and see-through inside each district.
    layer = nm.outline_layer(np.array(SHAPES[:2]), bounds=(0.0, 50.0, 2.0, 51.0), height=60)
    image = np.asarray(Image.open(io.BytesIO(nm.base64.b64decode(layer["source"].split(",", 1)[1]))).convert("RGBA"))
    assert image.shape == (60, 76, 4)
    assert (image[5:55, 37:39, 3] == nm.OUTLINE_COLOUR[3]).any(axis=1).all()  # the shared edge, every row
    assert (image[20:40, 10:30, 3] == 0).all() and (image[20:40, 48:68, 3] == 0).all()
    assert layer["coordinates"][0] == [0.0, 51.0]


def test_hover_points_name_the_district_underneath(raster: nm.IndexRaster) -> None:
    # Given the two invented squares in different districts (and the enclave in a third that no grid point hits),
    # When hover points are laid 6 rows north-south, Then each point carries the district of the area under it and
    # the missed district gets one point inside it.
    lsoa_lad = pd.DataFrame({"code": CODES, "lad_code": ["E06900001", "E06900002", "E06900003"]})
    lads = pd.DataFrame({"code": ["E06900001", "E06900002", "E06900003"], "geojson": shapely.to_geojson(SHAPES)})
    points = nm.hover_points(raster, lsoa_lad, lads, rows=6)
    assert set(points["code"]) == {"E06900001", "E06900002", "E06900003"}
    west = points[points["code"] == "E06900001"]
    assert (west["lon"] < 1).all() and (points.loc[points["code"] == "E06900002", "lon"] > 1).all()
    assert len(west) > 10 and ((west["lat"] > 50) & (west["lat"] < 51)).all()
    enclave = points[points["code"] == "E06900003"]
    assert len(enclave) == 1 and shapely.contains_xy(SHAPES[2], enclave["lon"], enclave["lat"]).all()


@pytest.mark.integration
def test_real_build_every_lsoa_owns_a_pixel(db_con) -> None:
    raster = nm.index_raster(db_con)
    assert len(raster.codes) == 35_672
    assert raster.coverage() == 35_672


@pytest.mark.integration
def test_real_figure_is_small(db_con) -> None:
    fig = nm.national_map_figure(db_con, measure="imd_score", label="IMD score", unit="score", title="IMD")
    payload = fig.to_json().encode()
    assert len(payload) < 2_500_000  # the naive embedded-GeoJSON figure is ~16.6 MB
    assert len(fig.layout.map.layers) == 8  # 2,500 × 2,069 px in tiles of ≤ 1,024 (all-sea left out), outlines
    assert len(hovered_districts(fig.data[0].text)) == 318  # every district (England and Wales) can be hovered
    # The outline image does not depend on the measure: made once per database, like the index raster.
    other = nm.national_map_figure(db_con, measure="imd_rank", label="IMD rank", unit="rank", title="IMD")
    assert other.layout.map.layers[-1].source is fig.layout.map.layers[-1].source
    assert sorted(key[0] for key in nm._CACHE) == ["index_raster", "outlines"]


def hovered_districts(texts: list[str]) -> set[str]:
    """District codes named in hover texts ('<b>Name</b> (E06000001)<br>...')."""
    return {text.split("</b> (", 1)[1][:9] for text in texts}


@pytest.mark.integration
def test_map_page_draws_national_lsoas_as_an_image(built_db, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the real build, When the Map page is opened on all neighbourhoods nationally, Then the figure is the
    # image map (7 tiles and the outlines, every one of the 318 districts in the hover), not 35,672 polygons.
    from streamlit.testing.v1 import AppTest

    from tests.fixtures.dashboard.plotly_spec import figures

    monkeypatch.setenv("VCS_INSIGHT_DB", str(built_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.query_params["geo"] = "lsoa21"
    at.switch_page("views/map.py").run()
    assert not at.exception
    spec = figures(at)[0]
    assert [layer["sourcetype"] for layer in spec["layout"]["map"]["layers"]] == ["image"] * 8
    assert [trace["type"] for trace in spec["data"]] == ["scattermap"]
    assert len(hovered_districts(spec["data"][0]["text"])) == 318
