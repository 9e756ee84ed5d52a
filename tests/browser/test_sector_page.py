"""Real-browser test of the Sector change page on the hand-made register database, with and without the register.

Each state runs its own app server; screenshots go to test-artifacts/screenshots/sector_*.png.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks._browser import CHARTS_DRAWN_JS
from tests.browser.support import ROOT, free_port, wait_healthy, wait_until_idle
from tests.fixtures.sector.register_db import build_register_db

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
pytestmark = pytest.mark.browser


@contextmanager
def app_on(db: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free local port, reading `db`."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]  # fmt: skip
    env = {**os.environ, "VCS_INSIGHT_DB": str(db)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


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
    with app_on(db) as url:
        text = shoot(
            browser, f"{url}/sector?area=K04000001&groups=quintile", name="sector_rates", charts=2,
            text="Complete calendar years only",
        )  # fmt: skip
        assert "611 main charities" in text and "is not loaded" not in text
        text = shoot(
            browser, f"{url}/sector?area=E06000901&groups=decile&tab=Survival", name="sector_survival", charts=1,
            text="censored there",
        )  # fmt: skip
        assert "Aldbury" in text
        shoot(
            browser, f"{url}/sector?tab=Income+of+small+and+medium+local+charities", name="sector_income", charts=1,
            text="no price deflator is loaded",
        )  # fmt: skip


def test_sector_page_without_the_register(browser, tmp_path):
    db = build_register_db(tmp_path / "bare.duckdb", with_register=False)
    with app_on(db) as url:
        text = shoot(
            browser, f"{url}/sector?area=%C2%B2&groups={'9' * 40}", name="sector_not_loaded", charts=0,
            text="is not loaded in this build",
        )  # fmt: skip
    assert "The Charity Commission register is not loaded in this build" in text and "Invented register" in text
