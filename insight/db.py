"""One read-only DuckDB connection and a cursor per query."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd


class DatabaseMissing(Exception):
    """The database file does not exist or cannot be opened; the app shows how to build it."""


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the database read-only (the app never writes)."""
    if not path.is_file():
        raise DatabaseMissing(f"no database at {path}")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise DatabaseMissing(f"cannot open {path}: {error}") from error


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> pd.DataFrame:
    """Run a parameterised query on its own cursor (safe across Streamlit's threads)."""
    cursor = con.cursor()
    try:
        return cursor.execute(sql, params or []).df()
    finally:
        cursor.close()
