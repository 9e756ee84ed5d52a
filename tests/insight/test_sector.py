"""Sector change on the hand-made register (tests/fixtures/sector/register_db.py): births, removals, survival and
income pinned to answers computed by hand from the fixture's dates (extract date 2025-06-30)."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest

from insight.sector import measures, queries, view
from insight.sector.sql import ENGLAND_AND_WALES
from tests.fixtures.sector.register_db import build_register_db

ENGLAND, WALES, NORTH = "E92000001", "W92000004", "E12000901"
Z = 1.959963984540054  # the 97.5% normal quantile


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = build_register_db(tmp_path_factory.mktemp("sector") / "register.duckdb")
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def con_no_wimd(tmp_path_factory):
    path = build_register_db(tmp_path_factory.mktemp("sector") / "no_wimd.duckdb", wales_need=False)
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


def row(table: pd.DataFrame, group: str, year: int) -> pd.Series:
    return table[(table["group"] == group) & (table["year"] == year)].iloc[0]


def test_register_state_and_need_coverage(con, con_no_wimd):
    assert queries.register_loaded(con)
    assert queries.register_state(con) == {
        "charities": 11,
        "geocoded": 10,
        "extract_date": pd.Timestamp("2025-06-30").date(),
        "annual_returns": 9,
    }
    assert queries.need_coverage(con) == {"E": "IoD2025", "W": "WIMD2025"}
    assert queries.need_coverage(con_no_wimd) == {"E": "IoD2025"}


def test_births_and_removals_by_decile_england_and_wales(con):
    table = measures.rates(con, scope=ENGLAND_AND_WALES, groups="decile")
    assert table["year"].min() == 2000 and table["year"].max() == 2024  # complete years before 2025-06-30
    # Decile 1: A, B (2010), F (2012), I (Wales, 2015) registered; 3,000 residents (E01000001 + W01000001).
    assert row(table, "1", 2010)[["births", "residents"]].tolist() == [2, 3000]
    assert row(table, "1", 2010)["birth_rate"] == pytest.approx(1000 * 2 / 3000)
    # 1 January 2003: E (2001) and G (1995) → G removed in 2003: 1 of 2.
    assert row(table, "1", 2003)[["existing", "removals"]].tolist() == [2, 1]
    assert row(table, "1", 2003)["removal_rate"] == pytest.approx(500.0)
    # 1 January 2012: E, D, A, B on the register; A removed in 2012.
    assert row(table, "1", 2012)[["existing", "removals", "births"]].tolist() == [4, 1, 1]
    assert row(table, "1", 2012)["removal_rate"] == pytest.approx(250.0)
    # 1 January 2016: E, D, I; I (Wales) removed in 2016.
    assert row(table, "1", 2016)["removal_rate"] == pytest.approx(1000 / 3)
    assert row(table, "10", 2008)[["births", "residents"]].tolist() == [1, 2000]  # H; E01000010 + E01000011


def test_all_group_counts_every_geocoded_charity_against_district_residents(con):
    table = measures.rates(con, scope=ENGLAND_AND_WALES, groups="quintile")
    everyone = row(table, "All", 2011)
    assert everyone["births"] == 1  # J (no LSOA, still counted); K has no district and is left out
    assert everyone["residents"] == 16_000  # six invented districts (2,000 each) plus Gwyntog (4,000), Census 2021
    assert everyone["birth_rate"] == pytest.approx(1000 / 16_000)
    assert row(table, "All", 2015)["existing"] == 5  # E, D, H, B, J
    assert set(table["group"]) == {"1", "2", "3", "4", "5", "All"}  # every quintile has residents
    assert row(table, "3", 2010)[["births", "birth_rate"]].tolist() == [0, 0.0]
    assert pd.isna(row(table, "3", 2010)["removal_rate"])  # no charities on the register there
    assert row(table, "1", 2010)["births"] == 2  # quintile 1 = deciles 1 and 2


def test_scopes_filter_by_country_region_and_district(con):
    england = measures.rates(con, scope=ENGLAND, groups="decile")
    assert row(england, "1", 2010)["birth_rate"] == pytest.approx(2.0)  # 2 births, 1,000 residents
    assert row(england, "1", 2015)["births"] == 0  # I is Welsh
    wales = measures.rates(con, scope=WALES, groups="decile")
    assert row(wales, "1", 2015)[["births", "residents"]].tolist() == [1, 2000]
    assert row(wales, "All", 2015)["residents"] == 4000
    north = measures.rates(con, scope=NORTH, groups="decile")
    assert row(north, "All", 2010)["residents"] == 6_000 and "10" not in set(north["group"])
    district = measures.rates(con, scope="E06000905", groups="decile")
    assert row(district, "10", 2008)["births"] == 1 and set(district["group"]) == {"9", "10", "All"}


def test_welsh_charities_join_only_when_wimd2025_is_loaded(con_no_wimd):
    table = measures.rates(con_no_wimd, scope=ENGLAND_AND_WALES, groups="decile")
    assert row(table, "1", 2015)["births"] == 0  # I has no decile without WIMD 2025 …
    assert row(table, "All", 2015)["births"] == 1  # … but still counts in the total
    assert row(table, "1", 2010)["residents"] == 1000


def test_a_group_with_an_lsoa_lacking_residents_gets_no_rate(tmp_path):
    path = build_register_db(tmp_path / "gap.duckdb")
    with duckdb.connect(str(path)) as writable:
        writable.execute("DELETE FROM population WHERE area_code = 'W01000001'")
    with duckdb.connect(str(path), read_only=True) as con:
        table = measures.rates(con, scope=ENGLAND_AND_WALES, groups="decile")
    assert pd.isna(row(table, "1", 2010)["residents"]) and pd.isna(row(table, "1", 2010)["birth_rate"])
    assert row(table, "1", 2010)["births"] == 2


def km_band(survival: float, greenwood: float) -> tuple[float, float]:
    """Exponential Greenwood (log(-log)) 95% band, by hand."""
    spread = Z * math.sqrt(greenwood) / abs(math.log(survival))
    return survival ** math.exp(spread), survival ** math.exp(-spread)


def test_kaplan_meier_by_hand_england_decile_1():
    # A removed after 730 days, F 731, B 1826 (4.9993 years); C censored at 2557; D removed at 5478; E censored.
    # G registered in 1995 is outside the 2000 cohort. At risk 6, 5, 4 → S = 5/6, 4/6, 1/2; then 2 → 1/4.
    durations = pd.DataFrame(
        {
            "grp": 1,
            "days": [730, 731, 1826, 2557, 5478, 8946],
            "removed": [True, True, True, False, True, False],
            "charities": 1,
        }
    )
    curves, milestones = measures.survival_tables(durations, min_curve=1)
    first = milestones[milestones["group"] == "1"].iloc[0]
    assert (first["charities"], first["removals"]) == (6, 4)
    assert first["survival_5y"] == pytest.approx(0.5) and first["survival_10y"] == pytest.approx(0.5)
    lower, upper = km_band(0.5, 1 / (6 * 5) + 1 / (5 * 4) + 1 / (4 * 3))
    assert (first["lower_5y"], first["upper_5y"]) == (pytest.approx(lower), pytest.approx(upper))
    curve = curves[curves["group"] == "1"].set_index("years")["survival"]
    at = {years: curve.iloc[np.argmin(np.abs(curve.index - years))] for years in (1, 2, 2.5, 6, 14.5, 15, 24)}
    assert at == pytest.approx({1: 1, 2: 5 / 6, 2.5: 2 / 3, 6: 0.5, 14.5: 0.5, 15: 0.25, 24: 0.25})


def test_counts_as_weights_equal_one_row_per_charity():
    one_each = pd.DataFrame(
        {
            "grp": 2,
            "days": [100, 100, 400, 900, 900, 900],
            "removed": [True, False, True, True, True, False],
            "charities": 1,
        }
    )
    counted = pd.DataFrame(
        {
            "grp": 2,
            "days": [100, 100, 400, 900, 900],
            "removed": [True, False, True, True, False],
            "charities": [1, 1, 1, 2, 1],
        }
    )
    pd.testing.assert_frame_equal(
        measures.survival_tables(one_each, min_curve=1)[0], measures.survival_tables(counted, min_curve=1)[0]
    )


def test_survival_from_the_register(con):
    _curves, milestones = measures.survival(con, scope=ENGLAND, groups="decile")
    first = milestones.set_index("group").loc["1"]
    assert (first["charities"], first["removals"], first["survival_5y"]) == (6, 4, pytest.approx(0.5))
    _curves, wales = measures.survival(con, scope=ENGLAND_AND_WALES, groups="decile")
    pooled = wales.set_index("group").loc["1"]  # I removed after 365 days joins decile 1: 7 at risk first
    assert pooled["charities"] == 7 and pooled["survival_5y"] == pytest.approx(6 / 7 * 5 / 6 * 4 / 5 * 3 / 4)
    assert set(wales["group"]) == {"1", "10", "All"}  # J (no LSOA) is in All only
    assert wales.set_index("group").loc["All", "charities"] == 9


def test_survival_ten_years_is_missing_beyond_the_follow_up():
    short = pd.DataFrame({"grp": 3, "days": [100, 3000], "removed": [True, False], "charities": 1})
    milestones = measures.survival_tables(short, min_curve=1)[1].set_index("group")
    assert milestones.loc["3", "survival_5y"] == pytest.approx(0.5) and np.isnan(milestones.loc["3", "survival_10y"])


def test_income_of_small_and_medium_local_charities(con):
    table = measures.income(con, scope=ENGLAND_AND_WALES, groups="decile")
    # C £20k and E £50k in 2020 (D is national); 2021: C's later return £40k; E £5k and H £2m are outside the band.
    assert row(table, "1", 2020)[["charities", "median_income", "total_income"]].tolist() == [2, 35_000, 70_000]
    assert row(table, "1", 2021)[["charities", "median_income"]].tolist() == [1, 40_000]
    assert row(table, "All", 2020)[["charities", "median_income", "total_income"]].tolist() == [3, 50_000, 570_000]
    assert table["year"].max() == 2021  # C's 2025 return is in a year not yet complete (due by 2026)
    assert measures.last_complete_year(pd.Timestamp("2025-06-30").date(), lag_months=10) == 2023


@pytest.mark.parametrize("groups", ["decile", "quintile"])
def test_unknown_grouping_is_refused_and_every_grouping_runs(con, groups):
    assert not measures.rates(con, scope=ENGLAND, groups=groups).empty
    with pytest.raises(ValueError):
        queries.events(con, scope=ENGLAND, groups="decile; DROP TABLE charities")


def test_scopes_list_wales_once(con):
    scopes = queries.scopes(con)
    assert scopes["code"].tolist()[:3] == [ENGLAND_AND_WALES, ENGLAND, WALES]
    assert scopes["code"].is_unique and len(scopes) == 1 + 2 + 2 + 7
    assert view.comparator(scopes, area="E06000901") == ENGLAND
    assert view.comparator(scopes, area="W06000901") == WALES
    assert view.comparator(scopes, area=WALES) is None and view.comparator(scopes, area=ENGLAND_AND_WALES) is None


def test_sector_page_offers_areas_by_label_or_says_the_register_is_missing(con, tmp_path):
    page = view.sector_page(con)
    assert page.loaded and page.options[:3] == ("England and Wales", "England", "Wales")
    assert page.codes["Aldbury (district)"] == "E06000901" and len(page.options) == len(set(page.options)) == 12
    assert "30 June 2025: 11 main charities (removed ones kept), 90.9% placed in a district" in page.caption
    bare = build_register_db(tmp_path / "bare.duckdb", with_register=False, wales_need=False)
    with duckdb.connect(str(bare), read_only=True) as without:
        missing = view.sector_page(without)
    assert not missing.loaded and not missing.options
    assert missing.missing.startswith("The Charity Commission register is not loaded in this build.")


def test_sector_view_composes_each_tab_for_a_district_against_its_nation(con):
    rates = view.sector_view(con, area="E06000901", groups="decile", tab=view.RATES)
    assert [c.filename for c in rates.charts] == [
        "sector_birth_rate_Aldbury_decile",
        "sector_removal_rate_Aldbury_decile",
    ]
    assert set(rates.table.frame["Area"]) == {"Aldbury", "England"} and rates.notices == ()
    assert [c.figure.layout.yaxis.tickformat for c in rates.charts] == [",.3~r", ",.1f"]  # ~0.1 births per 1,000
    assert "mid-2022" in rates.caption
    survival = view.sector_view(con, area="E92000001", groups="decile", tab=view.SURVIVAL)
    first = survival.table.frame.set_index("Need group").loc["1"]
    assert first["Still registered after 5 years"] == pytest.approx(0.5) and len(survival.downloads) == 1
    income = view.sector_view(con, area=ENGLAND_AND_WALES, groups="decile", tab=view.INCOME)
    assert "no price deflator is loaded" in income.caption and income.table.filename.startswith("sector_income_K04")


def test_welsh_need_groups_without_residents_are_named_and_removal_rates_stay(tmp_path):
    path = build_register_db(tmp_path / "no_welsh_residents.duckdb")
    with duckdb.connect(str(path)) as writable:
        writable.execute("DELETE FROM population WHERE level = 'lsoa21' AND area_code LIKE 'W%'")
    with duckdb.connect(str(path), read_only=True) as con:
        assert queries.nations_without_lsoa_residents(con) == {"W"}
        welsh = view.sector_view(con, area="W06000901", groups="decile", tab=view.RATES)
        english = view.sector_view(con, area="E06000901", groups="decile", tab=view.RATES)
        everyone = view.sector_view(con, area=ENGLAND_AND_WALES, groups="decile", tab=view.RATES)
    assert len(welsh.notices) == 1 and "Wales needs an LSOA 2021 population" in welsh.notices[0]
    assert english.notices == () and "hold neighbourhoods of both nations" in everyone.notices[0]
    table = welsh.table.frame
    first = table[(table["Area"] == "Gwyntog") & (table["Need group"] == "1") & (table["Year"] == 2016)].iloc[0]
    assert pd.isna(first["Registrations per 1,000 residents"]) and first["Removals per 1,000 charities"] == 1000


@pytest.mark.parametrize(
    "kwargs",
    [{"area": "²"}, {"area": "E06000901'; --"}, {"groups": "decile; DROP TABLE charities"}, {"tab": "Survival "}],
)
def test_sector_view_refuses_what_the_page_does_not_offer(con, kwargs):
    with pytest.raises(ValueError):
        view.sector_view(con, **({"area": ENGLAND_AND_WALES, "groups": "decile", "tab": view.RATES} | kwargs))
