"""SQL for sector change, in one place: the register's charities with their own-nation need decile, and the
three concepts read from them (births and removals by year, survival durations, annual-return income).

Every query takes the same two parameters first: the scope code (twice) and nothing else is interpolated but
constants from this module. Scope: 'K04000001' (England and Wales), a country, a region or a 2024 district.
"""

from __future__ import annotations

ENGLAND_AND_WALES = "K04000001"
WALES = "W92000004"
# Own-nation need: each LSOA's decile in its own nation's index. Welsh rows join when WIMD 2025 is loaded.
NEED_EDITIONS = {"E": "IoD2025", "W": "WIMD2025"}
# Denominators: LSOA residents for need groups (IoD2025 File 6 mid-2022 first: the index's own denominators),
# Census 2021 district residents for a whole scope (as the register's other per-resident measures).
LSOA_VINTAGES = ("mid-2022", "census-2021")
SCOPE_VINTAGE = "census-2021"
# Need group of a charity from its LSOA's decile (1 = most deprived).
GROUP_SQL = {"decile": "n.decile", "quintile": "(n.decile + 1) // 2"}
# Small and medium charities (NCVO / Lloyds Bank Foundation bands): annual income £10,000 to under £1 million.
SMALL_MEDIUM = (10_000, 1_000_000)

_NEED = f"""
need AS (
    SELECT lsoa_code, imd_decile AS decile FROM imd_lsoa
    WHERE edition IN ({", ".join(f"'{e}'" for e in NEED_EDITIONS.values())}) AND imd_decile BETWEEN 1 AND 10
)"""  # noqa: S608 — constants only


def charities_cte(groups: str) -> str:
    """`need` and `base` CTEs: charities with an office in the scope (a geocoded 2024 district), their need group.

    Parameters used: scope, scope.
    """
    return f"""
    WITH {_NEED},
    base AS (
        SELECT c.charity_number, c.registered_date, c.removed_date, c.extract_date, c.reach,
               {GROUP_SQL[groups]} AS grp
        FROM charities c
        JOIN areas a ON a.level = 'lad24' AND a.code = c.lad24_code
        LEFT JOIN need n ON n.lsoa_code = c.lsoa21_code
        WHERE ? = '{ENGLAND_AND_WALES}' OR ? IN (a.code, a.region_code, a.country_code)
    )"""  # noqa: S608 — constants only


def events_sql(groups: str) -> str:
    """Registrations and removals per calendar year and need group (grp NULL = no need decile)."""
    return f"""
    {charities_cte(groups)}
    SELECT grp, year, count(*) FILTER (WHERE birth)::BIGINT AS births,
           count(*) FILTER (WHERE NOT birth)::BIGINT AS removals
    FROM (SELECT grp, year(registered_date) AS year, true AS birth FROM base
          UNION ALL
          SELECT grp, year(removed_date), false FROM base WHERE removed_date IS NOT NULL)
    WHERE year IS NOT NULL GROUP BY ALL ORDER BY grp, year"""  # noqa: S608 — constants only


def residents_sql(groups: str) -> str:
    """Residents per need group of the scope's LSOAs, and of the whole scope ('all_groups' row).

    A group's residents are NULL when any of its LSOAs has no population (a rate would mix numerators and
    denominators of different places). LSOA residents: the first of LSOA_VINTAGES present for each LSOA;
    the scope: 2024-district residents of SCOPE_VINTAGE. Parameters used: scope, scope, scope, scope.
    """
    preference = " ".join(f"WHEN '{v}' THEN {i}" for i, v in enumerate(LSOA_VINTAGES))
    return f"""
    WITH {_NEED},
    people AS (
        SELECT area_code, population, vintage FROM population
        WHERE level = 'lsoa21' AND age_group = 'all' AND vintage IN ({", ".join(f"'{v}'" for v in LSOA_VINTAGES)})
        QUALIFY row_number() OVER (PARTITION BY area_code ORDER BY CASE vintage {preference} END) = 1
    )
    SELECT {GROUP_SQL[groups]} AS grp, false AS all_groups,
           CASE WHEN count(*) = count(p.population) THEN sum(p.population) END AS residents,
           string_agg(DISTINCT p.vintage, ', ' ORDER BY p.vintage) AS vintage,
           (count(*) - count(p.population))::BIGINT AS lsoas_without_residents
    FROM areas l
    LEFT JOIN people p ON p.area_code = l.code
    LEFT JOIN need n ON n.lsoa_code = l.code
    WHERE l.level = 'lsoa21' AND (? = '{ENGLAND_AND_WALES}' OR ? IN (l.lad_code, l.region_code, l.country_code))
    GROUP BY ALL
    UNION ALL
    SELECT NULL, true, CASE WHEN count(*) = count(p.population) THEN sum(p.population) END,
           '{SCOPE_VINTAGE}', 0
    FROM areas a
    LEFT JOIN population p ON p.level = 'lad24' AND p.area_code = a.code AND p.age_group = 'all'
         AND p.vintage = '{SCOPE_VINTAGE}'
    WHERE a.level = 'lad24' AND (a.code LIKE 'E%' OR a.code LIKE 'W%')
          AND (? = '{ENGLAND_AND_WALES}' OR ? IN (a.code, a.region_code, a.country_code))"""  # noqa: S608 — constants only


def durations_sql(groups: str) -> str:
    """Survival data, aggregated: charities per (need group, days from registration to removal or the extract
    date, removed?), for charities registered on or after the cohort start.

    Parameters used: scope, scope, cohort start date. Records whose removal precedes registration are left out.
    """
    return f"""
    {charities_cte(groups)}
    SELECT grp, datediff('day', registered_date, coalesce(removed_date, extract_date)) AS days,
           removed_date IS NOT NULL AS removed, count(*) AS charities
    FROM base
    WHERE registered_date >= ? AND coalesce(removed_date, extract_date) >= registered_date
    GROUP BY ALL ORDER BY grp, days"""  # noqa: S608 — constants only


def income_sql(groups: str) -> str:
    """Median and total gross income of small and medium local charities per financial year and need group.

    One return per charity per year of financial-year end (the latest that year; local charities only, read
    before the income band is applied), joined to the scope's charities once. `all_groups` marks the
    scope-wide row of each year (every charity in scope, with or without a decile).
    Parameters used: scope, scope, lowest income, income bound (exclusive).
    """
    return f"""
    {charities_cte(groups)},
    returns AS (
        SELECT b.grp, r.charity_number, year(r.fin_period_end_date) AS year,
               arg_max(r.total_gross_income, r.fin_period_end_date) AS income
        FROM charity_annual_returns r JOIN base b ON b.charity_number = r.charity_number
        WHERE b.reach = 'local' AND r.total_gross_income IS NOT NULL AND r.fin_period_end_date IS NOT NULL
        GROUP BY ALL
    )
    SELECT grp, year, grouping(grp) = 1 AS all_groups, count(*)::BIGINT AS charities,
           median(income) AS median_income, sum(income) AS total_income
    FROM returns
    WHERE income >= ? AND income < ?
    GROUP BY GROUPING SETS ((grp, year), (year))
    ORDER BY all_groups, grp, year"""  # noqa: S608 — constants only


REGISTER_STATE_SQL = """
SELECT count(*)::BIGINT AS charities, count(lad24_code)::BIGINT AS geocoded, max(extract_date) AS extract_date,
       (SELECT count(*) FROM charity_annual_returns)::BIGINT AS annual_returns
FROM charities"""

LSOA_RESIDENTS_SQL = f"""
SELECT left(l.code, 1) AS country, count(*)::BIGINT AS lsoas, count(p.area_code)::BIGINT AS with_residents
FROM areas l
LEFT JOIN (SELECT DISTINCT area_code FROM population
           WHERE level = 'lsoa21' AND age_group = 'all' AND vintage IN ({", ".join(f"'{v}'" for v in LSOA_VINTAGES)})
) p ON p.area_code = l.code
WHERE l.level = 'lsoa21' AND (l.code LIKE 'E%' OR l.code LIKE 'W%')
GROUP BY ALL ORDER BY country"""  # noqa: S608 — constants only

NEED_COVERAGE_SQL = """
SELECT country, edition, count(*)::BIGINT AS lsoas FROM imd_lsoa
WHERE edition IN ({editions}) GROUP BY ALL ORDER BY country"""

SCOPES_SQL = f"""
SELECT code, name, level, country_code, ord FROM (
    SELECT '{ENGLAND_AND_WALES}' AS code, 'England and Wales' AS name, 'all' AS level, NULL AS country_code, 0 AS ord
    UNION ALL
    SELECT code, name, level, coalesce(country_code, code),
           CASE level WHEN 'country' THEN 1 WHEN 'region' THEN 2 ELSE 3 END
    FROM areas WHERE level IN ('country', 'region', 'lad24') AND (code LIKE 'E%' OR code LIKE 'W%')
)
QUALIFY row_number() OVER (PARTITION BY code ORDER BY ord) = 1  -- Wales is both a country and a 'region'
ORDER BY ord, name"""  # noqa: S608 — constants only
