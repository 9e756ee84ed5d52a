"""Filesystem locations and environment settings for the ETL (the write side)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
DEFAULT_DB = DATA_DIR / "vcs_insight.duckdb"
RAW_CACHE = DATA_DIR / "raw"


def mirror_from_env() -> Path | None:
    """VCS_INSIGHT_MIRROR: a local folder of already-downloaded source files used instead of the network."""
    value = os.environ.get("VCS_INSIGHT_MIRROR")
    return Path(value) if value else None
