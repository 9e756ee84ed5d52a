"""Real browser: a newcomer without a file tries the invented example on Your data and walks through the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks._browser import CHARTS_DRAWN_JS
from insight.uploads import example as byod_example
from tests.browser.support import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.integration]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def test_example_file_walks_through_the_page(app_url, browser):
    # Given the Your data page with no file, When the example is downloaded, Then it is the invented CSV; When
    # "Try the example file" is pressed, Then the page says it shows invented records, reads 180 rows, guesses the
    # district, count, date and service columns, and "Map my records" places all 180 (shown within the
    # disclosure perturbation of ±2) and draws the map and tables.
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{app_url}/your-data", wait_until="networkidle")
        page.get_by_text("Try an example file").wait_for(timeout=60_000)
        with page.expect_download(timeout=30_000) as download:
            page.get_by_role("button", name="Download the example file").click()
        assert download.value.suggested_filename == "vcs-insight-invented-example.csv"
        assert Path(download.value.path()).read_bytes() == byod_example.example_bytes("csv")
        page.get_by_role("button", name="Try the example file").click()
        page.get_by_text("invented records, not real data").wait_for(timeout=60_000)
        page.get_by_text("180 rows", exact=True).wait_for(timeout=60_000)
        page.get_by_role("button", name="Map my records").click(timeout=60_000)
        page.get_by_text("How your rows matched").wait_for(timeout=60_000)
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=60_000)
        page.wait_for_function(CHARTS_DRAWN_JS, polling=250, timeout=60_000)
        assert page.locator("path.choroplethlocation").count() > 0
        metrics = page.locator("[data-testid='stMetricValue']").all_inner_texts()
        rows, matched, unplaced = (int(text.replace(",", "")) for text in metrics[:3])
        assert abs(rows - 180) <= 2 and abs(matched - 180) <= 2 and unplaced == 0  # cell-key perturbation: ±2, 0 exact
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "your-data-example.png"), full_page=True)
    finally:
        page.close()
