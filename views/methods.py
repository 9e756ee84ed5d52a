"""Methods & sources: definitions, provenance, missing layers and caveats."""

from __future__ import annotations

import streamlit as st

from insight import queries, reconciliation
from insight import streamlit_adapter as ui
from insight.pages import methods as page

ui.require_database()
st.title("Methods & sources")

st.header("Measures")
layers = ui.cached_query(page.layers)
ui.link_ids("layer", layers)
layer = st.radio("Layer", list(layers), format_func=layers.get, key="layer", horizontal=True, bind="query-params")
view = ui.cached_query(page.methods, layer=layer)
st.write(view.catalog_sentence)
ui.show_table(view.catalog, filename="measure_catalog")
if metrics := queries.metrics_markdown():
    with st.expander("Full definitions (docs/metrics.md)"):
        st.markdown(metrics)

st.header("Caveats")
st.markdown("\n".join(f"- {caveat}" for caveat in page.CAVEATS))

st.header("Sources loaded (provenance)")
st.write(view.provenance_sentence)
ui.show_table(view.provenance, filename="provenance")
if view.skipped_sentence:
    st.write(view.skipped_sentence)
    ui.show_table(view.skipped, filename="skipped_files")

st.header("Layers not in this build")
st.write(view.missing_sentence)
if not view.missing.empty:
    ui.show_table(view.missing, filename="missing_layers")

st.header("Does it match the published figures?")
st.write(view.reconciled_sentence)
if not view.reconciled.empty:
    ui.show_table(view.reconciled, filename="reconciliation_summary", formats=page.RECONCILED_FORMATS)
    ui.download_csv(ui.cached_query(reconciliation.rows), filename="reconciliation", label="Download every area (CSV)")
