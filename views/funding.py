"""Funding & services: grants per resident against need, and where a funder's money goes by deprivation decile."""

from __future__ import annotations

import streamlit as st

from insight import captions, funding
from insight import streamlit_adapter as ui
from insight.formatting import format_int, format_share

ui.require_database()
st.title("Funding & services")
st.caption("Where does grant money go, relative to need? Choose a funder and years; the link keeps your choices.")

if not ui.cached_query(funding.grants_loaded):
    st.info("No grants are loaded in this database, so there is nothing to show here yet. See Methods & sources.")
    st.stop()

st.warning(
    "These grants come from a third-party aggregation of 360Giving GrantNav data (54 funders, awards 2013–2018, "
    "exported November 2018), not an official 360Giving file. Each grant is placed at the recipient organisation's "
    "registered address, which is not always where the work happens.",
    icon=":material/info:",
)

funders = ui.cached_query(funding.funders)
years_available = ui.cached_query(funding.award_years)
state = ui.url_state(funding.parse_state, funder_names=funders["funder"].tolist(), years=years_available)
options = [funding.ALL_FUNDERS, *funders["funder"].tolist()]
if "fu_funder" not in st.session_state:
    st.session_state.fu_funder = state["funder"] or funding.ALL_FUNDERS
    st.session_state.fu_years = state["years"]

left, right = st.columns([2, 1])
choice = left.selectbox("Funder", options, key="fu_funder")
funder = None if choice == funding.ALL_FUNDERS else choice
years = right.slider("Award years", years_available[0], years_available[1], key="fu_years")
years = (int(years[0]), int(years[1]))
ui.to_url(**{"funder": funder, "from": str(years[0]), "to": str(years[1])})  # "from" is a Python keyword

who = funding.funder_label(funder)
span = f"{years[0]}–{years[1]}" if years[0] != years[1] else str(years[0])
by_area = ui.cached_query(funding.grants_by_area, funder=funder, years=years)
by_year = ui.cached_query(funding.grants_by_year, funder=funder, years=years)
unmatched = ui.cached_query(funding.unmatched_grants, funder=funder, years=years)
total = by_area["amount"].sum() + unmatched["amount"].sum()

if by_year.empty:
    st.info(f"{who} made no grants in {span} in this data. Widen the years or choose another funder.")
    st.stop()

metrics = st.columns(4)
metrics[0].metric("Grant £", funding.format_pounds(total), help=f"£{format_int(total)} exactly")
metrics[1].metric("Grants", format_int(by_year["grants"].sum()))
metrics[2].metric("Districts receiving grants", format_int((by_area["amount"] > 0).sum()))
vintage = by_area["population_vintage"].dropna()
metrics[3].metric("Population vintage", vintage.iloc[0] if len(vintage) else "not loaded")
if len(unmatched):
    st.caption(
        f"£{format_int(unmatched['amount'].sum())} in {funding.grants_phrase(unmatched['grants'].sum())} is recorded against "
        f"district codes that are not 2024 districts and have no successor in the lookup "
        f"({', '.join(unmatched['lad_code'].head(8))}{'…' if len(unmatched) > 8 else ''}); it is left out of the per-resident "
        "figures and the decile chart."
    )

# Only the open tab is built and sent (switching tabs reruns the page); the URL keeps which tab is open.
decile_tab, scatter_tab, year_tab = st.tabs(
    ["By deprivation decile", "Per resident vs need", "By year"], key="tab", bind="query-params"
)
if decile_tab.open:
    with decile_tab:
        shares = funding.share_by_decile(by_area)
        if shares.empty or shares["share_amount"].isna().all():
            st.info("No district in this selection has both an IMD decile and a population, so shares cannot be shown.")
        else:
            ui.show_chart(
                funding.build_decile_bars(
                    shares,
                    title=f"Share of £ vs share of residents by deprivation<br><sup>{who}, {span}</sup>",
                ),
                filename=f"funding_deciles_{who}_{span}",
            )
            st.caption(
                f"Grants: {who}, {span}. "
                + ui.cached_query(
                    captions.caption, level="lad24", measures=(funding.NEED_MEASURE, funding.DECILE_MEASURE),
                    populations=tuple(vintage),
                )
            )  # fmt: skip
            most = shares.iloc[0]
            st.markdown(
                f"Districts in the most deprived 10% (decile 1) received **{format_share(most['share_amount'])}** of the £ "
                f"and hold **{format_share(most['share_population'])}** of residents. English districts only (IMD 2025 "
                "decile of districts); Welsh grants are counted in the totals above. "
                + funding.largest_district_sentence(by_area)
            )
            table = funding.decile_display(shares)
            ui.show_table(
                table, filename="funding_by_decile", label="Download decile shares (CSV)",
                formats={"Share of £": "percent", "Share of residents": "percent", "£ share ÷ resident share": "%.2f"},
            )  # fmt: skip
if scatter_tab.open:
    with scatter_tab:
        ui.show_chart(
            funding.build_need_scatter(by_area, title=f"Grant £ per resident by district<br><sup>{who}, {span}</sup>"),
            filename=f"funding_per_resident_{who}_{span}",
        )
        st.caption(funding.need_association(by_area))
        areas = funding.area_display(by_area)
        ui.show_table(
            areas, filename="funding_by_district", label="Download districts (CSV)",
            formats={"£ per resident": "£%.2f", "IMD 2025 average score": "%.1f", "IMD decile of district": "%d"},
        )  # fmt: skip
if year_tab.open:
    with year_tab:
        ui.show_chart(
            funding.build_year_bars(by_year, title=f"Grant £ by award year<br><sup>{who}</sup>"),
            filename=f"funding_by_year_{who}",
        )
        ui.download_csv(by_year, filename="funding_by_year", label="Download by year (CSV)")
