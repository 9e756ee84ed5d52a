"""The Methods & sources page's view-model: the measure catalog, provenance, missing layers and reproduced figures."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from insight import queries, reconciliation

CAVEATS = [
    "**Registered office is not where a charity works.** Charities are counted where their registered office is; "
    "many work across several areas, or nationally, from one office (often in a city centre).",
    "**Small numbers are unstable at neighbourhood (LSOA) level.** An LSOA has about 1,500 residents, so one or two "
    "charities more or fewer changes its rate a lot; read LSOA maps as patterns, not league tables.",
    "**Vintages differ.** Deprivation, population, charity counts, grants and health come from different years; "
    "each table and chart states its source and vintage.",
    "**NCVO charity counts are for 2017/18** (UK Civil Society Almanac 2020, 'general charities'), on 2019 district "
    "boundaries; they are the offline build's capacity measure and are older than the deprivation data.",
    "**Deciles and ranks follow the Indices of Deprivation convention:** 1 = most deprived.",
]
RECONCILED_FORMATS = {"Largest |difference|": "%.6f", "Tolerance": "%.6f"}


@dataclass(frozen=True)
class Methods:
    """Each table the page shows with the sentence above it."""

    catalog: pd.DataFrame
    catalog_sentence: str
    provenance: pd.DataFrame
    provenance_sentence: str
    skipped: pd.DataFrame
    skipped_sentence: str
    missing: pd.DataFrame
    missing_sentence: str
    reconciled: pd.DataFrame
    reconciled_sentence: str


def layers(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The layer filter's options: 'all' and each catalogued layer in the usual order, with their labels."""
    found = set(queries.measure_catalog(con)["layer"])
    return {layer: layer.capitalize() for layer in ("all", *[m for m in queries.LAYER_ORDER if m in found])}


def methods(con: duckdb.DuckDBPyConnection, *, layer: str) -> Methods:
    """The page's tables, the catalog filtered to `layer` ('all' for every measure)."""
    catalog = queries.measure_catalog(con)
    catalog = catalog.assign(levels=[", ".join(levels) or "not loaded" for levels in catalog["levels"]])
    catalog = catalog[["label", "definition", "layer", "unit", "polarity", "levels", "measure"]]
    catalog = catalog if layer == "all" else catalog[catalog["layer"] == layer]
    provenance, missing, skipped = queries.provenance(con), queries.missing_layers(con), queries.skipped_files(con)
    reconciled = reconciliation.summary(con)
    return Methods(
        catalog=catalog,
        catalog_sentence=f"{len(catalog):,} measures; those marked 'not loaded' have no values in this build.",
        provenance=provenance,
        provenance_sentence=f"Loaded into this database: {provenance['source_id'].nunique():,} source(s), "
        f"{len(provenance):,} file(s).",
        skipped=skipped,
        skipped_sentence=skipped_sentence(skipped),
        missing=missing,
        missing_sentence=missing_sentence(len(missing)),
        reconciled=reconciled,
        reconciled_sentence=reconciled_sentence(reconciled),
    )


def skipped_sentence(skipped: pd.DataFrame) -> str:
    """Above the files a source's index listed and the build left out ('' when none: nothing is shown)."""
    if skipped.empty:
        return ""
    return (
        f"Left out of this build: {len(skipped):,} file(s) listed by "
        f"{', '.join(sorted(skipped['source_id'].unique()))} (for example a 360Giving publisher's file that could not "
        "be downloaded, is not openly licensed or is not in the 360Giving layout); the rest of each source is loaded."
    )


def missing_sentence(count: int) -> str:
    """Above the table of sources the build looked for and did not find."""
    if not count:
        return "Every source the build looked for was loaded."
    return (
        f"Looked for and not found: {count:,} source(s); the app shows these layers as not loaded rather than "
        "filling them from elsewhere. Online, the build downloads them from the URLs below."
    )


def reconciled_sentence(reconciled: pd.DataFrame) -> str:
    """How many published figures the build reproduces, and what happens when one drifts."""
    if reconciled.empty:
        return "This database has no reproduced published figures (it was built before they were added)."
    within = int(reconciled["All within"].sum())
    return (
        f"Where a publisher gives a summary of the detail rows this app maps, the build recomputes it and compares: "
        f"{within:,} of {len(reconciled):,} published figures are reproduced within the publisher's rounding in every "
        "area. A build whose reproduction drifts beyond the tolerance fails and keeps the previous database."
    )
