"""Sector change on the online rehearsal's database (tests/standin/rehearsal.py, built once per session): the
register the ETL downloaded from the stand-in, every measure checked against the register tables themselves.

The stand-in register (tests/standin/content/register.py) spreads registrations over 1962–2025 and removes every
7th charity 1–19 years later; its English LSOAs have residents (stand-in IoD2025 File 6), its Welsh ones none.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from insight.sector import measures, queries
from insight.sector.sql import ENGLAND_AND_WALES, SMALL_MEDIUM, WALES

ENGLAND = "E92000001"


@pytest.fixture(scope="module")
def con(rehearsal):
    if rehearsal.exit_code != 0:
        pytest.fail(f"the online rehearsal build failed: {rehearsal.output[-2000:]}")
    with duckdb.connect(str(rehearsal.db), read_only=True) as connection:
        yield connection


def charities(con, *, country: str | None = None) -> pd.DataFrame:
    """Geocoded charities (a 2024 district) straight from the register table, with their district's country."""
    where = "" if country is None else f"WHERE a.country_code = '{country}'"
    return con.execute(
        f"""SELECT c.charity_number, c.registered_date, c.removed_date, c.extract_date, c.reach, c.lsoa21_code
            FROM charities c JOIN areas a ON a.level = 'lad24' AND a.code = c.lad24_code {where}"""  # noqa: S608
    ).df()


def test_the_rehearsal_register_is_loaded_with_years_of_history(con):
    state = queries.register_state(con)
    assert queries.register_loaded(con) and state["extract_date"] == dt.date(2026, 11, 30)
    assert state["charities"] > 5000 and state["geocoded"] > 0.9 * state["charities"]
    assert state["annual_returns"] > state["charities"]  # up to five returns each
    assert queries.need_coverage(con) == {"E": "IoD2025", "W": "WIMD2025"}


def test_births_and_removals_add_up_to_the_register(con):
    table = measures.rates(con, scope=ENGLAND_AND_WALES, groups="decile")
    everyone = table[table["group"] == "All"].set_index("year")
    assert everyone.index.min() == 2000 and everyone.index.max() == 2025  # complete years before 30 Nov 2026
    rows = charities(con)
    born = rows["registered_date"].dt.year.value_counts()
    gone = rows["removed_date"].dropna().dt.year.value_counts()
    assert everyone["births"].sum() == born[born.index.to_series().between(2000, 2025)].sum() > 1000
    assert everyone["removals"].tolist() == [int(gone.get(y, 0)) for y in range(2000, 2026)]
    on_the_register = (rows["registered_date"] < "2010-01-01") & ~(rows["removed_date"] < "2010-01-01")
    assert everyone.loc[2010, "existing"] == on_the_register.sum()
    deciles = table[table["group"] != "All"]
    assert set(deciles["group"]) == {str(d) for d in range(1, 11)}
    assert deciles.groupby("year")["births"].sum().le(everyone["births"]).all()  # charities without a decile


def test_england_has_group_rates_wales_has_removal_rates_only(con):
    england = measures.rates(con, scope=ENGLAND, groups="quintile")
    groups = england[england["group"] != "All"]
    assert groups["residents"].gt(0).all() and groups["birth_rate"].notna().all()
    wales = measures.rates(con, scope=WALES, groups="quintile")
    welsh_groups = wales[wales["group"] != "All"]
    assert welsh_groups["residents"].isna().all() and welsh_groups["birth_rate"].isna().all()  # no Welsh LSOA residents
    assert welsh_groups["removal_rate"].notna().any()  # per 1,000 charities: needs no residents
    welsh_all = wales[wales["group"] == "All"]
    assert welsh_all["residents"].eq(3_107_700).all()  # Census 2021, the 22 Welsh districts


def test_survival_matches_a_fit_on_one_row_per_charity(con):
    curves, milestones = measures.survival(con, scope=ENGLAND_AND_WALES, groups="quintile")
    rows = charities(con)
    cohort = rows[rows["registered_date"] >= "2000-01-01"]
    end = cohort["removed_date"].fillna(cohort["extract_date"])
    years = (end - cohort["registered_date"]).dt.days / measures.DAYS_PER_YEAR
    direct = KaplanMeierFitter().fit(years, event_observed=cohort["removed_date"].notna())
    everyone = milestones.set_index("group").loc["All"]
    assert everyone["charities"] == len(cohort) and everyone["removals"] == cohort["removed_date"].notna().sum()
    for year in measures.MILESTONES:
        assert everyone[f"survival_{year}y"] == pytest.approx(direct.survival_function_at_times(year).iloc[0])
        assert everyone[f"lower_{year}y"] < everyone[f"survival_{year}y"] < everyone[f"upper_{year}y"]
    assert 0 < everyone["survival_10y"] < everyone["survival_5y"] < 1
    for _group, curve in curves.groupby("group"):
        assert curve["survival"].is_monotonic_decreasing and curve["survival"].iloc[0] == 1
        assert (curve["lower"] <= curve["survival"] + 1e-12).all() and (
            curve["survival"] <= curve["upper"] + 1e-12
        ).all()
    assert set(curves["group"]) == {"1", "2", "3", "4", "5", "All"}


def test_income_of_small_and_medium_local_charities_matches_the_returns(con):
    table = measures.income(con, scope=ENGLAND_AND_WALES, groups="decile")
    assert table["year"].max() == 2025  # returns for years ending by 31 January 2026 were due by the extract
    local = charities(con).query("reach == 'local'")["charity_number"]
    returns = con.execute("SELECT * FROM charity_annual_returns").df()
    returns = returns[returns["charity_number"].isin(local)].assign(year=returns["fin_period_end_date"].dt.year)
    latest = returns.sort_values("fin_period_end_date").groupby(["charity_number", "year"]).tail(1)
    band = latest[latest["total_gross_income"].between(SMALL_MEDIUM[0], SMALL_MEDIUM[1] - 0.01)]
    everyone = table[table["group"] == "All"].set_index("year")
    expected = band[band["year"].between(2000, 2025)].groupby("year")["total_gross_income"]
    assert everyone["charities"].tolist() == expected.size().tolist()
    assert np.allclose(everyone["median_income"], expected.median()) and np.allclose(
        everyone["total_income"], expected.sum()
    )
    assert len(everyone) >= 10 and table[table["group"] != "All"]["median_income"].notna().all()
