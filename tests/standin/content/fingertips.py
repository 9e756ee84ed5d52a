"""Stand-in Fingertips API answer: `all_data/csv/by_indicator_id` for life expectancy (90366) and healthy life
expectancy (90362) at birth, districts and UAs (area type 502) under England (15), in the published CSV header,
with invented values for every English LAD 2024 code of the mirror's lookup."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from etl.sources import health
from tests.standin.content._places import places

HEADER = (
    "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,Category Type,"
    "Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Lower CI 99.8 limit,Upper CI 99.8 limit,"
    "Count,Denominator,Value note,Recent Trend,Compared to England value or percentiles,Compared to percentiles,"
    "Time period Sortable,New data,Compared to goal,Time period range"
).split(",")
INDICATORS = {90366: ("Life expectancy at birth", 79.0), 90362: ("Healthy life expectancy at birth", 62.0)}
AREA_TYPE = "Districts & UAs (from Apr 2023)"


def rows(lads: list[str]) -> list[dict[str, str]]:
    """One row per indicator x sex x area (England first), latest period only."""
    out = []
    for indicator, (name, base) in INDICATORS.items():
        for sex, shift in (("Male", -2.0), ("Female", 2.0)):
            areas = [("E92000001", "England", "England", "", "")] + [
                (lad, f"Invented district {lad}", AREA_TYPE, "E92000001", "England") for lad in lads
            ]
            for number, (code, area, kind, parent, parent_name) in enumerate(areas):
                value = base + shift + (number % 17 - 8) * 0.4
                out.append(
                    {
                        "Indicator ID": str(indicator),
                        "Indicator Name": name,
                        "Parent Code": parent,
                        "Parent Name": parent_name,
                        "Area Code": code,
                        "Area Name": area,
                        "Area Type": kind,
                        "Sex": sex,
                        "Age": "All ages",
                        "Time period": "2021 - 23",
                        "Value": f"{value:.2f}",
                        "Time period Sortable": "20210000",
                        "Time period range": "3y",
                    }
                )
    return out


def csv_bytes(lads: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(lads))
    return buffer.getvalue().encode("utf-8-sig")


def static_files(work: Path) -> dict[str, bytes | Path]:
    lads = sorted({p.lad24 for p in places() if p.lad24.startswith("E")})
    return {health.FINGERTIPS_URL: csv_bytes(lads)}
