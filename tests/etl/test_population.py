"""Unit tests: population readers on invented files in the published layouts, and the roll-up SQL."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.build import SCHEMA_SQL
from etl.checks import check_lad_successors, check_population_rollups
from etl.source import SourceError
from etl.sources.population import (
    AGES,
    ROLLUP_SQL,
    read_census2021,
    read_iod2019_file6,
    read_iod2025_file6,
    read_mye_mid2020,
    read_sape_mid2019,
)

FILE6_2019_HEADER = (
    "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),"
    "Total population: mid 2015 (excluding prisoners),Dependent Children aged 0-15: mid 2015 (excluding prisoners),"
    "Population aged 16-59: mid 2015 (excluding prisoners),"
    "Older population aged 60 and over: mid 2015 (excluding prisoners),"
    "Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners)"
)


def values(frame: pd.DataFrame, code: str) -> dict[str, float]:
    rows = frame[frame["area_code"] == code]
    return dict(zip(rows["age_group"], rows["population"], strict=True))


def test_iod2019_file6_reads_bom_and_thousands(tmp_path):
    path = tmp_path / "File_6.csv.gz"
    body = f'\ufeff{FILE6_2019_HEADER}\nE01900001,Invented 001A,E07900011,Old North,"1,234",200,"1,000",34,900\n'
    path.write_bytes(gzip.compress(body.encode("utf-8")))
    frame = read_iod2019_file6({"file6": path})["population"]
    assert values(frame, "E01900001") == {"all": 1234, "0-15": 200, "16-59": 1000, "60+": 34, "18-59/64": 900}
    assert set(frame["vintage"]) == {"mid-2015"} and set(frame["level"]) == {"lsoa11"}
    assert set(frame["source_id"]) == {"iod2019_population"}


def single_year_csv(path: Path, code_column: str, rows: list[tuple[str, int, list[int]]]) -> Path:
    header = [code_column, "name", "total_population", *AGES]
    lines = [",".join(f'"{h}"' for h in header)]
    lines += [",".join([code, '"Invented"', str(total), *map(str, ages)]) for code, total, ages in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


AGES_ONES = [1] * 91  # one resident at each single year of age, 0 … 89 and 90+


@pytest.mark.parametrize(
    ("group", "expected"), [("all", 91), ("0-15", 16), ("16-59", 44), ("60+", 31), ("16-64", 49), ("65+", 26)]
)
def test_single_year_bands(tmp_path, group, expected):
    path = single_year_csv(tmp_path / "sape.csv", "lsoa11_code", [("E01900001", 91, AGES_ONES)])
    frame = read_sape_mid2019({"sape": path})["population"]
    assert values(frame, "E01900001")[group] == expected


def test_single_years_must_sum_to_total(tmp_path):
    path = single_year_csv(tmp_path / "mye.csv", "ltla21_code", [("E07900099", 90, AGES_ONES)])
    with pytest.raises(SourceError, match="1 rows whose single years do not sum to total_population"):
        read_mye_mid2020({"mye": path})


def test_census2021_reader(tmp_path):
    path = tmp_path / "census.csv"
    path.write_text('"ltla21_name","ltla21_code","population"\n"New Unitary","E06900021",123400\n')
    frame = read_census2021({"census": path})["population"]
    assert frame.iloc[0].tolist() == ["E06900021", "lad21", "census-2021", "all", 123400, "ons_census2021_lad21"]


def test_iod2025_file6_finds_the_data_sheet(tmp_path):
    path = tmp_path / "File_6_IoD2025.xlsx"
    data = pd.DataFrame(
        {
            "LSOA code (2021)": ["E01900001"],
            "Total population: mid 2022": [1500],
            "Dependent Children aged 0-15: mid 2022": [300],
            "Older population aged 60 and over: mid 2022": [400],
            "Working age population 18-66 (for use with Employment Deprivation Domain): mid 2022": [950],
        }
    )
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Notes": ["invented"]}).to_excel(writer, sheet_name="Notes", index=False)
        data.to_excel(writer, sheet_name="Population Denominators", index=False)
    frame = read_iod2025_file6({"file6": path})["population"]
    assert values(frame, "E01900001") == {"all": 1500, "0-15": 300, "60+": 400, "18-66": 950}
    assert set(frame["level"]) == {"lsoa21"} and set(frame["vintage"]) == {"mid-2022"}


@pytest.fixture(scope="module")
def rolled() -> duckdb.DuckDBPyConnection:
    """Two old districts merged into one unitary, one Welsh LAD; census and LSOA rows rolled up."""
    con = duckdb.connect()
    con.execute(SCHEMA_SQL.read_text())
    con.execute(
        """INSERT INTO areas (code, level, lad_code, utla_code, region_code, country_code) VALUES
           ('E01900001', 'lsoa11', 'E07900011', NULL, NULL, 'E92000001'),
           ('E01900002', 'lsoa11', 'E07900012', NULL, NULL, 'E92000001'),
           ('E06900021', 'lad24', NULL, 'E06900021', 'E12900001', 'E92000001'),
           ('W06900001', 'lad24', NULL, 'W06900001', 'W92000004', 'W92000004')"""
    )
    con.execute(
        """INSERT INTO lad_successor VALUES ('E07900011', '2019', 'E06900021'), ('E07900012', '2019', 'E06900021'),
           ('E07900011', '2021', 'E06900021'), ('E07900012', '2021', 'E06900021'), ('W06900001', '2021', 'W06900001')"""
    )
    con.execute(
        """INSERT INTO population VALUES
           ('E07900011', 'lad21', 'census-2021', 'all', 1000, 's'), ('E07900012', 'lad21', 'census-2021', 'all', 500, 's'),
           ('W06900001', 'lad21', 'census-2021', 'all', 300, 's'),
           ('E01900001', 'lsoa11', 'mid-2019', 'all', 10, 't'), ('E01900002', 'lsoa11', 'mid-2019', 'all', 20, 't')"""
    )
    con.execute(ROLLUP_SQL)
    return con


@pytest.mark.parametrize(
    ("level", "code", "vintage", "expected"),
    [
        ("lad24", "E06900021", "census-2021", 1500),
        ("lad24", "W06900001", "census-2021", 300),
        ("utla24", "E06900021", "census-2021", 1500),
        ("region", "E12900001", "census-2021", 1500),
        ("region", "W92000004", "census-2021", 300),
        ("country", "E92000001", "census-2021", 1500),
        ("lad19", "E07900012", "mid-2019", 20),
        ("lad24", "E06900021", "mid-2019", 30),
        ("country", "E92000001", "mid-2019", 30),
    ],
)
def test_rollup(rolled, level, code, vintage, expected):
    found = rolled.execute(
        "SELECT population, source_id FROM population WHERE level = ? AND area_code = ? AND vintage = ?",
        [level, code, vintage],
    ).fetchall()
    assert len(found) == 1 and found[0][0] == expected


def test_rollup_keeps_source_ids(rolled):
    rows = dict(rolled.execute("SELECT vintage, list(DISTINCT source_id) FROM population GROUP BY 1").fetchall())
    assert rows == {"census-2021": ["s"], "mid-2019": ["t"]}


def test_rollup_check_passes_on_complete_rollup(rolled):
    assert check_population_rollups(rolled) == []
    assert check_lad_successors(rolled) == []


def test_rollup_check_reports_lost_residents():
    """A LAD 2021 without a successor would silently drop its residents: the check names the gap."""
    con = duckdb.connect()
    con.execute(SCHEMA_SQL.read_text())
    con.execute("INSERT INTO lad_successor VALUES ('E07900099', '2021', 'E06900031')")
    con.execute("INSERT INTO population VALUES ('E07900011', 'lad21', 'census-2021', 'all', 1000, 's')")
    con.execute(ROLLUP_SQL)
    assert check_population_rollups(con) == [
        "population census-2021 country: 0 residents after roll-up, 1,000 loaded",
        "population census-2021 lad24: 0 residents after roll-up, 1,000 loaded",
    ]
    assert check_lad_successors(con) == ["lad_successor 2021 E07900099 → E06900031: not a LAD 2024 in areas"]
