"""Integration: the real build from the mirror — facts, provenance, and a second build identical."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.__main__ import main
from etl.build import build
from etl.sources import all_sources

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(("edition", "lsoas"), [("IoD2025", 33_755), ("IoD2019", 32_844), ("WIMD2019", 1_909)])
def test_editions_have_published_lsoa_counts(db_con: duckdb.DuckDBPyConnection, edition: str, lsoas: int) -> None:
    found = db_con.execute("SELECT count(*) FROM imd_lsoa WHERE edition = ?", [edition]).fetchone()[0]
    assert found == lsoas


def test_iod2025_lad_summary_has_296_lads(db_con: duckdb.DuckDBPyConnection) -> None:
    found = db_con.execute("SELECT count(DISTINCT lad_code) FROM imd_lad WHERE edition = 'IoD2025'").fetchone()[0]
    assert found == 296


def test_provenance_has_a_checksummed_row_per_file(db_con: duckdb.DuckDBPyConnection) -> None:
    rows = db_con.execute("SELECT source_id, file_name, sha256, rows, url FROM provenance").fetchall()
    assert len(rows) >= 10
    assert all(len(sha) == 64 and url.startswith("https://") for _s, _f, sha, _r, url in rows)


def test_second_build_is_identical(built_db: Path, mirror: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.duckdb"
    build(again, sources=all_sources(), mirror=mirror, cache=tmp_path / "raw", progress=lambda _m: None)
    query = "SELECT source_id, file_name, sha256, rows FROM provenance ORDER BY ALL"
    counts = "SELECT table_name, estimated_size FROM duckdb_tables() ORDER BY ALL"
    with duckdb.connect(str(built_db), read_only=True) as first, duckdb.connect(str(again), read_only=True) as second:
        assert first.execute(query).fetchall() == second.execute(query).fetchall()
        assert first.execute(counts).fetchall() == second.execute(counts).fetchall()


def test_status_prints_provenance(built_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--db", str(built_db)]) == 0
    out = capsys.readouterr().out
    assert "imd2025" in out and "sha256" in out


def test_status_without_database_says_how_to_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--db", str(tmp_path / "none.duckdb")]) == 1
    assert "python -m etl build" in capsys.readouterr().err
