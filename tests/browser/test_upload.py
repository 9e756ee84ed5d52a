"""Real browser: upload a CSV of postcodes on the Your data page and see the map and the tables appear."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks._browser import CHARTS_DRAWN_JS

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture
def records_csv(db_con, tmp_path: Path) -> tuple[Path, int]:
    """300 real-format postcodes from one district of the built lookup (queried now, never committed)."""
    lad = db_con.execute(
        """SELECT lad24_code FROM postcodes WHERE lsoa21_code IS NOT NULL AND lad24_code LIKE 'E%'
           GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"""
    ).fetchone()[0]
    postcodes = [
        row[0]
        for row in db_con.execute(
            "SELECT postcode FROM postcodes WHERE lad24_code = ? AND lsoa21_code IS NOT NULL ORDER BY hash(postcode) LIMIT 300",
            [lad],
        ).fetchall()
    ]
    path = tmp_path / "service_records.csv"
    lines = ["Client,Postcode"] + [f"C{i},{pc}" for i, pc in enumerate(postcodes)] + ["X1,not a postcode"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, len(postcodes)


def test_upload_shows_map_and_tables(app_url, browser, records_csv):
    path, placed = records_csv
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{app_url}/your-data", wait_until="networkidle")
        page.get_by_text("processed in memory").wait_for(timeout=60_000)
        page.locator("input[type=file]").set_input_files(str(path))
        page.get_by_role("button", name="Map my records").click(timeout=60_000)
        page.get_by_text("How your rows matched").wait_for(timeout=60_000)
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=60_000)
        page.wait_for_function(CHARTS_DRAWN_JS, polling=250, timeout=60_000)
        assert page.locator("path.choroplethlocation").count() > 0  # the records map drew its areas
        assert page.locator("[data-testid='stDataFrame']").count() >= 4
        metrics = page.locator("[data-testid='stMetricValue']").all_inner_texts()
        # Rows read and matched are protected (within 2 of the truth); "not placed" is a true zero, shown as 0.
        rows, matched = (int(text.replace(",", "")) for text in metrics[:2])
        assert abs(rows - (placed + 1)) <= 2 and abs(matched - placed) <= 2 and metrics[2] == "0"
    finally:
        page.close()


def test_hostile_workbook_is_refused_and_the_server_keeps_serving(app_url, browser, tmp_path: Path):
    """Issue 19: a 5 kB workbook declaring A1:XFD1048576 (and a cell there) once took the whole server down."""
    from tests.insight import hostile_uploads

    hostile = tmp_path / "huge_dimension.xlsx"
    hostile.write_bytes(hostile_uploads.huge_dimension_and_far_cell())
    valid = tmp_path / "records.xlsx"
    valid.write_bytes(hostile_uploads.workbook())
    size = {"width": 1400, "height": 1000}
    first, second = browser.new_context(viewport=size), browser.new_context(viewport=size)  # two people
    try:
        page = first.new_page()
        page.goto(f"{app_url}/your-data", wait_until="networkidle")
        page.get_by_text("processed in memory").wait_for(timeout=60_000)
        page.locator("input[type=file]").set_input_files(str(hostile))
        page.get_by_text("declares its used range as A1:XFD1048576").wait_for(timeout=120_000)
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(tmp_path / "refused.png"))
        other = second.new_page()
        other.goto(f"{app_url}/your-data", wait_until="networkidle")
        other.locator("input[type=file]").set_input_files(str(valid))
        other.get_by_text("1 rows").wait_for(timeout=60_000)
        assert other.locator("[data-testid='stException']").count() == 0
        page.locator("input[type=file]").set_input_files(str(valid))  # the first session is usable too
        page.get_by_text("1 rows").wait_for(timeout=60_000)
    finally:
        first.close()
        second.close()
