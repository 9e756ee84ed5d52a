"""The Sector change page's view model: what the page shows, composed here so the page keeps only widgets.

`sector_page(con)` gives what the widgets need (area options, whether the register is loaded, the register's
caption); `sector_view(con, area=, groups=, tab=)` gives the open tab's section: notices, charts, caption and
downloadable tables, for the chosen area against its nation. Both are plain functions of the read-only connection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb
import pandas as pd
import plotly.graph_objects as go

from insight import queries as common
from insight.formatting import format_int, format_share, not_loaded_sentence
from insight.sector import figures, measures, queries
from insight.sector.sql import ENGLAND_AND_WALES, NEED_EDITIONS, SMALL_MEDIUM

RATES, SURVIVAL, INCOME = "Registrations and removals", "Survival", "Income of small and medium local charities"
TABS = (RATES, SURVIVAL, INCOME)
GROUPINGS = ("quintile", "decile")  # the first is the default
LEVEL_NAMES = {"region": "region", "lad24": "district"}
AREA_LABEL = "Area (England and Wales, a nation, a region or a district)"
INTRO = (
    "Is the charity sector in the most deprived places growing or shrinking, and do its charities survive? "
    "From the Charity Commission register's history. Need groups are each nation's own LSOA deciles "
    "(1 = most deprived) of a charity's registered office. The link in your address bar keeps your choices."
)
NOT_LOADED_DETAIL = (
    "This page needs the register's registration and removal dates, registered-office postcodes and annual "
    "return history. The offline mirror does not hold the register; the online build downloads it from the "
    "Charity Commission. Nothing is shown in its place."
)
# What each nation's need groups lack when their LSOAs have no residents (registrations per 1,000 residents).
RESIDENTS_NEEDED = {
    "E": "IoD2025 File 6 (population denominators, mid-2022, LSOA 2021), which the online build downloads",
    "W": "an LSOA 2021 population for Wales (ONS mid-year small-area estimates or Census 2021 usual residents by "
    "LSOA 2021), which no source of this build provides: IoD2025 File 6 covers England only, and the loaded "
    "mid-2019 estimates are on 2011 LSOAs, some of which were split across WIMD 2025 deciles",
}
NATION_NAMES = {"E": "England", "W": "Wales"}
MIXED_GROUPS = "Need groups of England and Wales together hold neighbourhoods of both nations, so none has that rate. "
STILL_SHOWN = (
    "Removals per 1,000 charities are shown for every need group, and registrations per 1,000 residents for "
    "whole areas (Census 2021 district residents)."
)
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


@dataclass(frozen=True)
class SectorPage:
    """What the widgets need: whether the register is loaded (else `missing`), area options and codes."""

    loaded: bool
    missing: str = ""
    options: tuple[str, ...] = ()
    codes: Mapping[str, str] = field(default_factory=dict)  # option label → area code
    caption: str = ""


@dataclass(frozen=True)
class Chart:
    """A figure and the file name of its PNG download."""

    figure: go.Figure
    filename: str


@dataclass(frozen=True)
class Download:
    """A table with its CSV file name, button label and column number formats (header → format)."""

    frame: pd.DataFrame
    filename: str
    label: str
    formats: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SectorView:
    """One tab's section for an area: notices, charts, a caption, its table (shown) and further downloads."""

    notices: tuple[str, ...]
    charts: tuple[Chart, ...]
    caption: str
    table: Download
    downloads: tuple[Download, ...] = ()


def area_label(name: str, *, level: str) -> str:
    """The option text of an area: 'England', 'North East (region)', 'Aldbury (district)'."""
    return name if level in {"all", "country"} else f"{name} ({LEVEL_NAMES.get(level, level)})"


def register_caption(con: duckdb.DuckDBPyConnection) -> str:
    """The extract's date, its charities, how many were placed in a district, and the need editions loaded."""
    register, coverage = queries.register_state(con), queries.need_coverage(con)
    return (
        f"Register extract of {register['extract_date']:%d %B %Y}: {format_int(register['charities'])} main "
        f"charities (removed ones kept), {format_share(register['geocoded'] / max(register['charities'], 1))} placed "
        "in a district by their registered-office postcode; the rest are left out. Need editions loaded: "
        + (", ".join(coverage.values()) or "none")
        + "."
    )


def sector_page(con: duckdb.DuckDBPyConnection) -> SectorPage:
    """The page's frame: the not-loaded sentence when the register is absent, else the area options."""
    if not queries.register_loaded(con):
        title = "The Charity Commission register"
        return SectorPage(
            loaded=False, missing=not_loaded_sentence(title, missing_titles=common.missing_titles(con, like="ccew"))
        )
    scopes = queries.scopes(con)
    labels = [area_label(n, level=lv) for n, lv in zip(scopes["name"], scopes["level"], strict=True)]
    codes = dict(zip(labels, scopes["code"], strict=True))
    return SectorPage(loaded=True, options=tuple(codes), codes=codes, caption=register_caption(con))


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


@dataclass(frozen=True)
class Context:
    """The chosen area, its nation (None when national), their names and the need grouping."""

    area: str
    nation: str | None
    names: Mapping[str, str]
    groups: str
    nations: frozenset[str]  # nation letters whose charities the view (area or comparator) covers

    @property
    def legend(self) -> tuple[str, str]:
        """Legend names of the whole area and of its nation ('' when the area is national)."""
        nation = f"All charities in {self.names[self.nation]}" if self.nation else ""
        return f"All charities in {self.names[self.area]}", nation

    def frames(self, mine: pd.DataFrame, theirs: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
        """Area name → frame, for one stacked download."""
        return {self.names[self.area]: mine} | ({self.names[self.nation]: theirs} if self.nation else {})


def context(con: duckdb.DuckDBPyConnection, *, area: str, groups: str) -> Context:
    """The Context of `area`; raises ValueError for an area or grouping the page does not offer."""
    scopes = queries.scopes(con)
    if area not in set(scopes["code"]) or groups not in GROUPINGS:
        raise ValueError(f"unknown area {area!r} or grouping {groups!r}")
    nation = comparator(scopes, area=area)
    covered = {area, nation} - {None}
    nations = {"E", "W"} if ENGLAND_AND_WALES in covered else {str(c)[0] for c in covered}
    return Context(area, nation, dict(zip(scopes["code"], scopes["name"], strict=True)), groups, frozenset(nations))


def need_notices(con: duckdb.DuckDBPyConnection, ctx: Context) -> tuple[str, ...]:
    """Welsh charities without a need group when WIMD 2025 is absent (they count in area totals only)."""
    if "W" in ctx.nations and "W" not in queries.need_coverage(con):
        return (
            f"Welsh charities have no need group in this build: the WIMD LSOA deciles ({NEED_EDITIONS['W']}) are "
            "not loaded. They count in area totals only.",
        )
    return ()


def residents_notices(con: duckdb.DuckDBPyConnection, ctx: Context) -> tuple[str, ...]:
    """Nations in view whose LSOAs lack residents: their need groups get removals per 1,000 charities only."""
    lacking = sorted(ctx.nations & queries.nations_without_lsoa_residents(con))
    if not lacking:
        return ()
    needs = "; ".join(f"{NATION_NAMES[n]} needs {RESIDENTS_NEEDED[n]}" for n in lacking)
    mixed = MIXED_GROUPS if ctx.area == ENGLAND_AND_WALES else ""
    return (f"No registrations per 1,000 residents by need group here: {needs}. {mixed}{STILL_SHOWN}",)


def both(con: duckdb.DuckDBPyConnection, function, ctx: Context):
    """`function`'s result for the area and for its nation (None when the area is itself national)."""
    mine = function(con, scope=ctx.area, groups=ctx.groups)
    return mine, (function(con, scope=ctx.nation, groups=ctx.groups) if ctx.nation else None)


def rates_view(con: duckdb.DuckDBPyConnection, ctx: Context) -> SectorView:
    """Registrations per 1,000 residents and removals per 1,000 charities, by year and need group."""
    mine, theirs = both(con, measures.rates, ctx)
    name, groups = ctx.names[ctx.area], ctx.groups
    last = int(mine["year"].max()) if len(mine) else ""
    charts = tuple(
        Chart(
            figures.trend_chart(
                mine,
                theirs,
                y=column,
                groups=groups,
                names=ctx.legend,
                y_title=axis,
                tickformat=ticks,
                title=f"{what}, by need {groups} of the registered office",
                subtitle=f"{name}, {measures.FIRST_YEAR}–{last}",
            ),
            f"sector_{column}_{name}_{groups}",
        )
        for column, what, axis, ticks in (  # registrations run near 0.1 per 1,000 residents a year: 3 significant digits
            ("birth_rate", "New registrations per 1,000 residents", "Registrations per 1,000 residents", ",.3~r"),
            ("removal_rate", "Removals per 1,000 charities on the register at 1 January", "Removals per 1,000", ",.1f"),
        )
    )
    vintages = ", ".join(sorted({v for text in mine["residents_vintage"].dropna() for v in text.split(", ")}))
    caption = (
        f"Complete calendar years only. Residents: {vintages or 'none loaded'} (one fixed denominator for every "
        "year, so rates also move with population change). A need group whose neighbourhoods lack residents has no rate."
    )
    formats = {"Registrations per 1,000 residents": "%.3f", "Removals per 1,000 charities": "%.1f", "Year": "%d"}
    table = Download(
        display(ctx.frames(mine, theirs), columns=RATE_COLUMNS),
        f"sector_rates_{ctx.area}_{groups}",
        "Download registrations and removals (CSV)",
        formats,
    )
    return SectorView(need_notices(con, ctx) + residents_notices(con, ctx), charts, caption, table)


def survival_view(con: duckdb.DuckDBPyConnection, ctx: Context) -> SectorView:
    """Kaplan–Meier survival by need group with 95% bands; 5- and 10-year survival in the table."""
    (curves, milestones), other = both(con, measures.survival, ctx)
    name, groups = ctx.names[ctx.area], ctx.groups
    chart = figures.survival_chart(
        curves,
        other[0] if other else None,
        groups=groups,
        names=ctx.legend,
        title=f"Share of charities still registered, by years since registration and need {groups}",
        subtitle=f"{name}; charities registered since {measures.FIRST_YEAR}; Kaplan–Meier, 95% bands",
    )
    extract = queries.register_state(con)["extract_date"]
    caption = (
        f"Charities registered on or after 1 January {measures.FIRST_YEAR}; those still registered are followed "
        f"to the extract date ({extract:%d %B %Y}) and censored there. Lines are drawn for groups of at least "
        f"{measures.MIN_CURVE} charities; 'removed' is not always 'closed' (see Methods)."
    )
    formats = {c: "percent" for c in SURVIVAL_COLUMNS.values() if "years" in c}
    table = Download(
        display(ctx.frames(milestones, other[1] if other else None), columns=SURVIVAL_COLUMNS),
        f"sector_survival_{ctx.area}_{groups}",
        "Download 5- and 10-year survival (CSV)",
        formats,
    )
    curves_csv = Download(curves, f"sector_survival_curves_{ctx.area}_{groups}", "Download curves (CSV)")
    return SectorView(
        need_notices(con, ctx), (Chart(chart, f"sector_survival_{name}_{groups}"),), caption, table, (curves_csv,)
    )


def income_view(con: duckdb.DuckDBPyConnection, ctx: Context) -> SectorView:
    """Median income of small and medium local charities by financial year and need group (nominal £)."""
    mine, theirs = both(con, measures.income, ctx)
    name, groups = ctx.names[ctx.area], ctx.groups
    chart = figures.trend_chart(
        mine,
        theirs,
        y="median_income",
        groups=groups,
        names=ctx.legend,
        tickformat=",.0f",
        prefix="£",
        y_title="Median annual income (£, nominal)",
        title=f"Median income of small and medium local charities, by need {groups}",
        subtitle=f"{name}; nominal £ (no price deflator is loaded)",
    )
    caption = (
        f"Charities of local reach (1–5 local authorities named as their area of operation) in a year when their "
        f"gross income was £{SMALL_MEDIUM[0]:,} to under £{SMALL_MEDIUM[1]:,}, from the annual return history; "
        f"financial years whose returns were all due ({measures.FILING_MONTHS} months after the year end) by "
        "the extract date. Nominal pounds: no price deflator is loaded, so rises partly reflect inflation."
    )
    table = Download(
        display(ctx.frames(mine, theirs), columns=INCOME_COLUMNS),
        f"sector_income_{ctx.area}_{groups}",
        "Download income (CSV)",
        {"Financial year ending in": "%d"},
    )
    return SectorView(need_notices(con, ctx), (Chart(chart, f"sector_income_{name}_{groups}"),), caption, table)


SECTIONS = {RATES: rates_view, SURVIVAL: survival_view, INCOME: income_view}


def sector_view(con: duckdb.DuckDBPyConnection, *, area: str, groups: str, tab: str) -> SectorView:
    """The `tab` section of the page for an area code and grouping; ValueError for anything the page does not offer."""
    if tab not in SECTIONS:
        raise ValueError(f"unknown tab {tab!r}")
    return SECTIONS[tab](con, context(con, area=area, groups=groups))
