"""Choosing a distribution: mirror first match, optional sources absent, checksums verified."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from etl.fetch import fetch
from etl.source import Distribution, RemoteFile, Source, SourceError


def make_source(*, required: bool = True, sha256: str | None = None) -> Source:
    official = Distribution(
        "official_csv",
        (RemoteFile("main", "https://example.invalid/official.csv", "pub/official.csv", sha256=sha256),),
        reader=lambda paths: {},
    )
    derived = Distribution(
        "mirror_derived_csv",
        (RemoteFile("main", "https://example.invalid/official.csv", "derived/repackaged.csv"),),
        reader=lambda paths: {},
        official=False,
    )
    return Source(
        "demo", "Demo", "Publisher", "OGL-3.0", "2025", "https://example.invalid", (official, derived), required
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        (["pub/official.csv", "derived/repackaged.csv"], "official_csv"),
        (["derived/repackaged.csv"], "mirror_derived_csv"),
    ],
)
def test_mirror_takes_first_distribution_present(tmp_path: Path, present: list[str], expected: str) -> None:
    for relative in present:
        write(tmp_path / relative, "a,b\n1,2\n")
    fetched = fetch(make_source(), mirror=tmp_path, cache=tmp_path / "cache")
    assert fetched is not None and fetched.distribution.name == expected
    assert fetched.sha256["main"] == hashlib.sha256(b"a,b\n1,2\n").hexdigest()


def test_optional_source_absent_from_mirror_is_none(tmp_path: Path) -> None:
    assert fetch(make_source(required=False), mirror=tmp_path, cache=tmp_path / "cache") is None


def test_required_source_absent_from_mirror_names_source(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^\[demo\].*no accepted distribution"):
        fetch(make_source(), mirror=tmp_path, cache=tmp_path / "cache")


def test_published_checksum_mismatch_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "pub/official.csv", "tampered\n")
    with pytest.raises(SourceError, match="official.csv: sha256"):
        fetch(make_source(sha256="0" * 64), mirror=tmp_path, cache=tmp_path / "cache")
