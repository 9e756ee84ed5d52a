"""Shared helpers for browser benchmarks: a Streamlit server subprocess and a measured page load."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--use-gl=swiftshader",
    "--enable-unsafe-swiftshader",
]
VIEWPORT = {"width": 1280, "height": 900}

# Body of a JS function: true when every chart on the page is drawn. A raster map (the app's viewer on Leaflet,
# insight/assets/raster_map.js) counts as drawn when it says so: its image is decoded, coloured and placed, and a
# frame has passed. A MapLibre subplot counts as drawn
# when its style and sources are loaded, it is idle, its tiles are loaded and Plotly has added every trace to it;
# a geo (SVG) subplot when its base topology has arrived and every choropleth trace with areas has drawn its paths;
# layout images when each is placed and its picture decoded (checked on a copy of its URL: same bytes, same work).
_CHARTS_DRAWN = """
  for (const host of document.querySelectorAll('[data-testid^="stBidiComponent"]')) {
    const map = (host.shadowRoot || host).querySelector('.vcs-raster-map');
    if (!map || map.dataset.drawn !== 'true') return false;
  }
  const holders = document.querySelectorAll('[data-testid="stPlotlyChart"]');
  const plots = document.querySelectorAll('.js-plotly-plot');
  if (plots.length < holders.length) return false;
  for (const gd of plots) {
    const full = gd._fullLayout;
    if (!full || !gd.querySelector('.main-svg')) return false;
    for (const id of (full._subplots && full._subplots.map) || []) {
      const sub = full[id] && full[id]._subplot;
      if (!sub || !sub.map) return false;
      const m = sub.map;
      const wanted = gd._fullData.filter(t => (t.subplot || 'map') === id && t.visible === true).length;
      if (Object.keys(sub.traceHash || {}).length < wanted) return false;
      if (!m.loaded() || m.isMoving() || !m.areTilesLoaded()) return false;
    }
    for (const id of (full._subplots && full._subplots.geo) || []) {
      const sub = full[id] && full[id]._subplot;
      if (!sub || !sub.topojson) return false;
      const traces = gd._fullData.filter(t => (t.geo || 'geo') === id && t.visible === true);
      const shapes = traces.filter(t => t.type === 'choropleth' && t._length).length;
      const drawn = [...sub.framework.node().querySelectorAll('g.trace.choropleth')].filter(g => g.querySelector('path'));
      if (drawn.length < shapes) return false;
    }
    const images = (full.images || []).filter(im => im.visible !== false && im.source).length;
    const placed = [...gd.querySelectorAll('g.imagelayer image, g.layer-subplot image')];
    if (placed.length < images) return false;
    window.__decoded = window.__decoded || new Map();
    for (const node of placed) {
      const href = node.getAttribute('href') || node.getAttribute('xlink:href') || '';
      if (!window.__decoded.has(href)) {
        const probe = new Image();
        window.__decoded.set(href, probe);
        probe.src = href;
      }
      const probe = window.__decoded.get(href);
      if (!probe.complete || !probe.naturalWidth) return false;
    }
  }
  return true;
"""
CHARTS_DRAWN_JS = "() => {" + _CHARTS_DRAWN + "}"
# How many charts the page shows: Plotly charts and raster maps.
CHART_COUNT_JS = """() => document.querySelectorAll('.js-plotly-plot').length
  + [...document.querySelectorAll('[data-testid^="stBidiComponent"]')]
      .filter(host => (host.shadowRoot || host).querySelector('.vcs-raster-map')).length"""
# True once a Streamlit script run has started and finished, nothing is stale or a skeleton, and every chart is
# drawn (RUN_WATCH_JS, below, must be installed first).
DRAWN_JS = (
    """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!window.__scriptRan || !app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || !main.querySelector('[data-testid]')) return false;
"""
    + _CHARTS_DRAWN
    + "}"
)


# Installed before any page script: records that a Streamlit script run has started, so "not running" is only
# trusted after a run (the app shell reports "not running" before the first run begins), and the moment the page
# is first drawn (epoch ms, checked every 10 ms in the page). Polling from Playwright instead was seen to notice
# a drawn map up to ~1 s late; the page's own clock does not depend on when the test driver looks.
RUN_WATCH_JS = (
    """
window.__scriptRan = false;
window.__drawnAt = null;
window.__fromUrl = null;
new MutationObserver(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (app && app.getAttribute('data-test-script-state') === 'running') window.__scriptRan = true;
}).observe(document, {subtree: true, attributes: true, childList: true, attributeFilter: ['data-test-script-state']});
const __isDrawn = """
    + DRAWN_JS
    + """;
setInterval(() => {
  if (window.__drawnAt !== null || (window.__fromUrl !== null && location.href === window.__fromUrl)) return;
  try { if (__isDrawn()) window.__drawnAt = performance.timeOrigin + performance.now(); } catch (e) {}
}, 10);
"""
)
DRAWN_AT_JS = "() => window.__drawnAt !== null"


@dataclass
class Load:
    """One page load: seconds from navigation to drawn and bytes received (HTTP on the wire + websocket).

    asset_bytes is the part of http_bytes that is Streamlit's own frontend bundle (/static/), the same for every
    page and cached by the browser after the first visit; page_bytes is everything else.
    """

    seconds: float
    http_bytes: int
    ws_bytes: int
    asset_bytes: int
    charts: int

    @property
    def total_bytes(self) -> int:
        return self.http_bytes + self.ws_bytes

    @property
    def page_bytes(self) -> int:
        return self.total_bytes - self.asset_bytes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, *, timeout: float = 60.0) -> None:
    """Poll Streamlit's health endpoint until it answers ok."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit at {url} did not become healthy in {timeout:.0f} s")


@contextmanager
def streamlit_server(script: Path, *, env: dict[str, str] | None = None, root: Path = ROOT) -> Iterator[str]:
    """Run `streamlit run script` headless on a free port with static serving on, from root (the checkout whose
    code it imports); yield its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--server.enableStaticServing=true",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
    ]
    process = subprocess.Popen(
        command,
        cwd=root,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def chromium() -> Iterator:
    """Debian's chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise FileNotFoundError("no /usr/bin/chromium: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Meter:
    """Counts bytes a page receives: HTTP encoded (wire) lengths from CDP and websocket frame payloads."""

    def __init__(self, context, page) -> None:
        self.http_bytes = 0
        self.ws_bytes = 0
        self.asset_bytes = 0
        self._urls: dict[str, str] = {}
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        session.on("Network.requestWillBeSent", self._request)
        session.on("Network.loadingFinished", self._http)
        session.on("Network.webSocketFrameReceived", self._frame)
        self.session = session

    def _request(self, event: dict) -> None:
        self._urls[event["requestId"]] = event.get("request", {}).get("url", "")

    def _http(self, event: dict) -> None:
        url = self._urls.pop(event["requestId"], "")
        size = int(event.get("encodedDataLength", 0))
        if url.startswith("data:"):
            return  # decoded in the page from bytes already counted on the websocket
        self.http_bytes += size
        if urlparse(url).path.startswith("/static/"):
            self.asset_bytes += size  # Streamlit's own frontend bundle: the same for every page

    def _frame(self, event: dict) -> None:
        response = event.get("response", {})
        data = response.get("payloadData", "")
        # opcode 2 = binary frame, base64 in CDP; 1 = text.
        self.ws_bytes += len(data) * 3 // 4 if response.get("opcode") == 2 else len(data.encode())

    def reset(self) -> None:
        self.http_bytes = 0
        self.ws_bytes = 0
        self.asset_bytes = 0


def measure(page, meter: Meter, url: str, *, timeout_s: float = 120.0) -> Load:
    """Navigate to url and wait until the page is drawn; return time and bytes for this load.

    The tab is emptied first (untimed), so tearing down the page it showed (a big WebGL map takes up to ~1 s)
    is not counted against this one; HTTP and compiled-code caches of the tab's context are kept.
    """
    page.goto("about:blank")
    meter.reset()
    start = time.time()
    page.goto(url, wait_until="commit")
    wait_drawn(page, url, timeout_s=timeout_s)
    seconds = page.evaluate("window.__drawnAt") / 1000 - start
    page.wait_for_timeout(300)  # let trailing frames and HTTP completions be counted
    refuse_error_page(page, url)
    charts = page.evaluate(CHART_COUNT_JS)
    return Load(round(seconds, 3), meter.http_bytes, meter.ws_bytes, meter.asset_bytes, charts)


# What the page shows when it is not drawn in time: enough to tell which condition of DRAWN_JS is not met.
STATE_JS = """() => JSON.stringify({
  url: location.href,
  scriptRan: window.__scriptRan,
  scriptState: document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state'),
  stale: document.querySelectorAll('[data-stale="true"]').length,
  skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
  plotlyHolders: document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
  plots: document.querySelectorAll('.js-plotly-plot').length,
  rasterMaps: [...document.querySelectorAll('[data-testid^="stBidiComponent"]')]
    .map(host => (host.shadowRoot || host).querySelector('.vcs-raster-map')?.dataset.drawn ?? 'none'),
})"""


def wait_drawn(page, what: str, *, timeout_s: float) -> None:
    """Wait until the page says it is drawn (DRAWN_AT_JS).

    Raises:
        TimeoutError: not drawn in time; the message says what the page showed.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(DRAWN_AT_JS, polling=50, timeout=timeout_s * 1000)
    except PlaywrightTimeout as error:
        raise TimeoutError(f"{what}: not drawn in {timeout_s:.0f} s; the page: {page.evaluate(STATE_JS)}") from error


def refuse_error_page(page, what: str) -> None:
    """An error box is drawn quickly too: never time it as a page.

    Raises:
        RuntimeError: the page shows a Streamlit exception.
    """
    if page.locator('[data-testid="stException"]').count():
        raise RuntimeError(f"{what}: the page shows an error, not its charts")


def switch(page, meter: Meter, title: str, *, timeout_s: float = 120.0) -> Load:
    """Click a page's entry in the sidebar of the open app and wait until it is drawn: moving between pages
    in a meeting (no reload: Streamlit's and Plotly's JavaScript stay loaded, the session and its caches too)."""
    page.evaluate("(url) => { window.__scriptRan = false; window.__drawnAt = null; window.__fromUrl = url; }", page.url)
    meter.reset()
    start = time.time()
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    wait_drawn(page, title, timeout_s=timeout_s)
    seconds = page.evaluate("window.__drawnAt") / 1000 - start
    page.wait_for_timeout(300)
    refuse_error_page(page, title)
    charts = page.evaluate(CHART_COUNT_JS)
    return Load(round(seconds, 3), meter.http_bytes, meter.ws_bytes, meter.asset_bytes, charts)


def open_tab(browser) -> tuple:
    """A fresh browser context (empty HTTP cache) with one page and its byte meter: (context, page, meter)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(RUN_WATCH_JS)
    page = context.new_page()
    return context, page, Meter(context, page)


def cold_load(browser, url: str, **kwargs) -> Load:
    """A load in a fresh browser context: empty HTTP cache, new Streamlit session."""
    context, page, meter = open_tab(browser)
    try:
        return measure(page, meter, url, **kwargs)
    finally:
        context.close()


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
