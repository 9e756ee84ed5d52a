"""Real-browser test of links on the pages whose widgets Streamlit binds to the URL (bind="query-params").

AppTest does not run the frontend that writes the address bar, so only a browser shows that a change lands in the
link, that an old link (codes, from=/to=) opens the same view and is rewritten at once, and that a reload keeps it all.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.support import wait_until_idle

pytestmark = pytest.mark.browser


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def chosen(page, label: str) -> str:
    """The shown choice of the selectbox labelled `label`."""
    return page.get_by_role("combobox", name=label).input_value()


def thumbs(page) -> list[str]:
    """The values shown on the sliders' thumbs, in page order."""
    return page.locator('[data-testid="stSliderThumbValue"]').all_inner_texts()


def test_jeopardy_old_link_opens_the_same_view_and_changes_land_in_the_link(app_url: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    try:
        page.goto(f"{app_url}/jeopardy?level=utla24&need=imd_average_score&x=30", wait_until="domcontentloaded")
        page.get_by_text("Top 30% for need", exact=True).first.wait_for(timeout=90_000)
        wait_until_idle(page)
        assert chosen(page, "Geography") == "Upper-tier local authorities"
        assert chosen(page, "Need measure") == "IMD average score"
        rewritten = {"level": ["Upper-tier local authorities"], "need": ["IMD average score"], "x": ["30"]}
        assert query(page) == rewritten  # the old link is put into the bound widgets' form at once
        slider = page.get_by_role("slider").nth(1)  # Bottom Y% for capacity
        slider.focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        page.get_by_text("Bottom 25% for capacity", exact=True).first.wait_for(timeout=90_000)
        wait_until_idle(page)
        link = query(page)
        assert link["y"] == ["25"] and link["x"] == ["30"]
        assert link["level"] == ["Upper-tier local authorities"] and link["need"] == ["IMD average score"]
        page.reload(wait_until="domcontentloaded")
        page.get_by_text("Bottom 25% for capacity", exact=True).first.wait_for(timeout=90_000)
        wait_until_idle(page)
        assert (chosen(page, "Geography"), chosen(page, "Need measure")) == (
            "Upper-tier local authorities",
            "IMD average score",
        )
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()


def test_funding_old_years_link_and_hostile_values(app_url: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    try:
        page.goto(f"{app_url}/funding?from=2015&to=2017&funder=%C2%B2", wait_until="domcontentloaded")
        page.get_by_text("Grant £", exact=True).first.wait_for(timeout=90_000)
        wait_until_idle(page)
        assert thumbs(page) == ["2015", "2017"]
        assert chosen(page, "Funder") == "All funders"
        assert query(page) == {"years": ["2015", "2017"]}  # from/to rewritten; the unknown funder dropped
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()


def test_jeopardy_link_follows_a_measure_reset_by_another_geography(app_url: str, browser) -> None:
    # Need "IMD average score" is not offered for neighbourhoods: the picker falls back to its default there, and the
    # link must say so too (Streamlit alone leaves the old value in the address bar), so it reopens what is shown.
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    try:
        page.goto(f"{app_url}/jeopardy?need=IMD+average+score", wait_until="domcontentloaded")
        page.get_by_text("Two-jeopardy areas", exact=True).first.wait_for(timeout=90_000)
        wait_until_idle(page)
        page.get_by_role("combobox", name="Geography").click()
        page.get_by_role("option", name="Neighbourhoods (LSOA 2021)").click()
        page.get_by_text("No capacity measure has values for neighbourhoods").wait_for(timeout=90_000)
        wait_until_idle(page)
        assert chosen(page, "Need measure") == "IMD score"
        assert query(page) == {"level": ["Neighbourhoods (LSOA 2021)"]}
        page.get_by_role("combobox", name="Geography").click()
        page.get_by_role("option", name="Local authority districts").click()
        page.get_by_text("Two-jeopardy areas", exact=True).first.wait_for(timeout=90_000)
        wait_until_idle(page)
        assert query(page) == {}  # every choice back at its default
    finally:
        page.close()
