"""Invented postcodes on real geography: one per LSOA 2021 of England and Wales, shared by the stand-in's
NSPL, register and 360Giving content so that charities and grants geocode through the served NSPL.

Codes (LSOA 2021, ward 2024, LAD 2024) are read from the mirror's ONS lookup at test time; the postcodes
are invented in the non-existent 'ZZ' area, so they can never be mistaken for real ones.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tests.standin.content import ContentMissing

LOOKUP = "geography/lookup_lsoa21_ward24_ltla24.csv"


@dataclass(frozen=True)
class Place:
    """An invented postcode and the real areas it is placed in."""

    postcode: str
    lsoa21: str
    ward24: str
    lad24: str

    @property
    def country(self) -> str:
        return "W92000004" if self.lsoa21.startswith("W") else "E92000001"


def invented_postcode(number: int) -> str:
    """A unique, well-formed postcode in the non-existent ZZ area (number < 100 * 676)."""
    return f"ZZ{number // 676} {number % 9 + 1}{chr(65 + number % 26)}{chr(65 + number // 26 % 26)}"


def mirror() -> Path:
    """The mirror folder ($VCS_INSIGHT_MIRROR).

    Raises:
        ContentMissing: no mirror folder is configured.
    """
    value = os.environ.get("VCS_INSIGHT_MIRROR")
    if not value or not (Path(value) / LOOKUP).is_file():
        raise ContentMissing(f"VCS_INSIGHT_MIRROR has no {LOOKUP}")
    return Path(value)


@cache
def places() -> tuple[Place, ...]:
    """One invented postcode per LSOA 2021 in the mirror's LSOA → ward → LAD lookup, in file order."""
    with (mirror() / LOOKUP).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        Place(invented_postcode(i), row["lsoa21_code"], row["ward24_code"], row["ltla24_code"])
        for i, row in enumerate(rows)
    )
