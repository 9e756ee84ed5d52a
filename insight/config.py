"""Paths and settings for the read side. Each environment variable is read once, here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "data" / "vcs_insight.duckdb"
BUILD_COMMAND = "python -m etl build"
# Files the app serves itself (Streamlit static serving, .streamlit/config.toml), at STATIC_URL relative to a page:
# the empty base topology Plotly's SVG maps load before drawing (static/world_110m.json, so no CDN is ever called)
# the boundary files insight.maps.files writes (static/geo/) and the national map's geometry (static/raster/,
# insight.maps.national), both git-ignored.
STATIC_DIR = ROOT / "static"
STATIC_URL = "app/static/"
# The app's own browser code and styles (the raster map viewer), read by insight.streamlit_adapter.
ASSETS_DIR = ROOT / "insight" / "assets"


@dataclass(frozen=True)
class Setting:
    """A tunable: environment variable, default, and what it is for (documented in the README)."""

    name: str
    default: str
    help: str


SETTINGS = (
    Setting(
        "VCS_INSIGHT_DB", str(DEFAULT_DB.relative_to(ROOT)), "path of the built database the app reads (read-only)"
    ),
    Setting("VCS_INSIGHT_MIRROR", "", "local folder of source files used by the ETL instead of downloading"),
    Setting("VCS_INSIGHT_SQL_ROWS", "5000", "row cap for the Explore page's SQL box"),
    Setting("VCS_INSIGHT_SQL_SECONDS", "5", "time limit in seconds for one SQL box query"),
    Setting("VCS_INSIGHT_UPLOAD_MB", "200", "largest file accepted on the Your data page, in MB"),
    Setting(
        "VCS_INSIGHT_SDC_SECRET",
        "",
        "secret behind the Your data page's record keys (docs/security.md); blank: a random one per server process",
    ),
)


def setting(name: str) -> str:
    """Current value of a documented setting (environment, else its default)."""
    default = next(s.default for s in SETTINGS if s.name == name)
    return os.environ.get(name, default)


def db_path() -> Path:
    """VCS_INSIGHT_DB: which database file the app opens; relative paths are from the project root."""
    path = Path(setting("VCS_INSIGHT_DB"))
    return path if path.is_absolute() else ROOT / path
