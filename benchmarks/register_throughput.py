"""Register pipeline throughput: generate N invented charities in the official JSON extract layout, read and derive.

Usage: python benchmarks/register_throughput.py [--charities 200000]
Prints one JSON line: records, wall_s (read + insert + derive; excludes generating files and seeding postcodes),
peak_rss_mb (whole process).
Targets (issue 3): 200,000 records in <= 30 s and <= 2 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.build import SCHEMA_SQL, insert_frames  # noqa: E402
from etl.sources import charity_register, nspl  # noqa: E402

EXTRACT = "2026-07-09T00:00:00"
LADS = 300


def postcode(n: int) -> str:
    """An invented postcode in the 'ZZ' area; every 50th is malformed, every 20th is not in the lookup."""
    if n % 50 == 0:
        return "UNKNOWN"
    district = n % 97 + (100 if n % 20 == 0 else 0)
    return f"ZZ{district} {n % 9 + 1}{chr(65 + n % 26)}{chr(65 + n // 26 % 26)}"


def charity(n: int) -> dict:
    linked = 1 if n % 25 == 0 else 0
    return {
        "date_of_extract": EXTRACT,
        "organisation_number": 5_000_000 + n,
        "registered_charity_number": 1_000_000 + n - linked,
        "linked_charity_number": linked,
        "charity_name": f"INVENTED CHARITY {n}",
        "charity_type": "Other",
        "charity_registration_status": "Removed" if n % 7 == 0 else "Registered",
        "date_of_registration": "2001-03-05T00:00:00",
        "date_of_removal": "2020-01-02T00:00:00" if n % 7 == 0 else None,
        "latest_income": float(n % 1_000_000),
        "latest_expenditure": float(n % 900_000),
        "charity_contact_address1": f"{n} Invented Street",
        "charity_contact_postcode": postcode(n),
        "charity_insolvent": False,
        "charity_in_administration": False,
        "charity_is_cio": n % 3 == 0,
        "charity_activities": "Invented activities used only to measure throughput of the register pipeline.",
    }


def aoo(n: int) -> dict:
    kind = n % 4
    area = [
        ("Local Authority", f"Invented County {n % 150}"),
        ("Region", "Throughout England"),
        ("Country", "Kenya"),
        ("Local Authority", f"Invented County {(n + 1) % 150}"),
    ][kind]
    return {
        "date_of_extract": EXTRACT,
        "organisation_number": 5_000_000 + n // 2,
        "registered_charity_number": 1_000_000 + n // 2,
        "linked_charity_number": 0,
        "geographic_area_type": area[0],
        "geographic_area_description": area[1],
        "welsh_ind": False,
    }


def classification(n: int) -> dict:
    return {
        "date_of_extract": EXTRACT,
        "organisation_number": 5_000_000 + n // 2,
        "registered_charity_number": 1_000_000 + n // 2,
        "linked_charity_number": 0,
        "classification_code": str(101 + n % 17),
        "classification_type": ["What", "Who", "How"][n % 3],
        "classification_description": f"Invented class {n % 17}",
    }


def parta(n: int) -> dict:
    return {
        "date_of_extract": EXTRACT,
        "organisation_number": 5_000_000 + n,
        "registered_charity_number": 1_000_000 + n,
        "latest_fin_period_submitted_ind": True,
        "fin_period_order_number": 1,
        "fin_period_end_date": "2026-03-31T00:00:00",
        "total_gross_income": float(n % 1_000_000),
        "charity_receives_govt_funding_contracts": n % 5 == 0,
        "charity_receives_govt_funding_grants": n % 4 == 0,
        "income_from_government_contracts": float(n % 1000),
        "income_from_government_grants": float(n % 500),
    }


def partb(n: int) -> dict:
    return {
        "date_of_extract": EXTRACT,
        "organisation_number": 5_000_000 + n * 5,
        "registered_charity_number": 1_000_000 + n * 5,
        "latest_fin_period_submitted_ind": True,
        "fin_period_order_number": 1,
        "fin_period_end_date": "2026-03-31T00:00:00",
        "income_total_income_and_endowments": 1e6,
        "income_charitable_activities": 5e5,
        "expenditure_total": 9e5,
        "count_employees": 12,
    }


def history(n: int) -> dict:
    return {
        "date_of_extract": EXTRACT,
        "organisation_number": 5_000_000 + n // 3,
        "registered_charity_number": 1_000_000 + n // 3,
        "fin_period_end_date": f"{2026 - n % 3}-03-31T00:00:00",
        "total_gross_income": 1000.0,
        "total_gross_expenditure": 900.0,
    }


def write_zip(folder: Path, table: str, records: Iterator[dict]) -> Path:
    """Stream records as one BOM-prefixed JSON array inside publicextract.<table>.zip."""
    path = folder / f"publicextract.{table}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open(f"publicextract.{table}.json", "w") as handle:
            handle.write("\ufeff[".encode())
            for i, record in enumerate(records):
                handle.write(((",\n" if i else "") + json.dumps(record)).encode())
            handle.write(b"]")
    return path


def generate(folder: Path, charities: int) -> dict[str, Path]:
    """Write the six extract zips with realistic row ratios to the main table."""
    plan: dict[str, tuple[Callable[[int], dict], int]] = {
        "charity": (charity, charities),
        "charity_area_of_operation": (aoo, charities * 3 // 2),
        "charity_classification": (classification, charities * 2),
        "charity_annual_return_parta": (parta, charities),
        "charity_annual_return_partb": (partb, charities // 5),
        "charity_annual_return_history": (history, charities * 3),
    }
    return {
        table: write_zip(folder, table, (make(n) for n in range(1, count + 1))) for table, (make, count) in plan.items()
    }


def seed(con: duckdb.DuckDBPyConnection) -> None:
    """Invented postcodes → LADs for the ZZ area, so geocoding does real joins."""
    con.execute(
        f"""INSERT INTO postcodes SELECT pc, replace(pc, ' ', ''), NULL, NULL, lad, lad, 'E92000001', false, 'bench'
            FROM (SELECT DISTINCT 'ZZ' || (i % 97) || ' ' || (i % 9 + 1) || chr((65 + i % 26)::INTEGER) || chr((65 + i // 26 % 26)::INTEGER) AS pc,
                         'E06' || lpad(((i % 97) % {LADS})::VARCHAR, 6, '0') AS lad
                  FROM range(0, 1000000) t(i))"""  # noqa: S608
    )


def run(con: duckdb.DuckDBPyConnection, paths: dict[str, Path]) -> int:
    """The register pipeline as the build runs it: read the zips, insert, then the derive steps."""
    insert_frames(con, charity_register.read_register(paths))
    con.execute(nspl.DERIVE_SQL)
    con.execute(charity_register.SOURCES[1].derive_sql)
    return con.execute("SELECT count(*) FROM charities").fetchall()[0][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--charities", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="register-bench-") as tmp:
        generated = time.perf_counter()
        paths = generate(Path(tmp), args.charities)
        con = duckdb.connect()
        con.execute(SCHEMA_SQL.read_text())
        seed(con)
        started = time.perf_counter()
        loaded = run(con, paths)
        wall = time.perf_counter() - started
        con.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "records": args.charities,
                "main_charities": loaded,
                "generate_s": round(started - generated, 1),
                "wall_s": round(wall, 2),
                "peak_rss_mb": round(peak_mb),
            }
        )
    )


if __name__ == "__main__":
    main()
