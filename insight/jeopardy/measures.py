"""Triple jeopardy: which areas combine high need, low VCS capacity and high dependence on public money.

Definitions (also shown on the Triple jeopardy page):
- Orientation: each measure is turned round so that "worse" is the end that matters — higher need,
  lower capacity, higher dependence (a measure whose catalog polarity says the opposite is flipped).
- Flags: an area is in the worst X% for a measure when its rank from the worse end (1 = worst,
  ties share the best rank) is at most X% of the areas with a value. With 309 areas and X = 20 that
  is ranks 1..61. An area is flagged when it is in the worst share for every loaded measure.
- Score: the mean of the areas' percentile ranks (rank from the better end / number of areas,
  ties averaged; 100 = worst) over the loaded measures, so higher = worse; 0–100.
- Capacity gap: observed capacity minus the capacity expected for the area's need, from a Theil–Sen
  line of capacity on need across all areas of the level with both values (insight.robust: the median
  of pairwise slopes, which one extreme area cannot tilt). Extreme outliers in capacity (Tukey's far-out
  rule: more than 3 × IQR beyond the quartiles — e.g. the City of London, whose tiny population gives
  100+ charities per 1,000) stay in and are named. A negative gap means fewer charities than areas with
  the same need.
When no dependence measure is loaded the same rules run on need and capacity alone (two jeopardy).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from insight import db, defaults, robust
from insight.explore import measure_values
from insight.formatting import format_decimal, format_int

LEVELS = {
    "lad24": "Local authority districts",
    "utla24": "Upper-tier local authorities",
    "icb24": "Integrated care boards",
    "lsoa21": "Neighbourhoods (LSOA 2021)",
}
# Levels with so many areas that the map draws only the flagged ones and the scatter uses WebGL.
MANY_AREAS = {"lsoa21"}
ROLES = defaults.ROLES
DEFAULT_PERCENT = 20


@dataclass(frozen=True)
class Fit:
    """Theil–Sen line of capacity on need (capacity ≈ intercept + slope × need), Spearman's rho, named outliers."""

    slope: float
    intercept: float
    rho: float
    n: int
    outliers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    """Scored areas (one row each, ranked by score) and the national need–capacity fit."""

    table: pd.DataFrame
    fit: Fit | None
    roles: tuple[str, ...]


def loaded_measures(con: duckdb.DuckDBPyConnection, *, level: str) -> pd.DataFrame:
    """Catalogued measures with at least one value at a level.

    Args:
        con: read-only connection to the built database.
        level: area level, e.g. 'lad24'.

    Returns:
        measure, label, layer, unit, polarity, areas (count of areas with a value), ordered by layer and label.
    """
    return db.query(
        con,
        """
        SELECT c.measure, c.label, c.layer, c.unit, c.polarity, count(m.value) AS areas
        FROM measure_catalog c JOIN area_measures m ON m.measure = c.measure AND m.level = ?
        GROUP BY ALL HAVING count(m.value) > 0 ORDER BY c.layer, c.label
        """,
        [level],
    )


def missing_sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Sources looked for but not in this build (title, publisher, reason)."""
    return db.query(con, "SELECT source_id, title, publisher, reason FROM missing_layers ORDER BY title")


def worse_is_high(role: str, polarity: str | None) -> bool:
    """Whether high values are the 'worse' end for a role: high need/dependence, low capacity, unless polarity flips it."""
    flipped = {"need": "higher_is_better", "dependence": "higher_is_better", "capacity": "higher_is_worse"}[role]
    high = role != "capacity"
    return not high if polarity == flipped else high


def badness(values: pd.Series, *, worse_high: bool) -> pd.Series:
    """Values oriented so that larger = worse."""
    return values.astype(float) if worse_high else -values.astype(float)


def percentile_rank(values: pd.Series, *, worse_high: bool) -> pd.Series:
    """Percentile rank 0–100 with 100 = worst: rank from the better end (ties averaged) / count of values × 100."""
    return badness(values, worse_high=worse_high).rank(method="average", pct=True) * 100


def in_worst_share(values: pd.Series, *, percent: float, worse_high: bool) -> pd.Series:
    """True where the rank from the worse end (ties take the best rank) is at most percent% of areas with a value."""
    ranks = badness(values, worse_high=worse_high).rank(method="min", ascending=False)
    limit = percent / 100 * values.notna().sum()
    return (ranks <= limit + 1e-9).fillna(False).astype(bool)


def fit_line(need: pd.Series, capacity: pd.Series, *, labels: pd.Series | None = None) -> Fit | None:
    """Theil–Sen line of capacity on need over areas with both values; far-out capacity values are named, kept in.

    Args:
        need: need per area.
        capacity: capacity per area (same index).
        labels: area codes (same index) to report which areas are far out in capacity.

    Returns:
        The fit, or None when fewer than 3 areas have both values or need or capacity is constant.
    """
    both = pd.DataFrame({"x": need, "y": capacity, "label": labels if labels is not None else need.index}).dropna()
    line = robust.theil_sen(both["x"], both["y"])
    rho = robust.spearman(both["x"], both["y"])
    if line is None or rho is None:
        return None
    outliers = tuple(robust.outlier_names(both, column="y", name="label"))
    return Fit(slope=line.slope, intercept=line.intercept, rho=rho, n=len(both), outliers=outliers)


def score_areas(
    frame: pd.DataFrame,
    *,
    measures: dict[str, str | None],
    percents: dict[str, float],
    polarities: dict[str, str | None] | None = None,
) -> Result:
    """Flag, score and compute the capacity gap for every area of one level.

    Args:
        frame: one row per area with area_code, area_name and the measure columns.
        measures: role ('need', 'capacity', 'dependence') → measure column; a None or all-NULL dependence
            gives the two-jeopardy version. Need and capacity are required.
        percents: role → X/Y/Z threshold in percent.
        polarities: role → catalog polarity of the chosen measure (None = the role's usual direction).

    Returns:
        Result whose table has, per area: need, capacity, dependence, <role>_pct, <role>_flag, flagged,
        score, expected_capacity, gap and rank (1 = highest score), sorted by rank.

    Raises:
        ValueError: when the need or capacity measure is missing.
    """
    polarities = polarities or {}
    roles = _roles_with_data(frame, measures)
    table = frame[[c for c in ("area_code", "area_name", "region_name") if c in frame]].copy()
    for role in ROLES:
        column = measures.get(role)
        table[role] = frame[column].astype(float) if column in frame else np.nan
    for role in roles:
        worse_high = worse_is_high(role, polarities.get(role))
        table[f"{role}_pct"] = percentile_rank(table[role], worse_high=worse_high)
        table[f"{role}_flag"] = in_worst_share(table[role], percent=percents[role], worse_high=worse_high)
    table["flagged"] = table[[f"{r}_flag" for r in roles]].all(axis=1)
    table["score"] = table[[f"{r}_pct" for r in roles]].mean(axis=1, skipna=False)
    fit = fit_line(table["need"], table["capacity"], labels=table.get("area_code"))
    table["expected_capacity"] = fit.intercept + fit.slope * table["need"] if fit else np.nan
    table["gap"] = table["capacity"] - table["expected_capacity"]
    table = table.sort_values(["score", "area_code"], ascending=[False, True], na_position="last")
    table["rank"] = table["score"].rank(method="min", ascending=False).astype("Int64")
    return Result(table=table.reset_index(drop=True), fit=fit, roles=roles)


def _roles_with_data(frame: pd.DataFrame, measures: dict[str, str | None]) -> tuple[str, ...]:
    for role in ("need", "capacity"):
        column = measures.get(role)
        if column is None or column not in frame or frame[column].notna().sum() == 0:
            raise ValueError(f"no {role} measure with values")
    dependence = measures.get("dependence")
    has_dependence = dependence is not None and dependence in frame and frame[dependence].notna().any()
    return ROLES if has_dependence else ROLES[:2]


def flag_counts(result: Result) -> dict[str, int]:
    """Number of areas in each role's worst share, flagged overall, and with every chosen measure present."""
    table = result.table
    counts = {role: int(table[f"{role}_flag"].sum()) for role in result.roles}
    counts["flagged"] = int(table["flagged"].sum())
    counts["scored"] = int(table["score"].notna().sum())
    return counts


def top_areas(result: Result, *, n: int = 10, flagged_only: bool = True) -> pd.DataFrame:
    """The n highest-scoring areas (flagged ones only by default)."""
    table = result.table
    return (table[table["flagged"]] if flagged_only else table).head(n).reset_index(drop=True)


def scored_areas(
    con: duckdb.DuckDBPyConnection,
    *,
    level: str,
    need: str,
    capacity: str,
    dependence: str | None,
    percents: tuple[float, float, float] = (DEFAULT_PERCENT, DEFAULT_PERCENT, DEFAULT_PERCENT),
) -> Result:
    """Load the chosen measures for every area of a level and score them (see the module docstring).

    Args:
        con: read-only connection.
        level: 'lad24', 'utla24' or 'icb24'.
        need: need measure id.
        capacity: capacity measure id.
        dependence: dependence measure id, or None for the two-jeopardy version.
        percents: X (need), Y (capacity), Z (dependence) in percent.

    Returns:
        Result (see score_areas); dependence is dropped from the roles when it has no values at this level.

    Raises:
        ValueError: when the need or capacity measure has no values at this level.
    """
    measures = {"need": need, "capacity": capacity, "dependence": dependence}
    chosen = tuple(dict.fromkeys(m for m in measures.values() if m))
    frame = measure_values(con, level=level, measures=chosen)
    catalog = loaded_measures(con, level=level).set_index("measure")["polarity"].to_dict()
    polarities = {role: catalog.get(m) for role, m in measures.items() if m}
    return score_areas(
        frame, measures=measures, percents=dict(zip(ROLES, percents, strict=True)), polarities=polarities
    )


def dependence_missing_sentence(missing: pd.DataFrame, *, level_label: str) -> str:
    """Say that no dependence measure is loaded at this level, naming the sources not in this build."""
    register = missing[
        missing["title"].str.contains("charit", case=False) | missing["source_id"].str.contains("charit")
    ]
    named = register if len(register) else missing
    sources = "; ".join(f"{t} ({p})" for t, p in zip(named["title"], named["publisher"], strict=True))
    because = f" The source it comes from is not in this build: {sources}." if sources else ""
    return (
        f"No public-funding dependence measure has values for {level_label.lower()} in this database.{because} "
        "So this is the two-jeopardy version: high need and low capacity only. The Z% slider has no effect until "
        "dependence is loaded."
    )


def display_table(result: Result, *, labels: dict[str, str], flagged_only: bool) -> pd.DataFrame:
    """The ranked table with people-readable column names (numbers left numeric for sorting and CSV).

    Args:
        result: scored areas.
        labels: role → label of the chosen measure.
        flagged_only: keep only flagged areas.

    Returns:
        Rank, Area, Code, Region, one column per role's measure, Score, Expected capacity, Capacity gap, Flagged.
    """
    table = result.table[result.table["flagged"]] if flagged_only else result.table
    columns = {"rank": "Rank", "area_name": "Area", "area_code": "Code", "region_name": "Region"}
    columns |= {role: labels[role] for role in result.roles}
    columns |= {"score": "Score", "expected_capacity": "Expected capacity", "gap": "Capacity gap", "flagged": "Flagged"}
    return table[list(columns)].rename(columns=columns).reset_index(drop=True)


def area_names(result: Result, codes: tuple[str, ...]) -> str:
    """'Name (code), …' for area codes of a result, in the given order."""
    names = result.table.set_index("area_code")["area_name"].to_dict()
    return ", ".join(f"{names.get(code, code)} ({code})" for code in codes)


def fit_sentence(result: Result) -> str:
    """The caption under the gap scatter: the expected-capacity line, its method, rho, n and the named outliers."""
    fit = result.fit
    if fit is None:
        return ""
    sign = "+" if fit.slope >= 0 else "−"
    text = (
        f"Expected capacity = {format_decimal(fit.intercept, digits=3)} {sign} "
        f"{format_decimal(abs(fit.slope), digits=3)} × need (Theil–Sen line over {format_int(fit.n)} areas; "
        f"Spearman ρ = {robust.signed(fit.rho)}"
    )
    if fit.outliers:
        text += f"; far-out capacity, kept in the fit: {area_names(result, fit.outliers)}"
    text += "). The gap is observed minus expected: negative means fewer charities than areas with the same need."
    if abs(fit.rho) < 0.3:
        text += " Need and capacity are only weakly related here (|ρ| below 0.3), so read the gap mostly as capacity."
    return text
