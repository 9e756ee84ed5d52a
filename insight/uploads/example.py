"""'Try an example file' on Your data: a small set of INVENTED service records, in each format the page reads.

The records are made up here, in code, for people to see the column layout the page expects and to walk through
it before uploading their own: every record, file name and sheet says so, and they never touch the database or
mix with published data. Locations are real local authority district codes (public identifiers of areas), so the
example maps like a real upload; the counts, dates, services and grants are invented.
"""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass

import pandas as pd

from insight.export import to_csv_bytes

LABEL = "INVENTED EXAMPLE"
# Districts in England and Wales (2024 codes) across the range of deprivation.
DISTRICTS = (
    ("E08000025", "Birmingham"),
    ("E08000003", "Manchester"),
    ("E06000002", "Middlesbrough"),
    ("E08000012", "Liverpool"),
    ("E06000010", "Kingston upon Hull, City of"),
    ("E09000030", "Tower Hamlets"),
    ("E08000019", "Sheffield"),
    ("E06000023", "Bristol, City of"),
    ("E07000178", "Oxford"),
    ("E07000008", "Cambridge"),
    ("E06000043", "Brighton and Hove"),
    ("W06000015", "Cardiff"),
)
SERVICES = ("Advice", "Food support", "Befriending")
# Enough records per district for its counts to clear the page's default threshold for hiding small counts (10):
# with 4 a district, every count of the example was hidden and the walk-through showed little.
PER_DISTRICT = 15
FORMATS = {"csv": "CSV", "xlsx": "Excel (.xlsx)", "json": "360Giving JSON"}
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


@dataclass(frozen=True)
class ExampleFile:
    """An example file shaped like Streamlit's UploadedFile where the page reads it: name, file_id, getvalue()."""

    name: str
    data: bytes
    file_id: str

    def getvalue(self) -> bytes:
        """The file's bytes."""
        return self.data


def records() -> pd.DataFrame:
    """180 invented service records: 15 per district, three services, dates across 2025, people supported."""
    rows = []
    for number in range(PER_DISTRICT * len(DISTRICTS)):
        code, name = DISTRICTS[number % len(DISTRICTS)]
        rows.append(
            {
                "Record ID": f"EXAMPLE-{number + 1:03d}",
                "District code": code,
                "District": name,
                "Date": f"2025-{number % 12 + 1:02d}-{number % 27 + 1:02d}",
                "Service": SERVICES[number % len(SERVICES)],
                "People supported": 12 + (number * 7) % 29,
                "Note": f"{LABEL}: invented record, not real data",
            }
        )
    return pd.DataFrame(rows)


def grants() -> dict:
    """The same records as a 360Giving JSON package of invented grants (beneficiary location = district code)."""
    frame = records()
    return {
        "note": f"{LABEL}: invented grants for trying VCS Insight, not real data",
        "grants": [
            {
                "id": f"360G-EXAMPLE-{row['Record ID']}",
                "title": f"{LABEL}: {row['Service']} grant {index + 1}",
                "currency": "GBP",
                "amountAwarded": 1000 * int(row["People supported"]),
                "awardDate": row["Date"],
                "beneficiaryLocation": [{"geoCode": row["District code"], "name": row["District"]}],
                "fundingOrganization": [{"id": "360G-EXAMPLE", "name": "Example Foundation (invented)"}],
            }
            for index, row in frame.iterrows()
        ],
    }


@functools.cache
def example_bytes(kind: str) -> bytes:
    """The example in one format: 'csv', 'xlsx' (one sheet, named as invented) or 'json' (360Giving).

    Built once a process: a workbook stamps the second it is written, so building it again would
    hand the same user a different file (and the page's download a new identity) each rerun."""
    if kind == "csv":
        return to_csv_bytes(records())
    if kind == "xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            records().to_excel(writer, sheet_name="Invented example records", index=False)
        return buffer.getvalue()
    if kind == "json":
        return json.dumps(grants(), indent=2).encode("utf-8")
    raise ValueError(f"unknown example format {kind!r}")


def example_file(kind: str) -> ExampleFile:
    """The example as the page's upload: its file name says it is invented."""
    return ExampleFile(name=f"vcs-insight-invented-example.{kind}", data=example_bytes(kind), file_id=f"example-{kind}")
