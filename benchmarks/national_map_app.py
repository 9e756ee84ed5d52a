"""Benchmark-only Streamlit script: the national LSOA map, naive baseline (?variant=baseline) or ours (?variant=ours).

Both variants map the same values (IMD score of every LSOA in area_measures) from the database at
VCS_INSIGHT_DB. The baseline embeds the mirror's raw LSOA 2021 GeoJSON in a go.Choroplethmap and builds the
figure on every run, as a first attempt would; ours is insight.national_map with its figure cached like the app.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import orjson
import plotly.graph_objects as go
import streamlit as st

from insight import config, db, national_map

MEASURE = "imd_score"
LABEL = "IMD score"
VIEW = {"style": "white-bg", "center": {"lat": 52.8, "lon": -2.3}, "zoom": 5.2}


@st.cache_resource(show_spinner=False)
def connection():
    return db.connect(config.db_path())


def baseline_figure() -> go.Figure:
    """Naive: the raw boundary file and every value, embedded in one Choroplethmap trace."""
    mirror = Path(os.environ["VCS_INSIGHT_MIRROR"])
    geojson = orjson.loads((mirror / "boundaries" / "boundaries_lsoa21.geojson").read_bytes())
    values = db.query(
        connection(), "SELECT area_code, value FROM area_measures WHERE level = 'lsoa21' AND measure = ?", [MEASURE]
    )
    trace = go.Choroplethmap(
        geojson=geojson,
        locations=values["area_code"],
        z=values["value"],
        featureidkey="properties.lsoa21_code",
        colorscale="Viridis",
        marker_line_width=0,
        colorbar_title_text=LABEL,
    )
    fig = go.Figure(trace)
    fig.update_layout(map=VIEW, height=700, margin={"l": 0, "r": 0, "t": 40, "b": 0}, title=LABEL)
    return fig


@st.cache_data(show_spinner=False)
def ours_figure(height: int) -> go.Figure:
    fig = national_map.national_map_figure(
        connection(), measure=MEASURE, label=LABEL, unit="score", title=LABEL, height=height
    )
    return fig.update_layout(height=700)


variant = st.query_params.get("variant", "ours")
start = time.perf_counter()
height = int(st.query_params.get("height", national_map.RASTER_HEIGHT))
figure = baseline_figure() if variant == "baseline" else ours_figure(height)
st.plotly_chart(figure, theme=None)
st.caption(f"{variant}: figure ready in {time.perf_counter() - start:.2f} s on the server")
