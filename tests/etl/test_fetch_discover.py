"""Discovering a file's current URL from the publisher's JSON (ONS dataset pages), against the stand-in host."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.fetch import fetch
from etl.fetch.discover import file_name_of, ons_dataset_file
from etl.source import Distribution, RemoteFile, Source, SourceError
from etl.sources import health, nspl
from tests.standin.server import StandIn

pytestmark = pytest.mark.usefixtures("no_backoff")

ONS = "https://www.ons.gov.uk"
PAGE = f"{ONS}/peoplepopulationandcommunity/demo/datasets/demoscores"
EDITION = "/peoplepopulationandcommunity/demo/datasets/demoscores/current"
LAST_KNOWN = f"{ONS}/file?uri={EDITION}/demoscores2021.xlsx"
NEWER = f"{ONS}/file?uri={EDITION}/demoscores2023edition.xlsx"


def demo_source() -> Source:
    remote = RemoteFile(key="scores", url=LAST_KNOWN, name="demoscores2021.xlsx", discover=ons_dataset_file(PAGE))
    reader = lambda paths: {"bytes": paths["scores"].read_bytes()}  # noqa: E731 - the test only needs the path
    return Source("demo", "Demo", "ONS", "OGL", "2021", PAGE, (Distribution("official", (remote,), reader),), False)


def pages(file_name: str, *, edition: str = EDITION) -> dict[str, bytes | Path]:
    landing = {"type": "dataset_landing_page", "datasets": [{"uri": edition}, {"uri": f"{edition[:-8]}/previous/v1"}]}
    version = {"type": "dataset", "downloads": [{"file": file_name, "size": "10"}]}
    return {f"{PAGE}/data": json.dumps(landing).encode(), f"{ONS}{edition}/data": json.dumps(version).encode()}


def test_discovery_follows_the_publishers_current_edition(tmp_path: Path, official_host, capsys) -> None:
    files = pages("demoscores2023edition.xlsx") | {NEWER: b"PK new edition", LAST_KNOWN: b"PK old edition"}
    with official_host(StandIn(files=files)) as standin:
        fetched = fetch(demo_source(), mirror=None, cache=tmp_path)
    assert fetched is not None
    assert fetched.paths["scores"].read_bytes() == b"PK new edition"
    assert fetched.distribution.files[0].url == NEWER  # provenance records the file actually read
    assert fetched.paths["scores"].name == "demoscores2023edition.xlsx"
    assert LAST_KNOWN not in standin.requests
    assert f"the publisher's current file is {NEWER}" in capsys.readouterr().err


def test_discovery_naming_the_last_known_file_changes_nothing(tmp_path: Path, official_host, capsys) -> None:
    with official_host(StandIn(files=pages("demoscores2021.xlsx") | {LAST_KNOWN: b"PK old edition"})):
        fetched = fetch(demo_source(), mirror=None, cache=tmp_path)
    assert fetched is not None and fetched.distribution.files[0].url == LAST_KNOWN
    err = capsys.readouterr().err  # only the progress bar
    assert "discover" not in err and "current file" not in err


@pytest.mark.parametrize(
    ("served", "problem"),
    [
        ({}, "HTTP 404"),
        ({f"{PAGE}/data": b'{"type": "static_page", "sections": []}'}, "KeyError"),
        ({f"{PAGE}/data": b"<!DOCTYPE html><html>moved</html>"}, "HTML page"),
        (pages("../../elsewhere.xlsx"), "not a plain file name"),
        (pages("x.xlsx", edition="https://evil.example/x"), "not a site path"),
    ],
    ids=["page_gone", "layout_changed", "html_page", "path_in_name", "other_host"],
)
def test_failed_discovery_falls_back_to_the_last_known_url_and_says_so(
    tmp_path: Path, official_host, capsys, served: dict, problem: str
) -> None:
    with official_host(StandIn(files=served | {LAST_KNOWN: b"PK old edition"})):
        fetched = fetch(demo_source(), mirror=None, cache=tmp_path)
    assert fetched is not None and fetched.paths["scores"].read_bytes() == b"PK old edition"
    err = capsys.readouterr().err
    assert "[demo] demoscores2021.xlsx: could not discover the current file" in err
    assert problem in err and f"using the last known URL {LAST_KNOWN}" in err


def test_failed_discovery_and_a_gone_file_store_nothing(tmp_path: Path, official_host) -> None:
    with official_host(StandIn(files={})), pytest.raises(SourceError, match="HTTP 404.*demoscores2021"):
        fetch(demo_source(), mirror=None, cache=tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_ons_file_names_are_read_inside_file_links() -> None:
    assert file_name_of(NEWER) == "demoscores2023edition.xlsx"
    assert file_name_of("https://example.org/a/b.csv?x=1") == "b.csv"


def test_health_index_files_are_discovered_from_their_dataset_pages() -> None:
    official = health.SOURCES[0].distributions[0]
    assert official.official and all(f.discover is not None for f in official.files)
    asked: list[str] = []

    def fake_json(url: str) -> object:
        asked.append(url)
        if url.endswith("/current/data"):
            return {"downloads": [{"file": "healthindex2023.xlsx"}]}
        return {"datasets": [{"uri": url.removeprefix(ONS).removesuffix("/data") + "/current"}]}

    found = [f.discover(fake_json) for f in official.files]  # type: ignore[misc]
    assert asked[0] == f"{health.SCORES_PAGE}/data" and asked[2] == f"{health.UNDERLYING_PAGE}/data"
    assert found[0] == health.SCORES_URL.replace("healthindexscoresengland.xlsx", "healthindex2023.xlsx")


def test_nspl_latest_release_is_found_by_the_arcgis_item_search() -> None:
    asked: list[str] = []
    results = [
        {"id": "5973da999af142c6a0860888081f2112", "title": "National Statistics Postcode Lookup (August 2025)"},
        {"id": "077631e063eb4e1ab43575d01381ec33", "title": "National Statistics Postcode Lookup (May 2025)"},
        {
            "id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "title": "National Statistics Postcode Lookup (August 2025) User Guide",
        },
        {"id": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "title": "National Statistics Postcode Lookup (Smarch 2030)"},
        {"id": "../../evil", "title": "National Statistics Postcode Lookup (December 2099)"},
    ]

    def fake_json(url: str) -> object:
        asked.append(url)
        return {"results": results}

    remote = nspl.SOURCES[0].distributions[0].files[0]
    found = remote.discover(fake_json)  # type: ignore[misc]
    assert found == "https://www.arcgis.com/sharing/rest/content/items/5973da999af142c6a0860888081f2112/data"
    assert asked[0].startswith("https://www.arcgis.com/sharing/rest/search?q=title%3A%22National+Statistics")
    assert "owner%3AONSGeography_data" in asked[0] and "sortField=modified" in asked[0]
    with pytest.raises(ValueError, match="no search result is a release"):
        remote.discover(lambda _url: {"results": results[2:]})  # type: ignore[misc]
