"""Read the register for sector change: each function runs one statement of insight.sector.sql."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

import duckdb
import pandas as pd

from insight import db
from insight.sector import sql

GROUPINGS = tuple(sql.GROUP_SQL)
COHORT_START = dt.date(2000, 1, 1)


def register_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the database holds the register (a charities table with at least one dated charity)."""
    found = db.query(con, "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'charities'")
    if not found["n"].iloc[0]:
        return False
    return bool(db.query(con, "SELECT count(registered_date) AS n FROM charities")["n"].iloc[0])


class RegisterState(TypedDict):
    charities: int
    geocoded: int
    extract_date: dt.date | None
    annual_returns: int


def register_state(con: duckdb.DuckDBPyConnection) -> RegisterState:
    """Charities in the extract, how many geocoded to a 2024 district, the extract date, annual-return rows."""
    row = db.query(con, sql.REGISTER_STATE_SQL).iloc[0]
    extract = row["extract_date"]
    return {
        "charities": int(row["charities"]),
        "geocoded": int(row["geocoded"]),
        "extract_date": None if pd.isna(extract) else pd.Timestamp(extract).date(),
        "annual_returns": int(row["annual_returns"]),
    }


def need_coverage(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Nation letter ('E', 'W') → the need edition loaded for it, among sql.NEED_EDITIONS."""
    editions = ", ".join(f"'{e}'" for e in sql.NEED_EDITIONS.values())
    frame = db.query(con, sql.NEED_COVERAGE_SQL.format(editions=editions))
    return dict(zip(frame["country"], frame["edition"], strict=True))


def nations_without_lsoa_residents(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Nation letters ('E', 'W') with an LSOA lacking residents of sql.LSOA_VINTAGES (their groups get no birth rate)."""
    frame = db.query(con, sql.LSOA_RESIDENTS_SQL)
    return set(frame.loc[frame["with_residents"] < frame["lsoas"], "country"])


def scopes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Areas the page can show: England and Wales, the two countries, regions and 2024 districts.

    Returns:
        code, name, level ('all', 'country', 'region', 'lad24'), country_code (NULL for England and Wales).
    """
    return db.query(con, sql.SCOPES_SQL).drop(columns="ord")


def _check(groups: str) -> None:
    if groups not in sql.GROUP_SQL:
        raise ValueError(f"groups must be one of {GROUPINGS}, not {groups!r}")


def events(con: duckdb.DuckDBPyConnection, *, scope: str, groups: str) -> pd.DataFrame:
    """Registrations and removals per calendar year and need group; grp is NA for charities without a decile."""
    _check(groups)
    return db.query(con, sql.events_sql(groups), [scope, scope])


def residents(con: duckdb.DuckDBPyConnection, *, scope: str, groups: str) -> pd.DataFrame:
    """grp, all_groups, residents, vintage, lsoas_without_residents: per need group and for the whole scope."""
    _check(groups)
    return db.query(con, sql.residents_sql(groups), [scope] * 4)


def durations(con: duckdb.DuckDBPyConnection, *, scope: str, groups: str) -> pd.DataFrame:
    """grp, days (registration to removal or extract date), removed, charities: cohorts from COHORT_START."""
    _check(groups)
    return db.query(con, sql.durations_sql(groups), [scope, scope, COHORT_START])


def income(con: duckdb.DuckDBPyConnection, *, scope: str, groups: str) -> pd.DataFrame:
    """grp, year, all_groups, charities, median_income, total_income for small and medium local charities."""
    _check(groups)
    return db.query(con, sql.income_sql(groups), [scope, scope, *sql.SMALL_MEDIUM])
