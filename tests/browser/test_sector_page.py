"""Real-browser test of the Sector change page on the hand-made register database, with and without the register.

Each state runs its own app server; screenshots go to test-artifacts/screenshots/sector_*.png. `shoot` is shared
with tests/browser/test_rehearsal_sector.py (the same page on the online rehearsal's and the mirror's builds).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from benchmarks._browser import CHARTS_DRAWN_JS
from insight.sector.view import AREA_LABEL
from tests.browser.support import ROOT, running_app, wait_until_idle
from tests.fixtures.sector.register_db import build_register_db

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
pytestmark = pytest.mark.browser


def shoot(browser, url: str, *, name: str, charts: int, text: str) -> str:
    """Open `url`, wait for `text` and `charts` drawn charts, save a full-page screenshot, fail on any exception box
    or any request leaving the app; returns the page's text."""
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    outside: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith((url.split("/sector")[0], "data:")) else outside.append(r.url)
    )
    try:
        page.goto(url, wait_until="domcontentloaded")
        wait_until_idle(page, seconds=240)
        page.wait_for_selector("h1", timeout=30_000)
        page.get_by_text(text).first.wait_for(timeout=240_000)
        if charts:
            page.wait_for_function(
                f"() => document.querySelectorAll('.js-plotly-plot').length >= {charts}", timeout=240_000
            )
            page.wait_for_function(CHARTS_DRAWN_JS, timeout=240_000)
        page.wait_for_timeout(500)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        exceptions = page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, exceptions.first.inner_text()
        assert page.locator(".js-plotly-plot").count() == charts
        assert outside == []
        return page.locator('[data-testid="stMain"]').inner_text()
    finally:
        page.close()


def test_sector_page_with_the_register(browser, tmp_path):
    db = build_register_db(tmp_path / "register.duckdb", patterned=600)
    with running_app(db) as url:
        text = shoot(
            browser,
            f"{url}/sector?scope=K04000001&groups=quintile",
            name="sector_rates",
            charts=2,
            text="Complete calendar years only",
        )
        assert "611 main charities" in text and "is not loaded" not in text
        text = shoot(
            browser,
            f"{url}/sector?scope=Aldbury+%28district%29&groups=decile&tab=Survival",
            name="sector_survival",
            charts=1,
            text="censored there",
        )
        assert "Aldbury" in text
        shoot(
            browser,
            f"{url}/sector?tab=Income+of+small+and+medium+local+charities",
            name="sector_income",
            charts=1,
            text="no price deflator is loaded",
        )


def test_sector_page_without_the_register(browser, tmp_path):
    db = build_register_db(tmp_path / "bare.duckdb", with_register=False)
    with running_app(db) as url:
        text = shoot(
            browser,
            f"{url}/sector?scope=%C2%B2&groups={'9' * 40}",
            name="sector_not_loaded",
            charts=0,
            text="is not loaded in this build",
        )
    assert "The Charity Commission register is not loaded in this build" in text and "Invented register" in text


def test_choices_go_to_the_url_and_the_url_reopens_them(browser, tmp_path):
    """Streamlit's binding writes the chosen area and grouping to the link; opening the link restores both."""
    db = build_register_db(tmp_path / "register.duckdb")
    with running_app(db) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        try:
            page.goto(f"{url}/sector", wait_until="domcontentloaded")
            page.get_by_text("Complete calendar years only").wait_for(timeout=240_000)
            area = page.get_by_role("combobox", name=AREA_LABEL)
            area.fill("Gwyntog")
            page.get_by_role("option", name="Gwyntog (district)").click()
            wait_until_idle(page, seconds=240)
            page.locator(".st-key-groups").get_by_text("decile", exact=True).click()
            wait_until_idle(page, seconds=240)
            assert parse_qs(urlsplit(page.url).query) == {"scope": ["Gwyntog (district)"], "groups": ["decile"]}
            reopened = browser.new_page(viewport={"width": 1400, "height": 1200})
            reopened.goto(page.url, wait_until="domcontentloaded")
            reopened.get_by_text("Complete calendar years only").wait_for(timeout=240_000)
            assert reopened.get_by_role("combobox", name=AREA_LABEL).input_value() == "Gwyntog (district)"
            assert reopened.get_by_role("radio", name="decile").is_checked()
            assert reopened.locator('[data-testid="stException"]').count() == 0
            reopened.close()
        finally:
            page.close()
