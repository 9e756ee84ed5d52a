"""insight.funding_view on the invented grants of tests/fixtures/jeopardy/tiny.sql: what the Funding page shows."""

from __future__ import annotations

import duckdb
import pytest

from insight import funding, funding_view
from tests.fixtures.jeopardy import SCHEMA


@pytest.fixture(scope="module")
def con(jeopardy_con):
    return jeopardy_con


def test_choices(con):
    assert funding_view.choices(con) == funding_view.Choices(
        loaded=True, funders=[funding.ALL_FUNDERS, "Fund A", "Fund B"], years=(2014, 2018)
    )


def test_choices_without_grants():
    connection = duckdb.connect()
    connection.execute(SCHEMA.read_text())
    assert funding_view.choices(connection) == funding_view.Choices(loaded=False)


@pytest.mark.parametrize(
    ("params", "years"),
    [
        ({}, None),
        ({"tab": "By year"}, None),
        ({"from": "2016", "to": "2015"}, (2015, 2016)),
        ({"from": "1990", "to": "x"}, (2014, 2018)),
        ({"to": "2016"}, (2014, 2016)),
        ({"from": "²", "to": "9" * 40}, (2014, 2018)),
    ],
)
def test_old_link_years(params, years):
    assert funding_view.old_link_years(params, bounds=(2014, 2018)) == years


def test_view_of_all_funders(con):
    view = funding_view.funding_view(con, funder=None, years=(2013, 2018))
    assert (view.who, view.span, view.empty) == ("All funders", "2013–2018", None)
    # £15,500 in 8 grants: £500 on a retired code maps to no district; 3 districts receive the rest.
    assert view.metrics == (
        ("Grant £", "£15,500", "£15,500 exactly"),
        ("Grants", "8", None),
        ("Districts receiving grants", "3", None),
        ("Population vintage", "mid-2015", None),
    )
    assert view.unmatched.startswith("£500 in 1 grant is recorded against district codes that are not 2024 districts")
    assert "(E07000999)" in view.unmatched
    assert view.source.startswith("Data — ")


def test_view_of_a_funder_with_no_grants_in_the_years(con):
    view = funding_view.funding_view(con, funder="Fund B", years=(2014, 2015))
    assert view.empty == "Fund B made no grants in 2014–2015 in this data. Widen the years or choose another funder."
    assert view.metrics == ()


def test_panels(con):
    view = funding_view.funding_view(con, funder="Fund A", years=(2014, 2016))
    deciles = funding_view.decile_panel(view)
    assert [trace.name for trace in deciles.figure.data] == ["Share of grant £", "Share of residents"]
    assert deciles.captions[0].startswith("Grants: Fund A, 2014–2016. Data — ")
    # Fund A: £10,000 of £12,000 placed in districts went to decile 1 (Testshire J).
    assert "received **83.3%** of the £" in deciles.text
    assert deciles.table["Share of £"].sum() == pytest.approx(1.0) and deciles.formats["Share of £"] == "percent"
    scatter = funding_view.scatter_panel(view)
    top = scatter.table.iloc[0]  # Testshire A: £2,000 on its old code for 500 residents (mid-2015)
    assert len(scatter.table) == 10 and (top["District"], top["£ per resident"]) == ("Testshire A", 4.0)
    years = funding_view.year_panel(view)
    assert not years.table_shown and years.table["award_year"].tolist() == [2014, 2015, 2016]
    assert list(funding_view.TABS) == ["By deprivation decile", "Per resident vs need", "By year"]


def test_no_shares_without_deciles(con):
    view = funding_view.funding_view(con, funder=None, years=(2013, 2018))
    empty = funding_view.FundingView(who=view.who, span=view.span, shares=view.shares.iloc[0:0])
    assert funding_view.decile_panel(empty).notice == funding_view.NO_SHARES
