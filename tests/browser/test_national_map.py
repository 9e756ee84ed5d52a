"""Real-browser test of the national LSOA map (the app's viewer on Leaflet) on the mirror build: it draws fitted
beside its legend, hover names the exact LSOA under the pointer with its value as the app writes it (at two pixel
densities, across boundaries), zoom works, the PNG holds the map's real colours, and the geometry file is fetched
once.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from insight.formatting import format_value
from insight.maps import national as national_map
from insight.maps import raster
from tests.browser.support import ROOT, wait_until_idle

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DRAWN = '.vcs-raster-map[data-drawn="true"]'
LEGEND_WIDTH = 170  # insight/assets/raster_map.js
BIRMINGHAM = "E08000025"

pytestmark = pytest.mark.browser


def view(page) -> tuple[float, float, float]:
    """Where the image is on the map: (scale, x, y), image pixel = (map position - x, y) / scale."""
    scale, x, y = (float(v) for v in page.locator(".vcs-raster-map").get_attribute("data-view").split(","))
    return scale, x, y


def settled(page, action, *, moves: int = 0) -> None:
    """Do action and wait until it has moved the map: Leaflet animates zooms and pans, and ignores a pan key
    pressed while the last pan is still moving. moves: which of view()'s numbers it changes (0 zooms, 1 and 2 pan)."""
    before = view(page)[moves]
    action()
    for _ in range(100):
        if abs(view(page)[moves] - before) > 1e-9:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"the map did not move: view {view(page)}")


def open_national_map(browser, app_url: str, *, requests: list[str] | None = None, density: int = 1):
    context = browser.new_context(viewport={"width": 1400, "height": 1200}, device_scale_factor=density)
    page = context.new_page()
    if requests is not None:
        page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{app_url}/map?geo=lsoa21&measure=imd_score", wait_until="domcontentloaded")
    wait_until_idle(page)
    page.locator(DRAWN).wait_for(timeout=180_000)
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
    (decile,) = db_con.execute(
        "SELECT value FROM area_measures WHERE level = 'lsoa21' AND measure = 'imd_decile' AND area_code = ?", [code]
    ).fetchone()
    ends = {1: " (most deprived 10%)", 10: " (least deprived 10%)"}
    lad_name, median = db_con.execute(
        """SELECT b.name, median(m.value) FROM boundaries b JOIN areas a ON a.level = 'lsoa21' AND a.lad_code = b.code
           JOIN area_measures m ON m.level = 'lsoa21' AND m.measure = 'imd_score' AND m.area_code = a.code
           WHERE b.level = 'lad24' AND b.code = ? GROUP BY b.name""",
        [lad_code],
    ).fetchone()
    return [
        f"{name} ({code})",
        f"IMD score: {format_value(value, unit='score')}",
        f"decile {int(decile)} of 10{ends.get(int(decile), '')}",
        f"{lad_name} ({lad_code}): median {format_value(median, unit='score')}",
    ]


def zoom_to_birmingham(page, db_con, index: raster.IndexRaster) -> tuple[int, int, int]:
    """Zoom in (the + button, 6 times) and pan (arrow keys) until the middle of Birmingham's largest LSOA is near
    the middle of the map; returns that LSOA's raster row + 1 and its pixel (x, y)."""
    for _ in range(6):
        settled(page, page.get_by_role("button", name="Zoom in (key +)").click)
    query = "SELECT code FROM areas WHERE level = 'lsoa21' AND lad_code = ?"
    codes = [code for (code,) in db_con.execute(query, [BIRMINGHAM]).fetchall()]
    rows = np.flatnonzero(np.isin(index.codes, codes)) + 1
    biggest = int(rows[np.argmax(np.bincount(index.pixels.ravel(), minlength=len(index.codes) + 1)[rows])])
    ys, xs = np.nonzero(index.pixels == biggest)
    centre = int(np.argmin((ys - ys.mean()) ** 2 + (xs - xs.mean()) ** 2))
    canvas = page.locator(".vcs-canvas").bounding_box()
    page.wait_for_timeout(200)
    scale, x, y = view(page)
    steps_x = round((x + (xs[centre] + 0.5) * scale - (canvas["width"] - LEGEND_WIDTH) / 2) / 80)
    steps_y = round((y + (ys[centre] + 0.5) * scale - canvas["height"] / 2) / 80)
    page.locator(".vcs-canvas").focus()
    for moves, forward, back, steps in ((1, "ArrowRight", "ArrowLeft", steps_x), (2, "ArrowDown", "ArrowUp", steps_y)):
        for _ in range(abs(steps)):
            settled(page, lambda key=forward if steps > 0 else back: page.keyboard.press(key), moves=moves)
    return biggest, int(xs[centre]), int(ys[centre])


@pytest.mark.parametrize("density", [1, 2], ids=["1x", "2x-screen"])
def test_national_map_draws_and_hover_names_the_lsoa_underneath(app_url: str, browser, db_con, density) -> None:
    # Given the national map of IMD scores, When it opens, Then it is fitted left of its legend; When zoomed in on
    # Birmingham and the pointer visits a grid of points across several LSOAs and their boundaries, Then at every
    # point the tooltip names the LSOA whose pixel is under the pointer (as the index image says), with its value,
    # its district and the district median, as in the database; outside every area there is no tooltip.
    index = raster.index_raster(db_con)
    page = open_national_map(browser, app_url, density=density)
    try:
        assert page.locator('[data-testid="stException"]').count() == 0
        canvas = page.locator(".vcs-canvas").bounding_box()
        scale, x, y = view(page)
        height, width = index.pixels.shape
        assert x >= 0 and x + width * scale <= canvas["width"] - LEGEND_WIDTH  # the whole image, left of the legend
        assert y >= 0 and y + height * scale <= canvas["height"]
        assert max(width * scale / (canvas["width"] - LEGEND_WIDTH), height * scale / canvas["height"]) > 0.95
        if density == 1:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "map-national.png"))
        settled(page, page.get_by_role("button", name="Zoom in (key +)").click)
        assert view(page)[0] == pytest.approx(scale * 1.6)
        biggest, px0, py0 = zoom_to_birmingham(page, db_con, index)
        canvas = page.locator(".vcs-canvas").bounding_box()  # again: focusing the map may have scrolled the page
        scale, x, y = view(page)
        assert scale > 1
        tip = page.locator(".vcs-tip")
        seen = set()
        for dx in range(-30, 31, 6):
            for dy in range(-30, 31, 10):
                screen_x = round(canvas["x"] + x + (px0 + 0.5) * scale) + dx
                screen_y = round(canvas["y"] + y + (py0 + 0.5) * scale) + dy
                page.mouse.move(screen_x, screen_y)
                row = int(
                    index.pixels[int((screen_y - canvas["y"] - y) // scale), int((screen_x - canvas["x"] - x) // scale)]
                )
                # Chromium delivers pointer moves with the next animation frame: wait for the tooltip to follow.
                if row == 0:
                    expect(tip).to_be_hidden()
                    continue
                seen.add(row)
                expect(tip.locator("div")).to_have_text(expected_hover(db_con, index, row - 1), timeout=5_000)
        assert biggest in seen and len(seen) >= 3  # the grid crossed boundaries into neighbouring LSOAs
        page.mouse.move(canvas["x"] + canvas["width"] - LEGEND_WIDTH / 2, canvas["y"] + canvas["height"] - 40)
        expect(tip).to_be_hidden()  # under the legend: no tooltip for the map hidden there
        if density == 1:
            page.mouse.move(round(canvas["x"] + x + (px0 + 0.5) * scale), round(canvas["y"] + y + (py0 + 0.5) * scale))
            page.screenshot(path=str(SCREENSHOTS / "map-national-hover.png"))
    finally:
        page.context.close()


def test_national_map_png_holds_the_map_and_geometry_is_fetched_once(app_url: str, browser, db_con) -> None:
    # Given the national map zoomed in on Birmingham, When the PNG button is pressed, Then a PNG at twice the screen
    # resolution downloads, with the title above the map and, where Birmingham's largest LSOA is on screen, that
    # LSOA's own colour; When another measure is chosen, Then the map is redrawn with its title and the geometry
    # file is not fetched again.
    index = raster.index_raster(db_con)
    requests: list[str] = []
    page = open_national_map(browser, app_url, requests=requests)
    try:
        biggest, px0, py0 = zoom_to_birmingham(page, db_con, index)
        canvas = page.locator(".vcs-canvas").bounding_box()
        scale, x, y = view(page)
        with page.expect_download(timeout=30_000) as download:
            page.get_by_role("button", name="Download the map as PNG").click()
        assert download.value.suggested_filename == "map_imd_score_lsoa21.png"
        image = Image.open(io.BytesIO(Path(download.value.path()).read_bytes()))
        assert image.format == "PNG"
        assert image.size == (round(2 * canvas["width"]), round(2 * (canvas["height"] + 44 + 26)))
        payload = national_map.national_map(
            db_con,
            measure="imd_score",
            label="IMD score",
            unit="score",
            title="x",
            serve_geometry=False,
            scheme="classes",
        )
        _meta, parts = national_map.unpack(payload)
        step = parts["steps"][biggest - 1]
        colour = tuple(parts["palette"][3 * step : 3 * step + 3])
        at = (round(2 * (x + (px0 + 0.5) * scale)), round(2 * (44 + y + (py0 + 0.5) * scale)))
        assert image.convert("RGB").getpixel(at) == colour
        title_band = np.asarray(image.convert("L").crop((0, 0, image.size[0] // 2, 88)))
        assert (title_band < 128).sum() > 500  # the title is written in dark text above the map
        geometry = [url for url in requests if re.search(r"/app/static/raster/lsoa21-[0-9a-f]{16}\.bin$", url)]
        assert len(geometry) == 1
        page.locator('[data-testid="stSelectbox"]').filter(has_text="Measure").click()
        page.get_by_role("option", name="Health deprivation and disability score").click()
        page.locator(".vcs-title", has_text="Health deprivation and disability score").wait_for(timeout=60_000)
        page.locator(DRAWN).wait_for(timeout=60_000)
        assert page.locator(".vcs-raster-map").count() == 1
        assert len([url for url in requests if "/app/static/raster/" in url]) == 1
    finally:
        page.context.close()


def test_national_map_is_in_published_deciles_by_default(app_url: str, browser, db_con) -> None:
    # Given the national map of IMD scores as it opens (deciles by default), When the legend is read, Then it lists
    # the ten IoD deciles, 1 = most deprived, each with its range of scores from the database, in Viridis colours
    # (darkest first); and Birmingham's largest LSOA is drawn on the canvas in the colour of its published decile.
    index = raster.index_raster(db_con)
    page = open_national_map(browser, app_url)
    try:
        items = page.locator(".vcs-key li")
        expect(items).to_have_count(11)
        ranges = db_con.execute(
            """SELECT d.value::INT, min(s.value), max(s.value) FROM area_measures d JOIN area_measures s
               ON s.level = d.level AND s.area_code = d.area_code AND s.measure = 'imd_score'
               WHERE d.level = 'lsoa21' AND d.measure = 'imd_decile' GROUP BY 1 ORDER BY 1"""
        ).fetchall()
        ends = {1: " (most deprived 10%)", 10: " (least deprived 10%)"}
        expected = [
            f"{d}{ends.get(d, '')}: {format_value(lo, unit='score')}–{format_value(hi, unit='score')}"
            for d, lo, hi in ranges
        ]
        assert items.all_inner_texts()[:10] == expected and items.nth(10).inner_text() == "No value"
        colours = [items.nth(i).get_attribute("data-colour") for i in range(10)]
        assert colours[0] == "rgb(68, 1, 84)" and colours[9] == "rgb(253, 231, 37)"  # Viridis, decile 1 darkest
        biggest, px0, py0 = zoom_to_birmingham(page, db_con, index)
        scale, x, y = view(page)
        (decile,) = db_con.execute(
            "SELECT value FROM area_measures WHERE level = 'lsoa21' AND measure = 'imd_decile' AND area_code = ?",
            [index.codes[biggest - 1]],
        ).fetchone()
        shot = Image.open(io.BytesIO(page.locator(".vcs-canvas").screenshot())).convert("RGB")
        pixel = shot.getpixel((round(x + (px0 + 0.5) * scale), round(y + (py0 + 0.5) * scale)))
        assert f"rgb({pixel[0]}, {pixel[1]}, {pixel[2]})" == colours[int(decile) - 1]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator(".vcs-canvas").focus()
        page.keyboard.press("0")
        page.wait_for_timeout(300)
        page.screenshot(path=str(SCREENSHOTS / "map-national-deciles.png"))
    finally:
        page.context.close()
