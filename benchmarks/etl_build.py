"""Time a full `python -m etl build` from the mirror and its peak memory; print one JSON line.

Usage: python benchmarks/etl_build.py [--mirror DIR]   (default: $VCS_INSIGHT_MIRROR, else ../shared/data)
Output: {"wall_s": 41.2, "peak_rss_mb": 850, ...}. Target (issue 2): under 60 s and 2 GB on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
POLL_S = 0.05


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of a process and its children (0 once it has gone)."""
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def measure_build(mirror: Path, db: Path) -> dict:
    """Run the build in a child process, polling its RSS; return wall time, peak RSS and the outcome."""
    command = [sys.executable, "-m", "etl", "build", "--mirror", str(mirror), "--db", str(db)]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    handle, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        peak = max(peak, tree_rss(handle))
        time.sleep(POLL_S)
    wall = time.perf_counter() - started
    stdout, stderr = child.communicate()
    kernel_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    result = {
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(max(peak, kernel_peak) / 2**20),
        "exit_code": child.returncode,
        "db_mb": round(db.stat().st_size / 2**20, 1) if db.exists() else None,
        "cpus": os.cpu_count(),
    }
    if child.returncode != 0:
        result["error"] = (stderr.strip().splitlines() or ["(no message)"])[-1]
    result["tables"] = sum(1 for line in stdout.splitlines() if line.rstrip().endswith(" rows"))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("VCS_INSIGHT_MIRROR") or str(ROOT.parent / "shared" / "data")
    parser.add_argument("--mirror", type=Path, default=Path(default))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vcs_build_bench_") as folder:
        result = measure_build(args.mirror.resolve(), Path(folder) / "vcs_insight.duckdb")
    print(json.dumps(result))
    return 0 if result["exit_code"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
