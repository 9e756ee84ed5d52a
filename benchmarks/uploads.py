"""Benchmark the Your data pipeline: read a CSV upload, geocode and aggregate it with disclosure control.

Postcodes are sampled from the built database's `postcodes` table at run time (never stored). Each size runs in
a fresh process so its peak resident memory is its own. Prints one JSON line, e.g.
{"rows_100000": {"wall_s": ..., "peak_rss_mb": ..., "cells": {...}}, "rows_1000000": {...}}
"cells" says, for each table the page shows, how many cells it has, what share is shown (not hidden as [c]) and,
with cell-key perturbation, what share is shown exactly (noise 0); the noise-free rerun is not timed.

Run: .venv/bin/python benchmarks/uploads.py [--db data/vcs_insight.duckdb] [--sizes 100000 1000000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from insight import config  # noqa: E402

# A little of the mess real files have: lower case, no space, blank and invalid locations.
NOISE = {"lower": 0.2, "compact": 0.2, "invalid": 0.01, "blank": 0.01}


def make_csv(db: Path, rows: int, path: Path) -> None:
    """Write a CSV of `rows` service records with postcodes sampled (with replacement) from the database."""
    import duckdb
    import numpy as np
    import pandas as pd

    con = duckdb.connect(str(db), read_only=True)
    postcodes = con.execute("SELECT postcode FROM postcodes").df()["postcode"].to_numpy()
    con.close()
    rng = np.random.default_rng(2026)
    picked = pd.Series(rng.choice(postcodes, size=rows))
    draw = rng.random(rows)
    picked = picked.where(draw >= NOISE["lower"], picked.str.lower())
    compact = (draw >= NOISE["lower"]) & (draw < NOISE["lower"] + NOISE["compact"])
    picked = picked.where(~compact, picked.str.replace(" ", "", regex=False))
    picked = picked.where(rng.random(rows) >= NOISE["invalid"], "not known")
    picked = picked.where(rng.random(rows) >= NOISE["blank"], "")
    frame = pd.DataFrame(
        {
            "Client ref": [f"C{i:07d}" for i in range(rows)],
            "Postcode": picked,
            "Visits": rng.integers(1, 5, size=rows),
            "Service": rng.choice(["Advice", "Food", "Debt", "Housing"], size=rows),
        }
    )
    frame.to_csv(path, index=False)


def visibility(result, *, exact=None) -> dict:
    """How much of each protected table is shown (not hidden as [c]) and, given the noise-free result, exactly."""
    cells = {}
    for name in ("lsoa", "lad", "deciles", "out_of_scope"):
        table = getattr(result, name)
        shown = ~table["suppressed"].astype(bool)
        cells[name] = {
            "cells": len(table),
            "shown": int(shown.sum()),
            "shown_share": round(shown.sum() / max(len(table), 1), 4),
        }
        if exact is not None:
            column = "rows" if name == "out_of_scope" else "records"
            same = table[column].astype(float) == getattr(exact, name)[column].astype(float)
            cells[name]["exact_share"] = round((shown & same).sum() / max(len(table), 1), 4)
    return cells


def noise_free(con, *, frame, mapping):
    """The same analysis with a perturbation table of zeros (to count how many shown cells are exact)."""
    try:
        from insight.uploads import cellkey
    except ImportError:  # the suppression-only code before cell-key perturbation
        return None
    table = cellkey.PTABLE.copy()
    cellkey.PTABLE[:] = 0
    try:
        from insight.uploads import analyse as byod

        return byod.analyse(con, frame=frame, mapping=mapping, threshold=10)
    finally:
        cellkey.PTABLE[:] = table


def run_one(db: Path, path: Path) -> dict:
    """In this process: read, map, geocode and aggregate the file; time and peak memory."""
    import duckdb

    from insight.uploads import analyse as byod
    from insight.uploads.sandbox import read_upload, warm_up

    con = duckdb.connect(str(db), read_only=True)
    start = time.perf_counter()
    warm_up()  # the Your data page starts the parser process when it opens, before a file is chosen
    read_upload(b"a\n1\n", name="warm.csv")  # wait until it has imported the readers
    parser_start_s = time.perf_counter() - start
    start = time.perf_counter()
    data = path.read_bytes()
    upload = read_upload(data, name=path.name, limit_mb=10_000)
    read_s = time.perf_counter() - start
    mapping = byod.detect_mapping(upload.frame)
    result = byod.analyse(con, frame=upload.frame, mapping=mapping, threshold=10)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(peak, 1),
        "read_s": round(read_s, 2),
        "parser_start_s": round(parser_start_s, 2),
        "file_mb": round(len(data) / 1024**2, 1),
        "matched": result.summary["matched"],
        "lsoas": len(result.lsoa),
        "cells": visibility(result, exact=noise_free(con, frame=upload.frame, mapping=mapping)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=config.db_path())
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.db, args.child)))
        return
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = Path(folder) / f"records_{size}.csv"
            make_csv(args.db, size, path)
            child = [sys.executable, __file__, "--db", str(args.db), "--child", str(path)]
            output = subprocess.run(child, check=True, capture_output=True, text=True).stdout
            results[f"rows_{size}"] = json.loads(output.strip().splitlines()[-1])
    print(json.dumps(results))


if __name__ == "__main__":
    main()
