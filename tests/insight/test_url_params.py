"""Query parameters become typed values or nothing: property tests over arbitrary text (tests/fuzz.py profiles)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from insight import explore, funding_view
from insight.url_params import whole_number, whole_numbers
from tests.fuzz import examples

# Text a link can carry, weighted towards what breaks int(): exotic digits, long digit runs, signs and separators.
NUMBERISH = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789²³٣-+ .,e", max_size=45),
    st.integers().map(str),
    st.sampled_from(["²", "9" * 40, "-1", "0", "101", "1e3", " 5", "5,6", "\x00", "１", "10²"]),
)


@pytest.mark.parametrize("text", ["²", "9" * 40, "٣", "１", "-1", "+5", " 5", "5.0", "", "0x10", None, 7])
def test_only_ascii_digit_strings_are_numbers(text: object) -> None:
    assert whole_number(text, low=0, high=10**40) is None


def test_in_range_and_clamped() -> None:
    assert whole_number("42", low=1, high=100) == 42
    assert whole_number("420", low=1, high=100) is None
    assert whole_number("420", low=1, high=100, clamp=True) == 100
    assert whole_numbers("3,1,x,3,²,11,2", low=1, high=10) == (1, 2, 3)


@examples(ci=100)
@given(NUMBERISH)
@example("²")
@example("9" * 40)
def test_whole_number_never_raises_and_stays_in_range(text: str) -> None:
    number = whole_number(text, low=1, high=100)
    assert number is None or 1 <= number <= 100
    assert whole_number(text, low=1, high=100, clamp=True) in {None, *range(1, 101)}


@examples(ci=100)
@given(NUMBERISH)
def test_explore_sql_from_any_link(text: str) -> None:
    sql = explore.url_sql(text)
    assert sql is None or (0 < len(sql) <= explore.MAX_URL_SQL and text.startswith(sql))


@examples(ci=100)
@given(st.dictionaries(st.sampled_from(["funder", "from", "to"]), NUMBERISH))
def test_funding_years_from_any_old_link(params: dict[str, str]) -> None:
    years = funding_view.old_link_years(params, bounds=(2013, 2018))
    assert years is None or 2013 <= years[0] <= years[1] <= 2018
    assert (years is None) == ("from" not in params and "to" not in params)
