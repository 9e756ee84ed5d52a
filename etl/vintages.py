"""The catalogue of population vintages with their reference dates, so "latest" means latest in time.

Vintage labels ('mid-2020', 'census-2021') do not sort in time order as text ('mid-2020' > 'census-2021'). The build
records, for every population vintage and every denominator vintage in area_measures, the date the estimate refers
to; the app orders vintages by that date (docs/schema.md, table vintages). A label that fits none of the rules
below gets no row, and the build's validation names it (etl.checks.check_vintages_dated).
"""

from __future__ import annotations

import re
from datetime import date

import duckdb

# Census days (ONS): the date a census count refers to.
CENSUS_DAYS = {2011: date(2011, 3, 27), 2021: date(2021, 3, 21)}
MID_YEAR = re.compile(r"mid-(\d{4})")
CENSUS = re.compile(r"census-(\d{4})")


def reference(vintage: str) -> tuple[date, str] | None:
    """(reference date, plain label) of a population vintage label; None when the label fits no rule.

    'mid-YYYY' is an ONS mid-year estimate (30 June YYYY); 'census-YYYY' a census count on census day.
    """
    if match := MID_YEAR.fullmatch(vintage):
        year = int(match[1])
        return date(year, 6, 30), f"mid-{year} population estimates (30 June {year})"
    if (match := CENSUS.fullmatch(vintage)) and int(match[1]) in CENSUS_DAYS:
        day = CENSUS_DAYS[int(match[1])]
        return day, f"Census {day.year} usual residents ({day.day} March {day.year})"
    return None


def record(con: duckdb.DuckDBPyConnection) -> None:
    """Insert a vintages row for every population vintage and denominator vintage the database uses."""
    used = con.execute(
        """SELECT DISTINCT vintage FROM population
           UNION SELECT DISTINCT denominator_vintage FROM area_measures WHERE denominator_vintage IS NOT NULL
           EXCEPT SELECT vintage FROM vintages"""
    ).fetchall()
    dated = [(label, *found) for (label,) in used if (found := reference(label))]
    if dated:  # executemany refuses an empty list
        con.executemany("INSERT INTO vintages VALUES (?, 'population', ?, ?)", dated)
