"""AppTest of the Funding & services page on the real build: totals match sums computed straight from the grants table."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from insight import funding
from tests.app.apptest import open_app_page

PAGE = "views/funding.py"
LLOYDS = "Lloyds Bank Foundation for England and Wales"


def open_page(built_db: Path, monkeypatch: pytest.MonkeyPatch, params: dict[str, str] | None = None) -> AppTest:
    return open_app_page(built_db, monkeypatch, page=PAGE, params=params)


def db_totals(db_con, *, funder: str | None, years: tuple[int, int]) -> tuple[int, int]:
    amount, grants = db_con.execute(
        "SELECT sum(amount), sum(grants) FROM grants WHERE ($f IS NULL OR funder = $f) AND award_year BETWEEN $a AND $b",
        {"f": funder, "a": years[0], "b": years[1]},
    ).fetchone()
    return round(amount), int(grants)


@pytest.mark.integration
def test_default_view_all_funders_all_years(built_db, db_con, monkeypatch):
    at = open_page(built_db, monkeypatch)
    assert at.selectbox(key="fu_funder").value == funding.ALL_FUNDERS
    assert at.slider(key="fu_years").value == (2013, 2018)
    amount, grants = db_totals(db_con, funder=None, years=(2013, 2018))
    assert amount == pytest.approx(8.31e9, rel=0.01)  # SOURCES.md: total £8.31bn
    assert (at.metric[0].value, int(at.metric[1].value.replace(",", ""))) == (funding.format_pounds(amount), grants)
    assert "third-party aggregation" in at.warning[0].value
    deciles = at.dataframe[0].value  # the open tab only; the districts table is on the next tab
    districts = open_page(built_db, monkeypatch, {"tab": "Per resident vs need"}).dataframe[0].value
    assert districts["Grant £"].sum() == pytest.approx(amount, abs=len(districts))  # every grant maps to a district
    assert deciles["IMD decile of district"].tolist() == list(range(1, 11))
    assert deciles["Share of £"].sum() == pytest.approx(1.0)
    assert deciles["Share of residents"].sum() == pytest.approx(1.0)
    assert at.query_params["from"] == "2013" and at.query_params["to"] == "2018"
    top = db_con.execute(
        """SELECT a.name, sum(g.amount) FROM grants g JOIN areas a ON a.level = 'lad24' AND a.code = g.lad24_code
           GROUP BY a.name ORDER BY 2 DESC LIMIT 1"""
    ).fetchone()
    assert top[0] == "Southwark"  # national bodies registered there: the head-office effect the page warns about
    assert any(
        f"largest single district, Southwark, received {funding.format_pounds(top[1])}" in m.value for m in at.markdown
    )


@pytest.mark.integration
def test_choosing_a_funder_and_years(built_db, db_con, monkeypatch):
    at = open_page(built_db, monkeypatch)
    at.selectbox(key="fu_funder").set_value(LLOYDS).run()
    at.slider(key="fu_years").set_value((2015, 2017)).run()
    assert not at.exception
    amount, grants = db_totals(db_con, funder=LLOYDS, years=(2015, 2017))
    assert grants > 0
    assert (at.metric[0].value, int(at.metric[1].value.replace(",", ""))) == (funding.format_pounds(amount), grants)
    assert (at.query_params["funder"], at.query_params["from"], at.query_params["to"]) == (LLOYDS, "2015", "2017")


@pytest.mark.integration
def test_url_round_trip(built_db, db_con, monkeypatch):
    link = {"funder": "Sport England", "from": "2016", "to": "2018", "tab": "Per resident vs need"}
    at = open_page(built_db, monkeypatch, link)
    assert at.selectbox(key="fu_funder").value == "Sport England"
    assert at.slider(key="fu_years").value == (2016, 2018)
    amount, _ = db_totals(db_con, funder="Sport England", years=(2016, 2018))
    assert at.metric[0].value == funding.format_pounds(amount)
    districts = at.dataframe[0].value
    assert districts["Grant £"].sum() <= amount + 1


@pytest.mark.integration
def test_only_the_open_tab_is_built_and_the_url_keeps_it(built_db, monkeypatch):
    import json

    def kinds(at: AppTest) -> list[list[str]]:
        return [sorted({t["type"] for t in json.loads(c.proto.spec)["data"]}) for c in at.get("plotly_chart")]

    assert kinds(open_page(built_db, monkeypatch)) == [["bar"]]  # the decile bars alone
    scatter = open_page(built_db, monkeypatch, {"tab": "Per resident vs need", "from": "2015"})
    assert kinds(scatter) == [["scatter"]]
    assert scatter.query_params["tab"] == "Per resident vs need" and scatter.query_params["from"] == "2015"
