"""Figure captions built from the measures' own provenance, so a caption cannot go stale.

A figure names every vintage it combines: each measure's numerator vintage (area_measures.vintage) and source, its
denominator vintage (area_measures.denominator_vintage, in words from the vintages table), any population vintage
the page uses directly (e.g. the residents behind "Most similar areas"), and the areas it is drawn on. Nothing in a
caption is typed by hand: a rebuilt database with other vintages gives other captions.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from insight.db import query

AREAS = {
    "lad24": "local authority districts (2024)",
    "utla24": "upper-tier local authorities (2024)",
    "icb24": "integrated care boards (2024)",
    "region": "regions",
    "country": "countries",
    "lsoa21": "neighbourhoods (LSOA 2021)",
}


def measure_provenance(
    con: duckdb.DuckDBPyConnection, *, levels: tuple[str, ...], measures: tuple[str, ...]
) -> pd.DataFrame:
    """Where each measure's values at the levels come from: measure, label, source, vintage, denominator (words).

    One row per measure with a value at any of the levels, in the order given; several vintages or denominators
    of one measure (e.g. IMD average score: published for districts, Census-weighted above) are all listed.
    """
    frame = query(
        con,
        """SELECT m.measure, coalesce(any_value(c.label), m.measure) AS label,
                  coalesce(any_value(p.title), any_value(m.source_id)) AS source,
                  string_agg(DISTINCT m.vintage, ', ' ORDER BY m.vintage) AS vintage,
                  string_agg(DISTINCT coalesce(v.label, m.denominator_vintage), '; '
                             ORDER BY coalesce(v.label, m.denominator_vintage)) AS denominator
           FROM area_measures m
           LEFT JOIN measure_catalog c ON c.measure = m.measure
           LEFT JOIN (SELECT source_id, any_value(title) AS title FROM provenance GROUP BY source_id) p
                  ON p.source_id = m.source_id
           LEFT JOIN vintages v ON v.vintage = m.denominator_vintage
           WHERE list_contains(?, m.level) AND list_contains(?, m.measure) AND m.value IS NOT NULL
           GROUP BY m.measure ORDER BY list_position(?, m.measure)""",
        [list(levels), list(measures), list(measures)],
    )
    return frame


def population_labels(con: duckdb.DuckDBPyConnection, *, vintages: tuple[str, ...]) -> list[str]:
    """The vintages in words (vintages.label), latest first; a vintage without a catalogue row by its label."""
    frame = query(
        con,
        """SELECT coalesce(v.label, u.vintage) AS label FROM unnest(?::VARCHAR[]) u(vintage)
           LEFT JOIN vintages v ON v.vintage = u.vintage ORDER BY v.reference_date DESC NULLS LAST, 1""",
        [list(dict.fromkeys(vintages))],
    )
    return frame["label"].tolist()


def measure_phrases(rows: pd.DataFrame) -> list[str]:
    """One phrase per source, vintage and denominator: 'Label, label: source, vintage; residents: denominator'."""
    keys = rows[["source", "vintage", "denominator"]].fillna("")
    grouped = rows.assign(key=list(zip(keys["source"], keys["vintage"], keys["denominator"], strict=True)))
    phrases = []
    for (source, vintage, denominator), group in grouped.groupby("key", sort=False):
        per = f"; residents: {denominator}" if denominator else ""
        phrases.append(f"{', '.join(group['label'])}: {source}, {vintage}{per}")
    return phrases


def caption(
    con: duckdb.DuckDBPyConnection,
    *,
    level: str,
    measures: tuple[str, ...],
    comparators: tuple[str, ...] = (),
    populations: tuple[str, ...] = (),
) -> str:
    """The provenance caption of a figure of `measures` drawn for areas at `level`.

    Args:
        con: read-only connection.
        level: the level the figure's areas are at.
        measures: the area_measures the figure draws (values at `level`, and at `comparators`).
        comparators: further levels whose values the figure shows too (e.g. ('region', 'country')).
        populations: population vintages the figure uses directly, beyond the measures' own denominators.
    """
    rows = measure_provenance(con, levels=(level, *comparators), measures=measures)
    parts = measure_phrases(rows)
    if populations:
        parts.append(f"Residents: {'; '.join(population_labels(con, vintages=populations))}")
    drawn = [AREAS.get(name, name) for name in (level, *comparators)]
    parts.append(f"Areas: {', '.join(drawn)}")
    return "Data — " + ". ".join(parts) + "."


def source_line(con: duckdb.DuckDBPyConnection, *, level: str, measures: tuple[str, ...]) -> str:
    """The one-line form for an image footer: 'Source: source, vintage (residents: denominator); ...'."""
    rows = measure_provenance(con, levels=(level,), measures=measures).fillna("")
    parts = dict.fromkeys(
        f"{r.source}, {r.vintage}" + (f" (residents: {r.denominator})" if r.denominator else "")
        for r in rows.itertuples()
    )
    return "Source: " + "; ".join(parts) + "." if parts else ""
