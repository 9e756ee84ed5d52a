"""National LSOA map: the naive embedded-GeoJSON choropleth (baseline) against insight.maps.national, same run.

Prints one JSON line. Ratios are baseline ÷ ours (higher is better): time to drawn in headless Chromium (cold: a
fresh browser context per run; warm: the app already open, so Streamlit's JavaScript and our geometry file are in
the browser's cache) as the median of ratios of back-to-back pairs, bytes the page receives (websocket + HTTP,
without Streamlit's own frontend bundle), bytes made on the server (figure JSON; our payload and geometry
uncompressed) and server time (figure build + fig.to_json(); our payload). The floor variant, an empty MapLibre
map, is what any design that keeps Plotly's WebGL map costs before drawing; *_vs_empty_map_ratio is floor ÷ ours.
With --before CHECKOUT it measures ours in that checkout against ours here instead (a change of the viewer).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from contextlib import ExitStack
from pathlib import Path

import duckdb
import orjson
import plotly.graph_objects as go

from benchmarks import _browser
from insight import db
from insight.maps import national as national_map

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "benchmarks" / "national_map_app.py"
MEASURE = "imd_score"
LABEL = "IMD score"
VIEW = {"style": "white-bg", "center": {"lat": 52.8, "lon": -2.3}, "zoom": 5.2}


def baseline_figure(con: duckdb.DuckDBPyConnection, mirror: Path) -> go.Figure:
    """Naive: the raw boundary file and every value, embedded in one Choroplethmap trace."""
    geojson = orjson.loads((mirror / "boundaries" / "boundaries_lsoa21.geojson").read_bytes())
    values = db.query(
        con, "SELECT area_code, value FROM area_measures WHERE level = 'lsoa21' AND measure = ?", [MEASURE]
    )
    trace = go.Choroplethmap(
        geojson=geojson,
        locations=values["area_code"],
        z=values["value"],
        featureidkey="properties.lsoa21_code",
        colorscale="Viridis",
        marker_line_width=0,
        colorbar_title_text=LABEL,
    )
    fig = go.Figure(trace)
    return fig.update_layout(map=VIEW, height=700, margin={"l": 0, "r": 0, "t": 40, "b": 0}, title=LABEL)


def floor_figure() -> go.Figure:
    """An empty MapLibre map: what every map page costs before drawing anything (Streamlit, Plotly, MapLibre)."""
    fig = go.Figure(go.Scattermap(lon=[-2.3], lat=[52.8], mode="markers", marker={"opacity": 0}, hoverinfo="skip"))
    return fig.update_layout(map=VIEW, height=700, margin={"l": 0, "r": 0, "t": 40, "b": 0}, title=LABEL)


def ours_payload(con: duckdb.DuckDBPyConnection, *, serve_geometry: bool = True) -> bytes:
    """Ours, as the Map page makes it: the measure's packed payload, the geometry a file the app serves."""
    return national_map.national_map(
        con, measure=MEASURE, label=LABEL, unit="score", title=LABEL, serve_geometry=serve_geometry
    )


def timed(function, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def server_side(con: duckdb.DuckDBPyConnection, mirror: Path, *, runs: int) -> dict:
    """Server work and bytes for both, in this process (medians): the baseline builds its figure and serialises it
    (fig.to_json); ours builds its packed payload (geometry made once per database, kept)."""
    national_map.raster._CACHE.clear()
    first_s, _ = timed(lambda: ours_payload(con))  # rasterises every LSOA once, writes the geometry file
    out: dict = {"ours_first_payload_s": round(first_s, 3)}
    builds, dumps = [], []
    for _ in range(runs):
        build_s, fig = timed(lambda: baseline_figure(con, mirror))
        dump_s, text = timed(fig.to_json)
        builds.append(build_s)
        dumps.append(dump_s)
    out |= {
        "baseline_figure_s": round(statistics.median(builds), 3),
        "baseline_to_json_s": round(statistics.median(dumps), 3),
        "baseline_server_s": round(statistics.median(builds) + statistics.median(dumps), 3),
        "baseline_figure_bytes": len(text.encode()),
    }
    payloads = [timed(lambda: ours_payload(con)) for _ in range(runs)]  # as the app: the geometry file named
    measure, geometry = len(payloads[0][1]), len(national_map.geometry(con))
    out |= {
        "ours_server_s": round(statistics.median(seconds for seconds, _ in payloads), 3),
        "ours_measure_bytes": measure,
        "ours_geometry_bytes": geometry,
        "ours_figure_bytes": measure + geometry,  # what a browser with nothing cached is sent, uncompressed
    }
    index = national_map.raster.index_raster(con)
    out |= {"raster_px": list(index.pixels.shape), "lsoas": len(index.codes), "lsoas_with_pixel": index.coverage()}
    return out


def load_summary(loads: list[_browser.Load]) -> dict:
    return {
        "drawn_s": _browser.median([load.seconds for load in loads]),
        "drawn_s_runs": [load.seconds for load in loads],
        "page_bytes": int(statistics.median([load.page_bytes for load in loads])),
        "ws_bytes": int(statistics.median([load.ws_bytes for load in loads])),
        "charts": min(load.charts for load in loads),
    }


def browser_side(db_path: Path, mirror: Path, *, runs: int, baseline_runs: int) -> dict:
    """Cold and warm loads of both variants, interleaved so machine load affects both alike.

    The baseline takes tens of seconds per load, so it may run fewer times than ours (baseline_runs ≤ runs).
    """
    env = {"VCS_INSIGHT_DB": str(db_path), "VCS_INSIGHT_MIRROR": str(mirror)}
    loads: dict[str, list[_browser.Load]] = {}
    with _browser.streamlit_server(APP, env=env) as url, _browser.chromium() as browser:
        _context, tab, meter = _browser.open_tab(browser)  # the warm tab: the app already open
        _browser.measure(tab, meter, f"{url}/?variant=ours")  # caches Streamlit's and Plotly's JavaScript
        for number in range(runs):
            for variant in ("baseline", "ours", "floor") if number < baseline_runs else ("ours", "floor"):
                target = f"{url}/?variant={variant}"
                loads.setdefault(f"{variant}_cold", []).append(_browser.cold_load(browser, target))
                loads.setdefault(f"{variant}_warm", []).append(_browser.measure(tab, meter, target))
                tab.goto("about:blank")  # no map left drawing in the background during the next cold load
    return {name: load_summary(runs_) for name, runs_ in loads.items()}


def paired_ratio(browser: dict, kind: str) -> float:
    """Median over runs of baseline ÷ ours for loads made back to back (cancels drifts in machine load)."""
    pairs = zip(browser[f"baseline_{kind}"]["drawn_s_runs"], browser[f"ours_{kind}"]["drawn_s_runs"], strict=False)
    return round(statistics.median(b / o for b, o in pairs), 2)


def floor_ratio(browser: dict, kind: str) -> float:
    """Empty MapLibre map ÷ ours (medians of the same run): above 1, ours is drawn sooner than a Plotly WebGL map
    with nothing on it, the floor of any design that keeps Plotly's map."""
    return round(browser[f"floor_{kind}"]["drawn_s"] / browser[f"ours_{kind}"]["drawn_s"], 2)


def ratios(server: dict, browser: dict) -> dict:
    return {
        "national_map_drawn_cold_ratio": paired_ratio(browser, "cold"),
        "national_map_drawn_warm_ratio": paired_ratio(browser, "warm"),
        "national_map_drawn_cold_vs_empty_map_ratio": floor_ratio(browser, "cold"),
        "national_map_drawn_warm_vs_empty_map_ratio": floor_ratio(browser, "warm"),
        "national_map_bytes_ratio": round(
            browser["baseline_cold"]["page_bytes"] / browser["ours_cold"]["page_bytes"], 2
        ),
        "national_map_figure_bytes_ratio": round(server["baseline_figure_bytes"] / server["ours_figure_bytes"], 2),
        "national_map_server_ratio": round(server["baseline_server_s"] / server["ours_server_s"], 2),
    }


def against_before(db_path: Path, before: Path, *, runs: int) -> dict:
    """Ours against ours in another checkout (before: e.g. main's, to measure a change of the viewer): two servers,
    cold and warm loads interleaved (the order alternating), each server with its own warm tab; medians, and the
    median of before ÷ after over back-to-back pairs (above 1: after is faster)."""
    roots = {"before": before.resolve(), "after": ROOT}
    loads: dict[str, list[_browser.Load]] = {}
    with ExitStack() as stack:
        urls = {
            name: stack.enter_context(
                _browser.streamlit_server(root / APP.relative_to(ROOT), env={"VCS_INSIGHT_DB": str(db_path)}, root=root)
            )
            for name, root in roots.items()
        }
        browser = stack.enter_context(_browser.chromium())
        tabs = {name: _browser.open_tab(browser) for name in roots}
        for name, (_context, tab, meter) in tabs.items():  # the first payload, and each tab's caches filled
            _browser.measure(tab, meter, f"{urls[name]}/?variant=ours", timeout_s=300)
        for number in range(runs):
            for name in ("before", "after") if number % 2 == 0 else ("after", "before"):
                target = f"{urls[name]}/?variant=ours"
                loads.setdefault(f"{name}_cold", []).append(_browser.cold_load(browser, target))
                _context, tab, meter = tabs[name]
                loads.setdefault(f"{name}_warm", []).append(_browser.measure(tab, meter, target))
                tab.goto("about:blank")
    result: dict = {"benchmark": "national_map_against_before", "before": str(before), "runs": runs}
    result |= {name: load_summary(runs_) for name, runs_ in loads.items()}
    for kind in ("cold", "warm"):
        pairs = zip(result[f"before_{kind}"]["drawn_s_runs"], result[f"after_{kind}"]["drawn_s_runs"], strict=True)
        result[f"drawn_{kind}_before_over_after"] = round(statistics.median(b / a for b, a in pairs), 3)
    return result


def run(db_path: Path, mirror: Path, *, runs: int = 5, baseline_runs: int = 3, server_runs: int = 3) -> dict:
    """The whole benchmark; returns the JSON-ready result."""
    started = time.perf_counter()
    con = db.connect(db_path)
    try:
        server = server_side(con, mirror, runs=server_runs)
    finally:
        con.close()
    browser = browser_side(db_path, mirror, runs=runs, baseline_runs=min(baseline_runs, runs))
    result = {"benchmark": "national_map", "runs": runs, "baseline_runs": min(baseline_runs, runs)}
    result |= {**server, **browser, **ratios(server, browser)}
    return result | {"seconds": round(time.perf_counter() - started, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("VCS_INSIGHT_DB", "data/vcs_insight.duckdb")))
    parser.add_argument("--mirror", type=Path, default=Path(os.environ.get("VCS_INSIGHT_MIRROR", "../shared/data")))
    parser.add_argument("--runs", type=int, default=5, help="loads of ours, cold and warm")
    parser.add_argument("--baseline-runs", type=int, default=3, help="loads of the baseline, cold and warm")
    parser.add_argument(
        "--before", type=Path, help="another checkout (e.g. main's): compare its map with ours instead of the baseline"
    )
    args = parser.parse_args(argv)
    if args.before:
        print(json.dumps(against_before(args.db.resolve(), args.before, runs=args.runs)))
        return
    result = run(args.db.resolve(), args.mirror.resolve(), runs=args.runs, baseline_runs=args.baseline_runs)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
