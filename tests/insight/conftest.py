"""Fixtures shared by the read-side tests: connections to the tiny hand-written databases."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.fixtures.dashboard.tiny_db import build_tiny_db


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    """The tiny database (invented values, official layouts), built once per test module, opened read-only.
    Modules with their own database (e.g. test_uploads) define their own `con`, which takes precedence."""
    path = build_tiny_db(tmp_path_factory.mktemp("tiny") / "tiny.duckdb")
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def jeopardy_con():
    """In memory: the schema and the ten invented districts of tests/fixtures/jeopardy/tiny.sql."""
    root = Path(__file__).resolve().parents[2]
    connection = duckdb.connect()
    connection.execute((root / "etl" / "schema.sql").read_text())
    connection.execute((root / "tests" / "fixtures" / "jeopardy" / "tiny.sql").read_text())
    yield connection
    connection.close()
