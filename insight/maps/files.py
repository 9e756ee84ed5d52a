"""Boundary files the browser fetches once: each small boundary level as a GeoJSON file the app serves.

Embedded in a figure, a district map's ~16,000 vertices cost the server ~100 ms a run (Plotly copies and cleans
every coordinate) and ~370 kB on the wire every time it is drawn. Instead each level is written once per database
version into static/geo/ (git-ignored; name = level + hash of the content), served by Streamlit's static file
serving and cached by the browser; figures name the file and send only codes and values. Neighbourhood (LSOA)
subsets stay embedded: the whole LSOA file is ~9 MB.
"""

from __future__ import annotations

import duckdb
import orjson

from insight import queries, static_files
from insight.maps import choropleth as maps

LEVELS = ("lad24", "utla24", "icb24", "region")
FOLDER = "geo"


def geojson_url(con: duckdb.DuckDBPyConnection, *, level: str) -> str | None:
    """URL (relative to the app) of the level's boundaries, written on first use; cache the result per database.

    Features have the area code as id and clockwise outer rings (SVG maps need them; MapLibre ignores winding).
    None when the level is not served this way, has no boundaries, or the file cannot be written (a read-only
    install): the figure then embeds the boundaries as before.
    """
    if level not in LEVELS:
        return None
    geo = queries.geometry(con, level=level)
    if geo.empty:
        return None
    text = orjson.dumps(maps.feature_collection(geo, svg=True))
    return static_files.serve(FOLDER, level, text, suffix=".geojson")
