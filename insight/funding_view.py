"""The Funding & services page as data: what its widgets offer (`choices`), then all it shows (`funding_view`).

Each tab's content is a Panel built from the view when the tab is open (TABS).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from insight import captions, funding
from insight.formatting import format_int, format_share
from insight.panel import Panel
from insight.url_params import whole_number

CAVEAT = (
    "These grants come from a third-party aggregation of 360Giving GrantNav data (54 funders, awards 2013–2018, "
    "exported November 2018), not an official 360Giving file. Each grant is placed at the recipient organisation's "
    "registered address, which is not always where the work happens."
)
NOT_LOADED = "No grants are loaded in this database, so there is nothing to show here yet. See Methods & sources."
NO_SHARES = "No district in this selection has both an IMD decile and a population, so shares cannot be shown."
DECILE_FORMATS = {"Share of £": "percent", "Share of residents": "percent", "£ share ÷ resident share": "%.2f"}
AREA_FORMATS = {"£ per resident": "£%.2f", "IMD 2025 average score": "%.1f", "IMD decile of district": "%d"}


@dataclass(frozen=True)
class Choices:
    """What the widgets offer: funders (All funders first) and the first and last award year; loaded=False when the
    database has no grants."""

    loaded: bool
    funders: list[str] = field(default_factory=list)
    years: tuple[int, int] = (0, 0)


def choices(con: duckdb.DuckDBPyConnection) -> Choices:
    """The funder and year choices of the loaded grants."""
    if not funding.grants_loaded(con):
        return Choices(loaded=False)
    names = funding.funders(con)["funder"].tolist()
    return Choices(loaded=True, funders=[funding.ALL_FUNDERS, *names], years=funding.award_years(con))


def old_link_years(params: Mapping[str, object], *, bounds: tuple[int, int]) -> tuple[int, int] | None:
    """The years of a link from before the slider was bound to the URL (`from`, `to`), clamped and ordered.

    None when the link has neither; a missing or unreadable end takes the bound.
    """
    if "from" not in params and "to" not in params:
        return None
    first = whole_number(params.get("from"), low=bounds[0], high=bounds[1], clamp=True) or bounds[0]
    last = whole_number(params.get("to"), low=bounds[0], high=bounds[1], clamp=True) or bounds[1]
    return min(first, last), max(first, last)


@dataclass(frozen=True)
class FundingView:
    """Everything the page shows for a funder (None = all) and award years.

    empty: set when the funder made no grants in the years (nothing else then matters). metrics: (label, value,
    help). by_area, by_year, shares: grants_by_area, grants_by_year, share_by_decile.
    """

    who: str
    span: str
    empty: str | None = None
    metrics: tuple[tuple[str, str, str | None], ...] = ()
    unmatched: str | None = None
    source: str = ""
    by_area: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_year: pd.DataFrame = field(default_factory=pd.DataFrame)
    shares: pd.DataFrame = field(default_factory=pd.DataFrame)


def funding_view(con: duckdb.DuckDBPyConnection, *, funder: str | None, years: tuple[int, int]) -> FundingView:
    """Grants of `funder` (None = all funders) awarded in `years` (first, last), composed for the page."""
    who, span = funding.funder_label(funder), (f"{years[0]}–{years[1]}" if years[0] != years[1] else str(years[0]))
    by_year = funding.grants_by_year(con, funder=funder, years=years)
    if by_year.empty:
        empty = f"{who} made no grants in {span} in this data. Widen the years or choose another funder."
        return FundingView(who=who, span=span, empty=empty)
    by_area = funding.grants_by_area(con, funder=funder, years=years)
    unmatched = funding.unmatched_grants(con, funder=funder, years=years)
    vintages = tuple(by_area["population_vintage"].dropna().unique())
    source = captions.caption(
        con, level="lad24", measures=(funding.NEED_MEASURE, funding.DECILE_MEASURE), populations=vintages
    )
    total = by_area["amount"].sum() + unmatched["amount"].sum()
    metrics = (
        ("Grant £", funding.format_pounds(total), f"£{format_int(total)} exactly"),
        ("Grants", format_int(by_year["grants"].sum()), None),
        ("Districts receiving grants", format_int((by_area["amount"] > 0).sum()), None),
        ("Population vintage", vintages[0] if vintages else "not loaded", None),
    )
    return FundingView(
        who=who,
        span=span,
        metrics=metrics,
        unmatched=unmatched_sentence(unmatched),
        source=source,
        by_area=by_area,
        by_year=by_year,
        shares=funding.share_by_decile(by_area),
    )


def unmatched_sentence(unmatched: pd.DataFrame) -> str | None:
    """Say how much money sits on district codes with no 2024 district (left out of the per-resident figures)."""
    if unmatched.empty:
        return None
    codes = ", ".join(unmatched["lad_code"].head(8)) + ("…" if len(unmatched) > 8 else "")
    return (
        f"£{format_int(unmatched['amount'].sum())} in {funding.grants_phrase(unmatched['grants'].sum())} is recorded "
        f"against district codes that are not 2024 districts and have no successor in the lookup ({codes}); it is "
        "left out of the per-resident figures and the decile chart."
    )


def decile_panel(view: FundingView) -> Panel:
    """Share of £ against share of residents by IMD decile of district, with the decile table."""
    shares = view.shares
    if shares.empty or shares["share_amount"].isna().all():
        return Panel(notice=NO_SHARES)
    title = f"Share of £ vs share of residents by deprivation<br><sup>{view.who}, {view.span}</sup>"
    most = shares.iloc[0]
    text = (
        f"Districts in the most deprived 10% (decile 1) received **{format_share(most['share_amount'])}** of the £ "
        f"and hold **{format_share(most['share_population'])}** of residents. English districts only (IMD 2025 "
        "decile of districts); Welsh grants are counted in the totals above. "
        + funding.largest_district_sentence(view.by_area)
    )
    return Panel(
        figure=funding.build_decile_bars(shares, title=title),
        filename=f"funding_deciles_{view.who}_{view.span}",
        captions=(f"Grants: {view.who}, {view.span}. {view.source}",),
        text=text,
        table=funding.decile_display(shares),
        table_filename="funding_by_decile",
        table_label="Download decile shares (CSV)",
        formats=DECILE_FORMATS,
    )


def scatter_panel(view: FundingView) -> Panel:
    """Grant £ per resident against need, the rank correlation, and the districts table."""
    title = f"Grant £ per resident by district<br><sup>{view.who}, {view.span}</sup>"
    return Panel(
        figure=funding.build_need_scatter(view.by_area, title=title),
        filename=f"funding_per_resident_{view.who}_{view.span}",
        captions=(funding.need_association(view.by_area),),
        table=funding.area_display(view.by_area),
        table_filename="funding_by_district",
        table_label="Download districts (CSV)",
        formats=AREA_FORMATS,
    )


def year_panel(view: FundingView) -> Panel:
    """Grant £ by award year, with its CSV download."""
    return Panel(
        figure=funding.build_year_bars(view.by_year, title=f"Grant £ by award year<br><sup>{view.who}</sup>"),
        filename=f"funding_by_year_{view.who}",
        table=view.by_year,
        table_filename="funding_by_year",
        table_label="Download by year (CSV)",
        table_shown=False,
    )


TABS: dict[str, Callable[[FundingView], Panel]] = {
    "By deprivation decile": decile_panel,
    "Per resident vs need": scatter_panel,
    "By year": year_panel,
}
