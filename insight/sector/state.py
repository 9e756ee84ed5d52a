"""The sector-change page's URL state and display tables: validated choices, comparators, readable headers."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from insight.sector.sql import ENGLAND_AND_WALES, GROUP_SQL

DEFAULT_GROUPS = "quintile"
RATE_COLUMNS = {
    "scope": "Area",
    "group": "Need group",
    "year": "Year",
    "births": "Registrations",
    "removals": "Removals",
    "existing": "Charities on the register at 1 January",
    "residents": "Residents",
    "residents_vintage": "Residents vintage",
    "birth_rate": "Registrations per 1,000 residents",
    "removal_rate": "Removals per 1,000 charities",
}
SURVIVAL_COLUMNS = {
    "scope": "Area",
    "group": "Need group",
    "charities": "Charities registered since 2000",
    "removals": "Removed by the extract date",
    "survival_5y": "Still registered after 5 years",
    "lower_5y": "5 years: 95% lower",
    "upper_5y": "5 years: 95% upper",
    "survival_10y": "Still registered after 10 years",
    "lower_10y": "10 years: 95% lower",
    "upper_10y": "10 years: 95% upper",
}
INCOME_COLUMNS = {
    "scope": "Area",
    "group": "Need group",
    "year": "Financial year ending in",
    "charities": "Small and medium local charities",
    "median_income": "Median income (£, nominal)",
    "total_income": "Total income (£, nominal)",
}


def parse_state(params: Mapping[str, object], *, scope_codes: list[str]) -> dict[str, str]:
    """The page's URL parameters (area, groups) as valid choices; anything unknown falls back to the default.

    Values are compared as exact text, never converted to numbers, so '²', '١' or a 40-digit number is
    simply not a known code.
    """
    area, groups = params.get("area"), params.get("groups")
    return {
        "area": area if isinstance(area, str) and area in scope_codes else ENGLAND_AND_WALES,
        "groups": groups if isinstance(groups, str) and groups in GROUP_SQL else DEFAULT_GROUPS,
    }


def comparator(scopes: pd.DataFrame, *, area: str) -> str | None:
    """The nation an area is compared with (its country), or None for England and Wales or a country itself."""
    row = scopes.loc[scopes["code"] == area]
    if row.empty or row["level"].iloc[0] in {"all", "country"}:
        return None
    return str(row["country_code"].iloc[0])


def display(frames: Mapping[str, pd.DataFrame], *, columns: Mapping[str, str]) -> pd.DataFrame:
    """Area name → frame, stacked with an Area column and readable headers (in `columns` order)."""
    stacked = pd.concat([frame.assign(scope=name) for name, frame in frames.items()], ignore_index=True)
    return stacked[[c for c in columns if c in stacked.columns]].rename(columns=columns)
