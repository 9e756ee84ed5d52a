"""Real-browser test: the national LSOA map on the own-nation decile colours Wales, and hover names a Welsh LSOA
with its WIMD 2025 decile (the mirror build)."""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import expect

from insight.formatting import format_value
from insight.maps import national as national_map
from insight.maps import raster
from tests.browser.support import ROOT, wait_until_idle

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DRAWN = '.vcs-raster-map[data-drawn="true"]'
MEASURE, LABEL, UNIT = "own_nation_decile", "Deprivation decile within own nation", "decile"

pytestmark = pytest.mark.browser


def interior_pixel(index: raster.IndexRaster, row: int) -> tuple[int, int]:
    """(x, y) of the pixel of raster row `row` (1-based) nearest its centre whose 8 neighbours are the same LSOA."""
    pixels = index.pixels
    same = pixels == row
    inner = same.copy()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            inner &= np.roll(np.roll(same, dy, axis=0), dx, axis=1)
    ys, xs = np.nonzero(inner)
    centre = int(np.argmin((ys - ys.mean()) ** 2 + (xs - xs.mean()) ** 2))
    return int(xs[centre]), int(ys[centre])


ENDS = {1: " (most deprived 10%)", 10: " (least deprived 10%)"}


def expected_hover(db_con, code: str) -> list[str]:
    """The tooltip lines for a Welsh LSOA: its name and code, own-nation decile, its class, its district's median decile."""
    name, lad_code, value = db_con.execute(
        """SELECT a.name, a.lad_code, m.value FROM areas a
           JOIN area_measures m ON m.level = 'lsoa21' AND m.area_code = a.code AND m.measure = ?
           WHERE a.level = 'lsoa21' AND a.code = ?""",
        [MEASURE, code],
    ).fetchone()
    lad_name, median = db_con.execute(
        """SELECT b.name, median(m.value) FROM boundaries b JOIN areas a ON a.level = 'lsoa21' AND a.lad_code = b.code
           JOIN area_measures m ON m.level = 'lsoa21' AND m.measure = ? AND m.area_code = a.code
           WHERE b.level = 'lad24' AND b.code = ? GROUP BY b.name""",
        [MEASURE, lad_code],
    ).fetchone()
    return [
        f"{name} ({code})",
        f"{LABEL}: {format_value(value, unit=UNIT)}",
        # The map's class line (decile classes by default): an own-nation decile is its own class.
        f"decile {int(value)} of 10{ENDS.get(int(value), '')}",
        f"{lad_name} ({lad_code}): median {format_value(median, unit=UNIT)}",
    ]


def test_hovering_a_welsh_lsoa_on_the_own_nation_map(app_url: str, browser, db_con) -> None:
    # Given the national map opened on the own-nation decile, Then every LSOA of Wales has a colour in the payload;
    # When the pointer rests inside the largest Welsh LSOA on screen, Then the tooltip names it with its WIMD 2025
    # decile (as its own-nation decile) and its Welsh district's median, as in the database.
    index = raster.index_raster(db_con)
    payload = national_map.national_map(
        db_con, measure=MEASURE, label=LABEL, unit=UNIT, title="x", serve_geometry=False
    )
    _meta, parts = national_map.unpack(payload)
    values = np.array(national_map.hover_texts(parts)[0])
    welsh = np.char.startswith(np.asarray(index.codes, dtype=str), "W01")
    assert welsh.sum() == 1_917 and (values[welsh] != "no value").all()
    sizes = np.bincount(index.pixels.ravel(), minlength=len(index.codes) + 1)[1:]
    row = int(np.argmax(np.where(welsh, sizes, 0))) + 1
    px, py = interior_pixel(index, row)
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/map?geo=lsoa21&measure={MEASURE}", wait_until="domcontentloaded")
        wait_until_idle(page)
        page.locator(DRAWN).wait_for(timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        expect(page.get_by_text("separate deprivation indices", exact=False)).to_have_count(1)
        canvas = page.locator(".vcs-canvas").bounding_box()
        scale, x, y = (float(v) for v in page.locator(".vcs-raster-map").get_attribute("data-view").split(","))
        page.mouse.move(round(canvas["x"] + x + (px + 0.5) * scale), round(canvas["y"] + y + (py + 0.5) * scale))
        tip = page.locator(".vcs-tip")
        expect(tip.locator("div")).to_have_text(expected_hover(db_con, index.codes[row - 1]), timeout=10_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "map-national-wales-hover.png"))
    finally:
        context.close()
