"""Real-browser test: a running app built from the mirror, every page loaded in Debian's headless Chromium.

Fails on any Streamlit exception box; saves a screenshot of each page to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--use-gl=swiftshader", "--enable-unsafe-swiftshader",
]  # fmt: skip
# url_path, navigation title, whether a Plotly chart must be drawn on first load
PAGES = [
    ("overview", "Overview", True),
    ("map", "Map", True),
    ("area", "Area profile", True),
    ("jeopardy", "Triple jeopardy", True),
    ("funding", "Funding & services", True),
    ("explore", "Explore & download", False),
    ("your-data", "Your data", False),
    ("methods", "Methods & sources", False),
]
MAP_DRAWN_JS = """() => {
  const plot = document.querySelector('.js-plotly-plot');
  const map = plot && plot._fullLayout && plot._fullLayout.map && plot._fullLayout.map._subplot.map;
  return !!map && map.loaded() && !map.isMoving() && map.areTilesLoaded();
}"""

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:  # noqa: S310 (localhost)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("streamlit did not become healthy")


@pytest.fixture(scope="module")
def app_url(built_db: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free local port, reading the mirror build."""
    port = free_port()
    env = {**os.environ, "VCS_INSIGHT_DB": str(built_db)}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium")
        pytest.skip("no /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def wait_until_idle(page, *, seconds: float = 90) -> None:
    """Wait until the script has finished and elements are drawn: no 'Running…' status and no skeletons for 1.5 s."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=seconds * 1000)
    deadline, quiet_since = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        running = page.locator('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]').count() > 0
        quiet_since = None if running else (quiet_since or time.monotonic())
        if quiet_since and time.monotonic() - quiet_since > 1.5:
            return
        page.wait_for_timeout(250)
    raise TimeoutError("the app was still running")


@pytest.mark.parametrize(("path", "title", "chart"), PAGES, ids=[p[0] for p in PAGES])
def test_page_renders_without_exceptions(app_url: str, browser, path: str, title: str, chart: bool) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    try:
        # The default page (Overview) lives at "/": Streamlit ignores its url_path.
        page.goto(f"{app_url}/" if path == "overview" else f"{app_url}/{path}", wait_until="domcontentloaded")
        wait_until_idle(page)
        page.wait_for_selector("h1", timeout=30_000)
        if chart:
            page.wait_for_selector(".js-plotly-plot", timeout=60_000)
        if path == "map":
            page.wait_for_function(MAP_DRAWN_JS, timeout=60_000)
        page.wait_for_timeout(500)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{path}.png"), full_page=True)
        exceptions = page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, exceptions.first.inner_text()
        assert page.get_by_text("Page not found").count() == 0  # deep links work from the first session
        assert page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).count() == 1
        assert page.url.split("?")[0].endswith("/" if path == "overview" else f"/{path}")  # the default page is /
        assert page.locator("h1").first.inner_text().strip()
    finally:
        page.close()


def test_area_profile_brief_downloads_as_html(app_url: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1400}, accept_downloads=True)
    try:
        page.goto(f"{app_url}/area?level=lad24&area=E06000001", wait_until="domcontentloaded")
        wait_until_idle(page)
        page.locator("h2", has_text="Hartlepool").wait_for(timeout=60_000)
        wait_until_idle(page)
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="Download the HTML brief").click()
        assert download.value.suggested_filename == "vcs_insight_brief_E06000001.html"
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert "<h1>Hartlepool: need and voluntary-sector capacity</h1>" in text
        assert text.count("Plotly.newPlot") >= 2 and "37.6" in text
    finally:
        page.close()
