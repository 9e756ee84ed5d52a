"""Sector change at full register scale: every curve and table the page can draw for the national scopes.

Usage: python benchmarks/sector_change.py [--charities 380000]
Generates, inside a temporary database only, N invented charities (about the register's size with removed ones
kept) over 35,000 invented LSOAs in 330 districts of England and Wales, with own-nation deciles, residents and
five years of annual returns; then times, per scope (England and Wales, England, Wales) and grouping (decile,
quintile): births/removals rates, Kaplan–Meier survival (every group + All) and small-charity income.
Prints one JSON line: charities, curves (Kaplan–Meier fits), wall and CPU seconds per part (rates, curves, income),
compute_s (all of it, lifelines already imported), lifelines_import_s (once per process, paid on the first survival
view) and the load average (the machine is shared: wall times grow with it). Target (issue 16): curves_s < 5.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.build import SCHEMA_SQL  # noqa: E402
from insight.sector import measures  # noqa: E402
from insight.sector.sql import ENGLAND_AND_WALES, WALES  # noqa: E402

ENGLAND = "E92000001"
LSOAS, LADS, WELSH_EVERY = 35_000, 330, 18  # every 18th LSOA and district is Welsh (about the real share)

GENERATE_SQL = """
INSERT INTO areas (code, name, level, lad_code, region_code, country_code)
SELECT CASE WHEN d % {welsh} = 0 THEN 'W06' ELSE 'E06' END || lpad(d::VARCHAR, 6, '0'), 'District ' || d, 'lad24',
       NULL, CASE WHEN d % {welsh} = 0 THEN 'W92000004' ELSE 'E1200000' || (d % 9 + 1) END,
       CASE WHEN d % {welsh} = 0 THEN 'W92000004' ELSE 'E92000001' END
FROM range({lads}) t(d);
INSERT INTO areas (code, name, level, lad_code, region_code, country_code)
SELECT CASE WHEN l % {welsh} = 0 THEN 'W01' ELSE 'E01' END || lpad(l::VARCHAR, 6, '0'), 'LSOA ' || l, 'lsoa21',
       a.code, a.region_code, a.country_code
FROM (SELECT l, CASE WHEN l % {welsh} = 0 THEN {welsh} * ((l // {welsh}) % ({lads} // {welsh} + 1))
                     WHEN l % {lads} % {welsh} = 0 THEN l % {lads} + 1 ELSE l % {lads} END AS d
      FROM range({lsoas}) t(l)) s
JOIN areas a ON a.level = 'lad24'
     AND a.code = CASE WHEN s.d % {welsh} = 0 THEN 'W06' ELSE 'E06' END || lpad(s.d::VARCHAR, 6, '0');
INSERT INTO areas (code, name, level, country_code) VALUES ('E92000001', 'England', 'country', 'E92000001'),
    ('W92000004', 'Wales', 'country', 'W92000004');
INSERT INTO imd_lsoa (edition, country, lsoa_code, imd_decile)
SELECT CASE WHEN code LIKE 'W%' THEN 'WIMD2025' ELSE 'IoD2025' END, left(code, 1), code, hash(code) % 10 + 1
FROM areas WHERE level = 'lsoa21';
INSERT INTO population SELECT code, 'lsoa21', 'mid-2022', 'all', 1500 + hash(code) % 500, 'invented'
FROM areas WHERE level = 'lsoa21';
INSERT INTO population SELECT lad_code, 'lad24', 'census-2021', 'all', sum(population), 'invented'
FROM population p JOIN areas a ON a.level = 'lsoa21' AND a.code = p.area_code GROUP BY lad_code;
CREATE TEMP TABLE _lsoa AS SELECT row_number() OVER (ORDER BY code) - 1 AS i, code, lad_code FROM areas
WHERE level = 'lsoa21';
INSERT INTO charities (charity_number, status, registered_date, removed_date, lsoa21_code, lad24_code, reach,
                       extract_date)
SELECT 200000 + k, 'x', reg, CASE WHEN hash(k) % 100 < 45 AND rem < DATE '2026-11-30' THEN rem END,
       CASE WHEN k % 40 = 0 THEN NULL ELSE l.code END, CASE WHEN k % 90 = 0 THEN NULL ELSE l.lad_code END,
       CASE WHEN k % 2 = 0 THEN 'local' ELSE 'national' END, DATE '2026-11-30'
FROM (SELECT k, DATE '1962-01-01' + CAST(hash(k * 3) % 23_700 AS INTEGER) AS reg,
             DATE '1962-01-01' + CAST(hash(k * 3) % 23_700 + hash(k * 7) % 9_000 AS INTEGER) AS rem
      FROM range({charities}) t(k)) c
JOIN _lsoa l ON l.i = c.k % {lsoas};
INSERT INTO charity_annual_returns (charity_number, fin_period_end_date, total_gross_income)
SELECT charity_number, make_date(y, 3, 31), (hash(charity_number * y) % 2_000_000)::DOUBLE
FROM charities, range(2020, 2025) t(y) WHERE removed_date IS NULL;
"""


def generate(path: Path, *, charities: int) -> None:
    """The schema and the invented register, written to `path`."""
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA_SQL.read_text())
        con.execute(GENERATE_SQL.format(welsh=WELSH_EVERY, lads=LADS, lsoas=LSOAS, charities=charities))
    finally:
        con.close()


def timed(function, **kwargs) -> tuple[float, float, object]:
    """Wall seconds, process CPU seconds (every thread, DuckDB's included) and the result of one call."""
    start, cpu = time.perf_counter(), time.process_time()
    result = function(**kwargs)
    return time.perf_counter() - start, time.process_time() - cpu, result


def run(path: Path) -> dict:
    """Time every measure for the national scopes and both groupings (wall and CPU seconds per part)."""
    start = time.perf_counter()
    import lifelines  # noqa: F401 — the once-per-process import, timed apart

    import_s = time.perf_counter() - start
    con = duckdb.connect(str(path), read_only=True)
    wall = {"rates": 0.0, "curves": 0.0, "income": 0.0}
    cpu = dict.fromkeys(wall, 0.0)
    curves = 0
    for scope in (ENGLAND_AND_WALES, ENGLAND, WALES):
        for groups in ("decile", "quintile"):
            for part, function in (
                ("rates", measures.rates),
                ("curves", measures.survival),
                ("income", measures.income),
            ):
                seconds, cpu_seconds, result = timed(function, con=con, scope=scope, groups=groups)
                wall[part] += seconds
                cpu[part] += cpu_seconds
                curves += len(result[1]) if part == "curves" else 0
    con.close()
    return {
        "curves": curves,
        **{f"{k}_s": round(v, 3) for k, v in wall.items()},
        **{f"{k}_cpu_s": round(v, 3) for k, v in cpu.items()},
        "compute_s": round(sum(wall.values()), 3),
        "compute_cpu_s": round(sum(cpu.values()), 3),
        "lifelines_import_s": round(import_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--charities", type=int, default=380_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sector-bench-") as tmp:
        path = Path(tmp) / "sector.duckdb"
        start = time.perf_counter()
        generate(path, charities=args.charities)
        generate_s = time.perf_counter() - start
        result = run(path)
    print(
        json.dumps(
            {
                "charities": args.charities,
                "generate_s": round(generate_s, 2),
                **result,
                "target_s": 5.0,
                "curves_under_target": result["curves_s"] < 5.0,
                "all_under_target": result["compute_s"] < 5.0,
                "load_average_1min": round(os.getloadavg()[0], 2),
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
