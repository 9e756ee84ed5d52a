"""Integration: areas, LAD successors, LSOA 2011→2021 and rural-urban from the real ONS lookups."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.integration


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


@pytest.mark.parametrize(
    ("level", "count"),
    [
        ("lsoa21", 35_672),
        ("lsoa11", 34_753),
        ("ward24", 7_536),
        ("lad24", 318),
        ("utla24", 175),
        ("sicbl24", 106),
        ("icb24", 42),
        ("region", 10),
        ("country", 2),
        ("lad19", 339),
        ("lad21", 331),
    ],
)
def test_area_counts(db_con, level, count):
    assert scalar(db_con, "SELECT count(*) FROM areas WHERE level = ?", [level]) == count


@pytest.mark.parametrize(("country", "lads"), [("E92000001", 296), ("W92000004", 22)])
def test_lad24_by_country(db_con, country, lads):
    assert scalar(db_con, "SELECT count(*) FROM areas WHERE level = 'lad24' AND country_code = ?", [country]) == lads


@pytest.mark.parametrize(
    ("column", "filled"),
    [("ward_code", 35_672), ("lad_code", 35_672), ("utla_code", 35_672), ("icb_code", 33_755), ("region_code", 35_672)],
)
def test_lsoa21_parents_filled(db_con, column, filled):
    assert scalar(db_con, f"SELECT count({column}) FROM areas WHERE level = 'lsoa21'") == filled


def test_every_lsoa21_parent_is_an_area(db_con):
    orphans = scalar(
        db_con,
        """SELECT count(*) FROM areas l WHERE l.level = 'lsoa21' AND (
             NOT EXISTS (SELECT 1 FROM areas p WHERE p.level = 'lad24' AND p.code = l.lad_code)
             OR NOT EXISTS (SELECT 1 FROM areas p WHERE p.level = 'utla24' AND p.code = l.utla_code)
             OR NOT EXISTS (SELECT 1 FROM areas p WHERE p.level = 'region' AND p.code = l.region_code))""",
    )
    assert orphans == 0


@pytest.mark.parametrize(
    ("level", "code", "name", "lad_code", "utla_code", "region_code"),
    [
        (
            "lsoa21",
            "E01027305",
            "West Northamptonshire 048E",
            "E07000177",
            "E10000025",
            "E12000008",
        ),  # ONS best fit: Cherwell
        ("lad24", "E07000177", "Cherwell", None, "E10000025", "E12000008"),
        ("utla24", "E10000025", "Oxfordshire", None, None, "E12000008"),
        ("lad24", "W06000015", "Cardiff", None, "W06000015", "W92000004"),
        ("lad19", "E07000004", "Aylesbury Vale", None, "E10000002", "E12000008"),
        ("lsoa11", "E01000001", "City of London 001A", "E09000001", None, "E12000007"),
    ],
)
def test_known_areas(db_con, level, code, name, lad_code, utla_code, region_code):
    row = db_con.execute(
        "SELECT name, lad_code, utla_code, region_code FROM areas WHERE level = ? AND code = ?", [level, code]
    ).fetchone()
    assert row == (name, lad_code, utla_code, region_code)


@pytest.mark.parametrize(("vintage", "rows"), [("2019", 339), ("2021", 331), ("2024", 318)])
def test_lad_successor_counts(db_con, vintage, rows):
    assert scalar(db_con, "SELECT count(*) FROM lad_successor WHERE lad_vintage = ?", [vintage]) == rows
    targets = scalar(
        db_con,
        """SELECT count(*) FROM lad_successor s WHERE lad_vintage = ?
           AND NOT EXISTS (SELECT 1 FROM areas a WHERE a.level = 'lad24' AND a.code = s.lad24_code)""",
        [vintage],
    )
    assert targets == 0


@pytest.mark.parametrize(
    ("vintage", "lad_code", "lad24_code"),
    [
        ("2019", "E07000004", "E06000060"),  # Aylesbury Vale → Buckinghamshire (2020)
        ("2019", "E07000150", "E06000061"),  # Corby → North Northamptonshire (2021)
        ("2019", "E07000154", "E06000062"),  # Northampton → West Northamptonshire (2021)
        ("2019", "E07000026", "E06000063"),  # Allerdale → Cumberland (2023)
        ("2021", "E07000031", "E06000064"),  # South Lakeland → Westmorland and Furness (2023)
        ("2021", "E07000163", "E06000065"),  # Craven → North Yorkshire (2023)
        ("2021", "E07000187", "E06000066"),  # Mendip → Somerset (2023)
        ("2019", "W06000002", "W06000002"),  # Gwynedd: one LSOA's best fit differs; the district stays
        ("2021", "E09000033", "E09000033"),
    ],
)
def test_known_successors(db_con, vintage, lad_code, lad24_code):
    found = db_con.execute(
        "SELECT lad24_code FROM lad_successor WHERE lad_vintage = ? AND lad_code = ?", [vintage, lad_code]
    ).fetchall()
    assert found == [(lad24_code,)]


@pytest.mark.parametrize(("lad24_code", "predecessors"), [("E06000060", 4), ("E06000065", 7), ("E06000066", 4)])
def test_merged_districts(db_con, lad24_code, predecessors):
    found = scalar(
        db_con, "SELECT count(*) FROM lad_successor WHERE lad_vintage = '2019' AND lad24_code = ?", [lad24_code]
    )
    assert found == predecessors


@pytest.mark.parametrize(("indicator", "rows"), [("U", 33_647), ("S", 1_900), ("M", 239), ("X", 9)])
def test_lsoa11_lsoa21_change_indicators(db_con, indicator, rows):
    assert scalar(db_con, "SELECT count(*) FROM lsoa11_lsoa21 WHERE change_indicator = ?", [indicator]) == rows


@pytest.mark.parametrize(("ruc", "lsoas"), [("Urban", 29_557), ("Rural", 6_115)])
def test_rural_urban(db_con, ruc, lsoas):
    assert scalar(db_con, "SELECT count(*) FROM rural_urban WHERE ruc = ?", [ruc]) == lsoas
