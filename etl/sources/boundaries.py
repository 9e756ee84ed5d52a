"""ONS generalised boundaries (GeoJSON, WGS84): LAD 2024, LSOA 2021/2011, and UTLA, region and ICB dissolved.

Every layer is simplified once here (see etl/simplify.py) and stored as GeoJSON geometry text per
GSS code. Only England and Wales codes are kept (the UK LAD file also holds Scotland and NI).
UTLA 2024 and region are LAD 2024 polygons dissolved by the ONS lookups; ICB 2024 is LSOA 2021
polygons dissolved by the LSOA21→ICB24 lookup, because the ICB 2022 boundary file carries two
codes that changed by 2024 (E54000052/53 → E54000063/64).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pyogrio
import shapely

from etl.simplify import WINDING, LayerSpec, dissolve, read_features, simplify_layer
from etl.source import Distribution, Frames, RemoteFile, Source, SourceError, require_columns
from etl.sources._ons import arcgis_file, canonical_name, read_table

PUBLISHER = "Office for National Statistics (Open Geography Portal)"
LICENCE = (
    "Open Government Licence v3.0; Source: Office for National Statistics licensed under the Open Government "
    "Licence v.3.0. Contains OS data © Crown copyright and database right"
)
ARCGIS = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"
QUERY = "FeatureServer/0/query?outFields=*&where=1%3D1&f=geojson"
WALES = "W92000004"
SPECS = {
    "lad24": LayerSpec("lad24", tolerance_deg=0.002, decimals=5),
    "utla24": LayerSpec("utla24", tolerance_deg=0.002, decimals=5),
    "region": LayerSpec("region", tolerance_deg=0.005, decimals=5),
    "icb24": LayerSpec("icb24", tolerance_deg=0.002, decimals=5),
    "lsoa21": LayerSpec("lsoa21", tolerance_deg=0.0005, decimals=5),
    "lsoa11": LayerSpec("lsoa11", tolerance_deg=0.0005, decimals=5),
}


def read_layer(path: Path, *, source_id: str, code: str, name: str) -> pd.DataFrame:
    """Read code, name and geometry of the England and Wales features of one GeoJSON file.

    `code` and `name` are canonical names; official ONS fields (LAD24CD, LAD24NM, …) are mapped onto them.

    Raises:
        SourceError: columns missing, or a code appears twice.
    """
    fields = [str(f) for f in pyogrio.read_info(path)["fields"]]
    official = {canonical_name(f): f for f in reversed(fields)} | {f: f for f in fields}
    wanted = [official.get(code, code), official.get(name, name)]
    frame = read_features(path, columns=[f for f in wanted if f in fields])
    frame = frame.rename(columns=dict(zip(wanted, [code, name], strict=True)))
    require_columns(frame, [code, name], source_id=source_id, file_name=path.name)
    frame = frame[frame[code].str[0].isin(["E", "W"])]
    if frame[code].duplicated().any():
        raise SourceError(
            source_id, path.name, f"duplicate codes, e.g. {frame[code][frame[code].duplicated()].iloc[0]}"
        )
    return pd.DataFrame(
        {"code": frame[code].to_numpy(), "name": frame[name].to_numpy(), "geometry": frame["geometry"].to_numpy()}
    )


def simplified(layer: pd.DataFrame, level: str) -> pd.DataFrame:
    """Simplify one layer, print its cost, and attach names."""
    started = time.perf_counter()
    frame, fallbacks = simplify_layer(layer["code"], layer["geometry"].to_numpy(), spec=SPECS[level])
    before = int(shapely.get_num_coordinates(layer["geometry"].to_numpy()).sum())
    print(
        f"    boundaries {level}: {len(frame):,} areas, {frame['vertices'].sum():,} vertices (from {before:,}), "
        f"{fallbacks} kept unsimplified, {time.perf_counter() - started:.1f} s"
    )
    frame["name"] = layer["name"].to_numpy()
    return frame


def dissolved(layer: pd.DataFrame, parents: pd.Series, names: Mapping[str, str], *, source_id: str) -> pd.DataFrame:
    """Union a layer's polygons by parent code (every child must have a parent).

    Raises:
        SourceError: a child code has no parent in the lookup.
    """
    parent = layer["code"].map(parents)
    if parent.isna().any():
        orphans = ", ".join(layer["code"][parent.isna()].head(5))
        raise SourceError(source_id, "lookup", f"{parent.isna().sum()} areas without a parent: {orphans}")
    codes, geometries = dissolve(layer["geometry"].to_numpy(), parent.tolist())
    return pd.DataFrame({"code": codes, "name": [names.get(c) for c in codes], "geometry": list(geometries)})


def lookup(path: Path, columns: list[str], *, source_id: str) -> pd.DataFrame:
    """A geography lookup (mirror CSV or official ArcGIS GeoJSON) as text with the named columns."""
    frame = read_table(path, source_id=source_id)
    require_columns(frame, columns, source_id=source_id, file_name=path.name)
    return frame[columns].drop_duplicates()


LAD_ID = "ons_boundaries_lad24"


def read_lad24(paths: Mapping[str, Path]) -> Frames:
    """LAD 2024 boundaries, and upper-tier LAs and regions dissolved from them."""
    lads = read_layer(paths["lad24"], source_id=LAD_ID, code="ltla24_code", name="ltla24_name")
    utla = lookup(paths["ltla23_utla23"], ["ltla23_code", "utla23_code", "utla23_name"], source_id=LAD_ID)
    region = lookup(paths["lad24_region24"], ["ltla24_code", "region24_code", "region24_name"], source_id=LAD_ID)
    region_of = region.set_index("ltla24_code")["region24_code"]
    region_of = pd.concat([region_of, pd.Series(WALES, index=lads["code"][lads["code"].str.startswith("W")])])
    region_names = dict(zip(region["region24_code"], region["region24_name"], strict=False)) | {WALES: "Wales"}
    layers = {
        "lad24": lads,
        "utla24": dissolved(
            lads,
            utla.set_index("ltla23_code")["utla23_code"],
            dict(zip(utla["utla23_code"], utla["utla23_name"], strict=False)),
            source_id=LAD_ID,
        ),
        "region": dissolved(lads, region_of, region_names, source_id=LAD_ID),
    }
    return {"boundaries": pd.concat([simplified(layer, level) for level, layer in layers.items()], ignore_index=True)}


LSOA21_ID = "ons_boundaries_lsoa21"


def read_lsoa21(paths: Mapping[str, Path]) -> Frames:
    """LSOA 2021 boundaries, and ICB 2024 dissolved from them."""
    lsoas = read_layer(paths["lsoa21"], source_id=LSOA21_ID, code="lsoa21_code", name="lsoa21_name")
    icb = lookup(paths["lsoa21_icb24"], ["lsoa21_code", "icb24_code", "icb24_name"], source_id=LSOA21_ID)
    english = lsoas[lsoas["code"].str.startswith("E")]
    icbs = dissolved(
        english,
        icb.set_index("lsoa21_code")["icb24_code"],
        dict(zip(icb["icb24_code"], icb["icb24_name"], strict=False)),
        source_id=LSOA21_ID,
    )
    frames = [simplified(lsoas, "lsoa21"), simplified(icbs, "icb24")]
    return {"boundaries": pd.concat(frames, ignore_index=True)}


LSOA11_ID = "ons_boundaries_lsoa11"


def read_lsoa11(paths: Mapping[str, Path]) -> Frames:
    """LSOA 2011 boundaries (the geography of IoD2019 and WIMD 2019)."""
    lsoas = read_layer(paths["lsoa11"], source_id=LSOA11_ID, code="lsoa11_code", name="lsoa11_name")
    return {"boundaries": simplified(lsoas, "lsoa11")}


def boundary_file(key: str, name: str, url: str) -> RemoteFile:
    """A boundary layer re-serialised (GDAL, WGS84, code+name kept) in the mirror's boundaries folder."""
    return RemoteFile(key=key, url=url, mirror_path=f"boundaries/{name}")


def lookup_file(key: str, name: str, url: str) -> RemoteFile:
    return RemoteFile(key=key, url=url, mirror_path=f"geography/{name}")


def boundary_source(
    source_id: str,
    title: str,
    *,
    vintage: str,
    reader,
    official: tuple[RemoteFile, ...],
    files: tuple[RemoteFile, ...],
) -> Source:
    """A boundary Source: ONS publisher and licence; the official layers first, re-serialised GeoJSON in the mirror."""
    return Source(
        source_id=source_id,
        title=title,
        publisher=PUBLISHER,
        licence=LICENCE,
        vintage=vintage,
        landing_url="https://geoportal.statistics.gov.uk/",
        distributions=(
            Distribution(name="official_geojson", reader=reader, files=official),
            Distribution(name="mirror_derived_geojson", official=False, reader=reader, files=files),
        ),
        notes=f"Simplified once at build time (GEOS coverage simplification); winding {WINDING}.",
    )


# The FeatureServer of the December 2011 super generalised (200 m) layer; the hub link
# opendata.arcgis.com/datasets/e9d10c36ebed4ff3865c4389c2c98827_0.geojson is reported to answer 403.
LSOA11_SERVICE = "LSOA_Dec_2011_Boundaries_Super_Generalised_Clipped_BSC_EW_V3_2022"
LSOA11_URL = f"{ARCGIS}/{LSOA11_SERVICE}/{QUERY}"

SOURCES: tuple[Source, ...] = (
    boundary_source(
        LAD_ID,
        "Local Authority Districts (May 2024) Boundaries UK BUC; UTLA and region dissolved by ONS lookups",
        vintage="May 2024",
        reader=read_lad24,
        official=(
            arcgis_file("lad24", "Local_Authority_Districts_May_2024_Boundaries_UK_BUC"),
            arcgis_file("ltla23_utla23", "LTLA23_UTLA23_EW_LU"),
            arcgis_file("lad24_region24", "LAD24_RGN24_EN_LU"),
        ),
        files=(
            boundary_file(
                "lad24",
                "boundaries_ltla24.geojson",
                f"{ARCGIS}/Local_Authority_Districts_May_2024_Boundaries_UK_BUC/{QUERY}",
            ),
            lookup_file("ltla23_utla23", "lookup_ltla23_utla23.csv", f"{ARCGIS}/LTLA23_UTLA23_EW_LU/{QUERY}"),
            lookup_file("lad24_region24", "lookup_ltla24_region24.csv", f"{ARCGIS}/LAD24_RGN24_EN_LU/{QUERY}"),
        ),
    ),
    boundary_source(
        LSOA21_ID,
        "Lower layer Super Output Areas (December 2021) Boundaries EW BSC (V4); ICB April 2024 dissolved",
        vintage="December 2021 (ICB April 2024)",
        reader=read_lsoa21,
        official=(
            arcgis_file("lsoa21", "Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V4"),
            arcgis_file("lsoa21_icb24", "LSOA21_SICBL24_ICB24_CAL24_LAD24_EN_LU"),
        ),
        files=(
            boundary_file(
                "lsoa21",
                "boundaries_lsoa21.geojson",
                f"{ARCGIS}/Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V4/{QUERY}",
            ),
            lookup_file(
                "lsoa21_icb24", "lookup_lsoa21_icb24.csv", f"{ARCGIS}/LSOA21_SICBL24_ICB24_CAL24_LAD24_EN_LU/{QUERY}"
            ),
        ),
    ),
    boundary_source(
        LSOA11_ID,
        "Lower layer Super Output Areas (December 2011) Boundaries EW BSC (V3)",
        vintage="December 2011",
        reader=read_lsoa11,
        official=(arcgis_file("lsoa11", LSOA11_SERVICE),),
        files=(
            boundary_file(
                "lsoa11",
                "boundaries_lsoa11.geojson",
                LSOA11_URL,
            ),
        ),
    ),
)
