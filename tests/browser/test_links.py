"""Real-browser test: links round-trip through Streamlit's own URL binding (bind="query-params").

An older link (option ids, comma-separated lists) opens the view it names and the address bar then holds what the
bound widgets keep (the options as shown); reloading that address opens the same view; choosing another option
in the browser writes it into the address bar.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.support import wait_until_idle

pytestmark = pytest.mark.browser

LINKS = [  # older link, {parameter: values the address bar holds}, text on the page
    (
        "area?level=utla24&area=E06000001",
        {"level": ["Upper-tier LA / health and wellbeing board"], "area": ["Hartlepool (E06000001)"]},
        "Hartlepool",
    ),
    (
        "map?geo=lsoa_in_lads&lads=E06000001,E06000002",
        {"geo": ["Neighbourhoods (LSOAs) in chosen districts"], "lads": ["Hartlepool", "Middlesbrough"]},
        "Middlesbrough",
    ),
]


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def wait_for_query(page, kept: dict[str, list[str]], *, seconds: float = 60) -> dict[str, list[str]]:
    """Wait until the address bar holds `kept` (an older link is rewritten after the page's first run)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and {key: query(page.url).get(key) for key in kept} != kept:
        page.wait_for_timeout(250)
    wait_until_idle(page)
    return {key: query(page.url).get(key) for key in kept}


@pytest.mark.parametrize(("link", "kept", "text"), LINKS, ids=[link.split("?")[0] for link, _, _ in LINKS])
def test_an_older_link_is_kept_as_the_bound_widgets_write_it(app_url, browser, link, kept, text) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    try:
        page.goto(f"{app_url}/{link}", wait_until="domcontentloaded")
        assert wait_for_query(page, kept) == kept
        page.reload(wait_until="domcontentloaded")
        page.wait_for_timeout(1000)
        assert wait_for_query(page, kept) == kept
        assert page.get_by_text(text).count() > 0
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()


def test_choosing_an_option_writes_it_into_the_address_bar(app_url, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    try:
        page.goto(f"{app_url}/methods", wait_until="domcontentloaded")
        wait_until_idle(page)
        assert "layer" not in query(page.url)  # the default keeps the address clean
        page.locator('[data-testid="stRadio"]').get_by_text("Need", exact=True).click()
        assert wait_for_query(page, {"layer": ["Need"]}) == {"layer": ["Need"]}
        page.reload(wait_until="domcontentloaded")
        wait_until_idle(page)
        assert page.locator('[data-testid="stRadio"] input:checked').count() == 1
        assert page.get_by_text("Need", exact=True).count() > 0 and query(page.url)["layer"] == ["Need"]
    finally:
        page.close()
