"""Every page of the app in headless Chromium: navigation → all charts drawn, cold, warm and switched, and bytes.

Prints one JSON line. cold: the first visit to each page on a freshly started server, in a fresh browser context
(no HTTP cache, empty Streamlit caches for that page's queries) — one server start per run; warm: the page's URL
opened again in a tab that has had the app open (browser and server caches warm, but the page reloads: new
session, JavaScript evaluated again); switch: the page chosen in the sidebar of the open app, as people move
between pages in a meeting (nothing reloads). server_warm_s is the page script's own run time with
warm caches, measured in-process with Streamlit's AppTest (the part the server spends per interaction).
Bytes: page_bytes is what the page itself costs (websocket + HTTP without Streamlit's frontend bundle, which the
browser caches after the first visit); total_bytes includes that bundle on a cold load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from benchmarks import _browser

APP = _browser.ROOT / "app.py"
# name → (url path with query, page script and its query parameters for the in-process server timing)
PAGES: dict[str, tuple[str, str, dict[str, str]]] = {
    "overview": ("", "views/overview.py", {}),  # the default page lives at /
    "map": ("map", "views/map.py", {}),
    "map-national-lsoa": ("map?geo=lsoa21", "views/map.py", {"geo": "lsoa21"}),
    "area": ("area", "views/area_profile.py", {}),
    "jeopardy": ("jeopardy", "views/triple_jeopardy.py", {}),
    "funding": ("funding", "views/funding.py", {}),
    "explore": ("explore", "views/explore.py", {}),
    "your-data": ("your-data", "views/your_data.py", {}),
    "methods": ("methods", "views/methods.py", {}),
}
# name → its entry in the sidebar, for switching pages inside the open app (a page with query parameters has none)
NAV_TITLES = {
    "overview": "Overview",
    "map": "Map",
    "area": "Area profile",
    "jeopardy": "Triple jeopardy",
    "funding": "Funding & services",
    "explore": "Explore & download",
    "your-data": "Your data",
    "methods": "Methods & sources",
}


def browser_runs(db_path: Path, *, runs: int, pages: list[str]) -> dict[str, dict[str, list[_browser.Load]]]:
    """Cold loads (a new server per run), warm loads (the URL opened again in the same tab) and switches (the
    page chosen in the sidebar of the open app, coming from the page before it) of each page."""
    env = {"VCS_INSIGHT_DB": str(db_path)}
    loads: dict[str, dict[str, list[_browser.Load]]] = {page: {"cold": [], "warm": [], "switch": []} for page in pages}
    with _browser.chromium() as browser:
        for _ in range(runs):
            with _browser.streamlit_server(APP, env=env) as url:
                for page in pages:
                    loads[page]["cold"].append(_browser.cold_load(browser, f"{url}/{PAGES[page][0]}"))
        with _browser.streamlit_server(APP, env=env) as url:
            context, tab, meter = _browser.open_tab(browser)
            for page in pages:
                path = PAGES[page][0]
                _browser.measure(tab, meter, f"{url}/{path}")  # first visit warms both caches
                loads[page]["warm"] = [_browser.measure(tab, meter, f"{url}/{path}") for _ in range(runs)]
            navigable = [page for page in pages if page in NAV_TITLES]
            if navigable:
                _browser.measure(tab, meter, f"{url}/{PAGES[navigable[-1]][0]}")
                for _ in range(runs):
                    for page in navigable:  # in a cycle, so each page comes from another one
                        loads[page]["switch"].append(_browser.switch(tab, meter, NAV_TITLES[page]))
            context.close()
    return loads


def server_seconds(db_path: Path, *, runs: int, pages: list[str]) -> dict[str, dict[str, float]]:
    """Page script run time in-process (AppTest): the first run and the median of warm reruns.

    Streamlit's data cache is per process, so a page's first run is cold only for queries no earlier page made.
    """
    from streamlit.testing.v1 import AppTest

    os.environ["VCS_INSIGHT_DB"] = str(db_path)
    out = {}
    for page in pages:
        _path, script, params = PAGES[page]
        app = AppTest.from_file(str(_browser.ROOT / "app.py"), default_timeout=120)
        app.run()  # the default page first, as a browser session would
        times = []
        for _ in range(runs + 1):
            for key, value in params.items():
                app.query_params[key] = value
            start = time.perf_counter()
            app.switch_page(script).run()
            times.append(time.perf_counter() - start)
        out[page] = {
            "server_first_s": round(times[0], 3),
            "server_warm_s": _browser.median(times[1:]),
            "exception": bool(app.exception),
        }
    return out


def summary(loads: list[_browser.Load]) -> dict:
    return {
        "drawn_s": _browser.median([load.seconds for load in loads]),
        "drawn_s_runs": [load.seconds for load in loads],
        "page_bytes": int(statistics.median([load.page_bytes for load in loads])),
        "total_bytes": int(statistics.median([load.total_bytes for load in loads])),
        "charts": max(load.charts for load in loads),
    }


def run(db_path: Path, *, runs: int = 5, only: list[str] | None = None) -> dict:
    """The whole benchmark (or only some pages); returns the JSON-ready result."""
    started = time.perf_counter()
    names = only or list(PAGES)
    server = server_seconds(db_path, runs=runs, pages=names)
    loads = browser_runs(db_path, runs=runs, pages=names)
    pages = {
        page: {kind: summary(runs_) for kind, runs_ in loads[page].items() if runs_} | server[page] for page in names
    }
    return {
        "benchmark": "pages",
        "runs": runs,
        "pages": pages,
        "slowest_warm_drawn_s": max(p["warm"]["drawn_s"] for p in pages.values()),
        "slowest_switch_drawn_s": max((p["switch"]["drawn_s"] for p in pages.values() if "switch" in p), default=None),
        "slowest_server_warm_s": max(p["server_warm_s"] for p in pages.values()),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("VCS_INSIGHT_DB", "data/vcs_insight.duckdb")))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), help="only these pages (default: all)")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.db.resolve(), runs=args.runs, only=args.pages)))


if __name__ == "__main__":
    main()
