"""Sector change: is the charity sector in the neediest places growing or shrinking, and do its charities survive?"""

from __future__ import annotations

import streamlit as st

from insight import queries as common
from insight import streamlit_adapter as ui
from insight.formatting import format_int, format_share, not_loaded_sentence
from insight.sector import figures, measures, queries, state
from insight.sector.sql import ENGLAND_AND_WALES, NEED_EDITIONS, SMALL_MEDIUM, WALES

ui.require_database()
st.title("Sector change: charity registrations, removals and survival by need")
st.caption(
    "Is the charity sector in the most deprived places growing or shrinking, and do its charities survive? "
    "From the Charity Commission register's history. Need groups are each nation's own LSOA deciles "
    "(1 = most deprived) of a charity's registered office. The link in your address bar keeps your choices."
)

if not ui.cached_query(queries.register_loaded):
    st.warning(
        not_loaded_sentence(
            "The Charity Commission register", missing_titles=ui.cached_query(common.missing_titles, like="ccew")
        )
    )
    st.write(
        "This page needs the register's registration and removal dates, registered-office postcodes and annual "
        "return history. The offline mirror does not hold the register; the online build downloads it from the "
        "Charity Commission. Nothing is shown in its place."
    )
    st.stop()

scopes = ui.cached_query(queries.scopes)
names = dict(zip(scopes["code"], scopes["name"], strict=True))
levels = dict(zip(scopes["code"], scopes["level"], strict=True))
choice = state.parse_state(st.query_params.to_dict(), scope_codes=list(names))
if "sc_area" not in st.session_state:
    st.session_state.sc_area, st.session_state.sc_groups = choice["area"], choice["groups"]
left, right = st.columns([3, 1])
area = left.selectbox(
    "Area (England and Wales, a nation, a region or a district)", list(names), key="sc_area",
    format_func=lambda code: names[code] if levels[code] in {"all", "country"} else f"{names[code]} ({levels[code]})",
)  # fmt: skip
groups = right.radio("Need groups", ["quintile", "decile"], format_func=str.title, key="sc_groups", horizontal=True)
ui.to_url(area=area, groups=groups)

nation = state.comparator(scopes, area=area)
label_names = (f"All charities in {names[area]}", f"All charities in {names[nation]}" if nation else "")
register = ui.cached_query(queries.register_state)
coverage = ui.cached_query(queries.need_coverage)
st.caption(
    f"Register extract of {register['extract_date']:%d %B %Y}: {format_int(register['charities'])} main charities "
    f"(removed ones kept), {format_share(register['geocoded'] / max(register['charities'], 1))} placed in a district "
    "by their registered-office postcode; the rest are left out. Need editions loaded: "
    + (", ".join(coverage.values()) or "none")
    + "."
)
if "W" not in coverage and (area == ENGLAND_AND_WALES or WALES in {area, nation}):
    st.info(
        f"Welsh charities have no need group in this build: the WIMD LSOA deciles ({NEED_EDITIONS['W']}) are not "
        "loaded. They count in area totals only."
    )


def both(function, **kwargs):
    """The chosen area's result and the nation's (None when the area is itself national)."""
    mine = ui.cached_query(function, scope=area, groups=groups, **kwargs)
    return mine, (ui.cached_query(function, scope=nation, groups=groups, **kwargs) if nation else None)


def frames(mine, theirs) -> dict:
    """Area name → frame, for one stacked download."""
    return {names[area]: mine} | ({names[nation]: theirs} if nation else {})


rates_tab, survival_tab, income_tab = st.tabs(
    ["Registrations and removals", "Survival", "Income of small and medium local charities"],
    key="tab",
    bind="query-params",
)
if rates_tab.open:
    with rates_tab:
        mine, theirs = both(measures.rates)
        for column, what, axis in (
            ("birth_rate", "New registrations per 1,000 residents", "Registrations per 1,000 residents"),
            ("removal_rate", "Removals per 1,000 charities on the register at 1 January", "Removals per 1,000"),
        ):
            ui.show_chart(
                figures.trend_chart(
                    mine, theirs, y=column, groups=groups, names=label_names, y_title=axis,
                    title=f"{what}, by need {groups} of the registered office",
                    subtitle=f"{names[area]}, {measures.FIRST_YEAR}–{int(mine['year'].max()) if len(mine) else ''}",
                ),
                filename=f"sector_{column}_{names[area]}_{groups}",
            )  # fmt: skip
        vintages = ", ".join(sorted({v for text in mine["residents_vintage"].dropna() for v in text.split(", ")}))
        st.caption(
            f"Complete calendar years only. Residents: {vintages or 'none loaded'} (one fixed denominator for every year, so rates "
            "also move with population change). A need group whose neighbourhoods lack residents has no rate."
        )
        ui.show_table(
            state.display(frames(mine, theirs), columns=state.RATE_COLUMNS), filename=f"sector_rates_{area}_{groups}",
            label="Download registrations and removals (CSV)",
            formats={"Registrations per 1,000 residents": "%.3f", "Removals per 1,000 charities": "%.1f", "Year": "%d"},
        )  # fmt: skip
if survival_tab.open:
    with survival_tab:
        (curves, milestones), other = both(measures.survival)
        ui.show_chart(
            figures.survival_chart(
                curves, other[0] if other else None, groups=groups, names=label_names,
                title=f"Share of charities still registered, by years since registration and need {groups}",
                subtitle=f"{names[area]}; charities registered since {measures.FIRST_YEAR}; Kaplan–Meier, 95% bands",
            ),
            filename=f"sector_survival_{names[area]}_{groups}",
        )  # fmt: skip
        st.caption(
            f"Charities registered on or after 1 January {measures.FIRST_YEAR}; those still registered are followed "
            f"to the extract date ({register['extract_date']:%d %B %Y}) and censored there. Lines are drawn for groups "
            f"of at least {measures.MIN_CURVE} charities; 'removed' is not always 'closed' (see Methods)."
        )
        ui.show_table(
            state.display(frames(milestones, other[1] if other else None), columns=state.SURVIVAL_COLUMNS),
            filename=f"sector_survival_{area}_{groups}", label="Download 5- and 10-year survival (CSV)",
            formats={c: "percent" for c in state.SURVIVAL_COLUMNS.values() if "years" in c},
        )  # fmt: skip
        ui.download_csv(curves, filename=f"sector_survival_curves_{area}_{groups}", label="Download curves (CSV)")
if income_tab.open:
    with income_tab:
        mine, theirs = both(measures.income)
        ui.show_chart(
            figures.trend_chart(
                mine, theirs, y="median_income", groups=groups, names=label_names, tickformat=",.0f", prefix="£",
                y_title="Median annual income (£, nominal)",
                title=f"Median income of small and medium local charities, by need {groups}",
                subtitle=f"{names[area]}; nominal £ (no price deflator is loaded)",
            ),
            filename=f"sector_income_{names[area]}_{groups}",
        )  # fmt: skip
        st.caption(
            f"Charities of local reach (1–5 local authorities named as their area of operation) in a year when their "
            f"gross income was £{SMALL_MEDIUM[0]:,} to under £{SMALL_MEDIUM[1]:,}, from the annual return history; "
            f"financial years whose returns were all due ({measures.FILING_MONTHS} months after the year end) by "
            "the extract date. Nominal pounds: no price deflator is loaded, so rises partly reflect inflation."
        )
        ui.show_table(
            state.display(frames(mine, theirs), columns=state.INCOME_COLUMNS), filename=f"sector_income_{area}_{groups}",
            label="Download income (CSV)",
            formats={"Financial year ending in": "%d"},
        )  # fmt: skip
