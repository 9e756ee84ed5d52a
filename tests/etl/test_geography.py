"""Unit tests: the geography readers on invented lookups in the ONS (geographr) layout."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etl.source import SourceError
from etl.sources.geography import (
    read_geography_2024,
    read_geography_historic,
    read_lsoa11_lsoa21,
    read_rural_urban,
    unique_parent,
)

GEO = Path(__file__).resolve().parents[1] / "fixtures" / "geo"
PATHS_2024 = {
    "lsoa21_ward24_lad24": GEO / "lookup_lsoa21_ward24_ltla24.csv",
    "lsoa21_icb24": GEO / "lookup_lsoa21_icb24.csv",
    "lad24_region24": GEO / "lookup_ltla24_region24.csv",
    "ltla23_utla23": GEO / "lookup_ltla23_utla23.csv",
}
PATHS_HISTORIC = {
    "lsoa11_lad19": GEO / "lookup_lsoa11_ltla19.csv",
    "lsoa11_lad21": GEO / "lookup_lsoa11_ltla21.csv",
    "lad19_region19": GEO / "lookup_ltla19_region19.csv",
    "lad19_utla19": GEO / "lookup_ltla19_utla19.csv",
    "lad21_region21": GEO / "lookup_ltla21_region21.csv",
    "lad21_utla21": GEO / "lookup_ltla21_utla21.csv",
    "lad22_lad23": GEO / "lookup_ltla22_ltla23.csv",
}
PARENTS = ["ward_code", "lad_code", "utla_code", "sicbl_code", "icb_code", "region_code", "country_code"]


@pytest.fixture(scope="module")
def frames_2024() -> dict[str, pd.DataFrame]:
    return read_geography_2024(PATHS_2024)


@pytest.fixture(scope="module")
def frames_historic() -> dict[str, pd.DataFrame]:
    return read_geography_historic(PATHS_HISTORIC)


def area(frames: dict[str, pd.DataFrame], level: str, code: str) -> dict:
    rows = frames["areas"][(frames["areas"]["level"] == level) & (frames["areas"]["code"] == code)]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


@pytest.mark.parametrize(
    ("level", "count"),
    [
        ("lsoa21", 4),
        ("ward24", 3),
        ("lad24", 3),
        ("utla24", 2),
        ("sicbl24", 2),
        ("icb24", 1),
        ("region", 2),
        ("country", 2),
    ],
)
def test_2024_levels(frames_2024, level, count):
    assert (frames_2024["areas"]["level"] == level).sum() == count


def test_areas_have_unique_keys(frames_2024, frames_historic):
    areas = pd.concat([frames_2024["areas"], frames_historic["areas"]])
    assert not areas.duplicated(["level", "code"]).any()


@pytest.mark.parametrize(
    ("level", "code", "expected"),
    [
        (
            "lsoa21",
            "E01900003",
            ["E05900002", "E07900002", "E10900001", "E38900002", "E54900001", "E12900001", "E92000001"],
        ),
        ("lsoa21", "W01900001", ["W05900001", "W06900001", "W06900001", None, None, "W92000004", "W92000004"]),
        ("ward24", "E05900001", [None, "E07900001", "E10900001", None, None, "E12900001", "E92000001"]),
        ("lad24", "E07900002", [None, None, "E10900001", None, None, "E12900001", "E92000001"]),
        ("utla24", "E10900001", [None, None, None, None, None, "E12900001", "E92000001"]),
        ("sicbl24", "E38900001", [None, None, None, None, "E54900001", None, "E92000001"]),
        ("region", "W92000004", [None, None, None, None, None, None, "W92000004"]),
        ("lsoa11", "E01900004", [None, "E07900012", None, None, None, "E12900001", "E92000001"]),
        ("lad19", "E07900011", [None, None, "E10900001", None, None, "E12900001", "E92000001"]),
        ("lad21", "E07900099", [None, None, "E10900002", None, None, "E12900001", "E92000001"]),
    ],
)
def test_parents(frames_2024, frames_historic, level, code, expected):
    frames = frames_historic if level in ("lsoa11", "lad19", "lad21") else frames_2024
    row = area(frames, level, code)
    assert [row[column] for column in PARENTS] == expected


@pytest.mark.parametrize(
    ("level", "code", "name"),
    [
        ("lsoa21", "E01900001", "Invented Vale 001A"),
        ("ward24", "E05900002", "Madeup"),
        ("utla24", "E10900001", "Inventedshire"),
        ("icb24", "E54900001", "NHS Invented Integrated Care Board"),
        ("region", "W92000004", "Wales"),
        ("country", "E92000001", "England"),
        ("lad19", "E07900012", "Old South"),
    ],
)
def test_names(frames_2024, frames_historic, level, code, name):
    frames = frames_historic if level in ("lsoa11", "lad19", "lad21") else frames_2024
    assert area(frames, level, code)["name"] == name


def test_2024_successors_are_identities(frames_2024):
    successor = frames_2024["lad_successor"]
    assert successor["lad_vintage"].unique().tolist() == ["2024"]
    assert (successor["lad_code"] == successor["lad24_code"]).all()
    assert len(successor) == 3


@pytest.mark.parametrize(
    ("vintage", "lad_code", "lad24_code"),
    [
        ("2019", "E07900011", "E06900021"),  # merged whole into a new unitary
        ("2019", "E07900012", "E06900021"),  # majority of its LSOAs; one odd best-fit LSOA ignored
        ("2019", "W06900001", "W06900001"),
        ("2021", "E06900021", "E06900021"),
        ("2021", "E07900099", "E06900031"),  # merged in 2023
    ],
)
def test_historic_successors(frames_historic, vintage, lad_code, lad24_code):
    successor = frames_historic["lad_successor"]
    match = successor[(successor["lad_vintage"] == vintage) & (successor["lad_code"] == lad_code)]
    assert match["lad24_code"].tolist() == [lad24_code]


def test_each_old_lad_has_one_successor(frames_historic):
    assert not frames_historic["lad_successor"].duplicated(["lad_vintage", "lad_code"]).any()


def test_lad_missing_from_upper_tier_lookup_is_an_error(tmp_path):
    utla = tmp_path / "lookup_ltla23_utla23.csv"
    utla.write_text(
        '"ltla23_code","ltla23_name","utla23_code","utla23_name"\n"E07900001","Invented Vale","E10900001","X"\n'
    )
    with pytest.raises(SourceError, match="without an upper tier: E07900002, W06900001"):
        read_geography_2024(PATHS_2024 | {"ltla23_utla23": utla})


def test_missing_column_names_the_file(tmp_path):
    broken = tmp_path / "lookup_ltla24_region24.csv"
    broken.write_text('"ltla24_name","LAD24CD","region24_name","region24_code"\n')
    with pytest.raises(SourceError, match=r"lookup_ltla24_region24.csv: missing expected column\(s\): ltla24_code"):
        read_geography_2024(PATHS_2024 | {"lad24_region24": broken})


def test_unique_parent_rejects_two_parents():
    frame = pd.DataFrame({"child": ["A", "A"], "parent": ["P", "Q"]})
    with pytest.raises(SourceError, match="child with more than one parent, e.g. A"):
        unique_parent(frame, "child", "parent", source_id="test", file_name="f.csv")


def test_lsoa11_lsoa21_reader(tmp_path):
    lookup = tmp_path / "lookup.csv"
    lookup.write_text(
        '"lsoa11_name","lsoa11_code","change_code","lsoa21_name","lsoa21_code","ltla22_name","ltla22_code"\n'
        '"Old South 001A","E01900002","S","Old South 001E","E01900005","New Unitary","E06900021"\n'
        '"Old South 001A","E01900002","S","Old South 001F","E01900006","New Unitary","E06900021"\n'
    )
    frame = read_lsoa11_lsoa21({"lsoa11_lsoa21": lookup})["lsoa11_lsoa21"]
    assert frame.columns.tolist() == ["lsoa11_code", "lsoa21_code", "change_indicator", "lad22_code"]
    assert frame["lsoa21_code"].tolist() == ["E01900005", "E01900006"]
    assert set(frame["change_indicator"]) == {"S"}


def test_rural_urban_reader(tmp_path):
    ruc = tmp_path / "ruc.csv"
    ruc.write_text(
        '"lsoa21_code","ruc21_code","classification","ruc"\n'
        '"E01900001","RSF1","Smaller rural: Further from a major town or city","Rural"\n'
    )
    frame = read_rural_urban({"ruc21_lsoa21": ruc})["rural_urban"]
    assert frame.iloc[0].tolist() == ["E01900001", "RSF1", "Smaller rural: Further from a major town or city", "Rural"]
