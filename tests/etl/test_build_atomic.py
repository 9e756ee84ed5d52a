"""Killing `python -m etl build` at any stage leaves the previous database byte-identical and readable.

Each test runs the real CLI in a child process (tests/etl/fake_sources.py) with an invented source
that stalls at one stage, kills it there, checks the old file, then checks a later build cleans up.
"""

from __future__ import annotations

import hashlib
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl import build as build_module
from etl.build import build
from tests.etl.fake_sources import (
    FAKE_BUILD_CHECKS,
    HEADER,
    ROWS_V1,
    ROWS_V2,
    csv_text,
    db_rows,
    fake_source,
    file_server,
    leftovers,
    marker,
    write_mirror,
)

ROOT = Path(__file__).resolve().parents[2]
STAGES = ["fetch", "load", "derive", "validate", "replace"]
WAIT_S = 60


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def old_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database from a previous good build (three invented districts) and its mirror beside it."""
    monkeypatch.setattr(build_module.checks, "CHECKS", FAKE_BUILD_CHECKS)
    write_mirror(tmp_path / "mirror", ROWS_V1)
    db = tmp_path / "out" / "vcs_insight.duckdb"
    build(db, sources=[fake_source()], mirror=tmp_path / "mirror", cache=tmp_path / "raw", progress=lambda _m: None)
    return db


def start_child(stage: str, db: Path, *, url: str = "", limit_file_bytes: int | None = None) -> subprocess.Popen:
    """The real CLI in a child process with the fake source stalled at `stage`."""
    mirror, cache = db.parent.parent / "mirror", db.parent.parent / "raw"
    command = [sys.executable, "-u", "-m", "tests.etl.fake_sources", stage, str(db), str(mirror), str(cache), url]

    def limit() -> None:
        if limit_file_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))

    return subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=limit
    )


def wait_for(condition, *, child: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if child.poll() is not None:
            raise AssertionError(f"child exited early ({child.returncode}): {child.communicate()}")
        if time.monotonic() > deadline:
            child.kill()
            raise AssertionError("the child never reached the stage")
        time.sleep(0.05)


def assert_old_intact(db: Path, digest: str) -> None:
    assert sha256(db) == digest
    assert db_rows(db) == list(ROWS_V1)


@pytest.mark.parametrize("stage", STAGES)
def test_sigkill_at_each_stage_keeps_old_database(old_db: Path, stage: str) -> None:
    digest = sha256(old_db)
    with file_server(csv_text(ROWS_V2).encode(), mode="drip") as server:
        child = start_child(stage, old_db, url=server.url)
        reached = server.started.is_set if stage == "fetch" else marker(old_db, stage).exists
        wait_for(reached, child=child)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=WAIT_S)
    assert child.returncode == -signal.SIGKILL
    assert_old_intact(old_db, digest)
    assert leftovers(old_db), "a killed build leaves its temp file (the next build removes it)"

    write_mirror(old_db.parent.parent / "mirror", ROWS_V2)
    build(old_db, sources=[fake_source()], mirror=old_db.parent.parent / "mirror", cache=old_db.parent / "raw")
    assert leftovers(old_db) == []
    assert db_rows(old_db) == list(ROWS_V2)


def test_ctrl_c_cleans_up_and_says_so(old_db: Path) -> None:
    digest = sha256(old_db)
    child = start_child("load", old_db)
    wait_for(marker(old_db, "load").exists, child=child)
    child.send_signal(signal.SIGINT)
    _out, err = child.communicate(timeout=WAIT_S)
    assert child.returncode == 130
    assert err.strip() == "build interrupted. The previous database (if any) is unchanged."
    assert_old_intact(old_db, digest)
    assert leftovers(old_db) == []


def test_cli_bad_input_is_one_line_naming_source_and_file(old_db: Path) -> None:
    digest = sha256(old_db)
    (old_db.parent.parent / "mirror" / "fake" / "lad_names.csv").write_text(
        csv_text(ROWS_V2, header=(HEADER[0], "LAD25NM"))
    )
    child = start_child("ok", old_db)
    _out, err = child.communicate(timeout=WAIT_S)
    assert child.returncode == 1
    assert err.splitlines() == [
        "build failed: [fake_lad] lad_names.csv: missing expected column(s): LAD24NM. "
        "The previous database (if any) is unchanged."
    ]
    assert_old_intact(old_db, digest)
    assert leftovers(old_db) == []


def test_cli_full_disk_is_one_line_and_keeps_old_database(old_db: Path) -> None:
    """A real write failure: the child may not write files past 64 KB (RLIMIT_FSIZE), as on a full disk."""
    digest = sha256(old_db)
    write_mirror(old_db.parent.parent / "mirror", ROWS_V2)
    child = start_child("ok", old_db, limit_file_bytes=64 * 1024)
    _out, err = child.communicate(timeout=WAIT_S)
    assert child.returncode == 1
    assert len(err.splitlines()) == 1, err
    assert err.startswith("build failed")
    assert "File too large" in err and str(old_db) in err
    assert err.rstrip().endswith("The previous database (if any) is unchanged.")
    assert_old_intact(old_db, digest)
    assert leftovers(old_db) == []


def test_cli_success_prints_table_counts(old_db: Path) -> None:
    write_mirror(old_db.parent.parent / "mirror", ROWS_V2)
    child = start_child("ok", old_db)
    out, err = child.communicate(timeout=WAIT_S)
    assert (child.returncode, err) == (0, "")
    assert any(line.split()[:2] == ["areas", "4"] for line in out.splitlines())
    assert db_rows(old_db) == list(ROWS_V2)
