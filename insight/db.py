"""One read-only DuckDB connection and a cursor per query."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

# Columns every page relies on; a database without them was built by an older version and must be rebuilt.
REQUIRED_COLUMNS = {
    "provenance": ("source_id", "title", "publisher", "licence", "vintage", "file_name"),
    "missing_layers": ("source_id", "title"),
    "areas": ("code", "name", "level", "lad_code", "region_code"),
    "area_measures": ("level", "area_code", "measure", "value", "vintage", "denominator_vintage"),
    "measure_catalog": ("measure", "label", "layer", "unit"),
    "boundaries": ("code", "level", "geojson"),
}


class DatabaseMissing(Exception):
    """The database file does not exist, cannot be opened or is stale; the app shows how to build it."""


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the database read-only (the app never writes)."""
    if not path.is_file():
        raise DatabaseMissing(f"no database at {path}")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise DatabaseMissing(f"cannot open {path}: {error}") from error
    if missing := missing_columns(con):
        con.close()
        raise DatabaseMissing(f"{path} was built by an older version (no {', '.join(missing[:3])}); rebuild it")
    return con


def missing_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Required table.column names absent from the database (empty when it fits this version)."""
    found = set(
        con.execute(
            "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'main'"
        ).fetchall()
    )
    wanted = [f"{table}.{column}" for table, columns in REQUIRED_COLUMNS.items() for column in columns]
    return [name for name in wanted if (name,) not in found]


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> pd.DataFrame:
    """Run a parameterised query on its own cursor (safe across Streamlit's threads)."""
    cursor = con.cursor()
    try:
        return cursor.execute(sql, params or []).df()
    finally:
        cursor.close()
