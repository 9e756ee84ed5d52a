"""Cross-source validation of an assembled database. Each check returns problems; validate() raises."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from etl import reconcile
from etl.source import ValidationError

Check = Callable[[duckdb.DuckDBPyConnection], list[str]]

# Expected LSOA counts per published edition (from the publishers' own notes).
EXPECTED_LSOAS = {"IoD2025": 33_755, "IoD2019": 32_844, "WIMD2019": 1_909, "WIMD2025": 1_917}
# GSS prefixes by level: UKHSA-style check before anything is served.
GSS_PREFIXES = {
    "lsoa21": ("E01", "W01"),
    "lsoa11": ("E01", "W01"),
    "lad24": ("E06", "E07", "E08", "E09", "W06"),
    "utla24": ("E06", "E08", "E09", "E10", "E11", "E13", "W06"),
    "icb24": ("E54",),
    "region": ("E12", "W92"),
}


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def check_lsoa_counts(con: duckdb.DuckDBPyConnection) -> list[str]:
    found = dict(rows(con, "SELECT edition, count(*) FROM imd_lsoa GROUP BY edition"))
    return [
        f"imd_lsoa {edition}: {found.get(edition, 0):,} LSOAs, expected {expected:,}"
        for edition, expected in EXPECTED_LSOAS.items()
        if edition in found and found[edition] != expected
    ]


def check_deciles_balanced(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Each IMD decile holds ~10% of LSOAs (within 0.5 percentage points)."""
    bad = rows(
        con,
        """SELECT edition, imd_decile, count(*) / sum(count(*)) OVER (PARTITION BY edition) AS share
           FROM imd_lsoa GROUP BY edition, imd_decile QUALIFY abs(share - 0.1) > 0.005""",
    )
    return [f"imd_lsoa {e}: decile {d} holds {s:.1%} of LSOAs" for e, d, s in bad]


def check_gss_prefixes(con: duckdb.DuckDBPyConnection) -> list[str]:
    problems = []
    for level, prefixes in GSS_PREFIXES.items():
        bad = rows(
            con,
            "SELECT code FROM areas WHERE level = ? AND NOT list_contains(?, left(code, 3)) LIMIT 5",
            [level, list(prefixes)],
        )
        if bad:
            problems.append(f"areas {level}: codes with wrong GSS prefix, e.g. {', '.join(c for (c,) in bad)}")
    bad = rows(
        con,
        "SELECT edition, lsoa_code FROM imd_lsoa WHERE left(lsoa_code, 3) NOT IN ('E01', 'W01') LIMIT 5",
    )
    if bad:
        problems.append(f"imd_lsoa: non-LSOA codes, e.g. {bad}")
    return problems


def check_lsoas_join(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every IMD LSOA joins to an area with a LAD, and to a boundary when that level has boundaries."""
    problems = []
    for edition, level in (
        ("IoD2025", "lsoa21"),
        ("IoD2019", "lsoa11"),
        ("WIMD2019", "lsoa11"),
        ("WIMD2025", "lsoa21"),
    ):
        orphan = rows(
            con,
            """SELECT count(*) FROM imd_lsoa i LEFT JOIN areas a ON a.level = ? AND a.code = i.lsoa_code
               WHERE i.edition = ? AND (a.code IS NULL OR a.lad_code IS NULL)""",
            [level, edition],
        )[0][0]
        if orphan:
            problems.append(f"imd_lsoa {edition}: {orphan:,} LSOAs without an area/LAD in areas ({level})")
        has_bounds = rows(con, "SELECT count(*) FROM boundaries WHERE level = ?", [level])[0][0]
        if has_bounds:
            missing = rows(
                con,
                """SELECT count(*) FROM imd_lsoa i WHERE i.edition = ? AND NOT EXISTS
                   (SELECT 1 FROM boundaries b WHERE b.level = ? AND b.code = i.lsoa_code)""",
                [edition, level],
            )[0][0]
            if missing:
                problems.append(f"imd_lsoa {edition}: {missing:,} LSOAs without a {level} boundary")
    return problems


def check_unique_keys(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Primary keys are enforced by DuckDB; this catches duplicate provenance file rows."""
    dupes = rows(con, "SELECT source_id, file_name FROM provenance GROUP BY ALL HAVING count(*) > 1")
    return [f"provenance: {s}/{f} recorded twice" for s, f in dupes]


def check_empty_boundaries(con: duckdb.DuckDBPyConnection) -> list[str]:
    bad = rows(con, "SELECT level, count(*) FROM boundaries WHERE vertices < 3 GROUP BY level")
    return [f"boundaries {level}: {n} empty geometries after simplification" for level, n in bad]


def check_measures_have_named_areas(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every area with a measure has a named areas row: the app names areas from there alone."""
    bad = rows(
        con,
        """SELECT m.level, count(DISTINCT m.area_code), min(m.area_code) FROM area_measures m
           LEFT JOIN areas a ON a.level = m.level AND a.code = m.area_code
           WHERE a.name IS NULL GROUP BY m.level ORDER BY m.level""",
    )
    return [f"area_measures {level}: {n} areas without a named areas row (e.g. {code})" for level, n, code in bad]


CHECKS: tuple[Check, ...] = (
    check_lsoa_counts,
    check_deciles_balanced,
    check_gss_prefixes,
    check_lsoas_join,
    check_unique_keys,
    check_empty_boundaries,
    check_measures_have_named_areas,
)


def validate(con: duckdb.DuckDBPyConnection) -> None:
    """Run every check; raise ValidationError listing all problems found."""
    problems = [problem for check in CHECKS for problem in check(con)]
    if problems:
        raise ValidationError("validation failed: " + "; ".join(problems))


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = [t for (t,) in rows(con, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")]
    # Table names come from the catalog, not from input.
    return {t: rows(con, f'SELECT count(*) FROM "{t}"')[0][0] for t in sorted(tables)}  # noqa: S608


def check_aoo_lookup(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every charity area-of-operation code names the ONS upper-tier council it claims to (e.g. Hertfordshire ≠ E06000019)."""
    from etl.sources.charity_register import aoo_mismatches

    return aoo_mismatches(con)


CHECKS = (*CHECKS, check_aoo_lookup)


def check_population_rollups(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Population rolled up to lad24 and country keeps the total of the rows each vintage was loaded as."""
    bad = rows(
        con,
        """WITH loaded AS (SELECT vintage, sum(population) AS total FROM population
                          WHERE level IN ('lsoa11', 'lsoa21', 'lad21') AND age_group = 'all' GROUP BY ALL),
                rolled AS (SELECT vintage, level, sum(population) AS total FROM population
                          WHERE level IN ('lad24', 'country') AND age_group = 'all' GROUP BY ALL)
           SELECT l.vintage, v.level, coalesce(r.total, 0), l.total
           FROM loaded l CROSS JOIN (VALUES ('lad24'), ('country')) v(level)
           LEFT JOIN rolled r ON r.vintage = l.vintage AND r.level = v.level
           WHERE abs(coalesce(r.total, 0) - l.total) > 0.5 ORDER BY ALL""",
    )
    return [
        f"population {v} {level}: {got:,.0f} residents after roll-up, {want:,.0f} loaded" for v, level, got, want in bad
    ]


def check_lad_successors(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every older LAD code maps to a LAD 2024 that exists in areas."""
    bad = rows(
        con,
        """SELECT lad_vintage, lad_code, lad24_code FROM lad_successor s
           WHERE NOT EXISTS (SELECT 1 FROM areas a WHERE a.level = 'lad24' AND a.code = s.lad24_code) LIMIT 5""",
    )
    return [f"lad_successor {v} {old} → {new}: not a LAD 2024 in areas" for v, old, new in bad]


CHECKS = (*CHECKS, check_population_rollups, check_lad_successors)


def check_vintages_dated(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every population and denominator vintage has a reference date in vintages (etl.vintages.reference)."""
    bad = rows(
        con,
        """SELECT DISTINCT vintage FROM population
           UNION SELECT DISTINCT denominator_vintage FROM area_measures WHERE denominator_vintage IS NOT NULL
           EXCEPT SELECT vintage FROM vintages ORDER BY 1""",
    )
    return [f"vintage {v!r} has no reference date: add a rule to etl/vintages.py" for (v,) in bad]


CHECKS = (*CHECKS, check_vintages_dated)


def check_reconciliation(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every published summary the build reproduces (etl.reconcile) agrees with its reproduction within tolerance."""
    present = rows(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'reconciliation'")[0][0]
    return reconcile.drifted(con) if present else []


CHECKS = (*CHECKS, check_reconciliation)
