"""The one rule for default measures: own-nation need first, current capacity first, never a count or a decile."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from insight import queries
from insight.defaults import PREFERRED, ROLES, default_measure, role_options

ROWS = [  # measure, layer, unit, polarity: official ids, as queries.available_measures lists them
    ("imd_average_score", "need", "score", "higher_is_worse"),
    ("imd_lad_decile", "need", "decile", "none"),
    ("own_nation_share_most_deprived_20", "need", "share of LSOAs", "higher_is_worse"),
    ("ncvo_charities", "capacity", "charities", "higher_is_better"),
    ("ncvo_charities_per_1000", "capacity", "per 1,000 residents", "higher_is_better"),
    ("charities_per_1000", "capacity", "per 1,000 residents", "higher_is_better"),
    ("govt_income_share", "dependence", "share of income", "higher_is_worse"),
    ("life_expectancy", "health", "years", "higher_is_better"),
]


def catalog(*measures: str) -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=["measure", "layer", "unit", "polarity"])
    return frame[frame["measure"].isin(measures)] if measures else frame


def test_own_nation_need_and_current_capacity_come_first() -> None:
    full = catalog()
    assert default_measure(full, role="need") == "own_nation_share_most_deprived_20"
    assert default_measure(full, role="capacity") == "charities_per_1000"
    assert default_measure(full, role="dependence") == "govt_income_share"


def test_falls_back_in_order_then_to_the_first_usable_then_none() -> None:
    assert default_measure(catalog("imd_average_score", "imd_lad_decile"), role="need") == "imd_average_score"
    assert default_measure(catalog("ncvo_charities", "ncvo_charities_per_1000"), role="capacity") == (
        "ncvo_charities_per_1000"
    )
    odd = pd.DataFrame(
        [("odd_need", "need", "score", "higher_is_worse")], columns=["measure", "layer", "unit", "polarity"]
    )
    assert default_measure(odd, role="need") == "odd_need"
    assert default_measure(catalog("ncvo_charities", "imd_lad_decile"), role="capacity") is None
    assert default_measure(catalog().iloc[0:0], role="dependence") is None


def test_counts_and_positions_are_not_options() -> None:
    assert role_options(catalog(), role="need") == ["imd_average_score", "own_nation_share_most_deprived_20"]
    assert role_options(catalog(), role="capacity") == ["ncvo_charities_per_1000", "charities_per_1000"]


def test_given_options_a_map_of_any_measure_opens_on_need() -> None:
    options = ["life_expectancy", "imd_lad_decile", "own_nation_decile"]
    assert default_measure(catalog(), role="need", options=options) == "own_nation_decile"  # Wales too, at LSOA
    assert default_measure(catalog(), role="need", options=["life_expectancy"]) == "life_expectancy"
    assert default_measure(catalog(), role="need", options=[]) is None


@given(st.sampled_from(ROLES), st.sets(st.sampled_from([r[0] for r in ROWS])))
def test_the_default_is_always_an_option(role: str, measures: set[str]) -> None:
    chosen = catalog(*measures) if measures else catalog().iloc[0:0]
    found = default_measure(chosen, role=role)
    assert (found is None) == (not role_options(chosen, role=role))
    assert found is None or found in role_options(chosen, role=role)


def test_on_the_tiny_database(con) -> None:
    available = queries.available_measures(con, level="lad24")
    assert default_measure(available, role="need") in PREFERRED["need"]
    assert default_measure(available, role="capacity") == "ncvo_charities_per_1000"
    assert default_measure(available, role="dependence") == "share_charities_govt_funded"
