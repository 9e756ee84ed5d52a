"""Each ETL fault leaves the previous database byte-identical and says which source and file failed."""

from __future__ import annotations

import errno
import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl import build as build_module
from etl.build import build
from etl.source import SourceError, ValidationError
from tests.etl.fake_sources import (
    CSV_PATH,
    FAKE_BUILD_CHECKS,
    ROWS_V1,
    ROWS_V2,
    SOURCE_ID,
    csv_text,
    db_rows,
    fake_source,
    file_server,
    leftovers,
    read_xlsx,
    read_zip,
    write_mirror,
)


@dataclass(frozen=True)
class OldDb:
    """The database a previous, successful build left: path, sha256 and where the mirror is."""

    path: Path
    sha256: str
    mirror: Path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_build(db: Path, source, *, mirror: Path | None) -> None:
    build(db, sources=[source], mirror=mirror, cache=db.parent / "raw", progress=lambda _m: None)


@pytest.fixture
def old_db(tmp_path: Path) -> OldDb:
    mirror = tmp_path / "mirror"
    write_mirror(mirror, ROWS_V1)
    db = tmp_path / "out" / "vcs_insight.duckdb"
    run_build(db, fake_source(), mirror=mirror)
    return OldDb(db, sha256(db), mirror)


@pytest.fixture(autouse=True)
def fast_and_focused(monkeypatch: pytest.MonkeyPatch) -> None:
    """No back-off between download retries; only the checks that apply to a one-table fake build."""
    monkeypatch.setattr("etl.fetch.web.sleep", lambda _s: None)
    monkeypatch.setattr(build_module.checks, "CHECKS", FAKE_BUILD_CHECKS)


def assert_intact(old: OldDb) -> None:
    """Same bytes, still readable, same rows, no temp file left behind."""
    assert sha256(old.path) == old.sha256
    assert db_rows(old.path) == list(ROWS_V1)
    assert leftovers(old.path) == []


def test_a_good_build_replaces_the_old_database(old_db: OldDb) -> None:
    write_mirror(old_db.mirror, ROWS_V2)
    run_build(old_db.path, fake_source(), mirror=old_db.mirror)
    assert db_rows(old_db.path) == list(ROWS_V2)
    assert leftovers(old_db.path) == []


def corrupt_zip(mirror: Path) -> str:
    path = mirror / "fake" / "lad_names.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("lad_names.csv", csv_text(ROWS_V2 * 50))
    path.write_bytes(path.read_bytes()[:-60])  # lose the central directory: a cut-off download
    return "fake/lad_names.zip"


def corrupt_xlsx(mirror: Path) -> str:
    path = mirror / "fake" / "lad_names.xlsx"
    pd.DataFrame(ROWS_V2, columns=["LAD24CD", "LAD24NM"]).to_excel(path, index=False)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return "fake/lad_names.xlsx"


def write(mirror: Path, text: str) -> str:
    (mirror / CSV_PATH).write_text(text)
    return CSV_PATH


# (id, prepare the mirror -> mirror path, source arguments, fragments the error must contain)
BAD_INPUTS = [
    (
        "checksum_mismatch",
        lambda m: write(m, csv_text(ROWS_V2)),
        {"sha256": "0" * 64},
        ["sha256", "does not match the published"],
    ),
    ("size_mismatch", lambda m: write(m, csv_text(ROWS_V2)), {"size": 10_000}, ["expected 10,000", "truncated"]),
    (
        "renamed_column",
        lambda m: write(m, csv_text(ROWS_V2, header=("LAD24CD", "LAD25NM"))),
        {},
        ["missing expected column(s): LAD24NM"],
    ),
    (
        "truncated_csv",
        lambda m: write(m, csv_text(ROWS_V2)[:-12]),
        {},
        ["could not be read", "ParserError"],
    ),
    ("empty_file", lambda m: write(m, ""), {}, ["file is missing or empty"]),
    ("corrupted_zip", corrupt_zip, {"reader": read_zip}, ["lad_names.zip", "could not be read", "BadZipFile"]),
    ("corrupted_xlsx", corrupt_xlsx, {"reader": read_xlsx}, ["lad_names.xlsx", "could not be read"]),
    (
        "wrong_geography",
        lambda m: write(m, csv_text((*ROWS_V1, ("S12000033", "Invented Glen")))),
        {},
        ["wrong GSS prefix", "S12000033 (lad24)"],
    ),
    (
        "not_in_mirror",
        lambda m: "fake/renamed_by_publisher.csv",
        {},
        ["no accepted distribution in the mirror", "renamed_by_publisher.csv"],
    ),
    (
        "rows_do_not_fit",
        lambda m: write(m, csv_text((*ROWS_V1, ("E06999001", "Invented Twin")))),
        {},
        ["rows do not fit the schema", "Constraint"],
    ),
]


@pytest.mark.parametrize(
    ("prepare", "source_args", "fragments"), [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_keeps_old_database(old_db: OldDb, prepare, source_args: dict, fragments: list[str]) -> None:
    mirror_path = prepare(old_db.mirror)
    with pytest.raises(SourceError) as failed:
        run_build(old_db.path, fake_source(mirror_path=mirror_path, **source_args), mirror=old_db.mirror)
    message = str(failed.value)
    assert message.startswith(f"[{SOURCE_ID}] ")
    assert Path(mirror_path).name in message
    assert all(fragment in message for fragment in fragments), message
    assert_intact(old_db)


def test_reader_frame_for_an_unknown_table_names_the_source(old_db: OldDb) -> None:
    source = fake_source(reader=lambda _paths: {"no_such_table": pd.DataFrame({"code": ["E06999001"]})})
    with pytest.raises(SourceError, match=r"^\[fake_lad\] lad_names.csv: rows do not fit the schema .*no_such_table"):
        run_build(old_db.path, source, mirror=old_db.mirror)
    assert_intact(old_db)


def test_failed_validation_keeps_old_database(old_db: OldDb, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module.checks, "CHECKS", (lambda _con: ["areas lad24: 1 district without a name"],))
    with pytest.raises(ValidationError, match="1 district without a name"):
        run_build(old_db.path, fake_source(), mirror=old_db.mirror)
    assert_intact(old_db)


def test_failing_derive_sql_names_the_source(old_db: OldDb) -> None:
    source = fake_source(derive_sql="INSERT INTO area_measures SELECT * FROM no_such_table")
    with pytest.raises(SourceError, match=rf"^\[{SOURCE_ID}\] derive_sql: deriving measures failed .*no_such_table"):
        run_build(old_db.path, source, mirror=old_db.mirror)
    assert_intact(old_db)


@pytest.mark.parametrize("mode", ["truncate", "stall"])
def test_interrupted_download_keeps_old_database(
    old_db: OldDb, monkeypatch: pytest.MonkeyPatch, mode: str, tmp_path: Path
) -> None:
    monkeypatch.setattr("etl.fetch.web.TIMEOUT_S", 0.3)
    with file_server(csv_text(ROWS_V2).encode(), mode=mode) as server:
        with pytest.raises(SourceError) as failed:
            run_build(old_db.path, fake_source(url=server.url), mirror=None)
    assert str(failed.value).startswith(f"[{SOURCE_ID}] lad_names.csv: download failed after 3 tries")
    assert server.requests == 3
    assert [p for p in (old_db.path.parent / "raw").rglob("*") if p.is_file()] == []  # no partial kept
    assert_intact(old_db)


def test_unsized_download_cut_short_is_caught_by_the_published_size(old_db: OldDb) -> None:
    """A body without Content-Length looks complete when cut; the publisher's known size catches it."""
    body = csv_text(ROWS_V2).encode()
    with file_server(body, mode="unsized") as server:
        with pytest.raises(SourceError, match=rf"^\[fake_lad\] lad_names.csv: size {len(body) // 3} bytes, expected"):
            run_build(old_db.path, fake_source(url=server.url, size=len(body)), mirror=None)
    assert_intact(old_db)


def test_download_retries_then_succeeds(old_db: OldDb) -> None:
    with file_server(csv_text(ROWS_V2).encode(), mode="flaky") as server:
        run_build(old_db.path, fake_source(url=server.url), mirror=None)
    assert server.requests == 2
    assert db_rows(old_db.path) == list(ROWS_V2)


def test_download_checksum_mismatch(old_db: OldDb) -> None:
    with file_server(csv_text(ROWS_V2).encode(), mode="ok") as server:
        with pytest.raises(SourceError, match=r"^\[fake_lad\] lad_names.csv: sha256 .* does not match"):
            run_build(old_db.path, fake_source(url=server.url, sha256="f" * 64), mirror=None)
    assert_intact(old_db)


def enospc(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


class FullDiskConnection:
    """A real connection whose CHECKPOINT (the final flush of the new file) fails as on a full disk."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def execute(self, sql: str, *args):
        if sql == "CHECKPOINT":
            raise duckdb.IOException("Could not write file: No space left on device")
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def insert_on_full_disk(_con, _frames) -> None:
    raise duckdb.IOException("Could not write block: No space left on device")


@pytest.mark.parametrize(
    ("target", "replacement", "error", "fragment"),
    [
        ("os.replace", enospc, OSError, "No space left on device"),
        (
            "insert_frames",
            insert_on_full_disk,
            SourceError,
            "[fake_lad] lad_names.csv: could not write the new database",
        ),
        ("checkpoint", None, duckdb.IOException, "No space left on device"),
    ],
)
def test_disk_full_keeps_old_database(
    old_db: OldDb, monkeypatch: pytest.MonkeyPatch, target: str, replacement, error: type, fragment: str
) -> None:
    write_mirror(old_db.mirror, ROWS_V2)
    if target == "os.replace":
        monkeypatch.setattr(build_module.os, "replace", replacement)
    elif target == "insert_frames":
        monkeypatch.setattr(build_module, "insert_frames", replacement)
    else:
        real_connect = duckdb.connect
        monkeypatch.setattr(build_module.duckdb, "connect", lambda *a, **k: FullDiskConnection(real_connect(*a, **k)))
    with pytest.raises(error) as failed:
        run_build(old_db.path, fake_source(), mirror=old_db.mirror)
    monkeypatch.undo()
    assert fragment in str(failed.value)
    assert_intact(old_db)


def test_interrupt_keeps_old_database(old_db: OldDb, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(_paths):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_build(old_db.path, fake_source(reader=interrupted), mirror=old_db.mirror)
    assert_intact(old_db)


def test_stale_temp_of_a_dead_build_is_removed_but_a_live_one_kept(old_db: OldDb) -> None:
    dead = old_db.path.with_name(f".{old_db.path.name}.building-999999999")
    dead_wal = Path(f"{dead}.wal")
    live = old_db.path.with_name(f".{old_db.path.name}.building-1")  # pid 1 always exists
    for path in (dead, dead_wal, live):
        path.write_bytes(b"left by a killed build")
    run_build(old_db.path, fake_source(), mirror=old_db.mirror)
    assert leftovers(old_db.path) == [live.name]


def test_stale_wal_beside_the_target_is_removed(old_db: OldDb) -> None:
    wal = Path(f"{old_db.path}.wal")
    wal.write_bytes(b"a log that belongs to the old file")
    write_mirror(old_db.mirror, ROWS_V2)
    run_build(old_db.path, fake_source(), mirror=old_db.mirror)
    assert not wal.exists()
    assert db_rows(old_db.path) == list(ROWS_V2)
