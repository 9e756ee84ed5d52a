"""Stand-in GrantNav export of every grant (`search.csv`), in GrantNav's CSV layout (grantnav/csv_layout.py:
the 360Giving standard titles, then the fields GrantNav adds), with invented grants to recipients at the invented
postcodes of tests/standin/content/_places.py, GrantNav's district and ward codes being those places' real codes.

`write_csv` is also used at full size by benchmarks/online_full_scale.py.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from etl.sources import grants360
from tests.standin.content._places import Place, places

LOCATION = ["Geographic Code Type", "Geographic Code", "Name"]
BENEFICIARY = ["Name", "Country Code", "Geographic Code", "Geographic Code Type"]
TITLES = [
    "Identifier", "Title", "Description", "Currency", "Amount Applied For", "Amount Awarded", "Amount Disbursed",
    "Award Date", "URL", "Planned Dates:Start Date", "Planned Dates:End Date", "Planned Dates:Duration (months)",
    "Actual Dates:Start Date", "Actual Dates:End Date", "Actual Dates:Duration (months)", "Recipient Org:Identifier",
    "Recipient Org:Name", "Recipient Org:Charity Number", "Recipient Org:Company Number", "Recipient Org:Postal Code",
    *[f"Recipient Org:Location:{i}:{f}" for i in range(3) for f in LOCATION],
    "Funding Org:Identifier", "Funding Org:Name", "Funding Org:Postal Code", "Grant Programme:Code",
    "Grant Programme:Title", "Grant Programme:URL", "Funding Type:Title",
    *[f"Beneficiary Location:{i}:{f}" for i in range(8) for f in BENEFICIARY],
    "From An Open Call?", "The following fields are not in the 360 Giving Standard and are added by GrantNav.",
    "Data Source", "Publisher:Name", "Recipient Region", "Recipient District", "Recipient District Geographic Code",
    "Recipient Ward", "Recipient Ward Geographic Code", "Retrieved for use in GrantNav", "Funding Org: Org Type",
    "Funding Org: Canonical Org ID", "Funding Org: Canonical Name", "Recipient Org: Date Registered",
    "Recipient Org: Date Removed", "Recipient Org: Org ID(s)", "Recipient Org: Latest Income",
    "Recipient Org: Latest Income Date", "Recipient Org: Org Type", "Recipient Org: Registered Postcode",
    "Recipient Org: Data Source", "Recipient Org: Canonical Org ID", "Recipient Org: Canonical Name",
    "License (see note)",
    "Note, this file also contains OS data © Crown copyright and database right 2016, Royal Mail data © Royal Mail "
    "copyright and Database right 2016, National Statistics data © Crown copyright and database right 2015 & 2016, "
    "see http://grantnav.threesixtygiving.org/datasets/ for more information.",
]  # fmt: skip
FUNDERS = 40
GRANTS = 20_000


def grant(n: int, place: Place) -> dict[str, str]:
    """One invented grant; every 9th has no postal code (GrantNav's registered postcode stands in), every 50th is EUR."""
    funder = n % FUNDERS
    postal = "" if n % 9 == 0 else place.postcode
    return {"Identifier": f"360G-standin-{n:07d}", "Title": f"Invented grant {n}", "Currency": "EUR" if n % 50 == 0 else "GBP",
            "Amount Awarded": str(500 + n * 37 % 250_000), "Award Date": f"{2019 + n % 7}-{n % 12 + 1:02d}-15",
            "Recipient Org:Identifier": f"GB-CHC-{1_100_000 + n % 30_000}", "Recipient Org:Name": f"Invented recipient {n % 30_000}",
            "Recipient Org:Postal Code": postal, "Recipient Org: Registered Postcode": place.postcode,
            "Funding Org:Identifier": f"360G-standin-funder-{funder}", "Funding Org:Name": f"Invented Funder {funder}",
            "Recipient District": "", "Recipient District Geographic Code": place.lad24 if n % 4 else "",
            "Recipient Ward Geographic Code": place.ward24 if n % 4 else "", "Publisher:Name": f"Invented Funder {funder}",
            "License (see note)": "https://creativecommons.org/licenses/by/4.0/"}  # fmt: skip


def rows(count: int, where: tuple[Place, ...]) -> Iterator[dict[str, str]]:
    for n in range(1, count + 1):
        yield grant(n, where[n * 7919 % len(where)])


def write_csv(path: Path, *, count: int, where: tuple[Place, ...]) -> Path:
    """GrantNav's CSV export of `count` invented grants (UTF-8 with BOM, every field quoted)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=TITLES, restval="", quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows(count, where))
    return path


def static_files(work: Path) -> dict[str, bytes | Path]:
    return {grants360.GRANTNAV_CSV: write_csv(work / "grantnav_search.csv", count=GRANTS, where=places())}
