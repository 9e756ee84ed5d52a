"""Stand-in Charity Commission register extract: publicextract.<table>.zip, each holding one BOM-prefixed
JSON array whose objects carry every field of the Commission's data dictionary (mirror:
charity_commission/ccew-fields.csv) in its order, after `date_of_extract`. Values are invented: charities
sit at the invented postcodes of tests/standin/content/_places.py (real LSOA/LAD codes) and operate in
local authorities named as the Commission names them (the mirror's cc-aoo-gss-iso-new.csv).

`write_extract` is also used by benchmarks/online_full_scale.py at full size (~380k charities).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

from etl.sources import charity_register
from tests.standin.content._places import ContentMissing, Place, mirror, places

EXTRACT = "2026-11-30T00:00:00"
LAST_REMOVAL = dt.date(2026, 11, 1)
CHARITIES = 6000  # enough for a value in most districts; the benchmark writes the full ~380k
DICTIONARY = "charity_commission/ccew-fields.csv"
AOO_LOOKUP = "charity_commission/cc-aoo-gss-iso-new.csv"
TABLE_OF = {
    "Charity": "charity",
    "CharityAreaOfOperation": "charity_area_of_operation",
    "CharityClassification": "charity_classification",
    "CharityARPartA": "charity_annual_return_parta",
    "CharityARPartB": "charity_annual_return_partb",
    "CharityAnnualReturnHistory": "charity_annual_return_history",
}
CLASSES = (
    ("101", "What", "General Charitable Purposes"),
    ("201", "Who", "Children/young People"),
    ("301", "How", "Makes Grants To Organisations"),
    ("105", "What", "The Prevention Or Relief Of Poverty"),
)


@cache
def dictionary(folder: Path) -> dict[str, tuple[str, ...]]:
    """Official field names per extract table, in the dictionary's order."""
    fields: dict[str, list[str]] = {}
    with (folder / DICTIONARY).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Table"] in TABLE_OF:
                fields.setdefault(TABLE_OF[row["Table"]], []).append(row["Field"])
    return {table: ("date_of_extract", *names) for table, names in fields.items()}


@cache
def local_authorities(folder: Path) -> tuple[str, ...]:
    """The Commission's own names of local authorities (area-of-operation lookup in the mirror)."""
    with (folder / AOO_LOOKUP).open(encoding="utf-8-sig", newline="") as handle:
        return tuple(
            r["geographic_area_description"]
            for r in csv.DictReader(handle)
            if r["geographic_area_type"] == "Local Authority"
        )


class Register:
    """Invented register rows for `count` charities: every 12th linked, every 7th removed, 5 years of returns.

    Registration dates spread over 1962–2025 and removals 1–19 years later (before the extract date), so the
    sector-change measures (births, removals, survival, income over time) have years to run over.
    """

    def __init__(self, count: int, *, where: tuple[Place, ...], authorities: tuple[str, ...]) -> None:
        self.count, self.where, self.authorities = count, where, authorities

    def number(self, n: int) -> tuple[int, int]:
        """(registered number, linked number): each 12th record is a linked charity of the one before."""
        return (1_100_000 + n - 1, 1) if n % 12 == 0 else (1_100_000 + n, 0)

    def registered(self, n: int) -> bool:
        return n % 7 != 0

    def registration_date(self, n: int) -> dt.date:
        """Spread over 1962–2025 (a prime stride, so neighbouring numbers differ)."""
        return dt.date(1962 + n * 37 % 64, 1 + n % 12, 1 + n % 28)

    def removal_date(self, n: int) -> dt.date | None:
        """1–19 years after registration, on or before the extract date; None for registered charities."""
        if self.registered(n):
            return None
        start = self.registration_date(n)
        return min(start.replace(year=start.year + 1 + n * 13 % 19), LAST_REMOVAL)

    def last_return_year(self, n: int) -> int:
        """Financial year of the latest return: 2025, or the year before removal."""
        removed = self.removal_date(n)
        return 2025 if removed is None else removed.year - 1

    def charity(self, n: int) -> dict:
        number, linked = self.number(n)
        place = self.where[n * 7919 % len(self.where)]  # a prime stride spreads them over every LAD
        removed = not self.registered(n)
        return {
            "organisation_number": 5_000_000 + n,
            "registered_charity_number": number,
            "linked_charity_number": linked,
            "charity_name": f"INVENTED CHARITY {n}",
            "charity_type": "Other",
            "charity_registration_status": "Removed" if removed else "Registered",
            "date_of_registration": stamp(self.registration_date(n)),
            "date_of_removal": stamp(self.removal_date(n)),
            "latest_income": float(n * 37 % 2_000_000),
            "latest_expenditure": float(n * 31 % 1_900_000),
            "charity_contact_address1": f"{n} Invented Street",
            "charity_contact_postcode": place.postcode,
            "charity_insolvent": False,
            "charity_in_administration": False,
            "charity_is_cio": n % 3 == 0,
            "charity_activities": "Invented activities of a stand-in charity.",
        }

    def areas(self, n: int) -> Iterator[dict]:
        number, linked = self.number(n)
        base = {
            "organisation_number": 5_000_000 + n,
            "registered_charity_number": number,
            "linked_charity_number": linked,
        }
        name = self.authorities[n % len(self.authorities)]
        yield base | {
            "geographic_area_type": "Local Authority",
            "geographic_area_description": name,
            "welsh_ind": False,
        }
        if n % 5 == 0:
            yield base | {"geographic_area_type": "Country", "geographic_area_description": "Kenya", "welsh_ind": False}

    def classes(self, n: int) -> Iterator[dict]:
        number, linked = self.number(n)
        for code, kind, text in CLASSES[: 2 + n % 3]:
            yield {
                "organisation_number": 5_000_000 + n,
                "registered_charity_number": number,
                "linked_charity_number": linked,
                "classification_code": code,
                "classification_type": kind,
                "classification_description": text,
            }

    def part_a(self, n: int) -> Iterator[dict]:
        number, linked = self.number(n)
        if linked or not self.registered(n):
            return
        for order in (1, 2):
            income = float(n * 37 % 2_000_000) / order
            yield {
                "organisation_number": 5_000_000 + n,
                "registered_charity_number": number,
                "latest_fin_period_submitted_ind": order == 1,
                "fin_period_order_number": order,
                "fin_period_end_date": f"{2026 - order}-03-31T00:00:00",
                "total_gross_income": income,
                "charity_receives_govt_funding_contracts": n % 5 == 0,
                "charity_receives_govt_funding_grants": n % 4 == 0,
                "income_from_government_contracts": income * 0.3 if n % 5 == 0 else 0.0,
                "income_from_government_grants": income * 0.2 if n % 4 == 0 else 0.0,
            }

    def part_b(self, n: int) -> Iterator[dict]:
        number, linked = self.number(n)
        if n % 10 == 1 and not linked and self.registered(n):
            yield {
                "organisation_number": 5_000_000 + n,
                "registered_charity_number": number,
                "latest_fin_period_submitted_ind": True,
                "fin_period_order_number": 1,
                "fin_period_end_date": "2025-03-31T00:00:00",
                "income_total_income_and_endowments": 1.2e6,
                "income_charitable_activities": 6e5,
                "expenditure_total": 1.1e6,
                "count_employees": 14,
            }

    def history(self, n: int) -> Iterator[dict]:
        number, linked = self.number(n)
        if linked:
            return
        last = self.last_return_year(n)
        for year in range(max(last - 4, self.registration_date(n).year + 1), last + 1):
            yield {
                "organisation_number": 5_000_000 + n,
                "registered_charity_number": number,
                "fin_period_end_date": f"{year}-03-31T00:00:00",
                "total_gross_income": float(n * 7919 % 1_200_000 + 100 * (year - 2000)),
                "total_gross_expenditure": float(n % 80_000 + year),
            }

    def rows(self, table: str) -> Iterator[dict]:
        make: dict[str, Callable[[int], Iterator[dict]]] = {
            "charity": lambda n: iter([self.charity(n)]),
            "charity_area_of_operation": self.areas,
            "charity_classification": self.classes,
            "charity_annual_return_parta": self.part_a,
            "charity_annual_return_partb": self.part_b,
            "charity_annual_return_history": self.history,
        }
        for n in range(1, self.count + 1):
            yield from make[table](n)


def stamp(day: dt.date | None) -> str | None:
    """A date as the extract writes it (midnight timestamp), None as null."""
    return None if day is None else f"{day.isoformat()}T00:00:00"


def write_zip(path: Path, table: str, rows: Iterator[dict], *, fields: tuple[str, ...]) -> Path:
    """Stream rows as one BOM-prefixed JSON array (every dictionary field, in order) inside the zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open(f"publicextract.{table}.json", "w") as handle:
            handle.write("\ufeff[".encode())
            for i, row in enumerate(rows):
                record = {name: row.get(name) for name in fields} | {"date_of_extract": EXTRACT}
                handle.write(((",\n" if i else "") + json.dumps(record)).encode())
            handle.write(b"]")
    return path


def write_extract(folder: Path, *, charities: int, where: tuple[Place, ...], source: Path) -> dict[str, Path]:
    """The six extract zips the ETL reads, for `charities` invented charities; `source` is the mirror."""
    register = Register(charities, where=where, authorities=local_authorities(source))
    fields = dictionary(source)
    return {
        table: write_zip(folder / f"publicextract.{table}.zip", table, register.rows(table), fields=fields[table])
        for table in charity_register.TABLES
    }


def static_files(work: Path) -> dict[str, bytes | Path]:
    """The extract zips at their blob-storage URLs (the area-of-operation lookup is charity_lookups.py's)."""
    source = mirror()
    if not (source / DICTIONARY).is_file():
        raise ContentMissing(f"the mirror has no {DICTIONARY}")
    zips = write_extract(work, charities=CHARITIES, where=places(), source=source)
    return {f"{charity_register.BASE_URL}publicextract.{t}.zip": p for t, p in zips.items()}
