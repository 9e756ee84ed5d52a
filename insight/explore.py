"""Explore & download: tidy wide tables of measures by area, filters, and the schema browser."""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd

from insight import db
from insight.formatting import is_count, is_share

LEVELS = {
    "lad24": "Local authority districts (2024)",
    "utla24": "Upper-tier local authorities (2024)",
    "icb24": "Integrated care boards (2024)",
    "region": "Regions",
    "lsoa21": "Neighbourhoods (LSOA 2021)",
}
# Longest SQL text kept in the page URL (longer queries still run, the link just does not carry them).
MAX_URL_SQL = 2000
# The measure holding each level's IMD decile (1 = most deprived 10%), used by the decile filter.
DECILE_MEASURE = {"lsoa21": "imd_decile", "lad24": "imd_lad_decile"}


def measure_values(con: duckdb.DuckDBPyConnection, *, level: str, measures: tuple[str, ...]) -> pd.DataFrame:
    """Every area of a level with the chosen measures as columns (NaN where an area has no value).

    Args:
        con: read-only connection to the built database.
        level: area level, e.g. 'lad24'.
        measures: measure ids, one column each, in this order.

    Returns:
        area_code, area_name, region_code, region_name, then one float column per measure, ordered by area_code.
    """
    areas = db.query(
        con,
        """
        SELECT a.code AS area_code, a.name AS area_name, a.region_code, r.name AS region_name
        FROM areas a LEFT JOIN areas r ON r.level = 'region' AND r.code = a.region_code
        WHERE a.level = ? ORDER BY a.code
        """,
        [level],
    )
    long = db.query(
        con,
        "SELECT area_code, measure, value FROM area_measures WHERE level = ? AND list_contains(?, measure)",
        [level, list(measures)],
    )
    wide = long.pivot(index="area_code", columns="measure", values="value").reindex(columns=list(measures))
    out = areas.merge(wide, left_on="area_code", right_index=True, how="left")
    for measure in measures:
        out[measure] = out[measure].astype(float) if measure in out else np.nan
    return out.reset_index(drop=True)


def measure_catalog(con: duckdb.DuckDBPyConnection, *, level: str) -> pd.DataFrame:
    """Measures with at least one value at a level.

    Args:
        con: read-only connection.
        level: area level.

    Returns:
        measure, label, layer, unit, polarity, definition, areas (count with a value), vintage; by layer and label.
    """
    return db.query(
        con,
        """
        SELECT c.measure, c.label, c.layer, c.unit, c.polarity, c.definition,
               count(m.value) AS areas, string_agg(DISTINCT m.vintage, ', ') AS vintage
        FROM measure_catalog c JOIN area_measures m ON m.measure = c.measure AND m.level = ?
        GROUP BY ALL HAVING count(m.value) > 0 ORDER BY c.layer, c.label
        """,
        [level],
    )


def regions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Regions (code, name) in code order."""
    return db.query(con, "SELECT code, name FROM areas WHERE level = 'region' ORDER BY code")


def wide_table(
    con: duckdb.DuckDBPyConnection,
    *,
    level: str,
    measures: tuple[str, ...],
    region: str | None = None,
    deciles: tuple[int, ...] = (),
) -> pd.DataFrame:
    """A tidy wide table: one row per area of a level, one column per measure, filtered by region and IMD decile.

    Args:
        con: read-only connection.
        level: area level (see LEVELS).
        measures: measure ids to include as columns.
        region: region code to keep (None = all).
        deciles: IMD deciles to keep (1 = most deprived); ignored at levels without a decile measure.

    Returns:
        area_code, area_name, region_code, region_name, imd decile column when filtering by it, then measures.
    """
    decile_measure = DECILE_MEASURE.get(level) if deciles else None
    columns = tuple(dict.fromkeys(((decile_measure,) if decile_measure else ()) + measures))
    table = measure_values(con, level=level, measures=columns)
    return filter_table(table, region=region, decile_column=decile_measure, deciles=deciles)


def filter_table(
    table: pd.DataFrame, *, region: str | None, decile_column: str | None, deciles: tuple[int, ...]
) -> pd.DataFrame:
    """Keep rows in a region and in the chosen deciles (no filter when region is None / deciles empty)."""
    keep = pd.Series(True, index=table.index)
    if region:
        keep &= table["region_code"] == region
    if decile_column and deciles:
        keep &= table[decile_column].isin([float(d) for d in deciles])
    return table[keep].reset_index(drop=True)


def schema_columns(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Tables and views of the database with their columns and types, in declaration order.

    Args:
        con: read-only connection.

    Returns:
        table_name, table_type ('BASE TABLE' / 'VIEW'), column_name, data_type, ordinal_position.
    """
    return db.query(
        con,
        """
        SELECT c.table_name, t.table_type, c.column_name, c.data_type, c.ordinal_position
        FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_catalog, table_schema, table_name)
        WHERE c.table_schema = 'main'
        ORDER BY c.table_name, c.ordinal_position
        """,
    )


def schema_tables(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per table/view: name, type, column count and a comma-separated column list."""
    columns = schema_columns(con)
    if columns.empty:
        return pd.DataFrame(columns=["table_name", "table_type", "columns", "column_list"])
    grouped = columns.groupby(["table_name", "table_type"], sort=True)
    return grouped.agg(columns=("column_name", "size"), column_list=("column_name", ", ".join)).reset_index()


def url_sql(value: object) -> str | None:
    """A query from a shared link, to put in the SQL box and run: at most MAX_URL_SQL characters, None when absent."""
    return str(value or "")[:MAX_URL_SQL] or None


EXAMPLE_SQL = "SELECT level, count(*) AS areas\nFROM areas\nGROUP BY level\nORDER BY areas DESC"


def measure_legend(catalog: pd.DataFrame, *, measures: tuple[str, ...]) -> pd.DataFrame:
    """What each chosen column means: column, label, unit, vintage, definition (in the chosen order)."""
    legend = catalog.set_index("measure").reindex(list(measures)).reset_index()
    return legend[["measure", "label", "unit", "vintage", "definition"]].rename(columns={"measure": "column"})


def column_format(unit: str | None) -> str:
    """Table number format for a measure's unit: shares as percentages, counts/deciles whole, else 2 decimals."""
    if unit and is_share(unit):
        return "percent"
    return "localized" if unit and (is_count(unit) or unit.lower() == "decile") else "%.2f"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain_text(message: str) -> str:
    """Escape Markdown so text that may echo a user's SQL (or a shared link's) is shown literally, never as links."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", message)
