"""The registry of published sources, in load order. Each module exposes SOURCES: tuple[Source, ...]."""

from __future__ import annotations

import importlib

from etl.source import Source

MODULES = (
    "geography",
    "boundaries",
    "imd2025",
    "imd2019",
    "wimd2019",
    "wimd2025",
    "population",
    "nspl",
    "ncvo",
    "charity_register",
    "grants360",
    "health",
)


def all_sources() -> list[Source]:
    return [s for name in MODULES for s in importlib.import_module(f"etl.sources.{name}").SOURCES]
