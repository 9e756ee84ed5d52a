"""AppTest of the Sector change page on the hand-made register database, with and without the register."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_app_page
from tests.fixtures.sector.register_db import build_register_db

PAGE = "views/sector_change.py"


@pytest.fixture(scope="module")
def register_db(tmp_path_factory):
    return build_register_db(tmp_path_factory.mktemp("sector_page") / "register.duckdb")


@pytest.fixture(scope="module")
def bare_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("sector_page") / "bare.duckdb"
    return build_register_db(path, with_register=False, wales_need=False)


def traces(at: AppTest) -> list[list[str]]:
    """Trace names of each Plotly chart on the page."""
    return [[t.get("name", "") for t in json.loads(c.proto.spec)["data"]] for c in at.get("plotly_chart")]


def test_without_the_register_the_page_says_what_is_missing(bare_db, monkeypatch):
    at = open_app_page(bare_db, monkeypatch, page=PAGE)
    assert "The Charity Commission register is not loaded in this build" in at.warning[0].value
    assert "Invented register" in at.warning[0].value  # the missing_layers title, named
    assert not at.get("plotly_chart") and not at.dataframe and not at.selectbox


def test_rates_tab_default_view(register_db, monkeypatch):
    at = open_app_page(register_db, monkeypatch, page=PAGE)
    assert at.selectbox(key="scope").value == "England and Wales" and at.radio(key="groups").value == "quintile"
    assert "scope" not in at.query_params and "groups" not in at.query_params  # defaults stay out of the URL
    bound = {at.selectbox(key="scope").proto.query_param_key, at.radio(key="groups").proto.query_param_key}
    assert bound == {"scope", "groups"}  # Streamlit writes the choices to the URL itself
    names = traces(at)
    quintiles = ["Quintile 1 (most deprived)", "Quintile 2", "Quintile 3", "Quintile 4", "Quintile 5 (least deprived)"]
    everyone = "All charities in England and Wales"  # no comparator: the area is the nations
    assert names[0] == [*quintiles, everyone]  # registrations: every quintile has residents (0 where none)
    assert names[1] == [quintiles[0], quintiles[4], everyone]  # removals: only quintiles with charities
    table = at.dataframe[0].value
    q1 = table[(table["Need group"] == "1") & (table["Year"] == 2010)].iloc[0]
    assert q1["Registrations"] == 2 and q1["Registrations per 1,000 residents"] == pytest.approx(2 / 4)
    assert "30 June 2025: 11 main charities" in " ".join(c.value for c in at.caption)


def test_a_district_against_its_nation_from_the_url(register_db, monkeypatch):
    at = open_app_page(register_db, monkeypatch, page=PAGE, params={"scope": "Aldbury (district)", "groups": "decile"})
    assert at.selectbox(key="scope").value == "Aldbury (district)" and at.radio(key="groups").value == "decile"
    assert at.query_params["scope"] == "Aldbury (district)" and at.query_params["groups"] == "decile"  # kept
    names = traces(at)[0]
    assert names == ["Decile 1 (most deprived)", "Decile 2", "All charities in Aldbury", "All charities in England"]
    assert set(at.dataframe[0].value["Area"]) == {"Aldbury", "England"}


def test_survival_tab_shows_hand_computed_five_year_survival(register_db, monkeypatch):
    at = open_app_page(
        register_db, monkeypatch, page=PAGE, params={"scope": "England", "groups": "decile", "tab": "Survival"}
    )
    first = at.dataframe[0].value.set_index("Need group").loc["1"]
    assert first["Still registered after 5 years"] == pytest.approx(0.5)  # see tests/insight/test_sector.py
    assert first["Charities registered since 2000"] == 6
    assert any("censored" in c.value for c in at.caption)


def test_income_tab_is_nominal_and_says_so(register_db, monkeypatch):
    at = open_app_page(
        register_db, monkeypatch, page=PAGE, params={"tab": "Income of small and medium local charities"}
    )
    table = at.dataframe[0].value
    everyone = table[(table["Need group"] == "All") & (table["Financial year ending in"] == 2020)].iloc[0]
    assert everyone["Median income (£, nominal)"] == 50_000
    assert any("no price deflator is loaded" in c.value for c in at.caption)


@pytest.mark.parametrize(
    "value", ["²", "9" * 40, "E06000901", "Aldbury (district)'--", "", "decile%00", "aldbury (district)", " Wales"]
)
def test_hostile_url_values_fall_back_to_defaults(register_db, monkeypatch, value):
    at = open_app_page(register_db, monkeypatch, page=PAGE, params={"scope": value, "groups": value, "tab": value})
    assert at.selectbox(key="scope").value == "England and Wales" and at.radio(key="groups").value == "quintile"
    assert not {"scope", "groups", "tab"} & set(at.query_params)  # dropped from the URL, not echoed
    assert len(at.dataframe) == 1 and "Registrations" in at.dataframe[0].value.columns  # the first tab


def test_welsh_rows_without_wimd2025_are_named(tmp_path, monkeypatch):
    path = build_register_db(tmp_path / "no_wimd.duckdb", wales_need=False)
    at = open_app_page(path, monkeypatch, page=PAGE, params={"scope": "Gwyntog (district)"})
    assert any("WIMD2025" in i.value and "not loaded" in i.value for i in at.info)
    assert traces(at)[0][-1] == "All charities in Wales"


@pytest.mark.integration
def test_mirror_build_names_the_missing_register(built_db, monkeypatch):
    at = open_app_page(built_db, monkeypatch, page=PAGE, params={"scope": "Hartlepool (district)"})
    assert "Register of charities: full register download (JSON)" in at.warning[0].value
    assert not at.get("plotly_chart")


def test_leaving_for_the_area_profile_keeps_its_own_area_parameter(register_db, monkeypatch):
    """The page binds `scope`, not `area`, so going on to the Area profile (which binds its own `area`) raises nothing."""
    at = open_app_page(register_db, monkeypatch, page=PAGE, params={"scope": "Aldbury (district)"})
    at.switch_page("area_profile.py").run()  # the page file is the main script here: paths are relative to views/
    assert not at.exception
