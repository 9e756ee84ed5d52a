"""Register pipeline end to end on hand-written fixtures in the official JSON layout (invented values)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.build import SCHEMA_SQL, insert_frames
from etl.sources import charity_register, nspl

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "charity"
LAD = "E06999991"


def zip_fixtures(target: Path) -> dict[str, Path]:
    """Zip each fixture JSON like the official files: publicextract.<table>.zip holding one .json."""
    paths = {}
    for table in charity_register.TABLES:
        json_path = FIXTURES / f"publicextract.{table}.json"
        zip_path = target / f"publicextract.{table}.zip"
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(json_path, json_path.name)
        paths[table] = zip_path
    return paths


def seed_geography(con: duckdb.DuckDBPyConnection) -> None:
    """Invented areas, LSOA lookup and population for the fixture LAD."""
    con.execute(
        """INSERT INTO areas (code, name, level, lad_code, utla_code, region_code, country_code) VALUES
           ('E01999981', 'Invented LSOA A', 'lsoa21', 'E06999991', 'E06999991', 'E12999991', 'E92000001'),
           ('E01999982', 'Invented LSOA B', 'lsoa21', 'E06999991', 'E06999991', 'E12999991', 'E92000001'),
           ('E06999991', 'Exampleshire', 'lad24', 'E06999991', 'E06999991', 'E12999991', 'E92000001'),
           ('E06999991', 'Exampleshire', 'utla24', NULL, NULL, 'E12999991', 'E92000001')"""
    )
    con.execute(
        "INSERT INTO lsoa11_lsoa21 VALUES ('E01999991', 'E01999981', 'U', NULL), ('E01999992', 'E01999982', 'U', NULL)"
    )
    for level, code in (("lad24", LAD), ("utla24", LAD), ("region", "E12999991"), ("country", "E92000001")):
        con.execute("INSERT INTO population VALUES (?, ?, 'census-2021', 'all', 3000, 'test')", [code, level])


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(SCHEMA_SQL.read_text())
    seed_geography(con)
    insert_frames(con, nspl.read_partial({"nspl_zz": FIXTURES / "NSPL_NOV_2021_UK_ZZ.csv"}))
    insert_frames(con, charity_register.read_aoo_lookup({"aoo_lookup": FIXTURES / "cc-aoo-gss-iso-new.csv"}))
    insert_frames(con, charity_register.read_register(zip_fixtures(tmp_path_factory.mktemp("ccew"))))
    con.execute(nspl.DERIVE_SQL)
    for source in charity_register.SOURCES:
        con.execute(source.derive_sql)
    yield con
    con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


def test_main_charities_only_with_removed_kept(con):
    numbers = [n for (n,) in con.execute("SELECT charity_number FROM charities ORDER BY 1").fetchall()]
    assert numbers == [1000001, 1000002, 1000003, 1000004, 1000005, 1000006, 1000007]
    assert scalar(con, "SELECT status FROM charities WHERE charity_number = 1000005") == "Removed"
    assert str(scalar(con, "SELECT removed_date FROM charities WHERE charity_number = 1000005")) == "2020-01-02"


def test_valid_postcode_lands_in_lsoa_and_lad(con):
    row = con.execute(
        "SELECT postcode_normalised, lsoa11_code, lsoa21_code, lad24_code FROM charities WHERE charity_number = 1000001"
    ).fetchone()
    assert row == ("ZZ1 1AA", "E01999991", "E01999981", LAD)


@pytest.mark.parametrize(
    ("postcode", "reason"),
    [(None, "missing postcode"), ("NOT A POSTCODE", "not a valid postcode"), ("ZZ9 9ZZ", "not in the postcode lookup")],
)
def test_unmatched_postcodes_counted(con, postcode, reason):
    rows = con.execute(
        "SELECT charities FROM charity_geocode_unmatched WHERE postcode IS NOT DISTINCT FROM ? AND reason = ?",
        [postcode, reason],
    ).fetchall()
    assert rows == [(1,)]


def test_match_rate_recorded(con):
    assert scalar(con, "SELECT value FROM register_quality WHERE metric = 'geocode_match_rate'") == pytest.approx(4 / 7)
    assert scalar(con, "SELECT sum(charities) FROM charity_geocode_unmatched") == 3


def test_subsidiary_not_double_counted(con):
    assert scalar(con, "SELECT count(*) FROM charity_classification WHERE charity_number = 1000001") == 2
    assert scalar(con, "SELECT count(*) FROM charity_area_of_operation WHERE charity_number = 1000001") == 1
    assert scalar(con, "SELECT count(*) FROM charity_annual_returns WHERE charity_number = 1000001") == 2
    assert scalar(con, "SELECT latest_income FROM charities WHERE charity_number = 1000001") == 50000


@pytest.mark.parametrize(
    ("level", "measure", "expected"),
    [
        ("lad24", "charities_per_1000", 3 / 3000 * 1000),
        ("lad24", "charity_income_per_resident", (50000 + 150000 + 8000) / 3000),
        ("lad24", "share_charities_govt_funded", 2 / 3),
        ("lad24", "govt_income_share", (20000 + 30000) / (50000 + 150000 + 8000)),
        ("region", "charities_per_1000", 1.0),
        ("utla24", "charities_aoo_per_1000", 1 / 3000 * 1000),
    ],
)
def test_measures_match_hand_computation(con, level, measure, expected):
    row = con.execute(
        "SELECT value, source_id, vintage FROM area_measures WHERE level = ? AND area_code IN (?, 'E12999991') "
        "AND measure = ?",
        [level, LAD, measure],
    ).fetchone()
    assert row[0] == pytest.approx(expected)
    assert row[1:] == ("ccew_register", "2026-07-09")


@pytest.mark.parametrize(
    ("number", "reach", "band"),
    [
        (1000001, "local", "small (£10k-£100k)"),
        (1000002, "national", "medium (£100k-£1m)"),
        (1000007, "overseas", "micro (under £10k)"),
        (1000004, "unknown", "unknown"),
    ],
)
def test_reach_and_income_band(con, number, reach, band):
    assert con.execute("SELECT reach, income_band FROM charities WHERE charity_number = ?", [number]).fetchone() == (
        reach,
        band,
    )


def test_govt_fields_from_latest_part_a(con):
    row = con.execute(
        "SELECT receives_govt_contracts, income_govt_contracts, total_income_parta FROM charities WHERE charity_number = 1000001"
    ).fetchone()
    assert row == (True, 20000.0, 50000.0)


def test_aoo_lookup_consistent_with_ons_names(con):
    assert charity_register.aoo_mismatches(con) == []


def test_aoo_mismatch_fails_loudly(con):
    con.execute("INSERT INTO cc_aoo_lookup VALUES ('Local Authority', 'Bristol City', 'E06999991', NULL, NULL)")
    try:
        assert charity_register.aoo_mismatches(con) == ["cc_aoo_lookup: 'Bristol City' → E06999991 is Exampleshire"]
    finally:
        con.execute("DELETE FROM cc_aoo_lookup WHERE description = 'Bristol City'")


def test_hertfordshire_trap_corrected(tmp_path):
    csv = tmp_path / "lookup.csv"
    csv.write_text(
        "\ufeffgeographic_area_type,geographic_area_description,GSS\nLocal Authority,Hertfordshire,E06000019\n"
        "Local Authority,Herefordshire,E06000019\n",
        encoding="utf-8",
    )
    frame = charity_register.read_aoo_lookup({"aoo_lookup": csv})["cc_aoo_lookup"].set_index("description")
    assert frame.loc["Hertfordshire", "gss_code"] == "E10000015"
    assert frame.loc["Herefordshire", "gss_code"] == "E06000019"
    assert pd.isna(frame.loc["Herefordshire", "correction"])


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Bristol, City of", "bristol"),
        ("Bristol City", "bristol"),
        ("Bath And North East Somerset", "bath north east somerset"),
    ],
)
def test_name_key(name, key):
    assert charity_register.name_key(name) == key
