"""`python -m etl sources`: every source with its official URLs, licence, vintage and what the last build did."""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from etl.fetch import official_distribution
from etl.source import Source
from etl.sources import all_sources


def last_build(db: Path) -> dict[str, str]:
    """source_id → what the build at `db` did with it ('loaded …' or 'not loaded: reason')."""
    if not db.exists():
        return {}
    with duckdb.connect(str(db), read_only=True) as con:
        loaded = con.execute(
            "SELECT source_id, any_value(distribution), max(loaded_at) FROM provenance GROUP BY source_id"
        ).fetchall()
        missing = con.execute("SELECT source_id, reason FROM missing_layers").fetchall()
    status = {sid: f"loaded ({distribution}, {str(at)[:16]})" for sid, distribution, at in loaded}
    return status | {sid: f"NOT LOADED: {reason}" for sid, reason in missing}


def source_lines(source: Source, status: str) -> list[str]:
    """The block printed for one source."""
    kind = "required" if source.required else "optional"
    official = official_distribution(source)
    urls = (
        [f"    url:      {f.url}" for f in official.files] if official else ["    url:      (no official online file)"]
    )
    return [
        f"{source.source_id} [{kind}] {status}",
        f"    title:    {source.title} ({source.publisher})",
        f"    vintage:  {source.vintage}",
        f"    licence:  {source.licence}",
        f"    landing:  {source.landing_url}",
        *urls,
    ]


def run_sources(args: argparse.Namespace) -> int:
    statuses = last_build(args.db)
    if not statuses:
        print(f"(no database at {args.db}: 'last build' is unknown)")
    for source in all_sources():
        status = statuses.get(source.source_id, "not in the last build" if statuses else "")
        print("\n".join(source_lines(source, status)))
    return 0
