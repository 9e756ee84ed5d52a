"""Which district an LSOA is in: one rule for the few LSOAs the IoD files and the ONS lookup place differently.

The rule (docs/metrics.md, "Which district an LSOA is in"): an IoD measure follows the district the IoD2025 file
assigns the LSOA to — as the published district summaries do — and everything else (geography-only lists, uploads,
capacity measures) follows the ONS LSOA 2021 → LAD 2024 best-fit lookup. The database holds both per LSOA in the
view lsoa_districts (iod_lad_code, ons_lad_code); E01027305 is in West Northamptonshire by the IoD file and in
Cherwell by the ONS lookup.
"""

from __future__ import annotations

from typing import Literal

import duckdb
import pandas as pd

from insight.db import query

Rule = Literal["iod", "ons"]
IOD_SOURCES = "imd%"  # area_measures.source_id of the IoD measures (imd2025_lsoa, imd2025_lad, ...)
RULE_SENTENCE = (
    "Neighbourhoods are placed in districts as the IoD2025 files place them when an IoD measure is shown, and by "
    "the ONS best-fit lookup otherwise."
)


def rule_for(con: duckdb.DuckDBPyConnection, *, measures: tuple[str, ...]) -> Rule:
    """'iod' when any of the measures is an IoD measure at LSOA level, else 'ons'."""
    found = query(
        con,
        """SELECT count(*) AS n FROM (SELECT DISTINCT measure, source_id FROM area_measures WHERE level = 'lsoa21')
           WHERE list_contains(?, measure) AND source_id LIKE ?""",
        [list(measures), IOD_SOURCES],
    )
    return "iod" if int(found["n"].iloc[0]) else "ons"


def lad_column(rule: Rule) -> str:
    """The lsoa_districts column a rule reads (a fixed name, safe to put in SQL)."""
    return {"iod": "iod_lad_code", "ons": "ons_lad_code"}[rule]


def differences(con: duckdb.DuckDBPyConnection, *, level: str, codes: tuple[str, ...]) -> pd.DataFrame:
    """LSOAs whose area at `level` ('lad24', 'utla24', 'region') differs between the two rules, where either is
    one of `codes` (every area when codes is empty): lsoa_code, lsoa_name, iod_code, iod_name, ons_code, ons_name.
    Empty for other levels."""
    if level not in ("lad24", "utla24", "region"):
        return pd.DataFrame(columns=["lsoa_code", "lsoa_name", "iod_code", "iod_name", "ons_code", "ons_name"])
    parent = {"lad24": "code", "utla24": "utla_code", "region": "region_code"}[level]
    return query(
        con,
        f"""WITH placed AS (
               SELECT d.lsoa21_code, i.{parent} AS iod_code, o.{parent} AS ons_code
               FROM lsoa_districts d
               JOIN areas i ON i.level = 'lad24' AND i.code = d.iod_lad_code
               JOIN areas o ON o.level = 'lad24' AND o.code = d.ons_lad_code
               WHERE d.iod_lad_code <> d.ons_lad_code)
            SELECT p.lsoa21_code AS lsoa_code, coalesce(a.name, p.lsoa21_code) AS lsoa_name,
                   p.iod_code, coalesce(ia.name, p.iod_code) AS iod_name,
                   p.ons_code, coalesce(oa.name, p.ons_code) AS ons_name
            FROM placed p
            LEFT JOIN areas a ON a.level = 'lsoa21' AND a.code = p.lsoa21_code
            LEFT JOIN areas ia ON ia.level = ? AND ia.code = p.iod_code
            LEFT JOIN areas oa ON oa.level = ? AND oa.code = p.ons_code
            WHERE p.iod_code <> p.ons_code
              AND (len(?::VARCHAR[]) = 0 OR list_contains(?, p.iod_code) OR list_contains(?, p.ons_code))
            ORDER BY p.lsoa21_code""",  # noqa: S608 - parent is one of three fixed column names
        [level, level, list(codes), list(codes), list(codes)],
    )


def note(frame: pd.DataFrame, *, rule: Rule) -> str:
    """A sentence per LSOA of `differences`, saying where it is listed here; '' when there are none."""
    follows = "IoD measures follow the IoD file" if rule == "iod" else "this view follows the ONS lookup"
    sentences = [
        f"{row.lsoa_name} ({row.lsoa_code}) is in {row.iod_name} in the IoD2025 files but in {row.ons_name} in the "
        f"ONS best-fit lookup; {follows}, so it is listed under {row.iod_name if rule == 'iod' else row.ons_name}."
        for row in frame.itertuples()
    ]
    return " ".join(sentences)


def note_for(con: duckdb.DuckDBPyConnection, *, level: str, codes: tuple[str, ...], rule: Rule) -> str:
    """The note for a list or map of the LSOAs in `codes` at `level` drawn by `rule`; '' when no LSOA differs."""
    return note(differences(con, level=level, codes=codes), rule=rule)


def national_note(con: duckdb.DuckDBPyConnection, *, rule: Rule) -> str:
    """The rule and every LSOA it matters for, for a map of all neighbourhoods with district medians."""
    return f"{RULE_SENTENCE} {note(differences(con, level='lad24', codes=()), rule=rule)}".strip()
