"""Funding & services: grants per resident against need, and where a funder's money goes by deprivation decile.

Grants are located at the recipient organisation's registered address (not where the work happens).
District codes in the grants table are mapped to 2024 districts through `lad_successor`; a code that
is neither a 2024 district nor in that lookup is reported as unmatched, never guessed.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from insight import db, robust

NEED_MEASURE = "imd_average_score"
DECILE_MEASURE = "imd_lad_decile"
ALL_FUNDERS = "All funders"
# Okabe-Ito blue and orange, with a hatch on the second series so colour is not the only cue.
MONEY_COLOUR, PEOPLE_COLOUR = "#0072B2", "#E69F00"

_MAPPED_GRANTS = """
WITH lookup AS (
    SELECT lad_code, min(lad24_code) AS lad24_code FROM lad_successor GROUP BY lad_code
    UNION ALL
    SELECT code, code FROM areas WHERE level = 'lad24' AND code NOT IN (SELECT lad_code FROM lad_successor)
)
SELECT g.lad_code, a.code AS lad24_code, g.award_year, g.amount, g.grants
FROM grants g
LEFT JOIN lookup l ON l.lad_code = g.lad_code
LEFT JOIN areas a ON a.level = 'lad24' AND a.code = coalesce(g.lad24_code, l.lad24_code)
WHERE (CAST(? AS VARCHAR) IS NULL OR g.funder = ?) AND g.award_year BETWEEN ? AND ?
"""


def grants_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the database has a grants table with at least one row."""
    found = db.query(con, "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'grants'")
    return bool(found["n"].iloc[0]) and bool(db.query(con, "SELECT count(*) AS n FROM grants")["n"].iloc[0])


def funders(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Funders in the grants table with their totals.

    Args:
        con: read-only connection.

    Returns:
        funder, amount (£), grants, first_year, last_year; largest amount first.
    """
    return db.query(
        con,
        """
        SELECT funder, sum(amount) AS amount, sum(grants) AS grants,
               min(award_year) AS first_year, max(award_year) AS last_year
        FROM grants GROUP BY funder ORDER BY amount DESC, funder
        """,
    )


def award_years(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """First and last award year in the grants table."""
    years = db.query(con, "SELECT min(award_year) AS lo, max(award_year) AS hi FROM grants")
    return int(years["lo"].iloc[0]), int(years["hi"].iloc[0])


def population_vintage(con: duckdb.DuckDBPyConnection, *, years: tuple[int, int]) -> str | None:
    """The 2024-district population vintage whose reference date (table vintages) is closest to the middle of the
    award years (1 January of the first to 31 December of the last); the earlier wins a tie. Only the vintages covering
    the most districts compete, so one covering England and Wales beats an England-only one."""
    found = db.query(
        con,
        """WITH span AS (SELECT make_date(?, 1, 1) AS first, make_date(?, 12, 31) AS last)
           SELECT v.vintage FROM vintages v, span
           WHERE v.vintage IN (SELECT vintage FROM population WHERE level = 'lad24' AND age_group = 'all'
                               GROUP BY vintage QUALIFY count(*) = max(count(*)) OVER ())
           ORDER BY abs(date_diff('day', v.reference_date, span.first) + date_diff('day', v.reference_date, span.last)),
                    v.reference_date
           LIMIT 1""",
        [years[0], years[1]],
    )
    return None if found.empty else str(found["vintage"].iloc[0])


def grants_by_area(
    con: duckdb.DuckDBPyConnection, *, funder: str | None = None, years: tuple[int, int]
) -> pd.DataFrame:
    """Grants per 2024 district for a funder (None = all) and award-year range, with population and need.

    Args:
        con: read-only connection.
        funder: funder name as in the grants table, or None for all funders.
        years: first and last award year, inclusive.

    Returns:
        area_code, area_name, region_name, amount, grants, population, population_vintage,
        amount_per_resident, need (IMD average score), decile (IMD decile of districts, 1 = most deprived);
        one row per English or Welsh 2024 district (districts without grants have amount 0).
    """
    vintage = population_vintage(con, years=years)
    return db.query(
        con,
        f"""
        WITH mapped AS ({_MAPPED_GRANTS}),
        money AS (SELECT lad24_code, sum(amount) AS amount, sum(grants) AS grants FROM mapped GROUP BY lad24_code)
        SELECT a.code AS area_code, a.name AS area_name, r.name AS region_name,
               coalesce(m.amount, 0) AS amount, coalesce(m.grants, 0)::BIGINT AS grants,
               p.population, ? AS population_vintage,
               coalesce(m.amount, 0) / nullif(p.population, 0) AS amount_per_resident,
               need.value AS need, decile.value AS decile
        FROM areas a
        LEFT JOIN areas r ON r.level = 'region' AND r.code = a.region_code
        LEFT JOIN money m ON m.lad24_code = a.code
        LEFT JOIN population p ON p.level = 'lad24' AND p.area_code = a.code AND p.age_group = 'all' AND p.vintage = ?
        LEFT JOIN area_measures need ON need.level = 'lad24' AND need.area_code = a.code AND need.measure = ?
        LEFT JOIN area_measures decile ON decile.level = 'lad24' AND decile.area_code = a.code AND decile.measure = ?
        WHERE a.level = 'lad24'
        ORDER BY a.code
        """,  # noqa: S608 — the interpolated text is a constant, values are parameters
        [funder, funder, years[0], years[1], vintage, vintage, NEED_MEASURE, DECILE_MEASURE],
    )


def unmatched_grants(
    con: duckdb.DuckDBPyConnection, *, funder: str | None = None, years: tuple[int, int]
) -> pd.DataFrame:
    """Grants whose district code maps to no 2024 district (e.g. codes retired before 2019).

    Returns:
        lad_code, amount, grants; largest amount first.
    """
    return db.query(
        con,
        f"""
        WITH mapped AS ({_MAPPED_GRANTS})
        SELECT lad_code, sum(amount) AS amount, sum(grants)::BIGINT AS grants
        FROM mapped WHERE lad24_code IS NULL GROUP BY lad_code ORDER BY amount DESC, lad_code
        """,  # noqa: S608 — constant SQL text, values are parameters
        [funder, funder, years[0], years[1]],
    )


def grants_by_year(
    con: duckdb.DuckDBPyConnection, *, funder: str | None = None, years: tuple[int, int]
) -> pd.DataFrame:
    """Amount and number of grants per award year for a funder (None = all).

    Returns:
        award_year, amount, grants; one row per year with grants, in year order.
    """
    return db.query(
        con,
        """
        SELECT award_year, sum(amount) AS amount, sum(grants)::BIGINT AS grants FROM grants
        WHERE (CAST(? AS VARCHAR) IS NULL OR funder = ?) AND award_year BETWEEN ? AND ?
        GROUP BY award_year ORDER BY award_year
        """,
        [funder, funder, years[0], years[1]],
    )


def share_by_decile(by_area: pd.DataFrame) -> pd.DataFrame:
    """Share of £ and share of residents by IMD decile of district, over districts with a decile and a population.

    Args:
        by_area: grants_by_area() output.

    Returns:
        decile (1 = most deprived), amount, population, share_amount, share_population (fractions 0–1),
        ratio (share of £ / share of residents; 1 = in proportion to population). Ten rows when deciles exist.
    """
    usable = by_area.dropna(subset=["decile", "population"])
    grouped = usable.groupby(usable["decile"].astype(int)).agg(
        amount=("amount", "sum"), population=("population", "sum")
    )
    grouped = grouped.reindex(range(1, 11), fill_value=0) if len(grouped) else grouped
    total_amount, total_population = grouped["amount"].sum(), grouped["population"].sum()
    grouped["share_amount"] = grouped["amount"] / total_amount if total_amount else np.nan
    grouped["share_population"] = grouped["population"] / total_population if total_population else np.nan
    grouped["ratio"] = grouped["share_amount"] / grouped["share_population"].replace(0, np.nan)
    return grouped.rename_axis("decile").reset_index()


def funder_label(funder: str | None) -> str:
    """Human name for a funder choice."""
    return funder or ALL_FUNDERS


def build_decile_bars(shares: pd.DataFrame, *, title: str) -> go.Figure:
    """Grouped bars: share of £ and share of residents in each IMD decile of districts."""
    deciles = shares["decile"].astype(str)
    figure = go.Figure(
        [
            go.Bar(
                x=deciles,
                y=shares["share_amount"],
                name="Share of grant £",
                marker={"color": MONEY_COLOUR},
                hovertemplate="Decile %{x}<br>%{y:.1%} of £<extra></extra>",
            ),
            go.Bar(
                x=deciles,
                y=shares["share_population"],
                name="Share of residents",
                marker={"color": PEOPLE_COLOUR, "pattern": {"shape": "/"}},
                hovertemplate="Decile %{x}<br>%{y:.1%} of residents<extra></extra>",
            ),
        ]
    )
    figure.update_layout(
        title=title,
        barmode="group",
        xaxis={"title": "IMD decile of district (1 = most deprived 10% of districts)", "type": "category"},
        yaxis={"title": "Share", "tickformat": ".0%"},
        font={"size": 16},
        legend={"orientation": "h", "y": -0.25},
    )
    return figure


def build_need_scatter(by_area: pd.DataFrame, *, title: str) -> go.Figure:
    """Grants £ per resident (y) against IMD average score (x) for each district with both values."""
    usable = by_area.dropna(subset=["need", "amount_per_resident"])
    figure = go.Figure(
        go.Scatter(
            x=usable["need"],
            y=usable["amount_per_resident"],
            mode="markers",
            marker={"color": MONEY_COLOUR, "size": 8, "line": {"width": 0.5, "color": "white"}},
            customdata=usable[["area_name", "area_code", "amount"]],
            hovertemplate="%{customdata[0]} (%{customdata[1]})<br>IMD average score %{x:.1f}"
            "<br>£%{y:,.2f} per resident<br>£%{customdata[2]:,.0f} in total<extra></extra>",
        )
    )
    figure.update_layout(
        title=title,
        xaxis_title="Need: IMD 2025 average score (higher = more deprived)",
        yaxis={"title": "Grants, £ per resident", "tickprefix": "£"},
        font={"size": 16},
    )
    return figure


def need_association(by_area: pd.DataFrame) -> str:
    """The method line under the need scatter: Spearman's rho of £ per resident with need, its interval and n,
    and the districts far out in £ per resident (one large award can make a district an outlier)."""
    fit = robust.rank_correlation(by_area["need"], by_area["amount_per_resident"])
    usable = by_area.dropna(subset=["need", "amount_per_resident"])
    outliers = robust.outlier_names(usable, column="amount_per_resident")
    if fit is None:
        return "Too few districts with both values for a rank correlation."
    return robust.method_sentence(
        fit=fit, line=None, outliers=outliers, units="districts", outlier_measure="£ per resident"
    )


def build_year_bars(by_year: pd.DataFrame, *, title: str) -> go.Figure:
    """Total grant £ by award year."""
    figure = go.Figure(
        go.Bar(
            x=by_year["award_year"].astype(str),
            y=by_year["amount"],
            marker={"color": MONEY_COLOUR},
            customdata=by_year[["grants"]],
            hovertemplate="%{x}: £%{y:,.0f} in %{customdata[0]:,} grants<extra></extra>",
        )
    )
    figure.update_layout(
        title=title, xaxis_title="Award year", yaxis={"title": "£", "tickprefix": "£"}, font={"size": 16}
    )
    return figure


def grants_phrase(count: object) -> str:
    """'1 grant', '1,234 grants'."""
    number = int(count)  # type: ignore[call-overload]
    return f"{number:,} grant" + ("" if number == 1 else "s")


def format_pounds(value: float) -> str:
    """Money for a headline: £8.31bn, £12.3m, £45,600."""
    if abs(value) >= 1e9:
        return f"£{value / 1e9:,.2f}bn"
    if abs(value) >= 1e6:
        return f"£{value / 1e6:,.1f}m"
    return f"£{value:,.0f}"


DECILE_COLUMNS = {
    "decile": "IMD decile of district",
    "amount": "Grant £",
    "population": "Residents",
    "share_amount": "Share of £",
    "share_population": "Share of residents",
    "ratio": "£ share ÷ resident share",
}
AREA_COLUMNS = {
    "area_code": "Code",
    "area_name": "District",
    "region_name": "Region",
    "amount": "Grant £",
    "grants": "Grants",
    "population": "Residents",
    "population_vintage": "Population vintage",
    "amount_per_resident": "£ per resident",
    "need": "IMD 2025 average score",
    "decile": "IMD decile of district",
}


def decile_display(shares: pd.DataFrame) -> pd.DataFrame:
    """share_by_decile() with readable headers and whole pounds and residents."""
    table = shares.assign(amount=shares["amount"].round(), population=shares["population"].round())
    return table.rename(columns=DECILE_COLUMNS)


def area_display(by_area: pd.DataFrame) -> pd.DataFrame:
    """grants_by_area() with readable headers, whole pounds, highest £ per resident first."""
    table = by_area.assign(amount=by_area["amount"].round())
    return table.rename(columns=AREA_COLUMNS).sort_values(["£ per resident", "Code"], ascending=[False, True])


def largest_district_sentence(by_area: pd.DataFrame) -> str:
    """Name the district with the most £ and its share of the total, as a warning about head-office addresses."""
    total = by_area["amount"].sum()
    if total <= 0:
        return ""
    top = by_area.loc[by_area["amount"].idxmax()]
    share = top["amount"] / total
    return (
        f"The largest single district, {top['area_name']}, received {format_pounds(top['amount'])} "
        f"({share:.1%} of the £ placed in districts). Grants sit at the recipient's registered address, so head "
        "offices of national organisations pull money into a few districts."
    )
