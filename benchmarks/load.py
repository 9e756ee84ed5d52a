"""Concurrency: N browser sessions click through every page for a fixed time against one app process.

One `streamlit run app.py` on 127.0.0.1 only; N Playwright contexts in Debian's headless Chromium, each
opening the app cold and then clicking the sidebar links round the eight pages (each session starts at a
different page; after an error it reloads at the next page, so one fault is counted once). A page view
is timed from click (or navigation) until the URL, the page's own heading and the end of the Streamlit run
(no stale or skeleton elements left) show the new page. Errors: a page not ready within the page timeout,
a Streamlit exception box, Streamlit's "Page not found" dialog, the wrong URL after a click, or a
traceback in the server log. Prints one JSON line:
{"sessions": 20, "seconds": 60, "errors": 0, "p95_page_s": ..., "server_peak_rss_mb": ..., ...}

Run: .venv/bin/python benchmarks/load.py [--db data/vcs_insight.duckdb] [--sessions 20] [--seconds 60]
(without --db, or when it is absent, the database is built from the mirror into a temp folder first).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._browser import CHROMIUM, free_port, percentile, wait_healthy  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# url_path and sidebar title of every page, in sidebar order.
PAGES = [
    ("overview", "Overview"),
    ("map", "Map"),
    ("area", "Area profile"),
    ("jeopardy", "Triple jeopardy"),
    ("funding", "Funding & services"),
    ("explore", "Explore & download"),
    ("your-data", "Your data"),
    ("methods", "Methods & sources"),
]
PAGE_TIMEOUT_S = 60.0
MAX_SESSIONS = 40
MAX_SECONDS = 300
# The Streamlit run has finished and left no stale or placeholder elements.
READY_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
  const main = document.querySelector('[data-testid="stMain"]');
  return !!main && !!main.querySelector('[data-testid="stHeading"], [data-testid="stMarkdown"]');
}"""
# Before a click: remember the page's first heading, which every page sets and no two pages share.
ARM_JS = """() => {
  const heading = document.querySelector('[data-testid="stMain"] [data-testid="stHeading"]');
  window.__vcsOld = heading ? heading.innerText : null;
}"""
# After a click: the URL shows the new page, its own first heading is drawn, and the run is done
# (or Streamlit's "Page not found" dialog is up).
SWITCHED_JS = f"""(path) => {{
  const dialogs = [...document.querySelectorAll('[role="dialog"]')];
  if (dialogs.some(d => d.innerText.includes('Page not found'))) return true;  // counted as an error below
  if (location.pathname.replace(/\\/$/, '') !== path.replace(/\\/$/, '')) return false;
  const heading = document.querySelector('[data-testid="stMain"] [data-testid="stHeading"]');
  if (!heading || heading.innerText === window.__vcsOld) return false;
  return ({READY_JS})();
}}"""
DIAGNOSE_JS = """() => JSON.stringify({
  path: location.pathname,
  old: window.__vcsOld,
  state: (document.querySelector('[data-testid="stApp"]') || {getAttribute: () => null}).getAttribute('data-test-script-state'),
  stale: document.querySelectorAll('[data-stale="true"]').length,
  skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
})"""


@dataclass
class Tally:
    """Page-view times per page and errors by kind, shared by all sessions."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def view(self, page: str, seconds: float) -> None:
        self.seconds.setdefault(page, []).append(seconds)

    shots: Path | None = None

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.examples) < 5:
            self.examples.append(f"{kind}: {detail}"[:200])
        if self.shots is not None:
            with (self.shots / "errors.txt").open("a") as log:
                log.write(f"{sum(self.errors.values()):03d} {kind}: {detail}\n")

    async def screenshot(self, page, label: str) -> None:
        """Keep a picture of an error for debugging (with --shots DIR)."""
        if self.shots is not None:
            number = sum(self.errors.values())
            with contextlib.suppress(Exception):
                await page.screenshot(path=str(self.shots / f"error_{number:03d}_{label}.png"), full_page=True)


async def timed(page, tally: Tally, name: str, path: str, action) -> bool:
    """Run one navigation and wait until its Streamlit run is done; record time or error; True when all went well."""
    started = time.perf_counter()
    try:
        await action()
        await page.wait_for_function(SWITCHED_JS, arg=url_path(path), polling=100, timeout=PAGE_TIMEOUT_S * 1000)
    except Exception as error:  # a timeout or a closed page: counted, the session goes on
        state = await diagnose(page)
        tally.error("timeout" if "Timeout" in type(error).__name__ else "navigation", f"{name}: {state} {error}")
        await tally.screenshot(page, "timeout")
        return False
    tally.view(name, time.perf_counter() - started)
    errors_before = sum(tally.errors.values())
    if await page.locator('[data-testid="stException"]').count():
        tally.error("exception", name)
        await tally.screenshot(page, "exception")
    if await page.get_by_role("dialog").filter(has_text="Page not found").count():
        tally.error("page_not_found", f"{name}: at {page.url}")
        await tally.screenshot(page, "page_not_found")
        await page.keyboard.press("Escape")  # close Streamlit's modal so the session can go on
    if not await on_page(page, path):
        tally.error("wrong_page", f"{name}: at {page.url}")
        await tally.screenshot(page, "wrong_page")
    return sum(tally.errors.values()) == errors_before


def url_path(path: str) -> str:
    """The URL path of a page: the default page lives at / (Streamlit answers /overview with "Page not found")."""
    return "/" if path == PAGES[0][0] else f"/{path}"


async def diagnose(page) -> str:
    """Which readiness condition did not hold (for the error example)."""
    with contextlib.suppress(Exception):
        return await page.evaluate(DIAGNOSE_JS)
    return "page gone"


async def on_page(page, path: str) -> bool:
    """The browser shows the page's URL path (the default page may be at /); allow 2 s for the URL to settle."""
    wanted = {f"/{path}", "/"} if path == PAGES[0][0] else {f"/{path}"}
    for _ in range(20):
        if urlsplit(page.url).path.rstrip("/") in {w.rstrip("/") for w in wanted}:
            return True
        await page.wait_for_timeout(100)
    return False


async def session(browser, url: str, number: int, *, deadline: float, tally: Tally) -> None:
    """One visitor: open the app cold at a page, then click round the sidebar until the deadline."""
    order = PAGES[number % len(PAGES) :] + PAGES[: number % len(PAGES)]
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()

    async def open_cold(path: str) -> None:
        await page.goto(f"{url}{url_path(path)}", wait_until="commit")
        await page.wait_for_selector('[data-testid="stApp"]', timeout=PAGE_TIMEOUT_S * 1000)
        await page.evaluate("() => { window.__vcsOld = null; }")

    async def click(name: str) -> None:
        await page.evaluate(ARM_JS)
        await page.locator('[data-testid="stSidebarNav"] a', has_text=name).first.click(timeout=PAGE_TIMEOUT_S * 1000)

    healthy, step = False, 0
    while step == 0 or time.monotonic() < deadline:
        path, name = order[step % len(order)]
        # After an error the visitor reloads at the next page instead of clicking, so one fault is counted once.
        action = (lambda name=name: click(name)) if healthy else (lambda path=path: open_cold(path))
        healthy = await timed(page, tally, name, path, action)
        step += 1
    await context.close()


async def watch_rss(process: psutil.Process, stop: asyncio.Event) -> int:
    """Peak resident bytes of the server process and its children, sampled every 0.25 s."""
    peak = 0
    while not stop.is_set():
        try:
            members = [process, *process.children(recursive=True)]
            peak = max(peak, sum(m.memory_info().rss for m in members if m.is_running()))
        except psutil.Error:
            pass
        await asyncio.sleep(0.25)
    return peak


async def drive(
    url: str, server: psutil.Process, *, sessions: int, seconds: float, shots: Path | None, warmup: bool
) -> tuple[Tally, int]:
    from playwright.async_api import async_playwright

    tally, stop = Tally(shots=shots), asyncio.Event()
    rss = asyncio.create_task(watch_rss(server, stop))
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        if warmup:
            await session(browser, url, 0, deadline=0.0, tally=Tally())
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(session(browser, url, n, deadline=deadline, tally=tally) for n in range(sessions)))
        await browser.close()
    stop.set()
    return tally, await rss


def start_server(db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free loopback port, reading db; stderr goes to log."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        "--logger.enableRich=false",
    ]
    env = {**os.environ, "VCS_INSIGHT_DB": str(db)}
    with log.open("w") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url)
    return process, url


def ensure_database(db: Path | None, folder: Path) -> Path:
    """The database to serve: the given one, else a fresh build from the mirror."""
    if db is not None and db.is_file():
        return db.resolve()
    target = folder / "vcs_insight.duckdb"
    mirror = os.environ.get("VCS_INSIGHT_MIRROR") or str(ROOT.parent / "shared" / "data")
    subprocess.run(
        [sys.executable, "-m", "etl", "build", "--mirror", mirror, "--db", str(target)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return target


def summary(tally: Tally, *, sessions: int, seconds: float, peak_rss: int, server_errors: int) -> dict:
    times = [s for values in tally.seconds.values() for s in values]
    errors = sum(tally.errors.values()) + server_errors
    return {
        "sessions": sessions,
        "seconds": seconds,
        "errors": errors,
        "p95_page_s": round(percentile(times, 95), 2) if times else None,
        "server_peak_rss_mb": round(peak_rss / 2**20),
        "page_views": len(times),
        "median_page_s": round(statistics.median(times), 2) if times else None,
        "p95_by_page": {page: round(percentile(v, 95), 2) for page, v in sorted(tally.seconds.items())},
        "errors_by_kind": {**tally.errors, **({"server_log": server_errors} if server_errors else {})},
        "error_examples": tally.examples,
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "vcs_insight.duckdb")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", action="store_true", help="load the app once before the sessions start")
    parser.add_argument("--shots", type=Path, default=None, help="folder for screenshots of pages with errors")
    args = parser.parse_args(argv)
    sessions, seconds = min(args.sessions, MAX_SESSIONS), min(args.seconds, MAX_SECONDS)
    with tempfile.TemporaryDirectory(prefix="vcs_load_") as folder:
        db = ensure_database(args.db, Path(folder))
        log = Path(folder) / "server.log"
        process, url = start_server(db, log)
        server = psutil.Process(process.pid)
        cpu_before, started = sum(server.cpu_times()[:2]), time.perf_counter()
        try:
            tally, peak = asyncio.run(
                drive(
                    url,
                    server,
                    sessions=sessions,
                    seconds=seconds,
                    shots=args.shots,
                    warmup=args.warmup,
                )
            )
            cpu_used, wall = sum(server.cpu_times()[:2]) - cpu_before, time.perf_counter() - started
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        server_errors = log.read_text(errors="replace").count("Traceback (most recent call last)")
    result = summary(tally, sessions=sessions, seconds=seconds, peak_rss=peak, server_errors=server_errors)
    result["wall_s"] = round(wall, 1)  # the clicking time plus the page views still under way at its end
    result["server_cpu_s"] = round(cpu_used, 1)  # near wall_s: the server (one core), not the browsers, is the limit
    result["load_average_1min"] = round(os.getloadavg()[0], 1)
    result["warmup"] = args.warmup
    print(json.dumps(result))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
