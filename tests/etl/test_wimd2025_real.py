"""WIMD 2025 in the mirror build: every Welsh LSOA and district has need, and published figures are reproduced."""

from __future__ import annotations

import duckdb


def value(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


def test_all_welsh_lsoas_loaded_with_codes_and_an_own_nation_decile(db_con: duckdb.DuckDBPyConnection) -> None:
    assert value(db_con, "SELECT count(*) FROM imd_lsoa WHERE edition = 'WIMD2025' AND lad_code LIKE 'W06%'") == 1917
    welsh = """SELECT count(*) FROM area_measures
               WHERE level = 'lsoa21' AND measure = 'own_nation_decile' AND area_code LIKE 'W01%' AND value IS NOT NULL"""
    assert value(db_con, welsh) == 1917
    every = "SELECT count(*) FROM area_measures WHERE level = 'lsoa21' AND measure = 'own_nation_decile'"
    assert value(db_con, every) == value(db_con, "SELECT count(*) FROM areas WHERE level = 'lsoa21'") == 35_672


def test_provenance_says_the_mirror_file_is_derived(db_con: duckdb.DuckDBPyConnection) -> None:
    row = db_con.execute(
        "SELECT distribution, official, publisher FROM provenance WHERE source_id = 'wimd2025_lsoa'"
    ).fetchone()
    assert row == ("derived_ranks_scores_csv", False, "Welsh Government")


def test_every_welsh_district_has_at_least_three_need_measures(db_con: duckdb.DuckDBPyConnection) -> None:
    counts = db_con.execute(
        """SELECT a.code, count(m.value) FROM areas a
           LEFT JOIN area_measures m ON m.level = 'lad24' AND m.area_code = a.code AND m.value IS NOT NULL
                AND m.measure IN (SELECT measure FROM measure_catalog WHERE layer = 'need')
           WHERE a.level = 'lad24' AND a.code LIKE 'W%' GROUP BY a.code"""
    ).fetchall()
    assert len(counts) == 22 and min(n for _, n in counts) >= 3


def test_reproduces_the_published_share_in_the_most_deprived_10_percent(db_con: duckdb.DuckDBPyConnection) -> None:
    """Welsh Government, "WIMD 2025 results report: overall index" (27 Nov 2025),
    https://www.gov.wales/welsh-index-multiple-deprivation-wimd-2025-results-report-overall-index-html :
    "The local authority with the highest proportion of small areas in the most deprived 10% in Wales was
    Blaenau Gwent (20% or 9 areas) followed by Newport (18% or 18 areas). Monmouthshire was the only local
    authority with no areas in the most deprived 10%, Powys and Ceredigion each had one area in the most
    deprived 10%." and "all but one of the 22 local authorities contain at least one of the most deprived 10%"."""
    rows = db_con.execute(
        """SELECT a.name, m.value, count(i.lsoa_code) AS lsoas
           FROM area_measures m JOIN areas a ON a.level = 'lad24' AND a.code = m.area_code
           JOIN imd_lsoa i ON i.edition = 'WIMD2025' AND i.lad_code = m.area_code
           WHERE m.level = 'lad24' AND m.measure = 'wimd_share_most_deprived_10' GROUP BY ALL"""
    ).fetchall()
    areas = {name: round(share * lsoas) for name, share, lsoas in rows}
    shares = {name: round(100 * share) for name, share, _ in rows}
    assert (areas["Blaenau Gwent"], shares["Blaenau Gwent"]) == (9, 20)
    assert (areas["Newport"], shares["Newport"]) == (18, 18)
    assert max(shares, key=shares.get) == "Blaenau Gwent"
    assert sorted(shares.values(), reverse=True)[1] == 18
    assert (areas["Monmouthshire"], areas["Powys"], areas["Ceredigion"]) == (0, 1, 1)
    assert sum(n > 0 for n in areas.values()) == 21


def test_wales_holds_a_tenth_of_its_lsoas_in_its_most_deprived_tenth(db_con: duckdb.DuckDBPyConnection) -> None:
    share = value(
        db_con,
        """SELECT value FROM area_measures
           WHERE level = 'country' AND area_code = 'W92000004' AND measure = 'own_nation_share_most_deprived_10'""",
    )
    assert share == 191 / 1917
