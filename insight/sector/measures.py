"""Sector change measures from the register: birth and removal rates, Kaplan–Meier survival, small-charity income.

Need groups are own-nation deciles (or quintiles) of the registered office's LSOA: 1 = most deprived. The row
group 'All' covers every charity in scope, with or without a decile. Survival uses lifelines' Kaplan–Meier
estimator (exponential Greenwood 95% bands), fitted on counts per (duration, removed) with integer weights.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from insight.sector import queries

ALL = "All"
FIRST_YEAR = 2000
FILING_MONTHS = 10  # charities file their annual return within 10 months of the financial year end
DAYS_PER_YEAR = 365.25
MILESTONES = (5, 10)
GRID_STEP = 1 / 12  # curves are drawn at whole months
MIN_CURVE = 20  # a group with fewer charities gets a row in the table but no curve


def last_complete_year(extract_date: dt.date, *, lag_months: int = 0) -> int:
    """The last calendar year wholly before `extract_date` less `lag_months` (the year's last day included)."""
    cutoff = pd.Timestamp(extract_date) - pd.DateOffset(months=lag_months)
    return cutoff.year if (cutoff.month, cutoff.day) == (12, 31) else cutoff.year - 1


def group_key(values: pd.Series) -> pd.Series:
    """Need group numbers as text labels ('1'…'10'); NA stays NA."""
    return pd.Series([None if pd.isna(v) else str(int(v)) for v in values], index=values.index, dtype=object)


def group_order(group: str) -> tuple[bool, int]:
    """Sort key: need groups in number order, 'All' last."""
    return (group == ALL, 0 if group == ALL else int(group))


def with_all(frame: pd.DataFrame, *, by: list[str], values: list[str]) -> pd.DataFrame:
    """Add an 'All' group summing `values` over every group (NA included) at each `by`; NA groups dropped."""
    total = frame.groupby(by, as_index=False)[values].sum().assign(group=ALL)
    keyed = frame.assign(group=group_key(frame["grp"])).dropna(subset=["group"]).drop(columns="grp")
    return pd.concat([keyed, total], ignore_index=True)


def keyed_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of a query with `grp` and `all_groups` keyed by `group` ('All' for all_groups); no-decile rows dropped."""
    labels = group_key(frame["grp"]).where(~frame["all_groups"].astype(bool), ALL)
    return frame.assign(group=labels).dropna(subset=["group"]).drop(columns=["grp", "all_groups"])


def rates_table(events: pd.DataFrame, residents: pd.DataFrame, *, last_year: int) -> pd.DataFrame:
    """Births per 1,000 residents and removals per 1,000 charities on the register at 1 January, by group and year.

    Args:
        events: queries.events() output (grp, year, births, removals).
        residents: queries.residents() output (grp, all_groups, residents, vintage, …).
        last_year: last complete calendar year; rows run from FIRST_YEAR to it.

    Returns:
        group, year, births, removals, existing (charities on the register at 1 January), residents,
        residents_vintage, birth_rate, removal_rate (NaN where the denominator is 0 or absent).
    """
    counts = with_all(events, by=["year"], values=["births", "removals"])
    people = keyed_groups(residents).rename(columns={"vintage": "residents_vintage"})
    first = int(counts["year"].min()) if len(counts) else FIRST_YEAR
    present = sorted(set(counts["group"]) | set(people["group"]), key=group_order)  # residents, no events: 0 births
    grid = pd.MultiIndex.from_product([present, range(first, last_year + 1)], names=["group", "year"])
    table = counts.groupby(["group", "year"])[["births", "removals"]].sum().reindex(grid, fill_value=0).reset_index()
    net = (table["births"] - table["removals"]).groupby(table["group"]).cumsum()
    table["existing"] = net - (table["births"] - table["removals"])
    table = table.merge(people[["group", "residents", "residents_vintage"]], on="group", how="left")
    table["birth_rate"] = 1000 * table["births"] / table["residents"].replace(0, np.nan)
    table["removal_rate"] = 1000 * table["removals"] / table["existing"].where(table["existing"] > 0)
    return table[table["year"] >= FIRST_YEAR].reset_index(drop=True)


def _step(timeline: np.ndarray, values: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Right-continuous step function through (timeline, values) read at `times` (timeline starts at 0)."""
    return values[np.searchsorted(timeline, times, side="right") - 1]


def km_fit(years: np.ndarray, removed: np.ndarray, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Kaplan–Meier survival with 95% bands from lifelines: timeline, survival, lower, upper (arrays)."""
    from lifelines import KaplanMeierFitter  # imported on first use: a slow import the other pages never need

    fitter = KaplanMeierFitter().fit(years, event_observed=removed, weights=weights)
    bands = fitter.confidence_interval_survival_function_.to_numpy()
    return {
        "timeline": fitter.timeline,
        "survival": fitter.survival_function_.to_numpy()[:, 0],
        "lower": bands[:, 0],
        "upper": bands[:, 1],
    }


def curve_rows(fit: dict[str, np.ndarray], *, horizon: float, group: str) -> pd.DataFrame:
    """A fitted curve read at whole months up to the longest follow-up `horizon` (years)."""
    grid = np.arange(0, horizon + 1e-9, GRID_STEP)
    columns = {k: _step(fit["timeline"], fit[k], grid) for k in ("survival", "lower", "upper")}
    return pd.DataFrame({"group": group, "years": grid, **columns})


def milestone_row(fit: dict[str, np.ndarray], *, horizon: float, group: str, charities: int, removals: int) -> dict:
    """Charities, removals and survival (with 95% band) at each milestone year; NaN beyond the follow-up."""
    row: dict[str, object] = {"group": group, "charities": charities, "removals": removals}
    for year in MILESTONES:
        for key in ("survival", "lower", "upper"):
            value = _step(fit["timeline"], fit[key], np.array([year]))[0] if horizon >= year else np.nan
            row[f"{key}_{year}y"] = float(value)
    return row


Sample = tuple[np.ndarray, np.ndarray, np.ndarray]  # days, removed, charities


def samples(durations: pd.DataFrame) -> dict[str, Sample]:
    """Need group label → its (days, removed, charities) arrays, most deprived first, then 'All' (every row pooled)."""
    grp = durations["grp"].to_numpy(dtype=float, na_value=np.nan)
    days = durations["days"].to_numpy(dtype=float)
    removed = durations["removed"].to_numpy(dtype=bool)
    counts = durations["charities"].to_numpy(dtype=float)
    found = {str(int(g)): (days[grp == g], removed[grp == g], counts[grp == g]) for g in np.unique(grp[~np.isnan(grp)])}
    if len(days):
        pooled = durations.groupby(["days", "removed"], as_index=False, sort=True)["charities"].sum()
        found[ALL] = (
            pooled["days"].to_numpy(dtype=float),
            pooled["removed"].to_numpy(dtype=bool),
            pooled["charities"].to_numpy(dtype=float),
        )
    return found


def survival_tables(durations: pd.DataFrame, *, min_curve: int = MIN_CURVE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kaplan–Meier curves and 5-/10-year survival per need group and for 'All'.

    Args:
        durations: queries.durations() output (grp, days, removed, charities).
        min_curve: fewest charities for which a curve is returned (every group has a milestones row).

    Returns:
        curves (group, years, survival, lower, upper; groups with at least MIN_CURVE charities) and
        milestones (group, charities, removals, survival_5y, lower_5y, upper_5y, survival_10y, …).
    """
    curves, rows = [], []
    for group, (days, removed, counts) in samples(durations).items():
        years = days / DAYS_PER_YEAR
        fit = km_fit(years, removed, counts)
        total, horizon = int(counts.sum()), float(years.max())
        rows.append(
            milestone_row(fit, horizon=horizon, group=group, charities=total, removals=int(counts[removed].sum()))
        )
        if total >= min_curve:
            curves.append(curve_rows(fit, horizon=horizon, group=group))
    empty = pd.DataFrame(columns=["group", "years", "survival", "lower", "upper"])
    return (pd.concat(curves, ignore_index=True) if curves else empty), pd.DataFrame(rows)


def income_table(income: pd.DataFrame, *, last_year: int) -> pd.DataFrame:
    """queries.income() keyed by group ('All' for the scope-wide rows), years FIRST_YEAR..last_year."""
    keyed = keyed_groups(income)
    keyed = keyed[(keyed["year"] >= FIRST_YEAR) & (keyed["year"] <= last_year)]
    return keyed[["group", "year", "charities", "median_income", "total_income"]].reset_index(drop=True)


def rates(con: duckdb.DuckDBPyConnection, *, scope: str, groups: str) -> pd.DataFrame:
    """rates_table() for a scope, to the last complete year before the extract date."""
    extract = queries.register_state(con)["extract_date"]
    last_year = last_complete_year(extract) if isinstance(extract, dt.date) else FIRST_YEAR - 1
    events = queries.events(con, scope=scope, groups=groups)
    return rates_table(events, queries.residents(con, scope=scope, groups=groups), last_year=last_year)


def survival(con: duckdb.DuckDBPyConnection, *, scope: str, groups: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """survival_tables() for charities in a scope registered from queries.COHORT_START."""
    return survival_tables(queries.durations(con, scope=scope, groups=groups))


def income(con: duckdb.DuckDBPyConnection, *, scope: str, groups: str) -> pd.DataFrame:
    """income_table() for a scope, financial years whose returns were all due by the extract date."""
    extract = queries.register_state(con)["extract_date"]
    last_year = last_complete_year(extract, lag_months=FILING_MONTHS) if isinstance(extract, dt.date) else 0
    return income_table(queries.income(con, scope=scope, groups=groups), last_year=last_year)
