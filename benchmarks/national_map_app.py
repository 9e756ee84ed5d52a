"""Benchmark-only Streamlit script: the national LSOA map, naive baseline (?variant=baseline) or ours (?variant=ours),
or an empty map (?variant=floor).

Both variants map the same values (IMD score of every LSOA in area_measures) from the database at
VCS_INSIGHT_DB. The baseline embeds the mirror's raw LSOA 2021 GeoJSON (VCS_INSIGHT_MIRROR) and builds the figure
on every run, as a first attempt would; ours is insight.maps.national's packed payload, cached as the app caches it
and drawn by the app's raster map viewer (its geometry a file the app serves).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import streamlit as st

from benchmarks.national_map import baseline_figure, floor_figure, ours_payload
from insight import config, db
from insight import streamlit_adapter as cache

# Streamlit serves static/ beside the script it runs: this script's own folder, so ours writes its geometry file
# there (git-ignored), as the app writes it into the project's static/.
config.STATIC_DIR = Path(__file__).with_name("static")


@st.cache_resource(show_spinner=False)
def connection():
    return db.connect(config.db_path())


@st.cache_data(show_spinner=False)
def cached_ours() -> bytes:
    return ours_payload(connection())


variant = st.query_params.get("variant", "ours")
start = time.perf_counter()
if variant == "baseline":
    st.plotly_chart(baseline_figure(connection(), Path(os.environ["VCS_INSIGHT_MIRROR"])), theme=None)
elif variant == "floor":
    st.plotly_chart(floor_figure(), theme=None)
else:
    cache.show_raster_map(cached_ours())
st.caption(f"{variant}: ready in {time.perf_counter() - start:.2f} s on the server")
