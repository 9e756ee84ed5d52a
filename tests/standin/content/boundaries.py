"""ONS boundary layers (LAD May 2024, LSOA December 2021 and 2011): the mirror's GeoJSON served as FeatureServers.

The mirror's files are humaniverse/geographr's copies (fields renamed `ltla24_code`, … ; geometries as
downloaded); the stand-in serves their features under the official field names, paged like ArcGIS.
"""

from __future__ import annotations

import json
from pathlib import Path

from etl.sources import boundaries
from tests.standin.content import mirror
from tests.standin.content.geography import official_name
from tests.standin.server import Layer

# service → (mirror GeoJSON, Welsh-name field the official layer also carries)
LAYERS = {
    "Local_Authority_Districts_May_2024_Boundaries_UK_BUC": ("boundaries_ltla24.geojson", "LAD24NMW"),
    "Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V4": ("boundaries_lsoa21.geojson", "LSOA21NMW"),
    boundaries.LSOA11_SERVICE: ("boundaries_lsoa11.geojson", None),
}


def boundary_layer(path: Path, *, welsh: str | None) -> Layer:
    features = json.loads(path.read_bytes())["features"]
    rows = []
    for feature in features:
        row = {official_name(k, ltla="LAD"): v for k, v in (feature.get("properties") or {}).items()}
        rows.append(row | ({welsh: ""} if welsh else {}))
    return Layer(rows, geometries=[feature.get("geometry") for feature in features])


def arcgis_layers(work: Path) -> dict[str, Layer]:
    folder = mirror() / "boundaries"
    return {service: boundary_layer(folder / name, welsh=welsh) for service, (name, welsh) in LAYERS.items()}


def static_files(work: Path) -> dict[str, bytes | Path]:
    return {}
