"""Every page renders from any link: arbitrary values for every URL parameter, no exception element (AppTest).

CI profile: per page, the issue's two examples (every parameter '²', every parameter a 40-digit number) plus
EXAMPLES_PER_PAGE generated links, fixed seed (tests/fuzz.py); HYPOTHESIS_PROFILE=long multiplies the latter.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.fuzz import examples

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_PER_PAGE = 2
# Each page's URL parameters (Streamlit binds `tab` itself on the pages with bound tabs).
PAGES = {
    "overview": ("need", "capacity", "area"),
    "map": ("view", "geo", "lads", "measure", "need", "capacity"),
    "area_profile": ("level", "area", "tab"),
    "triple_jeopardy": ("level", "need", "capacity", "dependence", "x", "y", "z", "tab"),
    "funding": ("funder", "years", "from", "to", "tab"),
    "explore": ("level", "measures", "region", "deciles", "sql"),
    "your_data": (),
    "methods": ("layer",),
}
VALUE = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789²³٣-+ .,e", max_size=45),
    st.sampled_from(["", "²", "9" * 40, "-1", "0", "lad24", "lsoa21", "E06000001", "imd_score", ",", "a,b,,c"]),
    st.sampled_from(
        ["SELECT DATE '9999-12-31' + 1", "UPDATE EXTENSIONS", "WITH pg_settings AS (FROM pg_settings) FROM pg_settings"]
    ),
)


def render(db: Path, page: str, params: dict[str, str]) -> AppTest:
    """Run one page with params in its URL on db; the page's state is new, as when a link is opened."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VCS_INSIGHT_DB", str(db))
        at = AppTest.from_file(str(ROOT / "views" / f"{page}.py"), default_timeout=120)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
    return at


def links(page: str) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({}, optional=dict.fromkeys(PAGES[page], VALUE))


@pytest.mark.integration
@pytest.mark.parametrize("page", list(PAGES))
def test_any_link_renders_every_page(built_db: Path, page: str) -> None:
    @examples(ci=EXAMPLES_PER_PAGE)
    @given(links(page))
    @example(dict.fromkeys(PAGES[page], "²"))
    @example(dict.fromkeys(PAGES[page], "9" * 40))
    def check(params: dict[str, str]) -> None:
        at = render(built_db, page, params)
        assert not at.exception, (params, [e.value for e in at.exception])

    check()
