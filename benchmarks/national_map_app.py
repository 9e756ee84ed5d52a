"""Benchmark-only Streamlit script: the national LSOA map, naive baseline (?variant=baseline) or ours (?variant=ours),
or an empty map (?variant=floor).

Both variants map the same values (IMD score of every LSOA in area_measures) from the database at
VCS_INSIGHT_DB. The baseline embeds the mirror's raw LSOA 2021 GeoJSON (VCS_INSIGHT_MIRROR) and builds the figure
on every run, as a first attempt would; ours is insight.national_map with its figure cached as the app caches it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from benchmarks.national_map import baseline_figure, floor_figure, ours_figure
from insight import config, db


@st.cache_resource(show_spinner=False)
def connection():
    return db.connect(config.db_path())


@st.cache_data(show_spinner=False)
def cached_ours() -> go.Figure:
    return ours_figure(connection())


variant = st.query_params.get("variant", "ours")
start = time.perf_counter()
if variant == "baseline":
    figure = baseline_figure(connection(), Path(os.environ["VCS_INSIGHT_MIRROR"]))
elif variant == "floor":
    figure = floor_figure()
else:
    figure = cached_ours()
st.plotly_chart(figure, theme=None)
st.caption(f"{variant}: figure ready in {time.perf_counter() - start:.2f} s on the server")
