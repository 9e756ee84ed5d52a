"""360Giving online: the Data Registry's publisher files in every format, streamed; failures skipped and listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.fetch import fetch
from etl.source import SourceError
from etl.sources import _grants360_files as registry
from etl.sources import grants360
from tests.standin.content import grants360 as standin
from tests.standin.server import StandIn, body_of

pytestmark = pytest.mark.usefixtures("no_backoff")
# grant() makes every 50th grant EUR (CSV, XLSX and ODS publishers); the JSON publisher's (14,001-17,000) are GBP.
GBP_GRANTS = sum(1 for n in range(1, 17_301) if n % 50 or 14_000 < n <= 17_000)


def entry(url: str, licence: str = "https://creativecommons.org/licenses/by/4.0/") -> dict:
    return {
        "identifier": "a01/../x",
        "license": licence,
        "publisher": {"name": "P", "prefix": "360G-p"},
        "distribution": [{"downloadURL": url}],
    }


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_registry_lists_each_open_dataset_once_with_a_safe_name(tmp_path: Path) -> None:
    feed = [
        entry("https://a.example/g.xlsx"),
        entry("https://a.example/g.xlsx"),
        entry("ftp://b.example/g.csv"),
        entry("https://c.example/g.csv", licence="https://creativecommons.org/licenses/by-nc/4.0/"),
        {"identifier": "no-distribution", "license": ""},
    ]
    files = registry.listed_files(write(tmp_path / "data.json", feed))
    assert [(f.key, f.url, f.file_name) for f in files] == [
        ("https://a.example/g.xlsx", "https://a.example/g.xlsx", "a01____x.xlsx")
    ]
    assert registry.not_open(tmp_path / "data.json") == [
        (
            "https://c.example/g.csv",
            "licence https://creativecommons.org/licenses/by-nc/4.0/ is not one 360Giving accepts as open",
        )
    ]


@pytest.mark.parametrize("data", [{"datasets": []}, [], "x"], ids=["object", "empty", "string"])
def test_a_registry_in_another_layout_is_refused(tmp_path: Path, data: object) -> None:
    with pytest.raises(ValueError, match="not a non-empty JSON array"):
        registry.listed_files(write(tmp_path / "data.json", data))


def test_titles_match_ignoring_case_and_spaces_and_cp1252_is_read(tmp_path: Path) -> None:
    path = tmp_path / "grants.csv"
    body = "Notes,,,\r\nidentifier,Amount  Awarded,award date,Funding Org: Name,Recipient Org:Postal Code\r\n"
    path.write_bytes((body + "360G-x-1,1500,2024-05-01,Fonds Élan £,SW1A 1AA\r\n").encode("cp1252"))
    rows = list(registry.standard_rows(path))
    assert rows == [
        {
            "Identifier": "360G-x-1",
            "Amount Awarded": "1500",
            "Award Date": "2024-05-01",
            "Funding Org:Name": "Fonds Élan £",
            "Recipient Org:Postal Code": "SW1A 1AA",
        }
    ]


@pytest.mark.parametrize(
    ("body", "problem"),
    [(b"Grant ref,Value\r\n1,2\r\n", "no header with the 360Giving titles"), (b'{"rows": []}', 'no "grants" list')],
    ids=["csv_without_titles", "json_without_grants"],
)
def test_a_file_that_is_not_360giving_data_is_refused(tmp_path: Path, body: bytes, problem: str) -> None:
    (tmp_path / "f").write_bytes(body)
    with pytest.raises(ValueError, match=problem):
        registry.write_flat(tmp_path / "f", tmp_path / "out.csv")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes | Path]:
    return standin.static_files(tmp_path_factory.mktemp("registry"))


def test_every_format_is_read_and_failures_are_listed(served: dict, tmp_path: Path, official_host) -> None:
    with official_host(StandIn(files=served)) as host:
        fetched = fetch(grants360.SOURCES[0], mirror=None, cache=tmp_path)
    assert fetched is not None
    gone, closed, untidy = (p[2] for p in standin.PUBLISHERS if p[0].split()[1] in ("Gone", "Closed", "Untidy"))
    assert "HTTP 404" in fetched.skipped[gone] and closed not in host.requests
    frames = grants360.read_registry(fetched.paths)
    grants, skipped = frames["grants"], frames["skipped_files"].set_index("url")["reason"]
    assert sorted(skipped.index) == sorted([closed, untidy])
    assert "not one 360Giving accepts as open" in skipped[closed] and "no header" in skipped[untidy]
    by_funder = grants.groupby("funder")["grants"].sum()
    assert set(by_funder.index) == {p[0] for p in standin.PUBLISHERS[:4]}
    assert by_funder.sum() == GBP_GRANTS
    no_postcode = grants[grants["postcode"].isna()]
    assert "Invented Foundation" in set(no_postcode["funder"])  # its JSON grants without postalCode
    assert no_postcode["charity_number"].notna().all()  # every such recipient has a GB-CHC identifier
    assert grants["postcode"].notna().any() and grants.loc[grants["postcode"].notna(), "charity_number"].isna().all()
    assert (grants["source_distribution"] == "360giving_registry").all()


def test_no_readable_publisher_file_fails_the_source(served: dict, tmp_path: Path) -> None:
    feed = tmp_path / "data.json"
    feed.write_bytes(body_of(served[registry.REGISTRY_URL]))
    (tmp_path / "untidy.csv").write_bytes(b"Grant ref,Value\r\n")
    with pytest.raises(SourceError, match="no publisher's file could be read"):
        grants360.read_registry({"registry": feed, "https://untidy-funder.example/grants.csv": tmp_path / "untidy.csv"})
