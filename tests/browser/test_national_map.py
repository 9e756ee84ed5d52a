"""Real-browser test of the national LSOA map (the app's canvas viewer) on the mirror build: it draws, hover names
the exact LSOA under the pointer with its value, zoom works, the PNG downloads, and the geometry file is fetched once.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np
import pytest

from insight import raster
from insight.formatting import format_value
from tests.browser.support import ROOT, wait_until_idle

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DRAWN = '.vcs-raster-map[data-drawn="true"]'

pytestmark = pytest.mark.browser


def view(page) -> tuple[float, float, float]:
    """Where the image is on the canvas: (scale, x, y), image pixel = (canvas position - x, y) / scale."""
    scale, x, y = (float(v) for v in page.locator(".vcs-raster-map").get_attribute("data-view").split(","))
    return scale, x, y


def open_national_map(browser, app_url: str, *, requests: list[str] | None = None):
    page = browser.new_page(viewport={"width": 1400, "height": 1200}, accept_downloads=True)
    if requests is not None:
        page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{app_url}/map?geo=lsoa21&measure=imd_score", wait_until="domcontentloaded")
    wait_until_idle(page)
    page.locator(DRAWN).wait_for(timeout=60_000)
    return page


def expected_hover(db_con, index: raster.IndexRaster, row: int) -> list[str]:
    """The tooltip lines the viewer must show for the LSOA in the raster's row, read from the database."""
    code = index.codes[row]
    name, lad_code = db_con.execute(
        "SELECT name, lad_code FROM areas WHERE level = 'lsoa21' AND code = ?", [code]
    ).fetchone()
    (value,) = db_con.execute(
        "SELECT value FROM area_measures WHERE level = 'lsoa21' AND measure = 'imd_score' AND area_code = ?", [code]
    ).fetchone()
    lad_name, median = db_con.execute(
        """SELECT b.name, median(m.value) FROM boundaries b JOIN areas a ON a.level = 'lsoa21' AND a.lad_code = b.code
           JOIN area_measures m ON m.level = 'lsoa21' AND m.measure = 'imd_score' AND m.area_code = a.code
           WHERE b.level = 'lad24' AND b.code = ? GROUP BY b.name""",
        [lad_code],
    ).fetchone()
    return [
        f"{name} ({code})",
        f"IMD score: {format_value(value, unit='score')}",
        f"{lad_name} ({lad_code}): median {format_value(median, unit='score')}",
    ]


def test_national_map_draws_and_hover_names_the_lsoa_underneath(app_url: str, browser, db_con) -> None:
    # Given the national map of IMD scores, zoomed in on Birmingham (E08000025), When the pointer rests on the
    # middle of Birmingham's largest LSOA, Then the tooltip names the LSOA whose pixel is under the pointer (as the
    # index image says), with its value, its district and the district median, all as in the database.
    index = raster.index_raster(db_con)
    page = open_national_map(browser, app_url)
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "map-national.png"))
        assert page.locator('[data-testid="stException"]').count() == 0
        canvas = page.locator(".vcs-canvas").bounding_box()
        scale, x, y = view(page)
        # Fitted: the whole image is on the canvas, left of the legend.
        assert x >= 0 and y >= 0 and y + index.pixels.shape[0] * scale <= canvas["height"] + 1
        page.get_by_role("button", name="Zoom in").click()
        page.wait_for_timeout(300)
        assert view(page)[0] == pytest.approx(scale * 1.6)
        for _ in range(5):
            page.get_by_role("button", name="Zoom in").click()
        page.wait_for_timeout(300)
        scale, x, y = view(page)
        codes = db_con.execute("SELECT code FROM areas WHERE level = 'lsoa21' AND lad_code = 'E08000025'").fetchall()
        rows = np.flatnonzero(np.isin(index.codes, [c for (c,) in codes])) + 1
        counts = np.bincount(index.pixels.ravel(), minlength=len(index.codes) + 1)
        biggest = rows[np.argmax(counts[rows])]
        ys, xs = np.nonzero(index.pixels == biggest)
        centre = np.argmin((ys - ys.mean()) ** 2 + (xs - xs.mean()) ** 2)
        # Pan so that pixel is in the middle of the canvas (the arrow keys move 80 px), then compute where it is.
        target_x, target_y = x + (xs[centre] + 0.5) * scale, y + (ys[centre] + 0.5) * scale
        screen_x, screen_y = round(canvas["x"] + target_x), round(canvas["y"] + target_y)
        if not (0 < target_x < canvas["width"] - 160 and 0 < target_y < canvas["height"]):
            page.locator(".vcs-raster-map").focus()
            steps_x = round((target_x - (canvas["width"] - 160) / 2) / 80)
            steps_y = round((target_y - canvas["height"] / 2) / 80)
            for key, steps in (("ArrowRight", steps_x), ("ArrowDown", steps_y)):
                for _ in range(abs(steps)):
                    page.keyboard.press(key if steps > 0 else {"ArrowRight": "ArrowLeft", "ArrowDown": "ArrowUp"}[key])
            page.wait_for_timeout(300)
            scale, x, y = view(page)
            screen_x = round(canvas["x"] + x + (xs[centre] + 0.5) * scale)
            screen_y = round(canvas["y"] + y + (ys[centre] + 0.5) * scale)
        page.mouse.move(screen_x, screen_y)
        tip = page.locator(".vcs-tip")
        tip.wait_for(state="visible", timeout=10_000)
        px = int(np.floor((screen_x - canvas["x"] - x) / scale))
        py = int(np.floor((screen_y - canvas["y"] - y) / scale))
        row = int(index.pixels[py, px]) - 1
        assert row + 1 == biggest  # the pointer is on Birmingham's largest LSOA
        assert tip.inner_text().split("\n") == expected_hover(db_con, index, row)
        page.screenshot(path=str(SCREENSHOTS / "map-national-hover.png"))
    finally:
        page.close()


def test_national_map_png_download_and_geometry_fetched_once(app_url: str, browser) -> None:
    # Given the national map open, When the PNG button is pressed, Then a PNG of the view (title, map and legend) at
    # twice the screen resolution downloads; When another measure is chosen, Then the map is redrawn with its title
    # and the geometry file is not fetched again.
    requests: list[str] = []
    page = open_national_map(browser, app_url, requests=requests)
    try:
        canvas = page.locator(".vcs-canvas").bounding_box()
        with page.expect_download(timeout=30_000) as download:
            page.get_by_role("button", name="Download the map as PNG").click()
        assert download.value.suggested_filename == "map_imd_score_lsoa21.png"
        data = Path(download.value.path()).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert width == round(2 * canvas["width"]) and height == round(2 * (canvas["height"] + 44))
        geometry = [url for url in requests if re.search(r"/app/static/raster/lsoa21-[0-9a-f]{16}\.bin$", url)]
        assert len(geometry) == 1
        page.locator('[data-testid="stSelectbox"]').filter(has_text="Measure").click()
        page.get_by_role("option", name="Health deprivation and disability score").click()
        page.locator(".vcs-title", has_text="Health deprivation and disability score").wait_for(timeout=60_000)
        page.locator(DRAWN).wait_for(timeout=60_000)
        assert len([url for url in requests if "/app/static/raster/" in url]) == 1
    finally:
        page.close()
