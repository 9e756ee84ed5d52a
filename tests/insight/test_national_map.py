"""The national LSOA map's packed data (insight.maps.national): the format, the geometry (index image, codes, names,
districts, outlines) and one measure's payload (colours, values, medians, legend), on tiny invented areas and the
tiny database; then the real build: every LSOA in the geometry and the payload small."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image

from insight import config
from insight.formatting import format_value
from insight.maps import national as nm
from insight.maps import raster

CODES = np.array(["E01900001", "E01900002", "E01900003"], dtype=object)
SHAPES = np.array(
    [shapely.box(0, 50, 1, 51), shapely.box(1, 50, 2, 51), shapely.box(0.5, 50.5, 0.5001, 50.5001)], dtype=object
)
LADS = pd.DataFrame(
    {
        "code": ["E06900001", "E06900002"],
        "name": ["Invented West", "Invented East"],
        "geojson": shapely.to_geojson(SHAPES[:2]),
    }
)
# The enclave (third area) has no district: the viewer says nothing about a district for it.
LSOA_LAD = pd.Series(["E06900001", "E06900002"], index=CODES[:2])
NAMES = pd.Series(["West 001A", "East 001A", "Enclave 001A"], index=CODES)


@pytest.fixture(scope="module")
def index() -> raster.IndexRaster:
    return raster.rasterise(CODES, SHAPES, longest=76)


@pytest.fixture(scope="module")
def bundle(index: raster.IndexRaster) -> tuple[dict, dict[str, bytes]]:
    return nm.unpack(nm.geometry_bundle(index, names=NAMES, lsoa_lad=LSOA_LAD, lads=LADS))


def test_pack_round_trip() -> None:
    meta, parts = nm.unpack(nm.pack({"title": "T"}, {"a": b"\x01\x02", "b": b"", "c": b"xyz"}))
    assert meta == {"title": "T", "parts": {"a": [0, 2], "b": [2, 0], "c": [2, 3]}}
    assert parts == {"a": b"\x01\x02", "b": b"", "c": b"xyz"}
    assert nm.unpack_meta(nm.pack({"n": 1}, {"a": b"1"}))["n"] == 1


@pytest.mark.parametrize("webp", [True, False], ids=["webp", "png-where-pillow-lacks-webp"])
def test_index_image_is_lossless_24_bit(index: raster.IndexRaster, webp: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given index values beyond 16 bits, When encoded, Then decoding the image gives every pixel's index back.
    monkeypatch.setattr(nm.features, "check", lambda feature: webp if feature == "webp" else True)
    pixels = index.pixels.astype(np.uint32) * 40_000
    data, mime = nm.encode_index(pixels)
    assert mime == ("image/webp" if webp else "image/png")
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(np.uint32)
    assert ((rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]).tolist() == pixels.tolist()


def test_geometry_bundle_holds_codes_names_districts(index: raster.IndexRaster, bundle) -> None:
    meta, parts = bundle
    assert (meta["width"], meta["height"], meta["count"], meta["code_length"]) == (76, 60, 3, 9)
    assert (meta["index_mime"], meta["no_district"], meta["outline_scale"]) == ("image/webp", 65535, 8)
    assert meta["bounds"] == [0.0, 50.0, 2.0, 51.0]
    assert meta["districts"] == [["E06900001", "Invented West"], ["E06900002", "Invented East"]]
    assert parts["codes"].decode() == "E01900001E01900002E01900003"
    assert parts["names"].decode().split("\n") == ["West 001A", "East 001A", "Enclave 001A"]
    assert np.frombuffer(parts["district"], "<u2").tolist() == [0, 1, nm.NO_DISTRICT]
    rgb = np.asarray(Image.open(io.BytesIO(parts["index"])).convert("RGB")).astype(np.uint32)
    assert ((rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]).tolist() == index.pixels.tolist()


def test_outlines_are_rings_in_eighths_of_a_pixel(bundle) -> None:
    # Two squares (5 coordinates each, closed), the west one from x 0 to 38 px, 0 to 60 px north-south.
    _meta, parts = bundle
    assert np.frombuffer(parts["ring_lengths"], "<u4").tolist() == [5, 5]
    points = np.frombuffer(parts["ring_points"], "<i2").reshape(-1, 2) / nm.OUTLINE_SCALE
    west = points[:5]
    assert west[:, 0].min() == 0 and west[:, 0].max() == pytest.approx(38, abs=0.2)
    assert west[:, 1].min() == 0 and west[:, 1].max() == 60


def test_outlines_that_would_overflow_int16_are_refused() -> None:
    # An image 5,000 px tall: its outline coordinates in eighths of a pixel reach 40,000, beyond int16.
    tall = raster.IndexRaster(CODES, np.zeros((5000, 1), np.uint16), (0.0, 50.0, 2.0, 51.0))
    with pytest.raises(ValueError, match="do not fit int16"):
        nm.outline_rings(SHAPES[:1], index=tall)


def test_codes_of_different_lengths_are_refused() -> None:
    odd = raster.IndexRaster(np.array(["E01900001", "X1"], dtype=object), np.zeros((2, 2), np.uint16), (0, 0, 1, 1))
    with pytest.raises(ValueError, match="same length"):
        nm.geometry_bundle(odd, names=pd.Series(dtype=object), lsoa_lad=pd.Series(dtype=object), lads=LADS)


@pytest.mark.parametrize(
    ("value", "step"),
    [(np.nan, nm.NO_VALUE), (10.0, 2), (20.0, 255), (15.0, 2 + 126), (-5.0, 2), (99.0, 255)],
)
def test_colour_steps(value: float, step: int) -> None:
    assert nm.colour_steps(np.array([value]), vmin=10.0, vmax=20.0)[0] == step


def test_palette_reserves_outside_and_grey() -> None:
    colours = nm.palette("Viridis")
    assert len(colours) == 256 * 3
    assert colours[3:6] == [0xD9, 0xD9, 0xD9]
    assert colours[6:9] == [68, 1, 84]  # Viridis starts at #440154
    assert nm.palette("Viridis", reverse=True)[-3:] == [68, 1, 84]


@pytest.mark.parametrize(
    ("vmin", "vmax", "ticks"),
    [
        (0.53, 92.7, [20, 40, 60, 80]),
        (0.0, 1.0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (1.0, 10.0, [2, 4, 6, 8, 10]),
        (3.0, 3.0, [3.0]),
    ],
)
def test_nice_ticks(vmin: float, vmax: float, ticks: list[float]) -> None:
    assert nm.nice_ticks(vmin, vmax).tolist() == pytest.approx(ticks)


@pytest.mark.parametrize(
    ("value", "step", "unit", "label"),
    [
        (40.0, 20.0, "score", "40"),
        (0.4, 0.2, "score", "0.4"),
        (0.25, 0.05, "share of residents", "25%"),
        (0.125, 0.005, "share", "12.5%"),
        (1500.0, 500.0, "£ per resident", "£1,500"),
        (7.0, 1.0, "decile", "7"),
    ],
)
def test_tick_label(value: float, step: float, unit: str, label: str) -> None:
    assert nm.tick_label(value, step=step, unit=unit) == label


def test_measure_payload_colours_values_medians_legend(index: raster.IndexRaster) -> None:
    # Given values for the two squares (the enclave has none) and one LSOA not in the raster, When the payload is
    # made, Then each LSOA in raster order has its colour step and exact value, and each district its median.
    values = pd.DataFrame({"area_code": ["E01900002", "E01900001", "E01999999"], "value": [7.0, 3.0, 99.0]})
    district = np.array([0, 1, nm.NO_DISTRICT])  # two districts and a third with no LSOAs; the enclave in none
    meta, parts = nm.measure_payload(
        values,
        index,
        district=district,
        districts=3,
        label="Invented score",
        unit="score",
        title="Invented map",
        filename="map_x",
    )
    assert list(parts["steps"]) == [nm.FIRST_STEP, nm.FIRST_STEP + nm.STEPS - 1, nm.NO_VALUE]
    values, medians = nm.hover_texts(parts)  # written as insight.formatting writes them
    assert values == ["3.00", "7.00", "no value"]
    assert medians == ["median 3.00", "median 7.00", "no values"]  # a district without LSOAs: no median
    assert len(parts["palette"]) == 256 * 3
    assert (meta["title"], meta["label"], meta["filename"]) == ("Invented map", "Invented score", "map_x")
    legend = meta["legend"]
    assert legend["title"] == ["Invented score", "(score)"]
    assert legend["ticks"] == [[0.0, "3"], [0.25, "4"], [0.5, "5"], [0.75, "6"], [1.0, "7"]]
    assert (legend["first"], legend["steps"], legend["no_value"]) == (nm.FIRST_STEP, nm.STEPS, nm.NO_VALUE)
    assert "3 neighbourhoods" in meta["alt"] and meta["keys"] == nm.KEYS


def test_long_legend_titles_are_wrapped_with_their_unit() -> None:
    legend = nm.legend(label="Employment deprivation score", unit="share of working-age residents", vmin=0, vmax=1)
    assert legend["title"] == ["Employment", "deprivation", "score (share of", "working-age", "residents)"]
    assert max(len(line) for line in legend["title"]) <= 15  # the legend is ~150 px wide at 16 px


@pytest.fixture
def static(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(config, "STATIC_DIR", tmp_path / "static")
    return tmp_path / "static"


def test_national_map_serves_its_geometry_once(con, static: Path) -> None:
    # Given the tiny database, When two measures are mapped, Then both name the same served geometry file (written
    # once, its 12 invented LSOAs and 6 districts inside) and carry only their own colours and values.
    raster._CACHE.clear()
    first = nm.national_map(con, measure="imd_score", label="IMD score", unit="score", title="A")
    second = nm.national_map(con, measure="imd_decile", label="IMD decile", unit="decile", title="B")
    meta, parts = nm.unpack(first)
    assert meta["geometry_url"] == nm.unpack_meta(second)["geometry_url"]
    assert meta["geometry_url"].startswith("app/static/raster/lsoa21-") and meta["geometry_url"].endswith(".bin")
    assert "geometry" not in parts and "leaflet" not in parts
    assert meta["leaflet_url"].startswith("app/static/leaflet/leaflet-")  # Leaflet's build, served like the geometry
    files = list((static / "raster").iterdir())
    assert [f.name for f in files] == [meta["geometry_url"].rsplit("/", 1)[1]]
    geometry, _ = nm.unpack(files[0].read_bytes())
    assert geometry["count"] == 12 and len(geometry["districts"]) == 6
    values, _medians = nm.hover_texts(parts)
    expected = [format_value(s + d, unit="score") for s in (40, 32, 25, 18, 12, 8) for d in (5, -5)]
    assert sorted(values) == sorted(expected)
    # The id names the payload: the same inputs give the same id (the viewer skips a redraw), another measure not.
    again = nm.national_map(con, measure="imd_score", label="IMD score", unit="score", title="A")
    assert nm.unpack_meta(again)["id"] == meta["id"] != nm.unpack_meta(second)["id"]
    assert meta["geometry_id"] == nm.static_files.content_id(files[0].read_bytes())


def test_national_map_embeds_geometry_when_it_cannot_be_served(
    con, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setattr(config, "STATIC_DIR", blocker / "static")  # cannot be created, even by root
    for payload in (
        nm.national_map(con, measure="imd_score", label="IMD score", unit="score", title="A"),
        nm.national_map(con, measure="imd_score", label="IMD score", unit="score", title="A", serve_geometry=False),
    ):
        meta, parts = nm.unpack(payload)
        assert "geometry_url" not in meta and "leaflet_url" not in meta
        assert nm.unpack(parts["geometry"])[0]["count"] == 12
        assert parts["leaflet"] == (config.ASSETS_DIR / "leaflet" / "leaflet.js").read_bytes()  # the map's library too
        assert meta["geometry_id"] == nm.static_files.content_id(parts["geometry"])


@pytest.mark.integration
def test_real_geometry_and_payload(db_con, static: Path) -> None:
    # Given the real build, When the national IMD score map is made, Then the geometry holds all 35,672 LSOAs (each
    # owning a pixel) and the 318 districts, and what is sent per measure is small.
    payload = nm.national_map(db_con, measure="imd_score", label="IMD score", unit="score", title="IMD")
    meta, parts = nm.unpack(payload)
    geometry, geo_parts = nm.unpack((static / meta["geometry_url"].removeprefix(config.STATIC_URL)).read_bytes())
    assert (geometry["count"], geometry["width"], geometry["height"]) == (35_672, 2069, 2500)
    assert len(geometry["districts"]) == 318
    assert len(geo_parts["codes"]) == 35_672 * 9
    assert len(set(np.frombuffer(geo_parts["district"], "<u2").tolist()) - {nm.NO_DISTRICT}) == 318
    values, _medians = nm.hover_texts(parts)
    assert sum(text != "no value" for text in values) == 33_755  # England's LSOAs (IoD2025); Welsh ones: grey
    assert len(payload) < 500_000  # measure only: the naive embedded-GeoJSON figure is ~16 MB
    assert len(nm.geometry(db_con)) < 2_000_000  # geometry, sent once and then from the browser's cache


# Values on which rounding differs between naive code and Python's format: exact halves, binary near-halves.
NUMBERS = [
    *((v, "share of residents") for v in (0.0525, 0.1225, 0.125, 0.0, 1.0, 0.99951, -0.0125)),
    *((v, "£ per resident") for v in (1234.5, 99.995, 100.5, 2.125, 12345678.0, 0.0, -1234.5, -0.005)),
    *((v, "decile") for v in (2.5, 3.5, -0.4, 7.0, 12345.5)),
    *((v, "score") for v in (23.25, 9.995, 10.05, 2.675, 0.125, 123456.789, -3.25, 45.3, -0.001, 1e-7, 1234567.85)),
]


@pytest.mark.parametrize(("value", "unit"), NUMBERS)
def test_hover_texts_are_written_by_insight_formatting(value: float, unit: str) -> None:
    # Given an LSOA's value and its district's median, When the payload is made, Then the hover texts the viewer
    # shows are format_value's (the browser writes no number itself).
    assert nm.texts(np.array([value, np.nan]), unit=unit, missing="no value").decode().split("\n") == [
        format_value(value, unit=unit),
        "no value",
    ]
    assert nm.texts(np.array([value]), unit=unit, missing="-", prefix="median ").decode() == "median " + format_value(
        value, unit=unit
    )
