"""VCS Insight: where need outstrips voluntary and community sector capacity. Run: streamlit run app.py"""

from __future__ import annotations

import plotly.io as pio
import streamlit as st

from insight import db, queries
from insight import streamlit_adapter as ui

st.set_page_config(layout="wide", page_title="VCS Insight")
# Every chart's look, applied when a figure is sent: ~1 ms, where naming the template per figure costs ~10 ms.
if pio.templates.default != "plotly_white":  # the setter validates the template (~30 ms): once per process
    pio.templates.default = "plotly_white"

PAGES = [
    st.Page("views/overview.py", title="Overview", url_path="overview", default=True),
    st.Page("views/map.py", title="Map", url_path="map"),
    st.Page("views/area_profile.py", title="Area profile", url_path="area"),
    st.Page("views/triple_jeopardy.py", title="Triple jeopardy", url_path="jeopardy"),
    st.Page("views/funding.py", title="Funding & services", url_path="funding"),
    st.Page("views/sector_change.py", title="Sector change", url_path="sector"),
    st.Page("views/explore.py", title="Explore & download", url_path="explore"),
    st.Page("views/your_data.py", title="Your data", url_path="your-data"),
    st.Page("views/methods.py", title="Methods & sources", url_path="methods"),
]


def sidebar_vintages() -> None:
    """A short note of the data loaded and its vintages (nothing when the database is not built)."""
    try:
        ui.connection()
    except db.DatabaseMissing:
        return
    vintages = ui.cached_query(queries.source_vintages)
    with st.sidebar.expander(f"Data loaded: {len(vintages)} sources (vintages)"):
        st.caption("\n".join(f"- {row.title}: {row.vintage}" for row in vintages.itertuples()))
        st.caption("Full provenance, licences and caveats: Methods & sources.")


page = st.navigation(PAGES)
sidebar_vintages()
page.run()
