"""Real browser: upload a CSV of postcodes on the Your data page and see the map and the tables appear."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--use-gl=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox"]

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


@pytest.fixture(scope="module")
def app_url(built_db: Path):
    if not Path(CHROMIUM).exists():
        pytest.skip("no Debian chromium")
    port = free_port()
    env = os.environ | {"VCS_INSIGHT_DB": str(built_db)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/_stcore/health", seconds=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


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


def map_is_drawn(page) -> bool:
    return page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].some(p => {
               const map = p._fullLayout && p._fullLayout.map && p._fullLayout.map._subplot && p._fullLayout.map._subplot.map;
               return !!map && map.loaded() && !map.isMoving();
           })"""
    )


def test_upload_shows_map_and_tables(app_url, records_csv):
    from playwright.sync_api import sync_playwright

    path, placed = records_csv
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{app_url}/your-data", wait_until="networkidle")  # a deep link on a cold server
        page.get_by_text("processed in memory").wait_for(timeout=60_000)
        page.locator("input[type=file]").set_input_files(str(path))
        page.get_by_role("button", name="Map my records").click(timeout=60_000)
        page.get_by_text("How your rows matched").wait_for(timeout=60_000)
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=60_000)
        deadline = time.monotonic() + 60
        while not map_is_drawn(page) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert map_is_drawn(page)
        assert page.locator("[data-testid='stDataFrame']").count() >= 4
        metrics = page.locator("[data-testid='stMetricValue']").all_inner_texts()
        assert metrics[:3] == [f"{placed + 1:,}", f"{placed:,}", "0"]
        browser.close()
