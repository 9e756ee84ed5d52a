"""Published versus reproduced: aggregates the publisher gives beside the rows the app maps, recomputed at build time.

Each reconciliation recomputes a published summary from the loaded detail rows and records, per area, the
published value, the reproduced value, their difference and the tolerance (the publisher's rounding). The build
fails with a ValidationError (the old database kept) when any reproduction drifts beyond its tolerance.

Reproduced here, from the files the build loads:
- Indices of Deprivation File 10 (local authority districts) and the ICB summary: the proportion of a district's
  (ICB's) LSOAs in the most deprived 10% nationally, for the IMD and each domain, from the File 1/File 2 LSOA
  deciles — both editions loaded (IoD2025, IoD2019). Published to 4 decimal places: tolerance half a unit there.
Not reproducible from the loaded files, so not listed: File 10 average scores and ranks (population-weighted, the
IoD population denominators are a separate file), NCVO's regional and national densities (the loaded NCVO file
is district rows only; the app's regions and countries are its own sums of those rows).
"""

from __future__ import annotations

import duckdb

ROUNDING_4DP = 0.00005 + 1e-9  # half a unit in the 4th decimal place, plus float noise

# Summary table → (source id suffix, level, area column in the summary, the LSOA side's area (and its join),
# publication name).
SUMMARIES = {
    "imd_lad": ("_lad", "lad24", "lad_code", "l.lad_code", "", "File 10 (local authority district summaries)"),
    "imd_icb": (
        "_icb",
        "icb24",
        "icb_code",
        "a.icb_code",
        "JOIN areas a ON a.level = 'lsoa21' AND a.code = l.lsoa_code",
        "File 13 (ICB summaries)",
    ),
}


def lsoa_decile_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The *_decile columns of imd_lsoa (e.g. 'imd_decile', 'income_decile')."""
    found = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'imd_lsoa' AND column_name LIKE '%_decile'"
    ).fetchall()
    return {name for (name,) in found}


def proportion_checks(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """(edition, domain) pairs whose share of LSOAs in the most deprived 10% is published in table and reproducible."""
    deciles = lsoa_decile_columns(con)
    pairs = con.execute(
        f"SELECT DISTINCT edition, domain FROM {table} WHERE measure = 'proportion_most_deprived_10' ORDER BY ALL"  # noqa: S608
    ).fetchall()
    return [
        (edition, domain)
        for edition, domain in pairs
        if f"{domain}_decile" in deciles and has_deciles(con, edition=edition, column=f"{domain}_decile")
    ]


def has_deciles(con: duckdb.DuckDBPyConnection, *, edition: str, column: str) -> bool:
    """Whether the LSOA rows of an edition carry values in a decile column (IoD2019's supplementary ones do not)."""
    query = f"SELECT count({column}) FROM imd_lsoa WHERE edition = ?"  # noqa: S608 (a catalogued column name)
    return con.execute(query, [edition]).fetchall()[0][0] > 0


def insert_proportions(con: duckdb.DuckDBPyConnection, table: str, *, edition: str, domain: str) -> None:
    """Reconcile one published proportion (edition, domain) of a summary table against the LSOA deciles."""
    suffix, level, key, lsoa_area, join, publication = SUMMARIES[table]
    source_id = "imd" + edition.removeprefix("IoD") + suffix
    level = "lad19" if (table, edition) == ("imd_lad", "IoD2019") else level  # IoD2019 summarises 2019 districts
    name = f"{key.removesuffix('_code')}_name"
    decile = f"{domain}_decile"
    label = "IMD" if domain == "imd" else f"{domain} domain"
    description = f"{edition} {publication}: share of LSOAs in the most deprived 10% nationally ({label})"
    # Identifiers come from the fixed SUMMARIES table and the catalog's column names, never from input.
    con.execute(
        f"""
        INSERT INTO reconciliation
        WITH reproduced AS (
            SELECT {lsoa_area} AS code, avg(CASE WHEN l.{decile} = 1 THEN 1.0 ELSE 0.0 END) AS value
            FROM imd_lsoa l {join}
            WHERE l.edition = ? AND l.{decile} IS NOT NULL GROUP BY 1
        )
        SELECT ?, ?, ?, ?, p.{key}, any_value(p.{name}), any_value(p.value), any_value(r.value),
               any_value(r.value) - any_value(p.value), ?, coalesce(abs(any_value(r.value) - any_value(p.value)) <= ?, false)
        FROM {table} p LEFT JOIN reproduced r ON r.code = p.{key}
        WHERE p.edition = ? AND p.domain = ? AND p.measure = 'proportion_most_deprived_10'
        GROUP BY p.{key}
        """,  # noqa: S608
        [
            edition,
            f"{table}:{edition}:{domain}",
            description,
            source_id,
            level,
            ROUNDING_4DP,
            ROUNDING_4DP,
            edition,
            domain,
        ],
    )


def build(con: duckdb.DuckDBPyConnection) -> int:
    """Fill the reconciliation table (etl/schema.sql) from the loaded tables; returns its number of rows."""
    con.execute("DELETE FROM reconciliation")
    present = {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "imd_lsoa" not in present:
        return 0
    for table in SUMMARIES:
        if table in present:
            for edition, domain in proportion_checks(con, table):
                insert_proportions(con, table, edition=edition, domain=domain)
    return con.execute("SELECT count(*) FROM reconciliation").fetchall()[0][0]


def drifted(con: duckdb.DuckDBPyConnection, *, limit: int = 5) -> list[str]:
    """One message per check whose reproduction drifts beyond its tolerance (worst area named), for validation."""
    rows = con.execute(
        """SELECT check_id, count(*) AS areas, arg_max(area_code, abs(coalesce(difference, 1e9))) AS worst,
                  max(abs(difference)) AS largest, any_value(tolerance) AS tolerance
           FROM reconciliation WHERE NOT within GROUP BY check_id ORDER BY check_id LIMIT ?""",
        [limit],
    ).fetchall()
    return [
        f"reconciliation {check}: {areas} areas beyond tolerance {tolerance:g} (worst {worst}, "
        + (f"|difference| {largest:.6f})" if largest is not None else "no reproduced value)")
        for check, areas, worst, largest, tolerance in rows
    ]
