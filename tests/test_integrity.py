"""Data integrity of the real build: geography nests, maps miss no area, rates name non-zero denominators."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

TOLERANCE = 0.001  # totals reconcile within 0.1%
ENGLISH_LADS_2024 = 296
# LSOA level, the LAD level its lad_code belongs to, LSOAs (ONS lookups, E&W).
LSOA_VINTAGES = [("lsoa21", "lad24", 35_672), ("lsoa11", "lad19", 34_753)]
# Every area at a mapped level has a boundary and every boundary an area.
MAP_LEVELS = [("lad24", 318), ("utla24", 175), ("icb24", 42), ("region", 10), ("lsoa21", 35_672), ("lsoa11", 34_753)]


def scalar(con, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


def codes(con, sql: str, params: list | None = None) -> set[str]:
    return {code for (code,) in con.execute(sql, params or []).fetchall()}


@pytest.mark.parametrize(("lsoa_level", "lad_level", "expected"), LSOA_VINTAGES)
def test_every_lsoa_is_in_exactly_one_lad_of_its_vintage(db_con, lsoa_level: str, lad_level: str, expected: int):
    total, distinct, without_lad, unknown_lad = db_con.execute(
        """SELECT count(*), count(DISTINCT s.code), count(*) FILTER (WHERE s.lad_code IS NULL),
                  count(*) FILTER (WHERE s.lad_code IS NOT NULL AND l.code IS NULL)
           FROM areas s LEFT JOIN areas l ON l.level = ? AND l.code = s.lad_code WHERE s.level = ?""",
        [lad_level, lsoa_level],
    ).fetchone()
    assert (total, distinct, without_lad, unknown_lad) == (expected, expected, 0, 0)


def test_lsoa21_ward_and_lad_agree_on_every_parent(db_con):
    """An LSOA's ward is in the LSOA's LAD, and the LSOA carries its LAD's region and upper-tier council."""
    mismatches = scalar(
        db_con,
        """SELECT count(*) FROM areas s
           JOIN areas w ON w.level = 'ward24' AND w.code = s.ward_code
           JOIN areas l ON l.level = 'lad24' AND l.code = s.lad_code
           WHERE s.level = 'lsoa21' AND (w.lad_code <> s.lad_code OR l.region_code IS DISTINCT FROM s.region_code
                 OR l.utla_code IS DISTINCT FROM s.utla_code)""",
    )
    assert mismatches == 0
    assert scalar(db_con, "SELECT count(*) FROM areas WHERE level = 'lsoa21' AND ward_code IS NULL") == 0


@pytest.mark.parametrize(
    ("edition", "level", "differ"), [("IoD2025", "lsoa21", ["E01027305"]), ("IoD2019", "lsoa11", [])]
)
def test_iod_lad_agrees_with_the_ons_lookup(db_con, edition: str, level: str, differ: list[str]):
    """Known exception (field notes): E01027305 sits in different LADs in IoD2025 File 1 and the ONS lookup."""
    found = codes(
        db_con,
        """SELECT i.lsoa_code FROM imd_lsoa i JOIN areas a ON a.level = ? AND a.code = i.lsoa_code
           WHERE i.edition = ? AND i.lad_code IS DISTINCT FROM a.lad_code""",
        [level, edition],
    )
    assert found == set(differ)


@pytest.mark.parametrize(
    ("edition", "level", "lsoas"),
    [("IoD2025", "lsoa21", 33_755), ("IoD2019", "lsoa11", 32_844), ("WIMD2019", "lsoa11", 1_909)],
)
def test_every_deprivation_lsoa_has_a_boundary(db_con, edition: str, level: str, lsoas: int):
    with_boundary, total = db_con.execute(
        """SELECT count(b.code), count(*) FROM imd_lsoa i
           LEFT JOIN boundaries b ON b.level = ? AND b.code = i.lsoa_code WHERE i.edition = ?""",
        [level, edition],
    ).fetchone()
    assert (with_boundary, total) == (lsoas, lsoas)


@pytest.mark.parametrize(("level", "count"), MAP_LEVELS)
def test_no_area_is_silently_missing_from_a_map(db_con, level: str, count: int):
    areas = codes(db_con, "SELECT code FROM areas WHERE level = ?", [level])
    drawn = codes(db_con, "SELECT code FROM boundaries WHERE level = ? AND vertices >= 3", [level])
    assert areas - drawn == set(), "areas without a drawable boundary"
    assert drawn - areas == set(), "boundaries without an area"
    assert len(areas) == count


@pytest.mark.parametrize(
    ("table", "sql"),
    [
        ("areas", "SELECT code FROM areas WHERE level = 'lad24'"),
        ("boundaries", "SELECT code FROM boundaries WHERE level = 'lad24'"),
        ("imd_lad", "SELECT lad_code FROM imd_lad WHERE edition = 'IoD2025'"),
        ("imd_lsoa", "SELECT lad_code FROM imd_lsoa WHERE edition = 'IoD2025'"),
        (
            "imd_average_score",
            "SELECT area_code FROM area_measures WHERE level = 'lad24' AND measure = 'imd_average_score' AND value IS NOT NULL",
        ),
        (
            "imd_lad_decile",
            "SELECT area_code FROM area_measures WHERE level = 'lad24' AND measure = 'imd_lad_decile' AND value IS NOT NULL",
        ),
    ],
)
def test_all_296_english_lads_are_present(db_con, table: str, sql: str):
    english = {code for code in codes(db_con, sql) if code.startswith("E")}
    assert len(english) == ENGLISH_LADS_2024, table
    assert english == codes(db_con, "SELECT lad_code FROM imd_lsoa WHERE edition = 'IoD2025'")


def test_rates_per_resident_state_their_denominator_vintage(db_con):
    rates = codes(db_con, "SELECT measure FROM measure_catalog WHERE unit ILIKE '%per%resident%'")
    assert rates, "the catalog has per-resident measures"
    undeclared = db_con.execute(
        """SELECT measure, level, count(*) FROM area_measures
           WHERE list_contains(?, measure) AND value IS NOT NULL AND denominator_vintage IS NULL GROUP BY ALL""",
        [sorted(rates)],
    ).fetchall()
    assert undeclared == []


def test_every_denominator_exists_and_is_non_zero(db_con):
    checked, problems = db_con.execute(
        """SELECT count(*), list(DISTINCT m.measure || ' ' || m.level || ' ' || m.denominator_vintage)
                  FILTER (WHERE p.population IS NULL OR p.population <= 0)
           FROM area_measures m
           LEFT JOIN population p ON p.area_code = m.area_code AND p.level = m.level
                AND p.vintage = m.denominator_vintage AND p.age_group = 'all'
           WHERE m.denominator_vintage IS NOT NULL AND m.value IS NOT NULL"""
    ).fetchone()
    assert checked > 500
    assert problems is None or problems == []


def test_measures_refer_to_known_areas_and_catalogued_measures(db_con):
    orphans = scalar(
        db_con,
        """SELECT count(*) FROM area_measures m
           WHERE NOT EXISTS (SELECT 1 FROM areas a WHERE a.level = m.level AND a.code = m.area_code)""",
    )
    uncatalogued = codes(
        db_con, "SELECT DISTINCT measure FROM area_measures EXCEPT SELECT measure FROM measure_catalog"
    )
    assert (orphans, uncatalogued) == (0, set())


def test_population_totals_are_positive(db_con):
    assert scalar(db_con, "SELECT count(*) FROM population WHERE age_group = 'all' AND NOT population > 0") == 0


@pytest.mark.parametrize(
    ("parent_level", "parent_column"), [("region", "region_code"), ("utla24", "utla_code"), ("country", "country_code")]
)
def test_lad_populations_sum_to_their_parents(db_con, parent_level: str, parent_column: str):
    compared, off = db_con.execute(
        f"""WITH sums AS (
                SELECT p.vintage, l.{parent_column} AS code, sum(p.population) AS summed FROM population p
                JOIN areas l ON l.level = 'lad24' AND l.code = p.area_code
                WHERE p.level = 'lad24' AND p.age_group = 'all' GROUP BY ALL)
            SELECT count(*), list(s.vintage || ' ' || s.code) FILTER (WHERE abs(s.summed - q.population) > ? * q.population)
            FROM sums s JOIN population q ON q.level = ? AND q.area_code = s.code AND q.vintage = s.vintage
                 AND q.age_group = 'all'""",
        [TOLERANCE, parent_level],
    ).fetchone()
    assert compared >= 2
    assert off is None or off == []


@pytest.mark.parametrize("vintage", ["mid-2015", "mid-2019"])
def test_lsoa_populations_sum_to_their_lad(db_con, vintage: str):
    """Sum of LSOA 2011 residents = the LAD 2019 figure, within 0.1% (the LAD rows are the published totals)."""
    compared, off = db_con.execute(
        """WITH sums AS (
                SELECT s.lad_code, sum(p.population) AS summed FROM population p
                JOIN areas s ON s.level = 'lsoa11' AND s.code = p.area_code
                WHERE p.level = 'lsoa11' AND p.vintage = ? AND p.age_group = 'all' GROUP BY ALL)
            SELECT count(*), list(s.lad_code) FILTER (WHERE abs(s.summed - q.population) > ? * q.population)
            FROM sums s JOIN population q ON q.level = 'lad19' AND q.area_code = s.lad_code AND q.vintage = ?
                 AND q.age_group = 'all'""",
        [vintage, TOLERANCE, vintage],
    ).fetchone()
    assert compared >= 300
    assert off is None or off == []
