"""Online build without a network: ArcGIS paging, retries and official geography layers from the stand-in host."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import box, mapping

from etl.fetch import arcgis, download, fetch
from etl.source import Distribution, RemoteFile, Source, SourceError
from etl.sources import all_sources
from etl.sources._ons import ARCGIS, ESRI_JSON_QUERY, GEOJSON_QUERY, arcgis_file
from etl.sources.boundaries import SOURCES as BOUNDARY_SOURCES
from etl.sources.geography import GEOGRAPHY_2024
from tests.standin.server import Fault, Layer, StandIn

# Sources with no official file to download, as SOURCES.md says; the online build records them as missing.
NO_OFFICIAL_FILE: dict[str, str] = {}  # grants_360giving has one: the 360Giving Data Registry's publisher files


pytestmark = pytest.mark.usefixtures("no_backoff")


def invented_rows(n: int) -> list[dict]:
    return [{"LSOA21CD": f"E0199{i:04d}", "LSOA21NM": f"Invented {i:03d}A"} for i in range(n)]


def remote(service: str, query: str) -> RemoteFile:
    return arcgis_file("layer", service, query=query)


def page_requests(standin: StandIn) -> list[str]:
    return [r for r in standin.requests if "resultOffset" in r]


@pytest.mark.parametrize(
    ("query", "attributes"),
    [(GEOJSON_QUERY, "properties"), (ESRI_JSON_QUERY, "attributes")],
    ids=["geojson", "esri_json"],
)
def test_paging_combines_every_feature(tmp_path: Path, official_host, query: str, attributes: str) -> None:
    layer = Layer(invented_rows(5), max_records=2, object_id="ObjectId")
    with official_host(StandIn(layers={"LSOA21_TEST_LU": layer})) as standin:
        path = download("demo", remote("LSOA21_TEST_LU", query), tmp_path)
    combined = json.loads(path.read_text())
    assert layer.requests == [0, 2, 4]
    assert all("orderByFields=ObjectId" in r for r in page_requests(standin))
    assert [f[attributes]["LSOA21CD"] for f in combined["features"]] == [f"E0199{i:04d}" for i in range(5)]
    assert "exceededTransferLimit" not in combined and "properties" not in combined
    assert not list(tmp_path.rglob("*.part"))


QUERY_URL = f"{ARCGIS}/LSOA21_TEST_LU/FeatureServer/0/query?"


def test_dropped_connection_is_retried(tmp_path: Path, official_host) -> None:
    layer = Layer(invented_rows(3), max_records=2)
    standin = StandIn(layers={"LSOA21_TEST_LU": layer}, faults={QUERY_URL: Fault("drop", times=1)})
    with official_host(standin) as running:
        path = download("demo", remote("LSOA21_TEST_LU", GEOJSON_QUERY), tmp_path)
    assert layer.requests == [0, 2]  # the dropped count query was asked again, then two pages
    assert len(json.loads(path.read_text())["features"]) == 3
    assert sum("returnCountOnly" in r for r in running.requests) == 2


def test_dropped_connection_on_every_try_names_source_file_and_url(tmp_path: Path, official_host) -> None:
    layer = Layer(invented_rows(3), max_records=2)
    standin = StandIn(layers={"LSOA21_TEST_LU": layer}, faults={QUERY_URL + "outFields": Fault("drop", times=99)})
    with official_host(standin) as _:
        with pytest.raises(
            SourceError,
            match=r"^\[demo\] LSOA21_TEST_LU\.geojson: download failed after 3 tries: .* at https://services1",
        ):
            download("demo", remote("LSOA21_TEST_LU", GEOJSON_QUERY), tmp_path)
    assert layer.requests == []
    assert not list(tmp_path.rglob("*.geojson*"))


def test_server_ignoring_result_offset_is_an_error_not_a_short_layer(tmp_path: Path, official_host) -> None:
    layer = Layer(invented_rows(5), max_records=2, ignore_offset=True)
    with official_host(StandIn(layers={"LSOA21_TEST_LU": layer})) as _:
        with pytest.raises(SourceError, match=r"the server ignored resultOffset \(the page at feature 2 repeats\)"):
            download("demo", remote("LSOA21_TEST_LU", GEOJSON_QUERY), tmp_path)
    assert layer.requests == [0, 2]  # stopped at the first repeat, no endless paging


def test_unknown_service_is_one_permanent_error(tmp_path: Path, official_host) -> None:
    with official_host(StandIn()) as running:
        with pytest.raises(SourceError, match=r"^\[demo\] GONE_LU\.geojson: ArcGIS error 400: Invalid URL at https://"):
            download("demo", remote("GONE_LU", GEOJSON_QUERY), tmp_path)
    assert len(running.requests) == 1  # no retry of a permanent error


def test_page_url_replaces_paging_parameters_and_sorts() -> None:
    url = arcgis.page_url(f"{ARCGIS}/X/{GEOJSON_QUERY}&resultOffset=7", 4000, order_by="FID")
    assert url.endswith(
        "outFields=%2A&where=1%3D1&f=geojson&orderByFields=FID&resultOffset=4000&resultRecordCount=2000"
    )


def ward_lad(lsoa: str, name: str, ward: str, lad: str, lad_name: str) -> dict:
    return {
        "LSOA21CD": lsoa,
        "LSOA21NM": name,
        "WD24CD": ward,
        "WD24NM": f"Ward {ward[-2:]}",
        "WD24NMW": "",
        "LAD24CD": lad,
        "LAD24NM": lad_name,
        "LAD24NMW": "",
        "ObjectId": 1,
    }


def geography_2024_layers() -> dict[str, Layer]:
    """Official-layout rows of the four 2024 lookups for three invented LSOAs (two English, one Welsh)."""
    nhs = {
        "SICBL24CD": "E38990001",
        "SICBL24CDH": "99A",
        "SICBL24NM": "NHS Invented ICB - 99A",
        "ICB24CD": "E54990001",
        "ICB24CDH": "QZZ",
        "ICB24NM": "NHS Invented Integrated Care Board",
        "CAL24CD": "E56990001",
        "LAD24CD": "E06990001",
        "LAD24NM": "Inventshire",
    }
    return {
        "LSOA21_WD24_LAD24_EW_LU": Layer(
            [
                ward_lad("E01990001", "Inventshire 001A", "E05990001", "E06990001", "Inventshire"),
                ward_lad("E01990002", "Inventshire 001B", "E05990002", "E06990001", "Inventshire"),
                ward_lad("W01990003", "Dyfeisio 001A", "W05990001", "W06990001", "Dyfeisio"),
            ]
        ),
        "LSOA21_SICBL24_ICB24_CAL24_LAD24_EN_LU": Layer(
            [{"LSOA21CD": "E01990001", "LSOA21NM": "Inventshire 001A"} | nhs]
            + [{"LSOA21CD": "E01990002", "LSOA21NM": "Inventshire 001B"} | nhs]
        ),
        "LAD24_RGN24_EN_LU": Layer(
            [{"LAD24CD": "E06990001", "LAD24NM": "Inventshire", "RGN24CD": "E12990001", "RGN24NM": "Invented East"}]
        ),
        "LTLA23_UTLA23_EW_LU": Layer(
            [
                {
                    "LTLA23CD": "E06990001",
                    "LTLA23NM": "Inventshire",
                    "UTLA23CD": "E06990001",
                    "UTLA23NM": "Inventshire",
                },
                {"LTLA23CD": "W06990001", "LTLA23NM": "Dyfeisio", "UTLA23CD": "W06990001", "UTLA23NM": "Dyfeisio"},
            ]
        ),
    }


def test_online_geography_2024_from_official_layers(tmp_path: Path, official_host) -> None:
    with official_host(StandIn(layers=geography_2024_layers())) as _:
        fetched = fetch(GEOGRAPHY_2024, mirror=None, cache=tmp_path)
    assert fetched is not None and fetched.distribution.name == "official_arcgis_geojson"
    areas = fetched.distribution.reader(fetched.paths)["areas"].set_index("code")
    levels = areas["level"].value_counts().to_dict()
    assert levels == {
        "lsoa21": 3,
        "ward24": 3,
        "lad24": 2,
        "utla24": 2,
        "region": 2,
        "country": 2,
        "sicbl24": 1,
        "icb24": 1,
    }
    english, welsh = areas.loc["E01990001"], areas.loc["W01990003"]
    assert (english["ward_code"], english["lad_code"], english["utla_code"]) == ("E05990001", "E06990001", "E06990001")
    assert (english["sicbl_code"], english["icb_code"], english["region_code"]) == (
        "E38990001",
        "E54990001",
        "E12990001",
    )
    assert (welsh["region_code"], welsh["country_code"], welsh["sicbl_code"]) == ("W92000004", "W92000004", None)
    assert areas.loc["E54990001", "name"] == "NHS Invented Integrated Care Board"


def no_official_source(*, required: bool) -> Source:
    derived = Distribution(
        "mirror_derived_csv", (RemoteFile("main", "https://example.invalid/a.csv", "d/a.csv"),), lambda _p: {}, False
    )
    return Source("demo", "Demo", "Publisher", "OGL-3.0", "2025", "https://example.invalid", (derived,), required)


def test_optional_source_without_official_file_is_missing_online(tmp_path: Path) -> None:
    assert fetch(no_official_source(required=False), mirror=None, cache=tmp_path) is None


def test_required_source_without_official_file_fails_online(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^\[demo\].*no official distribution to download"):
        fetch(no_official_source(required=True), mirror=None, cache=tmp_path)


@pytest.mark.parametrize("source", all_sources(), ids=lambda s: s.source_id)
def test_every_source_can_start_online(source: Source) -> None:
    """A downloadable official distribution exists, or the source is optional and listed with its reason."""
    downloadable = [
        d for d in source.distributions if d.official and all(f.url.startswith("https://") for f in d.files)
    ]
    if source.source_id in NO_OFFICIAL_FILE:
        assert not downloadable and not source.required
    else:
        assert downloadable, f"{source.source_id}: no official distribution with https URLs"


def test_online_lad24_boundaries_paged_with_geometries(tmp_path: Path, official_host) -> None:
    """Three invented districts served two features a page; the combined GeoJSON is read by pyogrio."""
    codes = ["E07660001", "E07660002", "W06660001"]
    squares = [mapping(box(i * 0.1, 50, i * 0.1 + 0.1, 50.1)) for i in range(3)]
    layers = {
        "Local_Authority_Districts_May_2024_Boundaries_UK_BUC": Layer(
            [{"LAD24CD": c, "LAD24NM": f"District {i}", "LAD24NMW": "", "FID": i} for i, c in enumerate(codes)],
            geometries=squares,
            max_records=2,
        ),
        "LTLA23_UTLA23_EW_LU": Layer(
            [{"LTLA23CD": c, "UTLA23CD": c, "UTLA23NM": f"District {i}"} for i, c in enumerate(codes)]
        ),
        "LAD24_RGN24_EN_LU": Layer([{"LAD24CD": c, "RGN24CD": "E12660001", "RGN24NM": "Invented"} for c in codes[:2]]),
    }
    lad24 = next(s for s in BOUNDARY_SOURCES if s.source_id == "ons_boundaries_lad24")
    with official_host(StandIn(layers=layers)) as _:
        fetched = fetch(lad24, mirror=None, cache=tmp_path)
    assert fetched is not None and layers["Local_Authority_Districts_May_2024_Boundaries_UK_BUC"].requests == [0, 2]
    frame = fetched.distribution.reader(fetched.paths)["boundaries"]
    assert frame.groupby("level")["code"].apply(sorted).to_dict() == {
        "lad24": codes,
        "utla24": codes,
        "region": ["E12660001", "W92000004"],
    }
