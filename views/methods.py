"""Methods & sources: definitions, provenance, missing layers and caveats."""

from __future__ import annotations

import streamlit as st

from insight import queries, reconciliation
from insight import streamlit_adapter as ui

ui.require_database()
st.title("Methods & sources")

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

st.header("Measures")
catalog = ui.cached_query(queries.measure_catalog)
catalog = catalog.assign(levels=[", ".join(levels) or "not loaded" for levels in catalog["levels"]])
catalog = catalog[["label", "definition", "layer", "unit", "polarity", "levels", "measure"]]
layers = ["all", *[layer for layer in queries.LAYER_ORDER if layer in set(catalog["layer"])]]
ui.url_value("layer", options=layers, default="all")
layer = st.radio("Layer", layers, key="layer", horizontal=True, format_func=str.capitalize)
ui.to_url(layer=layer)
if layer != "all":
    catalog = catalog[catalog["layer"] == layer]
st.write(f"{len(catalog):,} measures; those marked 'not loaded' have no values in this build.")
ui.show_table(catalog, filename="measure_catalog")
metrics = queries.metrics_markdown()
if metrics:
    with st.expander("Full definitions (docs/metrics.md)"):
        st.markdown(metrics)

st.header("Caveats")
st.markdown("\n".join(f"- {caveat}" for caveat in CAVEATS))

st.header("Sources loaded (provenance)")
provenance = ui.cached_query(queries.provenance)
st.write(f"Loaded into this database: {provenance['source_id'].nunique():,} source(s), {len(provenance):,} file(s).")
ui.show_table(provenance, filename="provenance")

st.header("Layers not in this build")
missing = ui.cached_query(queries.missing_layers)
if missing.empty:
    st.write("Every source the build looked for was loaded.")
else:
    st.write(
        f"Looked for and not found: {len(missing):,} source(s); the app shows these layers as not loaded "
        "rather than filling them from elsewhere. Online, the build downloads them from the URLs below."
    )
    ui.show_table(missing, filename="missing_layers")

st.header("Does it match the published figures?")
reconciled = ui.cached_query(reconciliation.summary)
if reconciled.empty:
    st.write("This database has no reproduced published figures (it was built before they were added).")
else:
    within = int(reconciled["All within"].sum())
    st.write(
        f"Where a publisher gives a summary of the detail rows this app maps, the build recomputes it and compares: "
        f"{within:,} of {len(reconciled):,} published figures are reproduced within the publisher's rounding in every "
        "area. A build whose reproduction drifts beyond the tolerance fails and keeps the previous database."
    )
    ui.show_table(
        reconciled, filename="reconciliation_summary",
        formats={"Largest |difference|": "%.6f", "Tolerance": "%.6f"},
    )  # fmt: skip
    ui.download_csv(ui.cached_query(reconciliation.rows), filename="reconciliation", label="Download every area (CSV)")
