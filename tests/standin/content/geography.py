"""ONS Open Geography Portal lookups: the mirror's re-packaged CSVs served as the official FeatureServer layers.

The mirror holds humaniverse/geographr's copies of the ONS layers with the fields renamed
(`lsoa21_code` for `LSOA21CD`, …; codes and names unchanged). Here the names are turned back into the
official field names and each layer is served by the stand-in's FeatureServer, paged as ArcGIS pages.
The LSOA 2011 → LAD 2021 lookup, an xlsx item on arcgis.com, is served as that workbook.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from etl.sources import geography
from tests.standin.content import mirror
from tests.standin.content._sheets import arcgis_rows, frame_rows, xlsx_bytes
from tests.standin.server import Layer

ENTITIES = {
    "lsoa": "LSOA",
    "ward": "WD",
    "ltla": "LAD",
    "utla": "UTLA",
    "region": "RGN",
    "sicbl": "SICBL",
    "icb": "ICB",
}
CANONICAL = re.compile(r"^([a-z]+)(\d{2})_(code|name)(_nhs)?$")
# service → (mirror CSV, what `ltla` is called in its fields, extra renames)
LAYERS = {
    "LSOA21_WD24_LAD24_EW_LU": ("lookup_lsoa21_ward24_ltla24.csv", "LAD", {}),
    "LSOA21_SICBL24_ICB24_CAL24_LAD24_EN_LU": ("lookup_lsoa21_icb24.csv", "LAD", {}),
    "LAD24_RGN24_EN_LU": ("lookup_ltla24_region24.csv", "LAD", {}),
    "LTLA23_UTLA23_EW_LU": ("lookup_ltla23_utla23.csv", "LTLA", {}),
    "LSOA11_WD19_LAD19_EW_LU": ("lookup_lsoa11_ltla19.csv", "LAD", {}),
    geography.LAD19_RGN19: ("lookup_ltla19_region19.csv", "LAD", {}),
    "LTLA19_UTLA19_EW_LU": ("lookup_ltla19_utla19.csv", "LTLA", {}),
    geography.LAD21_RGN21: ("lookup_ltla21_region21.csv", "LAD", {}),
    "LTLA21_UTLA21_EW_LU": ("lookup_ltla21_utla21.csv", "LTLA", {}),
    geography.LAD22_LAD23: ("lookup_ltla22_ltla23.csv", "LAD", {}),
    geography.LSOA11_LSOA21_SERVICE: ("lookup_lsoa11_lsoa21_ltla22.csv", "LAD", {"change_code": "CHGIND"}),
    "LSOA21_RUC21_EW_LU": (
        "ruc21_lsoa21.csv",
        "LAD",
        {"ruc21_code": "RUC21CD", "classification": "RUC21NM", "ruc": "Urban_rural_flag"},
    ),
}


def official_name(column: str, *, ltla: str) -> str:
    """`lsoa21_code` → `LSOA21CD`, `ltla24_name` → `LAD24NM` (or `LTLA24NM`), `icb24_code_nhs` → `ICB24CDH`."""
    match = CANONICAL.match(column)
    if not match or match.group(1) not in ENTITIES:
        return column
    entity, year, kind, nhs = match.groups()
    prefix = ltla if entity == "ltla" else ENTITIES[entity]
    return f"{prefix}{year}{'CD' if kind == 'code' else 'NM'}{'H' if nhs else ''}"


def official_frame(csv_name: str, *, ltla: str, extra: dict[str, str]) -> pd.DataFrame:
    frame = pd.read_csv(mirror() / "geography" / csv_name, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return frame.rename(columns=lambda c: extra.get(c) or official_name(c, ltla=ltla))


def arcgis_layers(work: Path) -> dict[str, Layer]:
    """Every ONS lookup layer the geography and boundary sources page through."""
    layers = {}
    for service, (csv_name, ltla, extra) in LAYERS.items():
        layers[service] = Layer(arcgis_rows(official_frame(csv_name, ltla=ltla, extra=extra)))
    return layers


def static_files(work: Path) -> dict[str, bytes | Path]:
    """The LSOA 2011 → LAD 2021 lookup workbook (LSOA11CD, LSOA11NM, LAD21CD, LAD21NM)."""
    frame = official_frame("lookup_lsoa11_ltla21.csv", ltla="LAD", extra={})
    path = work / "LSOA11_LAD21_EW_LU.xlsx"
    path.write_bytes(xlsx_bytes({"LSOA11_LAD21_EW_LU": frame_rows(frame)}))
    return {geography.LSOA11_LAD21_URL: path}
