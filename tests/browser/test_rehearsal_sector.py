"""Real-browser test of the Sector change page on the two real builds: the online rehearsal's (the register the
ETL downloaded from the stand-in: tests/standin/rehearsal.py, session fixture `rehearsal`) and the mirror's (no
register: the page names what is missing). The rehearsal's page must show the numbers the measures compute on
its database (the URL's round trip is tested on the hand-made register: tests/browser/test_sector_page.py).

Screenshots: test-artifacts/screenshots/sector_rehearsal.png, sector_rehearsal_survival_wales.png and
sector_mirror_not_loaded.png.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from insight.formatting import format_int
from insight.sector import measures, queries
from tests.browser.support import wait_until_idle
from tests.browser.test_sector_page import shoot

pytestmark = pytest.mark.browser
WALES = "W92000004"


def test_sector_page_on_the_rehearsal_shows_the_register_it_loaded(rehearsal, rehearsal_app_url: str, browser):
    with duckdb.connect(str(rehearsal.db), read_only=True) as con:
        state = queries.register_state(con)
        _curves, milestones = measures.survival(con, scope=WALES, groups="quintile")
    text = shoot(
        browser,
        f"{rehearsal_app_url}/sector?groups=decile",
        name="sector_rehearsal",
        charts=2,
        text="Complete calendar years only",
    )
    assert f"{format_int(state['charities'])} main charities" in text and "30 November 2026" in text
    assert "Wales needs an LSOA 2021 population" in text  # the default view holds Welsh neighbourhoods
    url = f"{rehearsal_app_url}/sector?scope=Wales&tab=Survival"
    shoot(browser, url, name="sector_rehearsal_survival_wales", charts=1, text="censored there")
    table = downloaded(browser, url, label="Download 5- and 10-year survival (CSV)").set_index("Need group")
    shown = table.loc["All", ["Charities registered since 2000", "Still registered after 5 years"]].tolist()
    assert shown == [
        milestones.set_index("group").loc["All", "charities"],
        pytest.approx(milestones.set_index("group").loc["All", "survival_5y"]),
    ]
    assert set(table.index) == {"1", "2", "3", "4", "5", "All"}


def downloaded(browser, url: str, *, label: str) -> pd.DataFrame:
    """Open `url`, click the download button `label` and read the CSV it sends."""
    page = browser.new_page(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
    try:
        page.goto(url, wait_until="domcontentloaded")
        wait_until_idle(page, seconds=240)
        button = page.locator('[data-testid="stDownloadButton"] button', has_text=label)
        with page.expect_download(timeout=120_000) as download:
            button.click(timeout=120_000)
        return pd.read_csv(Path(download.value.path()), dtype={"Need group": str})
    finally:
        page.close()


def test_sector_page_on_the_mirror_build_names_the_missing_register(app_url: str, browser):
    text = shoot(
        browser,
        f"{app_url}/sector?scope=Cardiff+%28district%29",
        name="sector_mirror_not_loaded",
        charts=0,
        text="is not loaded in this build",
    )
    assert "The Charity Commission register is not loaded in this build" in text
    assert "Register of charities: full register download (JSON)" in text and "Nothing is shown in its place" in text
