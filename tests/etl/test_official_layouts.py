"""Readers on the official ONS layouts (GSS field names, ArcGIS JSON, ONS workbooks) with invented values."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from shapely.geometry import box, mapping

from etl.source import SourceError
from etl.sources._ons import canonical_name
from etl.sources.boundaries import read_lad24
from etl.sources.geography import read_geography_historic, read_lsoa11_lsoa21, read_rural_urban
from etl.sources.population import (
    AGES,
    read_census2021_official,
    read_mye_mid2020_official,
    read_sape_mid2019_official,
)


@pytest.mark.parametrize(
    ("field", "name"),
    [
        ("LSOA21CD", "lsoa21_code"),
        ("LSOA21NM", "lsoa21_name"),
        ("lsoa21cd", "lsoa21_code"),
        ("F_LSOA11CD", "lsoa11_code"),
        ("WD24CD", "ward24_code"),
        ("LAD24NM", "ltla24_name"),
        ("LTLA23CD", "ltla23_code"),
        ("UTLA23NM", "utla23_name"),
        ("RGN24CD", "region24_code"),
        ("SICBL24CD", "sicbl24_code"),
        ("ICB24NM", "icb24_name"),
        ("RUC21CD", "ruc21_code"),
        ("RUC21NM", "classification"),
        ("Urban_rural_flag", "ruc"),
        ("CHGIND", "change_code"),
        ("LAD24NMW", "LAD24NMW"),
        ("SICBL24CDH", "SICBL24CDH"),
        ("ObjectId", "ObjectId"),
    ],
)
def test_official_field_names_map_to_canonical(field: str, name: str) -> None:
    assert canonical_name(field) == name


def esri_json(path: Path, rows: list[dict]) -> Path:
    path.write_text(json.dumps({"objectIdFieldName": "ObjectId", "features": [{"attributes": r} for r in rows]}))
    return path


def geojson(path: Path, rows: list[dict], geometries: list | None = None) -> Path:
    shapes = geometries or [None] * len(rows)
    features = [{"type": "Feature", "properties": r, "geometry": g} for r, g in zip(rows, shapes, strict=True)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_historic_geography_from_official_layouts(tmp_path: Path) -> None:
    """Two invented 2019 districts merged into one 2021 unitary; the xlsx item and hub GeoJSON as published."""
    lsoa = ["E01880001", "E01880002"]
    lads19 = ["E07880001", "E07880002"]
    item = pd.DataFrame(
        {"FID": [1, 2], "LSOA11CD": lsoa, "LSOA11NM": ["Invent 001A", "Invent 002A"], "LAD21CD": ["E06880001"] * 2}
    )
    item.to_excel(tmp_path / "LSOA11_LAD21_EW_LU.xlsx", index=False)
    paths = {
        "lsoa11_lad19": esri_json(
            tmp_path / "LSOA11_WD19_LAD19_EW_LU.json",
            [
                {"LSOA11CD": c, "LSOA11NM": f"Invent {i:03d}A", "WD19CD": "E05880001", "LAD19CD": d, "LAD19NM": "X"}
                for i, (c, d) in enumerate(zip(lsoa, lads19, strict=True), start=1)
            ],
        ),
        "lsoa11_lad21": tmp_path / "LSOA11_LAD21_EW_LU.xlsx",
        "lad19_region19": geojson(
            tmp_path / "r19.geojson", [{"LAD19CD": d, "LAD19NM": "X", "RGN19CD": "E12880001"} for d in lads19]
        ),
        "lad19_utla19": esri_json(
            tmp_path / "LTLA19_UTLA19_EW_LU.json",
            [
                {"LTLA19CD": d, "LTLA19NM": f"District {d[-1]}", "UTLA19CD": "E10880001", "UTLA19NM": "C"}
                for d in lads19
            ],
        ),
        "lad21_region21": geojson(tmp_path / "r21.geojson", [{"LAD21CD": "E06880001", "RGN21CD": "E12880001"}]),
        "lad21_utla21": esri_json(
            tmp_path / "LTLA21_UTLA21_EW_LU.json",
            [{"LTLA21CD": "E06880001", "LTLA21NM": "Unitary", "UTLA21CD": "E06880001", "UTLA21NM": "Unitary"}],
        ),
        "lad22_lad23": geojson(
            tmp_path / "LAD22_LAD23_UK_LU.geojson", [{"LAD22CD": "E06880001", "LAD23CD": "E06880001"}]
        ),
    }
    frames = read_geography_historic(paths)
    successors = frames["lad_successor"].set_index(["lad_code", "lad_vintage"])["lad24_code"].to_dict()
    assert successors == {
        ("E07880001", "2019"): "E06880001",
        ("E07880002", "2019"): "E06880001",
        ("E06880001", "2021"): "E06880001",
    }
    areas = frames["areas"].set_index("code")
    assert areas["level"].value_counts().to_dict() == {"lsoa11": 2, "lad19": 2, "lad21": 1}
    assert areas.loc["E01880002", ["lad_code", "region_code"]].tolist() == ["E07880002", "E12880001"]
    assert areas.loc["E07880001", ["name", "utla_code"]].tolist() == ["District 1", "E10880001"]


def test_lsoa11_lsoa21_from_official_layout(tmp_path: Path) -> None:
    row = {"F_LSOA11CD": "E01770001", "LSOA11NM": "A", "LSOA21CD": "E01770009", "LSOA21NM": "B", "CHGIND": "S"}
    path = esri_json(tmp_path / "LSOA11_LSOA21_LAD22_EW_LU.json", [row | {"LAD22CD": "E06770001", "LAD22NMW": ""}])
    frame = read_lsoa11_lsoa21({"lsoa11_lsoa21": path})["lsoa11_lsoa21"]
    assert frame.to_dict("records") == [
        {"lsoa11_code": "E01770001", "lsoa21_code": "E01770009", "change_indicator": "S", "lad22_code": "E06770001"}
    ]


def test_rural_urban_from_official_layout(tmp_path: Path) -> None:
    row = {"LSOA21CD": "E01770001", "LSOA21NM": "A", "RUC21CD": "UN1", "RUC21NM": "Urban: Invented"}
    path = geojson(tmp_path / "LSOA21_RUC21_EW_LU.geojson", [row | {"Urban_rural_flag": "Urban", "ObjectId": 1}])
    frame = read_rural_urban({"ruc21_lsoa21": path})["rural_urban"]
    assert frame.to_dict("records") == [
        {"lsoa21_code": "E01770001", "ruc21_code": "UN1", "classification": "Urban: Invented", "ruc": "Urban"}
    ]


def test_official_lookup_without_features_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "LSOA21_RUC21_EW_LU.geojson"
    path.write_text(json.dumps({"error": {"code": 400, "message": "Invalid query"}}))
    with pytest.raises(SourceError, match=r"^\[ons_ruc2021_lsoa21\] LSOA21_RUC21_EW_LU.geojson: no 'features'"):
        read_rural_urban({"ruc21_lsoa21": path})


def test_lad24_boundaries_from_official_layout(tmp_path: Path) -> None:
    """Three invented districts (two English in one region and county, one Welsh) with every official field."""
    codes = ["E07660001", "E07660002", "W06660001"]
    rows = [
        {"LAD24CD": c, "LAD24NM": f"District {i}", "LAD24NMW": "", "BNG_E": 1, "GlobalID": f"g{i}"}
        for i, c in enumerate(codes)
    ]
    squares = [mapping(box(i * 0.1, 50, i * 0.1 + 0.1, 50.1)) for i in range(3)]
    paths = {
        "lad24": geojson(tmp_path / "Local_Authority_Districts_May_2024_Boundaries_UK_BUC.geojson", rows, squares),
        "ltla23_utla23": geojson(
            tmp_path / "LTLA23_UTLA23_EW_LU.geojson",
            [
                {"LTLA23CD": c, "LTLA23NM": "", "UTLA23CD": u, "UTLA23NM": n}
                for c, u, n in zip(codes, ["E10660001", "E10660001", codes[2]], ["County", "County", "D2"], strict=True)
            ],
        ),
        "lad24_region24": geojson(
            tmp_path / "LAD24_RGN24_EN_LU.geojson",
            [{"LAD24CD": c, "LAD24NM": "", "RGN24CD": "E12660001", "RGN24NM": "Invented Region"} for c in codes[:2]],
        ),
    }
    frame = read_lad24(paths)["boundaries"]
    got = frame.groupby("level")["code"].apply(sorted).to_dict()
    assert got == {"lad24": codes, "utla24": ["E10660001", "W06660001"], "region": ["E12660001", "W92000004"]}
    assert frame.set_index("code").loc["E12660001", "name"] == "Invented Region"


def workbook(sheet: str, titles: int, header: list, rows: list[list]) -> io.BytesIO:
    """An ONS-style workbook: `titles` title rows, then the header row and the data."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for i in range(titles):
        ws.append([f"Invented title line {i + 1}"])
    for row in [header, *rows]:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def ages_row(total_by_age: int) -> list[int]:
    return [total_by_age] * len(AGES)


AGE_HEADER = [*range(90), "90+"]


def test_sape_mid2019_from_official_zip(tmp_path: Path) -> None:
    header = ["LSOA Code", "LSOA Name", "LA Code (2019 boundaries)", "All Ages", *AGE_HEADER]
    rows = [
        ["E01550001", "Invent 001A", "E06550001", 91, *ages_row(1)],
        ["W01550002", "Dyf 001A", "W06", 182, *ages_row(2)],
    ]
    path = tmp_path / "sape22dt2mid2019lsoasyoaestimatesunformatted.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "SAPE22DT2-mid-2019-lsoa-syoa-estimates-unformatted.xlsx",
            workbook("Mid-2019 Persons", 4, header, rows).read(),
        )
    frame = read_sape_mid2019_official({"sape": path})["population"]
    got = frame.set_index(["area_code", "age_group"])["population"]
    assert got[("E01550001", "all")] == 91 and got[("W01550002", "0-15")] == 32 and got[("W01550002", "65+")] == 52
    assert set(frame["level"]) == {"lsoa11"} and set(frame["vintage"]) == {"mid-2019"}


def test_mye_mid2020_keeps_only_districts(tmp_path: Path) -> None:
    """MYE2 lists the UK, countries, regions and counties too; only E06-E09 and W06 codes are districts.

    The official file is .xls; this fixture is .xlsx, read by the same calamine engine.
    """
    header = ["Code", "Name", "Geography", "All ages", *AGE_HEADER]
    rows = [
        ["K02000001", "UNITED KINGDOM", "Country", 910, *ages_row(10)],
        ["E12000001", "INVENTED REGION", "Region", 273, *ages_row(3)],
        ["E06550001", "Inventshire", "Unitary Authority", 91, *ages_row(1)],
        ["W06550001", "Dyfeisio", "Unitary Authority", 182, *ages_row(2)],
    ]
    path = tmp_path / "mye.xlsx"
    path.write_bytes(workbook("MYE2 - Persons", 7, header, rows).read())
    frame = read_mye_mid2020_official({"mye": path})["population"]
    totals = frame[frame["age_group"] == "all"].set_index("area_code")["population"].to_dict()
    assert totals == {"E06550001": 91, "W06550001": 182}


def test_census2021_from_official_p01(tmp_path: Path) -> None:
    header = ["Area code [note 2]", "Area name", "All persons", "Females", "Males"]
    rows = [
        ["K04000001", "England and Wales", 700, 350, 350],
        ["E92000001", "England", 500, 250, 250],
        ["E06550001", "Inventshire", 300, 150, 150],
        ["W06550001", "Dyfeisio", 200, 100, 100],
    ]
    path = tmp_path / "census.xlsx"
    path.write_bytes(workbook("P01", 6, header, rows).read())
    frame = read_census2021_official({"census": path})["population"]
    assert frame.set_index("area_code")["population"].to_dict() == {"E06550001": 300, "W06550001": 200}
    assert set(frame["vintage"]) == {"census-2021"} and set(frame["level"]) == {"lad21"}


def test_workbook_without_the_sheet_names_source_and_file(tmp_path: Path) -> None:
    path = tmp_path / "census.xlsx"
    path.write_bytes(workbook("P02", 0, ["Area code"], []).read())
    with pytest.raises(SourceError, match=r"^\[ons_census2021_lad21\] census.xlsx: no sheet 'P01'"):
        read_census2021_official({"census": path})
