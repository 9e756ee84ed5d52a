"""A plain official file from the stand-in host misbehaving as real hosts do; what the fetch and build make of it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import duckdb
import pytest

from etl import build as build_module
from etl.build import build
from etl.fetch import USER_AGENT, download, resolve_url
from etl.fetch import files as files_module
from etl.source import RemoteFile, SourceError
from tests.etl.fake_sources import FAKE_BUILD_CHECKS, ROWS_V2, csv_text, fake_source
from tests.standin.server import Fault, StandIn

pytestmark = pytest.mark.usefixtures("no_backoff")

URL = "https://assets.example.gov.uk/media/abc123/lad_names.csv"
BODY = csv_text(ROWS_V2).encode() * 50  # a few kB, enough to cut in thirds
FILE = RemoteFile("lad", URL)


def served(*faults: Fault) -> StandIn:
    """The file, with faults applied in order (each keyed by a shorter prefix of its URL)."""
    return StandIn(files={URL: BODY}, faults={URL[: len(URL) - i]: fault for i, fault in enumerate(faults)})


def test_resolve_url_keeps_host_path_and_query(monkeypatch: pytest.MonkeyPatch) -> None:
    official = "https://services1.arcgis.com/X/arcgis/rest/services/L/FeatureServer/0/query?where=1%3D1&f=json"
    monkeypatch.delenv("VCS_INSIGHT_OFFICIAL_HOST", raising=False)
    assert resolve_url(official) == official
    monkeypatch.setenv("VCS_INSIGHT_OFFICIAL_HOST", "http://127.0.0.1:8765/")
    assert resolve_url(official) == (
        "http://127.0.0.1:8765/services1.arcgis.com/X/arcgis/rest/services/L/FeatureServer/0/query?where=1%3D1&f=json"
    )


def test_download_sends_the_project_user_agent(tmp_path: Path, official_host) -> None:
    with official_host(served()) as standin:
        path = download("demo", FILE, tmp_path)
    assert path.read_bytes() == BODY
    assert standin.headers[0]["User-Agent"] == USER_AGENT


@pytest.mark.parametrize("status", [404, 403, 410])
def test_client_errors_are_not_retried_and_name_source_file_and_url(tmp_path: Path, official_host, status) -> None:
    with official_host(served(Fault("status", status=status, times=9))) as standin:
        with pytest.raises(SourceError) as failed:
            download("demo", FILE, tmp_path)
    assert str(failed.value).startswith(f"[demo] lad_names.csv: HTTP {status} ")
    assert str(failed.value).endswith(f" at {URL}") and "\n" not in str(failed.value)
    assert len(standin.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_server_errors_are_retried_then_succeed(tmp_path: Path, official_host, status) -> None:
    with official_host(served(Fault("status", status=status, times=2))) as standin:
        path = download("demo", FILE, tmp_path)
    assert path.read_bytes() == BODY and len(standin.requests) == 3


def test_server_error_on_every_try_says_so_once(tmp_path: Path, official_host) -> None:
    with official_host(served(Fault("status", status=503, times=9))) as standin:
        with pytest.raises(SourceError, match=r"^\[demo\] lad_names.csv: download failed after 3 tries: HTTP 503"):
            download("demo", FILE, tmp_path)
    assert len(standin.requests) == 3


def test_html_page_instead_of_file_is_one_clear_error(tmp_path: Path, official_host) -> None:
    with official_host(served(Fault("html", times=9))) as standin:
        with pytest.raises(SourceError, match=r"an HTML page came back instead of the file .* at https://assets"):
            download("demo", FILE, tmp_path)
    assert len(standin.requests) == 1
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_truncated_body_resumes_with_a_range_request(tmp_path: Path, official_host) -> None:
    with official_host(served(Fault("truncate", times=1))) as standin:
        path = download("demo", FILE, tmp_path)
    assert path.read_bytes() == BODY
    assert "Range" not in standin.headers[0]
    assert standin.headers[1]["Range"] == f"bytes={len(BODY) // 3}-" and standin.headers[1]["If-Range"]


def test_partial_kept_across_builds_and_resumed(tmp_path: Path, official_host) -> None:
    with official_host(served(Fault("truncate", times=3))):
        with pytest.raises(SourceError, match="download failed after 3 tries: the connection closed after"):
            download("demo", FILE, tmp_path)
    (partial,) = tmp_path.rglob("*.part")
    assert partial.stat().st_size == len(BODY) // 3
    with official_host(served()) as standin:
        path = download("demo", FILE, tmp_path)
    assert path.read_bytes() == BODY and standin.headers[0]["Range"] == f"bytes={len(BODY) // 3}-"
    assert list(tmp_path.rglob("*.part")) == []


def test_server_ignoring_range_starts_again_cleanly(tmp_path: Path, official_host) -> None:
    with official_host(served(Fault("truncate", times=1), Fault("no_range", times=9))):
        path = download("demo", FILE, tmp_path)
    assert path.read_bytes() == BODY


def test_slow_server_times_out_and_is_retried(tmp_path: Path, official_host, monkeypatch) -> None:
    monkeypatch.setattr("etl.fetch.web.TIMEOUT_S", 0.3)
    with official_host(served(Fault("slow", delay_s=1.0, times=1))) as standin:
        path = download("demo", FILE, tmp_path)
    assert path.read_bytes() == BODY and len(standin.requests) == 2


def test_cache_reused_while_fresh_then_fetched_again(tmp_path: Path, official_host) -> None:
    with official_host(served()) as standin:
        first = download("demo", FILE, tmp_path)
        assert download("demo", FILE, tmp_path) == first and len(standin.requests) == 1
        download("demo", FILE, tmp_path, refresh=True)
        assert len(standin.requests) == 2
        meta_path = first.with_name(first.name + ".json")
        meta = json.loads(meta_path.read_text())
        assert meta["url"] == URL and meta["bytes"] == len(BODY) and meta["requested"].startswith(standin.base)
        meta["fetched_at"] = "2020-01-01T00:00:00"
        meta_path.write_text(json.dumps(meta))
        download("demo", FILE, tmp_path)
        assert len(standin.requests) == 3  # older than MAX_AGE_DAYS: fetched again


def test_cache_keyed_by_url(tmp_path: Path, official_host) -> None:
    other = "https://assets.example.gov.uk/media/def456/lad_names.csv"
    with official_host(StandIn(files={URL: BODY, other: BODY[:100]})):
        first = download("demo", FILE, tmp_path)
        second = download("demo", RemoteFile("lad", other), tmp_path)
    assert first != second and first.read_bytes() == BODY and second.read_bytes() == BODY[:100]
    assert files_module.MAX_AGE_DAYS >= 1


def test_published_checksum_mismatch_never_enters_the_cache(tmp_path: Path, official_host) -> None:
    with official_host(served()):
        with pytest.raises(SourceError, match="does not match the published"):
            download("demo", RemoteFile("lad", URL, sha256="0" * 64), tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def online_build(db: Path, source) -> build_module.BuildReport:
    return build(db, sources=[source], mirror=None, cache=db.parent / "raw", progress=lambda _m: None)


@pytest.fixture
def fake_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module.checks, "CHECKS", FAKE_BUILD_CHECKS)


@pytest.mark.usefixtures("fake_checks")
@pytest.mark.parametrize(
    ("standin", "reason"),
    [
        (StandIn(), "HTTP 404 Not Found at https://assets.example.gov.uk/"),
        (served(Fault("html", times=9)), "an HTML page came back instead of the file"),
        (StandIn(files={URL: csv_text(ROWS_V2, header=("LAD25CD", "LAD24NM")).encode()}), "missing expected column"),
    ],
    ids=["404", "html", "changed_column_name"],
)
def test_optional_source_failing_online_is_a_missing_layer_with_its_reason(
    tmp_path: Path, official_host, standin: StandIn, reason: str
) -> None:
    optional = dataclasses.replace(fake_source(url=URL, mirror_path="absent/lad_names.csv"), required=False)
    with official_host(standin):
        report = online_build(tmp_path / "db.duckdb", optional)
    assert report.missing == ["fake_lad"] and reason in report.reasons["fake_lad"]
    with duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True) as con:
        (stored,) = con.execute("SELECT reason FROM missing_layers").fetchone()
        assert reason in stored
        assert con.execute("SELECT count(*) FROM areas").fetchone() == (0,)  # nothing half-loaded


@pytest.mark.usefixtures("fake_checks")
def test_required_source_with_changed_column_name_fails_the_build(tmp_path: Path, official_host) -> None:
    renamed = csv_text(ROWS_V2, header=("LAD25CD", "LAD24NM")).encode()
    with official_host(StandIn(files={URL: renamed})):
        with pytest.raises(SourceError, match=r"^\[fake_lad\] lad_names.csv: missing expected column\(s\): LAD24CD"):
            online_build(tmp_path / "db.duckdb", fake_source(url=URL, mirror_path="absent/lad_names.csv"))
    assert not (tmp_path / "db.duckdb").exists()
