"""Read-side queries behind each page: p50/p95 per query function, per-area ones over every LA of each level.

Prints one JSON line. Each case calls a plain function from insight.* on one read-only connection (no Streamlit
cache), timing every call; the Area profile's per-area functions take the level's data read beforehand, as the page
does (profile.level_data, itself timed per level). A case whose function is absent or fails is reported with its error, not skipped.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import duckdb

from benchmarks._browser import percentile
from insight import db

AREA_LEVELS = ("lad24", "utla24", "icb24")
NATIONAL_REPEATS = 10
P95_TARGET_MS = 50.0


def resolve(dotted: str) -> Callable[..., Any]:
    module, name = dotted.rsplit(".", 1)
    return getattr(importlib.import_module(f"insight.{module}"), name)


def codes(con: duckdb.DuckDBPyConnection, level: str) -> list[str]:
    return [c for (c,) in con.execute("SELECT code FROM areas WHERE level = ? ORDER BY code", [level]).fetchall()]


def first_measure(con: duckdb.DuckDBPyConnection, *, level: str, layer: str, preferred: str) -> str | None:
    """The preferred measure when it has values at the level, else any of that layer, else None."""
    rows = con.execute(
        """SELECT DISTINCT m.measure FROM area_measures m JOIN measure_catalog c USING (measure)
           WHERE m.level = ? AND c.layer = ? AND m.value IS NOT NULL ORDER BY 1""",
        [level, layer],
    ).fetchall()
    found = [m for (m,) in rows]
    return preferred if preferred in found else (found[0] if found else None)


def national_cases(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, dict]]:
    """Whole-country queries (Overview, Map, Triple jeopardy, Funding, Explore, Methods): name → (function, kwargs)."""
    need = first_measure(con, level="lad24", layer="need", preferred="imd_average_score") or "imd_average_score"
    capacity = first_measure(con, level="lad24", layer="capacity", preferred="ncvo_charities_per_1000") or need
    dependence = first_measure(con, level="lad24", layer="dependence", preferred="")
    years = (2013, 2018)
    return {
        "overview.capacity_by_need_decile": ("queries.capacity_by_need_decile", {}),
        "overview.headline_numbers": ("queries.headline_numbers", {"need": need, "capacity": capacity}),
        "overview.measure_wide": ("queries.measure_wide", {"level": "lad24", "measures": (need, capacity)}),
        "map.available_measures": ("queries.available_measures", {"level": "lad24"}),
        "map.map_frame_lad24": ("queries.map_frame", {"geography": "lad24", "measures": (need,)}),
        "map.map_geometry_lad24": ("queries.map_geometry", {"geography": "lad24"}),
        "map.map_frame_lsoa21": ("queries.map_frame", {"geography": "lsoa21", "measures": ("imd_score",)}),
        "jeopardy.loaded_measures": ("jeopardy.loaded_measures", {"level": "lad24"}),
        "jeopardy.scored_areas_lad24": (
            "jeopardy.scored_areas",
            {"level": "lad24", "need": need, "capacity": capacity, "dependence": dependence},
        ),
        "funding.grants_by_area": ("funding.grants_by_area", {"funder": None, "years": years}),
        "funding.grants_by_year": ("funding.grants_by_year", {"funder": None, "years": years}),
        "explore.measure_catalog": ("explore.measure_catalog", {"level": "lad24"}),
        "explore.schema_tables": ("explore.schema_tables", {}),
        "methods.provenance": ("queries.provenance", {}),
    }


def area_cases(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, list[dict]]]:
    """Per-area work (Area profile; Map 'LSOAs in chosen districts') over every LA: name → (function, kwargs list).

    The Area profile reads each level's comparison inputs once (profile.level_data, cached by the page: timed as
    its own case, 10 calls per level); the per-area comparison and similar areas are then computed from them.
    """
    cases: dict[str, tuple[str, list[dict]]] = {}
    for level in AREA_LEVELS:
        areas = codes(con, level)
        cases[f"area.level_data_{level}"] = ("profile.level_data", [{"level": level}] * NATIONAL_REPEATS)
        data = resolve("profile.level_data")(con, level=level)
        for function in ("profile.comparison_table", "profile.similar_areas"):
            cases[f"area.{function.split('.')[1]}_{level}"] = (function, [{"data": data, "code": c} for c in areas])
        for function in ("queries.area_row", "profile.area_lsoas"):
            cases[f"area.{function.split('.')[1]}_{level}"] = (function, [{"level": level, "code": c} for c in areas])
    lads = codes(con, "lad24")
    cases["map.map_frame_lsoa_in_lads"] = (
        "queries.map_frame",
        [{"geography": "lsoa_in_lads", "measures": ("imd_score",), "lad_codes": (c,)} for c in lads],
    )
    cases["map.map_geometry_lsoa_in_lads"] = (
        "queries.map_geometry",
        [{"geography": "lsoa_in_lads", "lad_codes": (c,)} for c in lads],
    )
    return cases


def time_calls(con: duckdb.DuckDBPyConnection, function: str, calls: Iterable[dict]) -> dict:
    """Time each call; p50/p95/max in milliseconds, or the error that stopped it."""
    try:
        target = resolve(function)
        times = []
        for kwargs in calls:
            start = time.perf_counter()
            if "data" in kwargs:  # computed from a level's data read beforehand, not from the database
                target(kwargs["data"], **{k: v for k, v in kwargs.items() if k != "data"})
            else:
                target(con, **kwargs)
            times.append((time.perf_counter() - start) * 1000)
    except Exception as error:  # a benchmark reports a broken case and carries on with the rest
        return {"function": function, "error": f"{type(error).__name__}: {error}"[:300]}
    return {
        "function": function,
        "calls": len(times),
        "p50_ms": round(percentile(times, 50), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "max_ms": round(max(times), 2),
    }


def run(db_path: Path) -> dict:
    """The whole benchmark; returns the JSON-ready result."""
    started = time.perf_counter()
    con = db.connect(db_path)
    try:
        results = {
            name: time_calls(con, function, [kwargs] * NATIONAL_REPEATS)
            for name, (function, kwargs) in national_cases(con).items()
        }
        results |= {name: time_calls(con, function, calls) for name, (function, calls) in area_cases(con).items()}
    finally:
        con.close()
    timed = {name: r for name, r in results.items() if "p95_ms" in r}
    return {
        "benchmark": "queries",
        "cases": results,
        "worst_p95_ms": max((r["p95_ms"] for r in timed.values()), default=None),
        "over_target": sorted(name for name, r in timed.items() if r["p95_ms"] > P95_TARGET_MS),
        "errors": sorted(name for name, r in results.items() if "error" in r),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("VCS_INSIGHT_DB", "data/vcs_insight.duckdb")))
    args = parser.parse_args(argv)
    print(json.dumps(run(args.db.resolve())))


if __name__ == "__main__":
    main()
