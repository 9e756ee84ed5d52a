"""IoD2025 measures in area_measures: derive SQL on a hand-made database, then on a real build of the need layer."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.build import SCHEMA_SQL, build
from etl.sources import imd2019, imd2025, wimd2019

DERIVE = {source.source_id: source.derive_sql for source in imd2025.SOURCES}
CONTRACT_IDS = {
    "imd_score",
    "imd_rank",
    "imd_decile",
    "income_score",
    "employment_score",
    "education_score",
    "health_score",
    "crime_score",
    "housing_score",
    "environment_score",
    "idaci_score",
    "idaopi_score",
    "imd_average_score",
    "imd_share_most_deprived_10",
    "imd_share_lsoas_most_deprived_20",
    "imd_lad_decile",
    "income_average_score",
    "employment_average_score",
    "education_average_score",
    "health_average_score",
    "crime_average_score",
    "housing_average_score",
    "environment_average_score",
}
# Invented areas: LADs A and B in region R and England; LSOAs 1-3 in ICB I1, LSOA 4 in I2.
LSOAS = [
    ("E01999901", "E06999901", 1),
    ("E01999902", "E06999901", 3),
    ("E01999903", "E06999902", 2),
    ("E01999904", "E06999902", 10),
]
LADS = [("E06999901", "E10999901", 40.0, 0.5), ("E06999902", "E10999902", 10.0, 0.0)]


@pytest.fixture(scope="module")
def schema_con() -> duckdb.DuckDBPyConnection:
    """One in-memory database with the schema; each test works inside a transaction rolled back after it."""
    con = duckdb.connect()
    con.execute(SCHEMA_SQL.read_text())
    yield con
    con.close()


@pytest.fixture
def con(schema_con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    schema_con.begin()
    yield schema_con
    schema_con.rollback()


def invented_db(con: duckdb.DuckDBPyConnection, *, populations: dict[str, float]) -> duckdb.DuckDBPyConnection:
    """Insert the invented areas and populations, then run the derive SQL."""
    for lsoa, lad, decile in LSOAS:
        con.execute(
            "INSERT INTO imd_lsoa (edition, country, lsoa_code, lad_code, imd_score, imd_rank, imd_decile) "
            "VALUES ('IoD2025', 'E', ?, ?, 12.5, 1, ?)",
            [lsoa, lad, decile],
        )
        icb = "E54999902" if decile == 10 else "E54999901"
        con.execute("INSERT INTO areas (code, level, lad_code, icb_code) VALUES (?, 'lsoa21', ?, ?)", [lsoa, lad, icb])
    for lad, utla, score, share10 in LADS:
        con.execute(
            "INSERT INTO imd_lad VALUES ('IoD2025', ?, 'x', 'imd', 'average_score', ?), "
            "('IoD2025', ?, 'x', 'imd', 'proportion_most_deprived_10', ?)",
            [lad, score, lad, share10],
        )
        con.execute(
            "INSERT INTO areas (code, level, utla_code, region_code, country_code) "
            "VALUES (?, 'lad24', ?, 'E12999901', 'E92000001')",
            [lad, utla],
        )
    for lad, people in populations.items():
        con.execute("INSERT INTO population VALUES (?, 'lad24', 'census-2021', 'all', ?, 'pop')", [lad, people])
    for sql in DERIVE.values():
        con.execute(sql)
    return con


def measures(con: duckdb.DuckDBPyConnection, measure: str) -> dict[tuple[str, str], float | None]:
    rows = con.execute("SELECT level, area_code, value FROM area_measures WHERE measure = ?", [measure]).fetchall()
    return {(level, code): value for level, code, value in rows}


def test_share_most_deprived_20_counts_lsoas_in_deciles_1_and_2_at_every_level(con: duckdb.DuckDBPyConnection) -> None:
    found = measures(invented_db(con, populations={}), "imd_share_lsoas_most_deprived_20")
    assert found == pytest.approx(
        {
            ("lad24", "E06999901"): 0.5,
            ("lad24", "E06999902"): 0.5,
            ("icb24", "E54999901"): 2 / 3,
            ("icb24", "E54999902"): 0.0,
            ("utla24", "E10999901"): 0.5,
            ("utla24", "E10999902"): 0.5,
            ("region", "E12999901"): 0.5,
            ("country", "E92000001"): 0.5,
        }
    )


def test_average_score_above_lad_is_weighted_by_census_residents(con: duckdb.DuckDBPyConnection) -> None:
    invented_db(con, populations={"E06999901": 300, "E06999902": 100})
    found = measures(con, "imd_average_score")
    assert found[("region", "E12999901")] == pytest.approx((40 * 300 + 10 * 100) / 400)
    assert found[("country", "E92000001")] == pytest.approx(32.5)
    assert (found[("utla24", "E10999901")], found[("lad24", "E06999901")]) == (40.0, 40.0)
    vintages = con.execute(
        "SELECT DISTINCT denominator_vintage FROM area_measures WHERE measure = 'imd_average_score' AND level = 'region'"
    ).fetchall()
    assert vintages == [("census-2021",)]


def test_average_score_is_null_where_a_lad_has_no_population(con: duckdb.DuckDBPyConnection) -> None:
    found = measures(invented_db(con, populations={"E06999901": 300}), "imd_average_score")
    assert found[("utla24", "E10999901")] == 40.0
    assert found[("utla24", "E10999902")] is None
    assert found[("region", "E12999901")] is None


def test_no_population_yields_no_weighted_rows(con: duckdb.DuckDBPyConnection) -> None:
    found = measures(invented_db(con, populations={}), "imd_average_score")
    assert set(found) == {("lad24", "E06999901"), ("lad24", "E06999902")}


def test_lad_decile_ranks_the_published_average_score_most_deprived_first(con: duckdb.DuckDBPyConnection) -> None:
    found = measures(invented_db(con, populations={}), "imd_lad_decile")
    assert found == {("lad24", "E06999901"): 1.0, ("lad24", "E06999902"): 2.0}


def test_published_share_most_deprived_10_is_taken_as_published(con: duckdb.DuckDBPyConnection) -> None:
    found = measures(invented_db(con, populations={}), "imd_share_most_deprived_10")
    assert found == {("lad24", "E06999901"): 0.5, ("lad24", "E06999902"): 0.0}


def test_empty_tables_yield_no_measures_but_the_catalog(con: duckdb.DuckDBPyConnection) -> None:
    for sql in DERIVE.values():
        con.execute(sql)
    assert con.execute("SELECT count(*) FROM area_measures").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM measure_catalog").fetchone()[0] == len(CONTRACT_IDS)


def test_catalog_describes_every_contract_measure(con: duckdb.DuckDBPyConnection) -> None:
    rows = invented_db(con, populations={}).execute("SELECT measure, layer, polarity, definition FROM measure_catalog")
    catalog = {measure: (layer, polarity, text) for measure, layer, polarity, text in rows.fetchall()}
    assert set(catalog) == CONTRACT_IDS
    assert {layer for layer, _p, _t in catalog.values()} == {"need"}
    assert {m for m, (_l, polarity, _t) in catalog.items() if polarity == "none"} == {
        "imd_rank",
        "imd_decile",
        "imd_lad_decile",
    }
    assert all(text.endswith(".") and "IoD2025" in text for _l, _p, text in catalog.values())


@pytest.fixture(scope="module")
def need_db(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """The need layer alone, built from the mirror (no geography or population: those measures are absent)."""
    db = tmp_path_factory.mktemp("need") / "need.duckdb"
    sources = [*imd2025.SOURCES, *imd2019.SOURCES, *wimd2019.SOURCES]
    build(db, sources=sources, mirror=mirror, cache=db.parent / "raw", progress=lambda _m: None, validate=False)
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


@pytest.mark.integration
@pytest.mark.parametrize(
    ("level", "measure", "areas", "with_value"),
    [
        ("lsoa21", "imd_score", 33_755, 33_755),
        ("lsoa21", "imd_decile", 33_755, 33_755),
        ("lsoa21", "idaci_score", 33_755, 0),
        ("lad24", "imd_average_score", 296, 296),
        ("lad24", "imd_share_lsoas_most_deprived_20", 296, 296),
        ("lad24", "imd_lad_decile", 296, 296),
        ("icb24", "imd_average_score", 42, 42),
        ("icb24", "environment_average_score", 42, 42),
    ],
)
def test_real_measures_cover_every_area(
    need_db: duckdb.DuckDBPyConnection, level: str, measure: str, areas: int, with_value: int
) -> None:
    sql = "SELECT count(*), count(value) FROM area_measures WHERE level = ? AND measure = ?"
    assert need_db.execute(sql, [level, measure]).fetchone() == (areas, with_value)


@pytest.mark.integration
def test_real_hartlepool_measures(need_db: duckdb.DuckDBPyConnection) -> None:
    rows = need_db.execute("SELECT measure, value FROM area_measures WHERE area_code = 'E06000001'").fetchall()
    found = dict(rows)
    assert found["imd_average_score"] == 37.58
    assert found["imd_share_most_deprived_10"] == 0.4211
    assert found["imd_lad_decile"] == 1
    assert found["imd_share_lsoas_most_deprived_20"] == pytest.approx(30 / 57)


@pytest.mark.integration
def test_real_lad_deciles_hold_29_or_30_lads(need_db: duckdb.DuckDBPyConnection) -> None:
    sql = "SELECT value, count(*) FROM area_measures WHERE measure = 'imd_lad_decile' GROUP BY value ORDER BY value"
    assert [n for _d, n in need_db.execute(sql).fetchall()] == [30] * 6 + [29] * 4


@pytest.mark.integration
@pytest.mark.parametrize(("level", "areas"), [("utla24", 153), ("region", 9), ("country", 1)])
def test_full_build_weights_every_english_parent_area(
    db_con: duckdb.DuckDBPyConnection, level: str, areas: int
) -> None:
    sql = """SELECT count(value), count(DISTINCT denominator_vintage), any_value(denominator_vintage)
             FROM area_measures WHERE level = ? AND measure = 'imd_average_score'"""
    assert db_con.execute(sql, [level]).fetchone() == (areas, 1, "census-2021")
    shares = "SELECT count(value) FROM area_measures WHERE level = ? AND measure = 'imd_share_lsoas_most_deprived_20'"
    assert db_con.execute(shares, [level]).fetchone()[0] == areas


@pytest.mark.integration
def test_full_build_england_has_a_fifth_of_lsoas_in_deciles_1_and_2(db_con: duckdb.DuckDBPyConnection) -> None:
    sql = """SELECT value FROM area_measures
             WHERE level = 'country' AND area_code = 'E92000001' AND measure = 'imd_share_lsoas_most_deprived_20'"""
    assert db_con.execute(sql).fetchone()[0] == pytest.approx(0.2, abs=0.001)
