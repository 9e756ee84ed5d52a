"""The online build's three big sources at full size: NSPL, the register extract and the 360Giving registry's files.

Usage: python -m benchmarks.online_full_scale [--mirror ../shared/data] [--postcodes 2700000] [--charities 397878]
       [--grants 1100000] [--publishers 300]
Files are generated in the official layouts by the stand-in's writers (tests/standin/content), in a child process
and a temp folder, with invented postcodes placed on the mirror's real LSOA 2021 codes; nothing is kept. The
measured process then does what the build does for each source: read, insert into a DuckDB file, derive. Grants
come as the online build reads them: the registry feed and every publisher's own file (XLSX, JSON, CSV; the spread
of sizes and formats is invented, see tests/standin/content/grants360.write_registry). Prints one
JSON line: per-source wall seconds and rows, total wall_s, cpu_s and peak_rss_mb of the measured process
(generation excluded), and the load average (the wall time is only comparable on an otherwise idle machine). Targets (issue 18): < 300 s and < 4 GB on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from etl.build import SCHEMA_SQL, insert_frames  # noqa: E402
from etl.sources import charity_register, grants360, nspl  # noqa: E402
from tests.standin.content import grants360 as standin_grants  # noqa: E402
from tests.standin.content import nspl as standin_nspl  # noqa: E402
from tests.standin.content import register as standin_register  # noqa: E402
from tests.standin.content._places import LOOKUP, Place  # noqa: E402

TARGET_S, TARGET_MB = 300, 4096
# The register's charity table had 397,878 rows (main, linked and removed) when quoted in public code in 2026.
CHARITIES = 397_878


class Postcodes:
    """`count` invented postcodes (area 'Q?', which no real postcode uses) cycling over the real LSOAs."""

    def __init__(self, count: int, lookup: list[dict[str, str]]) -> None:
        self.count, self.lookup = count, lookup

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, n: int) -> Place:
        row = self.lookup[n % len(self.lookup)]
        inward = f"{n % 9 + 1}{chr(65 + n % 26)}{chr(65 + n // 26 % 26)}"
        return Place(
            f"Q{chr(65 + n // 608_400 % 26)}{n // 6084 % 100} {inward}",
            row["lsoa21_code"],
            row["ward24_code"],
            row["ltla24_code"],
        )

    def __iter__(self):
        return (self[n] for n in range(self.count))


def lookup(mirror: Path) -> list[dict[str, str]]:
    with (mirror / LOOKUP).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def generate(folder: Path, args: argparse.Namespace) -> None:
    """Write the three downloads as the publishers lay them out (child process: its memory is not measured)."""
    where = Postcodes(args.postcodes, lookup(args.mirror))
    standin_nspl.write_zip(folder / "nspl.zip", where, per_area=False)
    standin_register.write_extract(folder, charities=args.charities, where=where, source=args.mirror)
    paths = standin_grants.write_registry(folder, count=args.grants, where=where, publishers=args.publishers)
    (folder / "registry_paths.json").write_text(json.dumps({key: str(path) for key, path in paths.items()}))


def seed(con: duckdb.DuckDBPyConnection, mirror: Path) -> None:
    """The real LSOA 2021 → LAD 2024 areas, so the NSPL and register derive steps do real joins."""
    con.execute(
        f"""INSERT INTO areas (code, name, level, lad_code) SELECT lsoa21_code, lsoa21_name, 'lsoa21', ltla24_code
            FROM read_csv('{(mirror / LOOKUP).as_posix()}', all_varchar = true)"""  # noqa: S608 - path from code
    )


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return round(time.perf_counter() - started, 1), result


def run(con: duckdb.DuckDBPyConnection, folder: Path, mirror: Path) -> dict:
    """Each source as the build loads it: reader → insert → derive."""
    zips = {t: folder / f"publicextract.{t}.zip" for t in charity_register.TABLES}
    registry = {key: Path(path) for key, path in json.loads((folder / "registry_paths.json").read_text()).items()}
    steps = {
        "nspl": lambda: (
            insert_frames(con, nspl.read_full_zip({"nspl_zip": folder / "nspl.zip"})) or con.execute(nspl.DERIVE_SQL)
        ),
        "register": lambda: (
            insert_frames(con, charity_register.read_aoo_lookup({"aoo_lookup": mirror / standin_register.AOO_LOOKUP})),
            insert_frames(con, charity_register.read_register(zips)),
            [con.execute(s.derive_sql) for s in charity_register.SOURCES],
        ),
        "grants": lambda: insert_frames(con, grants360.read_registry(registry)) or con.execute(grants360.DERIVE_SQL),
    }
    seconds = {name: timed(step)[0] for name, step in steps.items()}
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("postcodes", "charities", "grants")}  # noqa: S608
    matched = con.execute("SELECT count(lad24_code), count(*) FROM charities").fetchone()
    return {
        "seconds": seconds,
        "rows": counts,
        "charities_geocoded": matched[0],
        "grants_in_rows": con.execute("SELECT sum(grants) FROM grants").fetchone()[0],
        "grant_rows_in_lsoa21": con.execute("SELECT count(lsoa21_code) FROM grants").fetchone()[0],
        "skipped_files": con.execute("SELECT count(*) FROM skipped_files").fetchone()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mirror", type=Path, default=Path(os.environ.get("VCS_INSIGHT_MIRROR", ROOT.parent / "shared/data"))
    )
    parser.add_argument("--postcodes", type=int, default=2_700_000)
    parser.add_argument("--charities", type=int, default=CHARITIES)
    parser.add_argument("--grants", type=int, default=1_100_000)
    parser.add_argument("--publishers", type=int, default=300)
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)  # the child process's folder
    args = parser.parse_args()
    if args.generate:
        return generate(args.generate, args)
    with tempfile.TemporaryDirectory(prefix="online-full-scale-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        child = [
            sys.executable,
            "-m",
            "benchmarks.online_full_scale",
            "--generate",
            str(folder),
            "--mirror",
            str(args.mirror),
            "--postcodes",
            str(args.postcodes),
            "--charities",
            str(args.charities),
            "--grants",
            str(args.grants),
            "--publishers",
            str(args.publishers),
        ]
        subprocess.run(child, cwd=ROOT, check=True)
        generated = round(time.perf_counter() - started, 1)
        sizes = {p.name: p.stat().st_size for p in folder.iterdir()}
        con = duckdb.connect(str(folder / "bench.duckdb"))
        con.execute(SCHEMA_SQL.read_text())
        seed(con, args.mirror)
        wall, result = timed(lambda: run(con, folder, args.mirror))
        con.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak, cpu = round(usage.ru_maxrss / 1024), round(usage.ru_utime + usage.ru_stime, 1)
    report = {
        "postcodes": args.postcodes,
        "charity_records": args.charities,
        "grants": args.grants,
        "publishers": args.publishers,
        "generate_s": generated,
        "download_mb": round(sum(sizes.values()) / 2**20),
        **result,
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_mb": peak,
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 1),
        "met": wall < TARGET_S and peak < TARGET_MB,
    }
    print(json.dumps(report))
    sys.exit(0 if report["met"] else 1)


if __name__ == "__main__":
    main()
