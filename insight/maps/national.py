"""The fast national LSOA map: every neighbourhood painted into one image, coloured and hovered in the browser.

A vector choropleth of all 35,672 LSOAs sends ~16 MB and takes seconds to draw; even an empty WebGL map costs
Plotly's and MapLibre's start-up in a browser without a GPU (docs/performance.md). Here the LSOAs are painted once
per database into an index image (insight.maps.raster), and the page shows it as one image on a Leaflet map
(insight/assets/raster_map.js; Leaflet itself is vendored in insight/assets/leaflet and served as a static file):

- the **geometry** (index image as lossless WebP, LSOA codes and names, each LSOA's district, district outlines
  as quantised rings) does not depend on the measure: one file per database, served by the app and kept in the
  browser's cache (embedded in the payload when it cannot be served);
- the **payload** of one measure is each LSOA's palette step (the colour) and value as the hover writes it
  (insight.formatting), the district medians as text, the palette and the legend.

Both are in one packed format: a little-endian uint32 header length, a JSON header naming the binary parts by
[offset, size], then the parts. The viewer colours every pixel by its LSOA, draws the district outlines as vectors
and answers hover exactly: the LSOA under the pointer, its value and its district.
"""

from __future__ import annotations

import functools
import io
import math
import struct

import duckdb
import numpy as np
import orjson
import pandas as pd
import shapely
from PIL import Image, features
from plotly.colors import sample_colorscale

from insight import config, districts, static_files
from insight.db import query
from insight.formatting import format_decimal, format_share, value_formatter, value_kind, wrap
from insight.maps import choropleth as maps
from insight.maps import classes as decile_classes
from insight.maps import raster

NO_VALUE, FIRST_STEP = 1, 2  # palette indices: 0 is outside every area (drawn see-through), then these
STEPS = 254  # colour steps in the scale (palette indices 2..255)
OUTLINE_SCALE = 8  # outline coordinates are int16 eighths of an index pixel (2,500 px × 8 < 32,767)
KEYS = "Keys: + and − zoom, the arrow keys pan, 0 resets the view."
NO_DISTRICT = 65535  # an LSOA's district index when it has none
MAP_HEIGHT = 700  # CSS pixels, the header and toolbar included
FOLDER = "raster"
LEAFLET = "leaflet"  # insight/assets/leaflet/leaflet.js, served as static/leaflet/leaflet-<hash>.js
ATTRIBUTION = "LSOA and district boundaries: ONS (OGL v3)"


def pack(meta: dict, parts: dict[str, bytes]) -> bytes:
    """The packed format: header length, JSON header (meta plus where each part is), then the parts."""
    where, offset = {}, 0
    for name, blob in parts.items():
        where[name] = [offset, len(blob)]
        offset += len(blob)
    header = orjson.dumps({**meta, "parts": where})
    return struct.pack("<I", len(header)) + header + b"".join(parts.values())


def unpack(payload: bytes) -> tuple[dict, dict[str, bytes]]:
    """The inverse of pack: (meta, parts)."""
    meta = unpack_meta(payload)
    start = 4 + struct.unpack_from("<I", payload)[0]
    parts = {name: payload[start + offset : start + offset + size] for name, (offset, size) in meta["parts"].items()}
    return meta, parts


def encode_index(pixels: np.ndarray) -> tuple[bytes, str]:
    """The index image, each pixel's index in 24 bits (red = high byte, blue = low), and its MIME type: lossless
    WebP (~40% smaller than PNG), or PNG where Pillow lacks WebP."""
    value = pixels.astype(np.uint32)
    rgb = np.stack([(value >> 16) & 255, (value >> 8) & 255, value & 255], axis=-1).astype(np.uint8)
    buffer = io.BytesIO()
    if features.check("webp"):
        Image.fromarray(rgb, "RGB").save(buffer, "WEBP", lossless=True, method=4)
        return buffer.getvalue(), "image/webp"
    Image.fromarray(rgb, "RGB").save(buffer, "PNG", compress_level=6)
    return buffer.getvalue(), "image/png"


def outline_rings(geometries: np.ndarray, *, index: raster.IndexRaster) -> tuple[np.ndarray, np.ndarray]:
    """Exterior rings of the geometries in index-image pixels × OUTLINE_SCALE: (uint32 ring lengths, int16 x, y)."""
    rings, _owner = raster.exterior_rings(geometries)
    height, width = index.pixels.shape
    lengths = np.array([len(ring) for ring in rings], dtype=np.uint32)
    if not rings:
        return lengths, np.zeros(0, dtype=np.int16)
    pixels = np.round(
        raster.to_pixels(np.concatenate(rings), bounds=index.bounds, size=(width, height)) * OUTLINE_SCALE
    )
    limit = np.iinfo(np.int16)
    if pixels.min() < limit.min or pixels.max() > limit.max:
        raise ValueError(f"outlines do not fit int16 at {OUTLINE_SCALE}× a {width} × {height} image")
    return lengths, pixels.astype(np.int16).ravel()


def geometry_bundle(index: raster.IndexRaster, *, names: pd.Series, lsoa_lad: pd.Series, lads: pd.DataFrame) -> bytes:
    """Everything the viewer needs that does not depend on the measure, packed.

    names and lsoa_lad are indexed by LSOA code; lads are district boundary rows (code, name, geojson).
    """
    height, width = index.pixels.shape
    codes = [str(code) for code in index.codes]
    code_length = max(len(code) for code in codes)
    if any(len(code) != code_length for code in codes):
        raise ValueError("LSOA codes must all have the same length (GSS codes have 9 characters)")
    position = {code: i for i, code in enumerate(lads["code"])}
    district = [position.get(lad, NO_DISTRICT) for lad in lsoa_lad.reindex(index.codes)]
    lengths, points = outline_rings(shapely.from_geojson(lads["geojson"].to_numpy()), index=index)
    image, mime = encode_index(index.pixels)
    meta = {
        "width": width,
        "height": height,
        "bounds": list(index.bounds),
        "count": len(codes),
        "code_length": code_length,
        "index_mime": mime,
        "outline_scale": OUTLINE_SCALE,
        "no_district": NO_DISTRICT,
        "districts": [[code, name] for code, name in zip(lads["code"], lads["name"], strict=True)],
    }
    parts = {
        "index": image,
        "codes": "".join(codes).encode("ascii"),
        "names": "\n".join(str(name) for name in names.reindex(index.codes).fillna("")).encode(),
        "district": np.array(district, dtype="<u2").tobytes(),
        "ring_lengths": lengths.astype("<u4").tobytes(),
        "ring_points": points.astype("<i2").tobytes(),
    }
    return pack(meta, parts)


def geometry(con: duckdb.DuckDBPyConnection) -> bytes:
    """The packed LSOA geometry of the database, made on first use and kept per database file version.

    Raises:
        LookupError: the database has no LSOA or district boundaries.
    """

    def build() -> bytes:
        lads = query(con, "SELECT code, name, geojson FROM boundaries WHERE level = 'lad24' ORDER BY code")
        if lads.empty:
            raise LookupError("no lad24 boundaries in the database")
        areas = query(con, "SELECT code, name, lad_code FROM areas WHERE level = 'lsoa21'").drop_duplicates("code")
        areas = areas.set_index("code")
        return geometry_bundle(raster.index_raster(con), names=areas["name"], lsoa_lad=areas["lad_code"], lads=lads)

    return raster.per_database(con, "geometry", (), build)


def rule_district(
    con: duckdb.DuckDBPyConnection, *, rule: districts.Rule, lads: list[str], codes: list[str]
) -> np.ndarray:
    """Each LSOA's district index (in `lads` order; NO_DISTRICT when none) under a districts rule, in `codes` order."""
    placed = query(con, f"SELECT lsoa21_code, {districts.lad_column(rule)} AS lad FROM lsoa_districts")  # noqa: S608
    position = {code: i for i, code in enumerate(lads)}
    lad = placed.drop_duplicates("lsoa21_code").set_index("lsoa21_code")["lad"].reindex(codes)
    return np.array([position.get(code, NO_DISTRICT) for code in lad], dtype="<u2")


def measure_district(
    con: duckdb.DuckDBPyConnection, *, measure: str, geo_meta: dict, district: np.ndarray
) -> np.ndarray | None:
    """The measure's own LSOA → district index when its rule places an LSOA in another district than the geometry's
    index does (IoD measures follow the IoD file: insight.districts); None when the geometry's index serves."""
    if districts.rule_for(con, measures=(measure,)) != "iod":
        return None
    lads = [code for code, _name in geo_meta["districts"]]
    placed = rule_district(con, rule="iod", lads=lads, codes=list(raster.index_raster(con).codes))
    return None if np.array_equal(placed, district) else placed


def colour_steps(values: np.ndarray, *, vmin: float, vmax: float) -> np.ndarray:
    """Palette index per area: NO_VALUE where missing, else one of STEPS equal steps from vmin to vmax."""
    span = vmax - vmin if vmax > vmin else 1.0
    scaled = np.clip((values - vmin) / span, 0, 1) * (STEPS - 1)
    steps = np.where(np.isnan(values), NO_VALUE, FIRST_STEP + np.round(np.nan_to_num(scaled)))
    return steps.astype(np.uint8)


def palette(colorscale: str | list[str], *, reverse: bool = False) -> list[int]:
    """Flat RGB palette: white (outside, drawn see-through), the no-data grey, then the colour scale (a Plotly
    scale name sampled in STEPS steps, or a list of '#rrggbb' class colours taken as they are)."""
    if isinstance(colorscale, list):
        scale = [hex_rgb(colour) for colour in colorscale]
    else:
        sampled = sample_colorscale(colorscale, list(np.linspace(0, 1, STEPS)), colortype="tuple")
        scale = [tuple(round(c * 255) if c <= 1 else round(c) for c in colour) for colour in sampled]
    scale = scale[::-1] if reverse else scale
    rgb = [(255, 255, 255), hex_rgb(maps.NO_DATA_COLOUR), *scale]
    return [channel for colour in rgb for channel in colour]


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """(r, g, b) of a '#rrggbb' colour."""
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def aligned_values(index: raster.IndexRaster, values: pd.DataFrame) -> np.ndarray:
    """Values (area_code, value) in the raster's LSOA order; NaN where an LSOA has no value."""
    series = values.drop_duplicates("area_code").set_index("area_code")["value"].astype(float)
    return series.reindex(index.codes).to_numpy(dtype=float)


def district_medians(aligned: np.ndarray, district: np.ndarray, *, count: int) -> np.ndarray:
    """Median of each district's LSOA values (aligned, in raster order; district: each LSOA's district index, as in
    the geometry the viewer hovers), for districts 0..count-1; NaN for a district without values."""
    frame = pd.DataFrame({"district": district, "value": aligned})
    frame = frame[frame["district"] != NO_DISTRICT]
    return frame.groupby("district")["value"].median().reindex(range(count)).to_numpy(dtype=float)


def nice_ticks(vmin: float, vmax: float, *, count: int = 6) -> np.ndarray:
    """Round tick values within [vmin, vmax], about count of them (1, 2 or 5 times a power of ten apart)."""
    if not vmax > vmin:
        return np.array([vmin])
    rough = (vmax - vmin) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    first = math.ceil(vmin / step - 1e-9) * step
    return np.round(np.arange(first, vmax + step * 1e-9, step), 12)


def tick_label(value: float, *, step: float, unit: str) -> str:
    """A legend label, with as many decimals as the tick spacing needs (shares as %, pounds with £)."""
    kind = value_kind(unit)
    if kind == "share":
        return format_share(value, digits=max(0, -math.floor(math.log10(step * 100) + 1e-9)))
    digits = 0 if kind == "integer" else max(0, -math.floor(math.log10(step) + 1e-9))
    return ("£" if kind == "pound" else "") + format_decimal(value, digits=digits)


def legend(*, label: str, unit: str, vmin: float, vmax: float) -> dict:
    """The colour bar: title lines, ticks as [position 0–1, label], and where the scale sits in the palette."""
    ticks = nice_ticks(vmin, vmax)
    step = float(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    span = vmax - vmin if vmax > vmin else 1.0
    title = wrap(label + (f" ({unit})" if unit else ""), width=15).split("<br>")
    return {
        "title": title,
        "ticks": [[float((t - vmin) / span), tick_label(float(t), step=step, unit=unit)] for t in ticks],
        "first": FIRST_STEP,
        "steps": STEPS,
        "no_value": NO_VALUE,
    }


def class_steps(number: np.ndarray) -> np.ndarray:
    """Palette index per area from its class (0 = no value → NO_VALUE, class k → FIRST_STEP + k − 1)."""
    return np.where(number > 0, FIRST_STEP + number - 1, NO_VALUE).astype(np.uint8)


def class_legend(classes: decile_classes.Classes) -> dict:
    """The stepped legend: title lines and one [palette index, label] per class (class 1 first), the hover names."""
    return {
        "title": wrap(classes.title, width=18).split("<br>"),
        "classes": [[FIRST_STEP + i, text] for i, text in enumerate(classes.labels)],
        "names": classes.names,
        "first": FIRST_STEP,
        "no_value": NO_VALUE,
    }


def measure_payload(
    values: pd.DataFrame,
    index: raster.IndexRaster,
    *,
    district: np.ndarray,
    districts: int,
    label: str,
    unit: str,
    title: str,
    source: str = "",
    filename: str = "map",
    colorscale: str = "Viridis",
    reverse: bool = False,
    classes: decile_classes.Classes | None = None,
) -> tuple[dict, dict[str, bytes]]:
    """One measure (values: area_code, value) on the national map: (meta, parts) for the viewer, geometry aside.

    district is each LSOA's district index in raster order (the geometry's 'district' part), districts how many.
    classes: decile classes aligned with the rows of values: the areas are coloured by class (stepped legend).
    """
    aligned = aligned_values(index, values)
    finite = aligned[np.isfinite(aligned)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if classes is not None:
        number = aligned_values(index, values.assign(value=classes.number.astype(float)))
        steps, key = class_steps(np.nan_to_num(number).astype(int)), class_legend(classes)
    else:
        steps, key = colour_steps(aligned, vmin=vmin, vmax=vmax), legend(label=label, unit=unit, vmin=vmin, vmax=vmax)
    meta = {
        "title": title,
        "label": label,
        "legend": key,
        "source": source,
        "filename": filename,
        "height": MAP_HEIGHT,
        "alt": f"{title}: a map of all {len(index.codes):,} neighbourhoods. Every value can be shown as a table "
        "or downloaded below the map.",
        "keys": KEYS,
        "attribution": ATTRIBUTION,
    }
    medians = district_medians(aligned, district, count=districts)
    parts = {
        "palette": bytes(palette(classes.colours if classes is not None else colorscale, reverse=reverse)),
        "steps": steps.tobytes(),
        "value_text": texts(aligned, unit=unit, missing="no value"),
        "median_text": texts(medians, unit=unit, missing="no values", prefix="median "),
    }
    return meta, parts


def texts(values: np.ndarray, *, unit: str, missing: str, prefix: str = "") -> bytes:
    """The values as the hover writes them (insight.formatting.format_value, after prefix; missing for NaN), one a
    line."""
    write = value_formatter(unit)
    return "\n".join(missing if math.isnan(v) else prefix + write(v) for v in values.tolist()).encode()


def hover_texts(parts: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """The payload's hover texts: (each LSOA's value, each district's median), in raster and district order."""
    return parts["value_text"].decode().split("\n"), parts["median_text"].decode().split("\n")


@functools.cache
def leaflet_source() -> bytes:
    """Leaflet's build, which the viewer loads (served as a static file, or embedded when it cannot be)."""
    return (config.ASSETS_DIR / "leaflet" / "leaflet.js").read_bytes()


def national_map(
    con: duckdb.DuckDBPyConnection,
    *,
    measure: str,
    label: str,
    unit: str,
    title: str,
    source: str = "",
    filename: str = "map",
    colorscale: str = "Viridis",
    reverse: bool = False,
    serve_geometry: bool = True,
    scheme: str = "continuous",
) -> bytes:
    """The packed national LSOA map of one area_measures measure, read from the database (cache the result).

    With serve_geometry the geometry is a file the app serves (its URL in the header, geometry_url), else, or when
    the file cannot be written, it is embedded as the part 'geometry' (Leaflet's build likewise: leaflet_url, or
    the part 'leaflet'); geometry_id names the geometry either way, and id
    names the whole payload (the viewer redraws only when it changes). scheme 'classes' colours by decile class
    (insight.maps.classes: the published decile where there is one), 'continuous' by a linear scale.

    Raises:
        LookupError: the database has no LSOA or district boundaries.
    """
    bundle = geometry(con)
    values = query(con, "SELECT area_code, value FROM area_measures WHERE level = 'lsoa21' AND measure = ?", [measure])
    geo_meta, geo_parts = unpack(bundle)
    district = np.frombuffer(geo_parts["district"], "<u2")  # the ONS lookup: the district outline it lies in
    classes = (
        decile_classes.measure_classes(con, values, level="lsoa21", measure=measure, label=label)
        if scheme == "classes"
        else None
    )
    own = measure_district(con, measure=measure, geo_meta=geo_meta, district=district)
    meta, parts = measure_payload(
        values,
        raster.index_raster(con),
        district=district if own is None else own,
        districts=len(geo_meta["districts"]),
        label=label,
        unit=unit,
        title=title,
        source=source,
        filename=filename,
        colorscale=colorscale,
        reverse=reverse,
        classes=classes,
    )
    parts = parts if own is None else {**parts, "district": own.tobytes()}
    meta["geometry_id"] = static_files.content_id(bundle)
    url = (
        static_files.serve(FOLDER, "lsoa21", bundle, suffix=".bin", known_id=meta["geometry_id"])
        if serve_geometry
        else None
    )
    parts = parts if url else {**parts, "geometry": bundle}
    meta = {**meta, "geometry_url": url} if url else meta
    library = static_files.serve(LEAFLET, "leaflet", leaflet_source(), suffix=".js") if serve_geometry else None
    parts = parts if library else {**parts, "leaflet": leaflet_source()}
    meta = {**meta, "leaflet_url": library} if library else meta
    return pack({**meta, "id": static_files.content_id(pack(meta, parts))}, parts)


def unpack_meta(payload: bytes) -> dict:
    """Only the JSON header of a packed payload."""
    (length,) = struct.unpack_from("<I", payload)
    return orjson.loads(payload[4 : 4 + length])
