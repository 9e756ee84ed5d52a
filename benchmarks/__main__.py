"""Run every benchmark that exists, one after another, and write benchmarks/results.json.

Usage: python -m benchmarks [--db data/vcs_insight.duckdb] [--mirror ../shared/data] [--only pages queries ...]

Each benchmark is its own process printing one JSON line; this collects them under their names, copies every key
ending in `_ratio` (baseline ÷ ours, higher is better) to the top-level "ratios", and records the machine. Without
a database at --db, one is built from the mirror into a temp folder first.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results.json")
TIMEOUT_S = 900
# name → arguments; {db} and {mirror} are filled in. Benchmarks are skipped when their module does not exist.
BENCHMARKS = {
    "etl_build": ["--mirror", "{mirror}"],
    "queries": ["--db", "{db}"],
    "pages": ["--db", "{db}"],
    "national_map": ["--db", "{db}", "--mirror", "{mirror}"],
    "load": ["--db", "{db}"],
    "uploads": ["--db", "{db}"],
    "register_throughput": [],
    "online_full_scale": ["--mirror", "{mirror}"],
    "sector_change": [],
}


def last_json_line(text: str) -> dict:
    """The last line of output that parses as a JSON object."""
    for line in reversed(text.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    raise ValueError("no JSON line in the output")


def run_one(name: str, args: list[str], *, env: dict[str, str]) -> dict:
    """Run `python -m benchmarks.<name> args` and return its JSON (or the error), with its wall time."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", f"benchmarks.{name}", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as error:
        return {"error": str(error), "benchmark_wall_s": round(time.perf_counter() - started, 1)}
    try:
        result = last_json_line(done.stdout)  # a benchmark may exit non-zero to flag a missed target
    except ValueError:
        result = {"error": (done.stderr or done.stdout)[-2000:]}
    if done.returncode:
        result["exit_code"] = done.returncode
    return result | {"benchmark_wall_s": round(time.perf_counter() - started, 1)}


def collect_ratios(results: dict[str, dict]) -> dict[str, float]:
    return {key: value for result in results.values() for key, value in result.items() if key.endswith("_ratio")}


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_1m_at_start": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def ensure_database(db: Path, mirror: Path, scratch: Path) -> Path:
    """The database at db, else a fresh build from the mirror into scratch."""
    if db.is_file():
        return db
    built = scratch / "vcs_insight.duckdb"
    subprocess.run(
        [sys.executable, "-m", "etl", "build", "--mirror", str(mirror), "--db", str(built)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return built


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", type=Path, default=Path(os.environ.get("VCS_INSIGHT_DB", ROOT / "data/vcs_insight.duckdb"))
    )
    parser.add_argument(
        "--mirror", type=Path, default=Path(os.environ.get("VCS_INSIGHT_MIRROR", ROOT.parent / "shared/data"))
    )
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run just these benchmarks")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="vcs-bench-") as scratch:
        db = ensure_database(args.db.resolve(), args.mirror.resolve(), Path(scratch))
        fill = {"db": str(db), "mirror": str(args.mirror.resolve())}
        env = {**os.environ, "VCS_INSIGHT_DB": fill["db"], "VCS_INSIGHT_MIRROR": fill["mirror"]}
        results = {}
        for name, template in BENCHMARKS.items():
            if (args.only and name not in args.only) or not (ROOT / "benchmarks" / f"{name}.py").exists():
                continue
            print(f"running {name} ...", file=sys.stderr, flush=True)
            results[name] = run_one(name, [part.format(**fill) for part in template], env=env)
    report |= {"ratios": collect_ratios(results), "benchmarks": results}
    report["seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({"ratios": report["ratios"], "seconds": report["seconds"], "written": str(RESULTS)}))


if __name__ == "__main__":
    main()
