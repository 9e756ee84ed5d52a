"""VCS Insight: where need outstrips voluntary and community sector capacity. Run: streamlit run app.py"""

from __future__ import annotations

import streamlit as st

from insight import cache, db, queries

st.set_page_config(layout="wide", page_title="VCS Insight")

PAGES = [
    st.Page("pages/overview.py", title="Overview", url_path="overview", default=True),
    st.Page("pages/map.py", title="Map", url_path="map"),
    st.Page("pages/area_profile.py", title="Area profile", url_path="area"),
    st.Page("pages/triple_jeopardy.py", title="Triple jeopardy", url_path="jeopardy"),
    st.Page("pages/funding.py", title="Funding & services", url_path="funding"),
    st.Page("pages/explore.py", title="Explore & download", url_path="explore"),
    st.Page("pages/your_data.py", title="Your data", url_path="your-data"),
    st.Page("pages/methods.py", title="Methods & sources", url_path="methods"),
]


def sidebar_vintages() -> None:
    """A short note of the data loaded and its vintages (nothing when the database is not built)."""
    try:
        cache.connection()
    except db.DatabaseMissing:
        return
    vintages = cache.cached_query(queries.source_vintages)
    with st.sidebar.expander(f"Data loaded: {len(vintages)} sources (vintages)"):
        st.caption("\n".join(f"- {row.title}: {row.vintage}" for row in vintages.itertuples()))
        st.caption("Full provenance, licences and caveats: Methods & sources.")


legacy = cache.in_legacy_page_mode()
page = st.navigation(PAGES)
sidebar_vintages()
try:
    page.run()
finally:
    if legacy:  # rerun the page under this navigation (menu, layout), keeping the link's selection
        st.switch_page(page, query_params=st.query_params.to_dict())
