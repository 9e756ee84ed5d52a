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


def link(at: AppTest) -> dict[str, object]:
    """The link the browser shows for the page's choices (Streamlit writes a range slider's ends as two values)."""
    return {"funder": at.selectbox(key="funder").value, "years": [str(y) for y in at.slider(key="years").value]}


def db_totals(db_con, *, funder: str | None, years: tuple[int, int]) -> tuple[int, int]:
    amount, grants = db_con.execute(
        "SELECT sum(amount), sum(grants) FROM grants WHERE ($f IS NULL OR funder = $f) AND award_year BETWEEN $a AND $b",
        {"f": funder, "a": years[0], "b": years[1]},
    ).fetchone()
    return round(amount), int(grants)


@pytest.mark.integration
def test_default_view_all_funders_all_years(built_db, db_con, monkeypatch):
    at = open_page(built_db, monkeypatch)
    assert at.selectbox(key="funder").value == funding.ALL_FUNDERS
    assert at.slider(key="years").value == (2013, 2018)
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
    assert not {"funder", "years", "from", "to"} & set(at.query_params)  # defaults keep the link clean
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
    at.selectbox(key="funder").set_value(LLOYDS).run()
    at.slider(key="years").set_value((2015, 2017)).run()
    assert not at.exception
    amount, grants = db_totals(db_con, funder=LLOYDS, years=(2015, 2017))
    assert grants > 0
    assert (at.metric[0].value, int(at.metric[1].value.replace(",", ""))) == (funding.format_pounds(amount), grants)
    assert link(at) == {"funder": LLOYDS, "years": ["2015", "2017"]}


@pytest.mark.integration
@pytest.mark.parametrize(
    "params",
    [
        {"funder": "Sport England", "from": "2016", "to": "2018", "tab": "Per resident vs need"},  # an old link
        {"funder": "Sport England", "years": ["2016", "2018"], "tab": "Per resident vs need"},
    ],
)
def test_url_round_trip(built_db, db_con, monkeypatch, params):
    at = open_page(built_db, monkeypatch, params)
    assert at.selectbox(key="funder").value == "Sport England"
    assert at.slider(key="years").value == (2016, 2018)
    amount, _ = db_totals(db_con, funder="Sport England", years=(2016, 2018))
    assert at.metric[0].value == funding.format_pounds(amount)
    districts = at.dataframe[0].value
    assert districts["Grant £"].sum() <= amount + 1
    assert not {"from", "to"} & set(at.query_params)  # an old link's years move to the bound slider
    again = open_page(built_db, monkeypatch, link(at) | {"tab": "Per resident vs need"})
    assert link(again) == link(at) and again.metric[0].value == at.metric[0].value


@pytest.mark.integration
def test_hostile_link_gives_the_defaults(built_db, monkeypatch):
    at = open_page(built_db, monkeypatch, {"funder": "<script>", "years": ["²", "9" * 40], "from": "-1", "to": "٣"})
    assert (at.selectbox(key="funder").value, at.slider(key="years").value) == (funding.ALL_FUNDERS, (2013, 2018))


@pytest.mark.integration
def test_only_the_open_tab_is_built_and_the_url_keeps_it(built_db, monkeypatch):
    import json

    def kinds(at: AppTest) -> list[list[str]]:
        return [sorted({t["type"] for t in json.loads(c.proto.spec)["data"]}) for c in at.get("plotly_chart")]

    assert kinds(open_page(built_db, monkeypatch)) == [["bar"]]  # the decile bars alone
    scatter = open_page(built_db, monkeypatch, {"tab": "Per resident vs need", "from": "2015"})
    assert kinds(scatter) == [["scatter"]]
    assert scatter.query_params["tab"] == "Per resident vs need" and scatter.slider(key="years").value == (2015, 2018)
