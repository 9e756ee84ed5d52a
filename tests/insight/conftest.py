"""Fixtures shared by the read-side tests: a read-only connection to the tiny hand-written dashboard database."""

from __future__ import annotations

import duckdb
import pytest

from tests.fixtures.dashboard.tiny_db import build_tiny_db


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    """The tiny database (invented values, official layouts), built once per test module, opened read-only.
    Modules with their own database (e.g. test_byod) define their own `con`, which takes precedence."""
    path = build_tiny_db(tmp_path_factory.mktemp("tiny") / "tiny.duckdb")
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()
