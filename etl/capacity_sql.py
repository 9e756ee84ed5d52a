"""SQL builders shared by the capacity, funding and health sources: map old LADs to 2024, roll up, insert measures.

Every identifier and literal below comes from code constants in etl/sources/*, never from user input.
"""

from __future__ import annotations

from pathlib import Path

SQL_DIR = Path(__file__).with_name("sql")
# Population rows used as denominators: all ages (the population source's convention).
ALL_AGES = "all"
# Levels a LAD 2024 value rolls up to, with the parent column in `areas`.
PARENTS = (("utla24", "utla_code"), ("region", "region_code"), ("country", "country_code"))


def sql_file(name: str) -> str:
    """Text of a file in etl/sql/."""
    return (SQL_DIR / name).read_text()


def lad24_map_sql(*, vintage: str, table: str = "_lad24_of") -> str:
    """Temp table {table}(old_code, lad24_code): ONS successor rows for a LAD vintage, plus current codes as themselves.

    Args:
        vintage: lad_successor.lad_vintage of the old codes (e.g. '2019', '2021').
        table: name of the temp table to (re)create.

    Returns:
        SQL text.
    """
    return f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT lad_code AS old_code, lad24_code FROM lad_successor WHERE lad_vintage = '{vintage}'
        UNION SELECT code, code FROM areas WHERE level = 'lad24';"""  # noqa: S608


def rollup_sql(source: str, *, columns: list[str]) -> str:
    """Temp table _rolled(level, area_code, columns…): lad24 rows of {source}(code, columns…) summed upward.

    Args:
        source: table with one row per LAD 2024 `code` and summable columns.
        columns: the columns to carry and sum.

    Returns:
        SQL text.
    """
    plain = ", ".join(columns)
    sums = ", ".join(f"sum(s.{c}) AS {c}" for c in columns)
    parts = [f"SELECT 'lad24' AS level, code AS area_code, {plain} FROM {source}"]  # noqa: S608
    parts += [
        f"""SELECT '{level}', a.{parent}, {sums} FROM {source} s
            JOIN areas a ON a.level = 'lad24' AND a.code = s.code
            WHERE a.{parent} IS NOT NULL GROUP BY a.{parent}"""  # noqa: S608
        for level, parent in PARENTS
    ]
    return f"CREATE OR REPLACE TEMP TABLE _rolled AS {' UNION ALL '.join(parts)};"


def insert_measure_sql(
    measure: str,
    *,
    expression: str,
    source_id: str,
    vintage: str,
    population_vintage: str | None = None,
    vintage_sql: str | None = None,
) -> str:
    """INSERT one measure from _rolled into area_measures; `p.population` is available when population_vintage is set.

    Args:
        measure: measure id (a measure_catalog row).
        expression: SQL value expression over _rolled columns (alias r) and p.population.
        source_id: the source that produced the numerator.
        vintage: vintage of the numerator.
        population_vintage: population.vintage used as denominator (None for counts).
        vintage_sql: SQL expression for the vintage when it is only known from the data (overrides vintage).

    Returns:
        SQL text.
    """
    denominator = f"'{population_vintage}'" if population_vintage else "NULL"
    vintage_value = vintage_sql or f"'{vintage}'"
    join = (
        f"""LEFT JOIN population p ON p.level = r.level AND p.area_code = r.area_code
            AND p.vintage = '{population_vintage}' AND p.age_group = '{ALL_AGES}'"""
        if population_vintage
        else ""
    )
    return f"""INSERT INTO area_measures (level, area_code, measure, value, source_id, vintage, denominator_vintage)
        SELECT r.level, r.area_code, '{measure}', {expression}, '{source_id}', {vintage_value}, {denominator}
        FROM _rolled r {join} WHERE r.area_code IS NOT NULL;"""  # noqa: S608


# ONS code changes of 1 April 2019 (LAD 2018 → LAD 2019), from the ONS register of GSS code history:
# Bournemouth, Christchurch and Poole; Dorset; East and West Suffolk; Somerset West and Taunton.
LAD18_TO_LAD19 = {
    "E06000028": "E06000058",  # Bournemouth
    "E06000029": "E06000058",  # Poole
    "E07000048": "E06000058",  # Christchurch
    "E07000049": "E06000059",  # East Dorset
    "E07000050": "E06000059",  # North Dorset
    "E07000051": "E06000059",  # Purbeck
    "E07000052": "E06000059",  # West Dorset
    "E07000053": "E06000059",  # Weymouth and Portland
    "E07000201": "E07000245",  # Forest Heath
    "E07000204": "E07000245",  # St Edmundsbury
    "E07000205": "E07000244",  # Suffolk Coastal
    "E07000206": "E07000244",  # Waveney
    "E07000190": "E07000246",  # Taunton Deane
    "E07000191": "E07000246",  # West Somerset
}


# Earlier GSS code changes for minor boundary changes (same district, new code), from the same ONS register.
RECODED_BEFORE_2019 = {
    "E08000020": "E08000037",  # Gateshead (2014)
    "E06000048": "E06000057",  # Northumberland (2014)
    "E07000097": "E07000242",  # East Hertfordshire (2018)
    "E07000100": "E07000240",  # St Albans (2018)
    "E07000101": "E07000243",  # Stevenage (2018)
    "E07000104": "E07000241",  # Welwyn Hatfield (2018)
}

PRE2019_TO_LAD19 = {**RECODED_BEFORE_2019, **LAD18_TO_LAD19}


def lad18_values_sql() -> str:
    """A VALUES list (old_code, lad19_code) of pre-2019 codes → LAD 2019 for use in SQL."""
    return ", ".join(f"('{old}', '{new}')" for old, new in PRE2019_TO_LAD19.items())


def drop_temp_sql(*tables: str) -> str:
    """Drop the temp tables a derive step made (they are not part of the public schema)."""
    return "\n".join(f"DROP TABLE IF EXISTS {t};" for t in tables)
