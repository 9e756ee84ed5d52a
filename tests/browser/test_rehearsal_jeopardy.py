"""Real-browser test on the online rehearsal's database: the register is loaded, so Triple jeopardy shows its
three-jeopardy version (need, capacity and public-funding dependence) and ranks districts on all three.

The database is the one tests/etl/test_online_rehearsal.py checks (session fixture `rehearsal`, built once).
Saves test-artifacts/screenshots/jeopardy_rehearsal.png.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import duckdb
import pandas as pd
import pytest

from insight import defaults
from insight.jeopardy import measures as jeopardy
from tests.browser.support import ROOT, wait_until_idle

SCREENSHOT = ROOT / "test-artifacts" / "screenshots" / "jeopardy_rehearsal.png"
# Every threshold at 100%: every district with all three measures is flagged, so the table lists them all.
URL_QUERY = "level=lad24&x=100&y=100&z=100"

pytestmark = pytest.mark.browser


def expected_ranking(db: Path) -> tuple[jeopardy.Result, dict[str, str]]:
    """What the page should rank: the default measures of each role on districts, scored in Python."""
    with duckdb.connect(str(db), read_only=True) as con:
        available = jeopardy.loaded_measures(con, level="lad24")
        chosen = {role: defaults.default_measure(available, role=role) for role in jeopardy.ROLES}
        result = jeopardy.scored_areas(con, level="lad24", **chosen, percents=(100, 100, 100))
    labels = dict(zip(available["measure"], available["label"], strict=True))
    return result, {role: labels[measure] for role, measure in chosen.items() if measure}


def two_jeopardy_scores(db: Path) -> dict[str, float]:
    """The same districts scored on need and capacity alone (what the page would show without the register)."""
    with duckdb.connect(str(db), read_only=True) as con:
        available = jeopardy.loaded_measures(con, level="lad24")
        need, capacity = (defaults.default_measure(available, role=role) for role in ("need", "capacity"))
        result = jeopardy.scored_areas(con, level="lad24", need=need, capacity=capacity, dependence=None)
    scored = result.table.dropna(subset=["score"])
    return dict(zip(scored["area_code"], scored["score"].round(6), strict=True))


def download_table(page) -> pd.DataFrame:
    """Click the page's CSV download and read the ranked table it sends."""
    button = page.locator('[data-testid="stDownloadButton"] button', has_text="Download the ranked table (CSV)")
    button.wait_for(timeout=90_000)
    with page.expect_download(timeout=120_000) as download:
        button.click(timeout=90_000)
    return pd.read_csv(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8")), dtype={"Code": str})


def test_rehearsal_shows_three_jeopardy_ranked_with_dependence(rehearsal, rehearsal_app_url: str, browser) -> None:
    result, labels = expected_ranking(rehearsal.db)
    assert result.roles == ("need", "capacity", "dependence")  # the register's dependence has district values
    page = browser.new_page(viewport={"width": 1920, "height": 2000}, accept_downloads=True)
    try:
        page.goto(f"{rehearsal_app_url}/jeopardy?{URL_QUERY}", wait_until="domcontentloaded")
        wait_until_idle(page, seconds=180)
        page.get_by_text("Triple-jeopardy areas", exact=True).wait_for(timeout=90_000)  # the metric
        page.get_by_text("Triple-jeopardy areas: local authority districts").wait_for(timeout=90_000)  # map title
        wait_until_idle(page, seconds=180)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        exceptions = page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, exceptions.first.inner_text()
        assert page.get_by_text("Two-jeopardy areas").count() == 0  # metric and map title
        assert page.get_by_text("two-jeopardy version").count() == 0  # no "dependence not loaded" notice
        assert page.get_by_text("Top 100% for dependence").count() == 1
        # the register's measure kept in the link: bound pickers hold the label, and drop it when it is the default
        linked = parse_qs(urlparse(page.url).query).get("dependence", [labels["dependence"]])
        assert linked == [labels["dependence"]]
        assert page.get_by_text(labels["dependence"]).count() >= 1  # chosen and named in the data caption
        table = download_table(page)
    finally:
        page.close()
    flagged = table[table["Flagged"]]
    assert len(flagged) == int(result.table["flagged"].sum()) > 0 and labels["dependence"] in table.columns
    assert flagged[labels["dependence"]].notna().all()
    assert table["Code"].tolist() == result.table["area_code"].tolist()  # ranked as scored on all three jeopardies
    assert table["Score"].fillna(-1).round(6).tolist() == result.table["score"].fillna(-1).round(6).tolist()
    three = dict(zip(flagged["Code"], flagged["Score"].round(6), strict=True))
    two = two_jeopardy_scores(rehearsal.db)
    assert any(three[code] != two.get(code) for code in three)  # the third jeopardy moves the scores
