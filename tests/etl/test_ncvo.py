"""NCVO Almanac general charities: readers, LAD 2019 → 2024 sums, measures and the need-decile view."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.build import SCHEMA_SQL, insert_frames
from etl.sources import ncvo

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ncvo" / "ncvo_lad19_fixture.csv"
MERGED, KEPT, REGION = "E06999990", "E06999993", "E12999991"


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    """Invented districts: two 2019 districts merged into MERGED, one unchanged; one region."""
    con = duckdb.connect()
    con.execute(SCHEMA_SQL.read_text())
    for code in (MERGED, KEPT):
        con.execute(
            "INSERT INTO areas (code, name, level, lad_code, utla_code, region_code, country_code) "
            "VALUES (?, 'Invented', 'lad24', ?, ?, ?, 'E92000001')",
            [code, code, code, REGION],
        )
    con.execute(
        f"INSERT INTO lad_successor VALUES ('E07999991', '2019', '{MERGED}'), ('E07999992', '2019', '{MERGED}')"
    )
    for level, code, people in (
        ("lad24", MERGED, 40_000),
        ("lad24", KEPT, 10_000),
        ("utla24", MERGED, 40_000),
        ("region", REGION, 50_000),
    ):
        con.execute("INSERT INTO population VALUES (?, ?, 'mid-2019', 'all', ?, 'test')", [code, level, people])
    for code, decile in ((MERGED, 1), (KEPT, 10)):
        con.execute(
            "INSERT INTO area_measures VALUES ('lad24', ?, 'imd_lad_decile', ?, 'test', 'test', NULL)", [code, decile]
        )
    insert_frames(con, ncvo.read_mirror_csv({"ncvo_lad19": FIXTURE}))
    con.execute(ncvo.SOURCES[0].derive_sql)
    yield con
    con.close()


def value(con, level: str, code: str, measure: str) -> float | None:
    row = con.execute(
        "SELECT value FROM area_measures WHERE level = ? AND area_code = ? AND measure = ?", [level, code, measure]
    ).fetchall()[0]
    return row[0] if row else None


@pytest.mark.parametrize(
    ("level", "code", "measure", "expected"),
    [
        ("lad24", MERGED, "ncvo_charities", 40),
        ("lad24", KEPT, "ncvo_charities", 5),
        ("lad24", MERGED, "ncvo_charities_per_1000", 1.0),
        ("lad24", KEPT, "ncvo_charities_per_1000", 0.5),
        ("utla24", MERGED, "ncvo_charities", 40),
        ("region", REGION, "ncvo_charities", 45),
        ("region", REGION, "ncvo_charities_per_1000", 0.9),
    ],
)
def test_merged_districts_sum(con, level, code, measure, expected):
    assert value(con, level, code, measure) == pytest.approx(expected)


def test_measure_rows_carry_source_and_vintages(con):
    rows = con.execute(
        "SELECT DISTINCT measure, source_id, vintage, denominator_vintage FROM area_measures "
        "WHERE source_id = 'ncvo_almanac' ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("ncvo_charities", "ncvo_almanac", "2017/18", None),
        ("ncvo_charities_per_1000", "ncvo_almanac", "2017/18", "mid-2019"),
    ]


def test_catalog_has_every_issue3_measure(con):
    layers = dict(con.execute("SELECT measure, layer FROM measure_catalog").fetchall())
    assert layers == {
        "ncvo_charities": "capacity",
        "ncvo_charities_per_1000": "capacity",
        "charities_per_1000": "capacity",
        "charities_aoo_per_1000": "capacity",
        "charity_income_per_resident": "capacity",
        "share_charities_govt_funded": "dependence",
        "govt_income_share": "dependence",
        "grants_count": "funding",
        "grants_amount_per_resident": "funding",
        "health_index_overall": "health",
        "life_expectancy": "health",
    }


def test_capacity_by_need_decile_pools(con):
    rows = con.execute("SELECT * FROM capacity_by_need_decile ORDER BY imd_decile").fetchall()
    assert rows == [(1, 1, 40.0, 40_000.0, 1.0), (10, 1, 5.0, 10_000.0, 0.5)]


def test_a5_sheet_parsing():
    sheet = pd.DataFrame(
        [
            ["Table A5", None, None, None],
            [None, None, None, None],
            ["Code", "Local authority", "General charities", "Income"],
            *[[f"E07{n:06d}", f"Invented {n}", n, 1.0] for n in range(1, 121)],
            ["Total", None, 7260, None],
        ]
    )
    frame = ncvo.general_charities_a5(sheet, file_name="invented.xlsx")
    assert len(frame) == 120
    assert frame["charities"].sum() == sum(range(1, 121))


@pytest.mark.integration
def test_mirror_total(mirror):
    frame = ncvo.read_mirror_csv({"ncvo_lad19": mirror / ncvo.MIRROR_CSV})["ncvo_charities_lad"]
    assert (len(frame), int(frame["charities"].sum())) == (339, 139_493)


@pytest.mark.integration
@pytest.mark.parametrize("measure", ["ncvo_charities", "ncvo_charities_per_1000"])
def test_every_english_lad24_has_ncvo_capacity(db_con, measure):
    missing = db_con.execute(
        """SELECT count(*) FROM areas a WHERE a.level = 'lad24' AND a.code LIKE 'E%' AND NOT EXISTS
           (SELECT 1 FROM area_measures m WHERE m.level = 'lad24' AND m.area_code = a.code AND m.measure = ?
            AND m.value IS NOT NULL)""",
        [measure],
    ).fetchall()[0][0]
    english = db_con.execute("SELECT count(*) FROM areas WHERE level = 'lad24' AND code LIKE 'E%'").fetchall()[0][0]
    assert (english, missing) == (296, 0)


@pytest.mark.integration
@pytest.mark.parametrize(("code", "charities"), [("E06000001", 116), ("E08000025", 1_773), ("E09000033", 2_607)])
def test_built_lad24_counts(db_con, code, charities):
    assert (
        db_con.execute(
            "SELECT value FROM area_measures WHERE level = 'lad24' AND area_code = ? AND measure = 'ncvo_charities'",
            [code],
        ).fetchall()[0][0]
        == charities
    )


@pytest.mark.integration
def test_built_need_decile_view(db_con):
    rows = db_con.execute(
        "SELECT imd_decile, areas, charities_per_1000 FROM capacity_by_need_decile ORDER BY 1"
    ).fetchall()
    assert [r[0] for r in rows] == list(range(1, 11))
    assert sum(r[1] for r in rows) == 296
    assert rows[0][2] == pytest.approx(1.5507, abs=1e-4)
    assert rows[-1][2] == pytest.approx(3.5891, abs=1e-4)
