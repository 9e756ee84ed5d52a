"""Real-browser test: a running app built from the mirror, every page loaded in Debian's headless Chromium.

Fails on any Streamlit exception box; saves a screenshot of each page to test-artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks._browser import CHARTS_DRAWN_JS
from tests.browser.support import ROOT, server_log, wait_until_idle

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# url_path, navigation title, whether a Plotly chart must be drawn on first load
PAGES = [
    ("overview", "Overview", True),
    ("map", "Map", True),
    ("area", "Area profile", True),
    ("jeopardy", "Triple jeopardy", True),
    ("funding", "Funding & services", True),
    ("sector", "Sector change", False),  # the mirror has no register: the page says so, no chart
    ("explore", "Explore & download", False),
    ("your-data", "Your data", False),
    ("methods", "Methods & sources", False),
]

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("path", "title", "chart"), PAGES, ids=[p[0] for p in PAGES])
def test_page_renders_without_exceptions(app_url: str, browser, path: str, title: str, chart: bool) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    outside: list[str] = []
    page.on(
        "request", lambda request: None if request.url.startswith((app_url, "data:")) else outside.append(request.url)
    )
    try:
        # The default page (Overview) lives at "/": Streamlit ignores its url_path.
        page.goto(f"{app_url}/" if path == "overview" else f"{app_url}/{path}", wait_until="domcontentloaded")
        wait_until_idle(page)
        page.wait_for_selector("h1", timeout=30_000)
        if chart:
            page.wait_for_selector(".js-plotly-plot", timeout=60_000)
            page.wait_for_function(CHARTS_DRAWN_JS, timeout=60_000)  # maps included: SVG paths, MapLibre tiles
        page.wait_for_timeout(500)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{path}.png"), full_page=True)
        exceptions = page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, exceptions.first.inner_text()
        assert page.get_by_text("Page not found").count() == 0  # deep links work from the first session
        assert page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).count() == 1
        assert page.url.split("?")[0].endswith("/" if path == "overview" else f"/{path}")  # the default page is /
        assert page.locator("h1").first.inner_text().strip()
        if path == "map":
            assert page.locator("path.choroplethlocation").count() >= 300  # every district drawn as SVG
        assert outside == []  # nothing fetched from anywhere but the app (maps' topology included)
    finally:
        page.close()


def test_area_profile_brief_downloads_as_html(app_url: str, browser) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser.new_page(viewport={"width": 1400, "height": 1400}, accept_downloads=True)
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text[:200]}"))
    # Failed responses, less the health and host-config probes Streamlit makes on every page (404 below a page path).
    page.on(
        "response",
        lambda r: console.append(f"{r.status} {r.url[:160]}") if r.status >= 400 and "/_stcore/" not in r.url else None,
    )
    try:
        page.goto(f"{app_url}/area?level=lad24&area=E06000001", wait_until="domcontentloaded")
        wait_until_idle(page)
        page.locator("h2", has_text="Hartlepool").wait_for(timeout=60_000)
        wait_until_idle(page)
        try:
            with page.expect_download(timeout=60_000) as download:
                page.get_by_role("button", name="Download the HTML brief").click()
        except PlaywrightTimeout:  # say what the page showed, so a rare failure can be diagnosed from the CI log
            alerts = page.locator(
                '[data-testid="stException"], [data-testid="stToast"], [role="alert"], [data-testid="stDownloadButtonError"]'
            )
            pytest.fail(
                f"no download after 60 s; alerts: {alerts.all_inner_texts()}; console: {console[-10:]}; "
                f"server: {server_log(app_url)}"
            )
        assert download.value.suggested_filename == "vcs_insight_brief_E06000001.html"
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert "<h1>Hartlepool: need and voluntary-sector capacity</h1>" in text
        assert text.count("Plotly.newPlot") >= 2 and "37.6" in text
    finally:
        page.close()


def test_jeopardy_tabs_draw_only_the_open_tab_and_keep_it_in_the_url(app_url: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    try:
        page.goto(f"{app_url}/jeopardy", wait_until="domcontentloaded")
        wait_until_idle(page)
        page.wait_for_function(
            "() => document.querySelectorAll('path.choroplethlocation').length > 300", timeout=90_000
        )
        page.wait_for_function(CHARTS_DRAWN_JS, timeout=60_000)
        assert page.locator(".js-plotly-plot").count() == 1 and page.locator("path.choroplethlocation").count() > 300
        page.get_by_role("tab", name="Top 20").click()
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .bars').length > 0", timeout=60_000)
        wait_until_idle(page)
        assert "tab=Top+20" in page.url or "tab=Top%2020" in page.url
        assert page.locator(".js-plotly-plot").count() == 1 and page.locator("path.choroplethlocation").count() == 0
        page.reload(wait_until="domcontentloaded")  # the link reopens the same tab
        wait_until_idle(page)
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .bars').length > 0", timeout=90_000)
        page.wait_for_function(CHARTS_DRAWN_JS, timeout=60_000)
        assert page.locator('[role="tab"][aria-selected="true"]').inner_text() == "Top 20"
        assert page.locator(".js-plotly-plot .bars").count() == 1
    finally:
        page.close()
