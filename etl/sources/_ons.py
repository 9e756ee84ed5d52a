"""Official ONS Open Geography Portal layouts: ArcGIS query files and GSS field names (LSOA21CD, LAD24NM, …).

Official lookups and boundaries name fields `<ENTITY><yy><CD|NM>`; the readers of this package use the
lower-case names of the humaniverse/geographr re-packaging in the mirror (`lsoa21_code`, `ltla24_name`, …).
`canonical_columns` maps the first onto the second, so one reader handles both layouts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from etl.source import RemoteFile, SourceError

ARCGIS = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"
# Query strings as the ONS pages quote them: current layers as GeoJSON, older ones as Esri JSON.
GEOJSON_QUERY = "FeatureServer/0/query?outFields=*&where=1%3D1&f=geojson"
ESRI_JSON_QUERY = "FeatureServer/0/query?where=1%3D1&outFields=*&outSR=4326&f=json"
ENTITIES = {
    "LSOA": "lsoa",
    "MSOA": "msoa",
    "WD": "ward",
    "LAD": "ltla",
    "LTLA": "ltla",
    "UTLA": "utla",
    "RGN": "region",
    "SICBL": "sicbl",
    "ICB": "icb",
    "RUC": "ruc",
    "CTRY": "country",
}
# `F_LSOA11CD` is the "from" LSOA of LSOA11_LSOA21_LAD22_EW_LU (as read by geographr's data-raw script).
GSS_FIELD = re.compile(r"^(?:F_)?([A-Z]+)(\d{2})(CD|NM)$")
# Fields outside the <ENTITY><yy><CD|NM> pattern, named as geographr's data-raw scripts read them.
SPECIAL_FIELDS = {"RUC21NM": "classification", "URBAN_RURAL_FLAG": "ruc", "CHGIND": "change_code"}


def canonical_name(field: str) -> str:
    """`LSOA21CD` → `lsoa21_code`, `LAD24NM` → `ltla24_name`; other names unchanged."""
    upper = field.upper()
    if upper in SPECIAL_FIELDS:
        return SPECIAL_FIELDS[upper]
    match = GSS_FIELD.match(upper)
    if not match or match.group(1) not in ENTITIES:
        return field
    entity, year, kind = match.groups()
    return f"{ENTITIES[entity]}{year}_{'code' if kind == 'CD' else 'name'}"


def canonical_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename official ONS fields to the canonical names; the first field wins when two map to one name."""
    renames: dict[str, str] = {}
    taken = set(frame.columns)
    for column in frame.columns:
        target = canonical_name(str(column))
        if target != column and target not in taken:
            renames[column] = target
            taken.add(target)
    return frame.rename(columns=renames)


def arcgis_records(path: Path, *, source_id: str) -> pd.DataFrame:
    """The attributes of every feature of an ArcGIS GeoJSON or Esri JSON file, as text.

    Raises:
        SourceError: the file is not a feature collection.
    """
    try:
        data = json.loads(path.read_bytes())
    except ValueError as error:
        raise SourceError(source_id, path.name, f"not JSON: {error}") from error
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise SourceError(source_id, path.name, "no 'features' list (not an ArcGIS query result)")
    rows = [feature.get("properties", feature.get("attributes")) or {} for feature in features]
    frame = pd.DataFrame.from_records(rows)
    return frame.astype(object).where(frame.notna(), "").astype(str)


def read_table(path: Path, *, source_id: str) -> pd.DataFrame:
    """A lookup as text: official ArcGIS JSON or xlsx with canonical column names, or a mirror CSV as written.

    Raises:
        SourceError: an ArcGIS file is not a feature collection.
    """
    if path.suffix in (".json", ".geojson"):
        return canonical_columns(arcgis_records(path, source_id=source_id))
    if path.suffix == ".xlsx":
        return canonical_columns(pd.read_excel(path, dtype=str, engine="calamine").fillna(""))
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def header_label(value: object) -> str:
    """A header cell as text: numeric age headers (0, 1.0) become '0', '1'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def official_sheet(source: object, *, sheet: str, first: str, source_id: str, file_name: str) -> pd.DataFrame:
    """One sheet of an ONS workbook, its header the first of the top 30 rows with a cell starting `first` (any case).

    Raises:
        SourceError: the sheet is absent or has no such header row.
    """
    try:
        raw = pd.read_excel(source, sheet_name=sheet, header=None, dtype=object, engine="calamine")
    except (ValueError, KeyError) as error:
        raise SourceError(source_id, file_name, f"no sheet '{sheet}': {error}") from error
    top = raw.head(30).astype(str).apply(lambda column: column.str.strip().str.lower().str.startswith(first.lower()))
    starts = raw.index[: len(top)][top.any(axis=1).to_numpy()]
    if not len(starts):
        raise SourceError(source_id, file_name, f"sheet '{sheet}' has no header row starting '{first}'")
    frame = raw.iloc[starts[0] + 1 :].reset_index(drop=True)
    frame.columns = [header_label(v) for v in raw.iloc[starts[0]]]
    return frame.dropna(how="all")


def arcgis_file(key: str, service: str, *, query: str = GEOJSON_QUERY) -> RemoteFile:
    """An official ONS FeatureServer layer, downloaded page by page into `<service>.geojson|json`."""
    suffix = "geojson" if query.endswith("f=geojson") else "json"
    return RemoteFile(key=key, url=f"{ARCGIS}/{service}/{query}", paging="arcgis", name=f"{service}.{suffix}")
