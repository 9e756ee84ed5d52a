"""The one read-side module that imports streamlit: a cached read-only connection and cached queries."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import streamlit as st

from insight import config, db


@st.cache_resource(show_spinner=False)
def _connection(path: str, mtime: float) -> duckdb.DuckDBPyConnection:
    """One read-only connection per database file version (a rebuild changes mtime)."""
    return db.connect(Path(path))


def _db_key() -> tuple[str, float]:
    path = config.db_path()
    return str(path), (path.stat().st_mtime if path.exists() else 0.0)


def connection() -> duckdb.DuckDBPyConnection:
    """The shared read-only connection; raises db.DatabaseMissing when there is no database."""
    return _connection(*_db_key())


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_call(module: str, name: str, db_key: tuple[str, float], items: tuple[tuple[str, Any], ...]) -> Any:
    function = getattr(importlib.import_module(module), name)
    return function(_connection(*db_key), **dict(items))


def cached_query(function: Callable[..., Any], /, **kwargs: Any) -> Any:
    """Call a pure query function `function(con, **kwargs)` through Streamlit's data cache.

    kwargs must be hashable (use tuples, not lists); results are cached per database version.
    """
    items = tuple(sorted(kwargs.items()))
    return _cached_call(function.__module__, function.__qualname__, _db_key(), items)


def require_database() -> duckdb.DuckDBPyConnection:
    """Return the connection, or show how to build the database and stop the page."""
    try:
        return connection()
    except db.DatabaseMissing as error:
        st.error(
            f"The VCS Insight database is not built yet ({error}). Build it from the project folder with:\n\n"
            f"`{config.BUILD_COMMAND}`  (offline: `{config.BUILD_COMMAND} --mirror ../shared/data`)"
        )
        st.stop()
        raise  # unreachable: st.stop() ends the script run
