"""Stand-in 360Giving Data Registry (`data.json`, in the feed's documented layout) and the publishers' own files it
lists, in each format publishers use: CSV and XLSX with the standard column titles (sheet found after a notes
sheet), a JSON package, an ODS workbook; plus the failures a real registry has: a file that is gone (404), a
dataset under a licence 360Giving does not accept as open, and a file that is not 360Giving data. Publishers are
invented, on the reserved `.example` domain; grants are invented, to recipients at the invented postcodes of
tests/standin/content/_places.py, or (JSON, no postcode) to stand-in register charities by GB-CHC identifier.

`write_registry` writes the registry route at full size for benchmarks/online_full_scale.py.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from etl.sources import _grants360_files as registry
from tests.standin.content._places import Place, places

LOCATION = ["Geographic Code Type", "Geographic Code", "Name"]
BENEFICIARY = ["Name", "Country Code", "Geographic Code", "Geographic Code Type"]
TITLES = [
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Applied For",
    "Amount Awarded",
    "Amount Disbursed",
    "Award Date",
    "URL",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Planned Dates:Duration (months)",
    "Actual Dates:Start Date",
    "Actual Dates:End Date",
    "Actual Dates:Duration (months)",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Recipient Org:Charity Number",
    "Recipient Org:Company Number",
    "Recipient Org:Postal Code",
    *[f"Recipient Org:Location:{i}:{f}" for i in range(3) for f in LOCATION],
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Funding Org:Postal Code",
    "Grant Programme:Code",
    "Grant Programme:Title",
    "Grant Programme:URL",
    "Funding Type:Title",
    *[f"Beneficiary Location:{i}:{f}" for i in range(8) for f in BENEFICIARY],
    "From An Open Call?",
    "The following fields are not in the 360 Giving Standard and are added by GrantNav.",
    "Data Source",
    "Publisher:Name",
    "Recipient Region",
    "Recipient District",
    "Recipient District Geographic Code",
    "Recipient Ward",
    "Recipient Ward Geographic Code",
    "Retrieved for use in GrantNav",
    "Funding Org: Org Type",
    "Funding Org: Canonical Org ID",
    "Funding Org: Canonical Name",
    "Recipient Org: Date Registered",
    "Recipient Org: Date Removed",
    "Recipient Org: Org ID(s)",
    "Recipient Org: Latest Income",
    "Recipient Org: Latest Income Date",
    "Recipient Org: Org Type",
    "Recipient Org: Registered Postcode",
    "Recipient Org: Data Source",
    "Recipient Org: Canonical Org ID",
    "Recipient Org: Canonical Name",
    "License (see note)",
    "Note, this file also contains OS data © Crown copyright and database right 2016, Royal Mail data © Royal Mail "
    "copyright and Database right 2016, National Statistics data © Crown copyright and database right 2015 & 2016, "
    "see http://grantnav.threesixtygiving.org/datasets/ for more information.",
]
FUNDERS = 40
GRANTS = 20_000


def grant(n: int, place: Place) -> dict[str, str]:
    """One invented grant; every 9th has no postal code (its GB-CHC recipient id stands in), every 50th is EUR."""
    funder = n % FUNDERS
    postal = "" if n % 9 == 0 else place.postcode
    return {
        "Identifier": f"360G-standin-{n:07d}",
        "Title": f"Invented grant {n}",
        "Currency": "EUR" if n % 50 == 0 else "GBP",
        "Amount Awarded": str(500 + n * 37 % 250_000),
        "Award Date": f"{2019 + n % 7}-{n % 12 + 1:02d}-15",
        "Recipient Org:Identifier": f"GB-CHC-{1_100_000 + n % 30_000}",
        "Recipient Org:Name": f"Invented recipient {n % 30_000}",
        "Recipient Org:Postal Code": postal,
        "Recipient Org: Registered Postcode": place.postcode,
        "Funding Org:Identifier": f"360G-standin-funder-{funder}",
        "Funding Org:Name": f"Invented Funder {funder}",
        "Recipient District": "",
        "Recipient District Geographic Code": place.lad24 if n % 4 else "",
        "Recipient Ward Geographic Code": place.ward24 if n % 4 else "",
        "Publisher:Name": f"Invented Funder {funder}",
        "License (see note)": "https://creativecommons.org/licenses/by/4.0/",
    }


CC_BY = "https://creativecommons.org/licenses/by/4.0/"
OGL = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
BY_NC = "https://creativecommons.org/licenses/by-nc/4.0/"
STANDARD = TITLES[: TITLES.index("From An Open Call?") + 1]  # a publisher's file has no GrantNav additions
# (publisher, licence, download URL, format, grants from, grants to)
PUBLISHERS = [
    (
        "Invented Community Fund",
        CC_BY,
        "https://www.invented-community-fund.example/open-data/360giving.csv",
        "csv",
        1,
        9_000,
    ),
    (
        "Invented Trust",
        OGL,
        "https://invented-trust.example/files/grants-360giving-2025-v3.xlsx",
        "xlsx",
        9_001,
        14_000,
    ),
    ("Invented Foundation", CC0, "https://api.invented-foundation.example/360giving/grants", "json", 14_001, 17_000),
    ("Invented Lottery Distributor", BY_SA, "https://invented-lottery.example/data/360.ods", "ods", 17_001, 17_300),
    ("Invented Gone Funder", CC_BY, "https://gone-funder.example/old/360giving.csv", "gone", 0, 0),
    ("Invented Closed Funder", BY_NC, "https://closed-funder.example/360giving.xlsx", "csv", 17_301, 17_400),
    ("Invented Untidy Funder", CC_BY, "https://untidy-funder.example/grants.csv", "untidy", 0, 0),
]


def registry_entry(number: int, publisher: str, licence: str, url: str) -> dict:
    """One dataset of the registry feed, in the layout 360Giving documents (title … distribution)."""
    prefix = f"360G-invented{number}"
    return {
        "title": f"{publisher} grants",
        "description": "Invented stand-in dataset",
        "identifier": f"a00{number}INVENTED",
        "license": licence,
        "license_name": licence,
        "issued": "2024-04-01",
        "modified": "2025-10-30T09:30:00+0000",
        "publisher": {"name": publisher, "website": url.rsplit("/", 1)[0], "logo": "", "prefix": prefix},
        "distribution": [{"downloadURL": url, "accessURL": url.rsplit("/", 1)[0], "title": f"{publisher} grants"}],
    }


def standard_rows(first: int, last: int, where: tuple[Place, ...], funder: str) -> Iterator[dict[str, str]]:
    for n in range(first, last + 1):
        row = grant(n, where[n * 7919 % len(where)])
        yield {title: row.get(title, "") for title in STANDARD} | {"Funding Org:Name": funder}


def json_grants(first: int, last: int, where: tuple[Place, ...], funder: str) -> dict:
    """A 360Giving JSON package; every 5th grant has no postal code, its recipient a stand-in register charity."""
    grants = []
    for n in range(first, last + 1):
        place, charity = where[n * 7919 % len(where)], 1_100_000 + n % 11 + 1
        recipient = {"id": f"GB-CHC-{charity}", "name": f"INVENTED CHARITY {n % 11 + 1}"}
        recipient |= {} if n % 5 == 0 else {"postalCode": place.postcode}
        grants.append(
            {
                "id": f"360G-invented-json-{n}",
                "title": f"Invented grant {n}",
                "currency": "GBP",
                "amountAwarded": 1000 + n % 9000,
                "awardDate": f"{2020 + n % 5}-06-30",
                "recipientOrganization": [recipient],
                "fundingOrganization": [{"id": "GB-CHC-9999999", "name": funder}],
            }
        )
    return {"grants": grants}


def write_publisher(path: Path, kind: str, rows: list[dict[str, str]]) -> Path:
    if kind == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=STANDARD)
            writer.writeheader()
            writer.writerows(rows)
    elif kind == "xlsx":
        book = Workbook(write_only=True)
        book.create_sheet("Notes").append(["Invented stand-in file; the grants are on the next sheet"])
        sheet = book.create_sheet("grants")
        sheet.append(STANDARD)
        for row in rows:
            sheet.append([float(v) if t == "Amount Awarded" else v for t, v in row.items()])
        book.save(path)
    else:
        pd.DataFrame(rows, columns=STANDARD).to_excel(path, engine="odf", sheet_name="grants", index=False)
    return path


def publisher_files(work: Path, where: tuple[Place, ...]) -> dict[str, bytes | Path]:
    files: dict[str, bytes | Path] = {}
    for number, (publisher, _licence, url, kind, first, last) in enumerate(PUBLISHERS):
        if kind == "json":
            files[url] = json.dumps(json_grants(first, last, where, publisher)).encode()
        elif kind == "untidy":
            files[url] = b"Grant ref,Value,Date\r\nINV-1,5000,2024-01-01\r\n"
        elif kind != "gone":
            rows = list(standard_rows(first, last, where, publisher))
            files[url] = write_publisher(work / f"publisher{number}.{kind}", kind, rows)
    return files


def static_files(work: Path) -> dict[str, bytes | Path]:
    feed = [registry_entry(n, publisher, licence, url) for n, (publisher, licence, url, *_) in enumerate(PUBLISHERS)]
    return {registry.REGISTRY_URL: json.dumps(feed, indent=1).encode()} | publisher_files(work, places())


def write_registry(folder: Path, *, count: int, where: tuple[Place, ...], publishers: int = 300) -> dict[str, Path]:
    """The registry and `publishers` openly licensed files holding about `count` grants between them (read_registry's
    paths). An invented spread: sizes fall as 1/rank (a few large funders, many small); by rank the largest file is
    XLSX, the next JSON (read whole), the next CSV, the rest cycle CSV, XLSX, CSV, JSON."""
    weights = [1 / rank for rank in range(1, publishers + 1)]
    sizes = [max(1, round(count * w / sum(weights))) for w in weights]
    kinds = ["xlsx", "json", "csv", *(("csv", "xlsx", "csv", "json")[r % 4] for r in range(publishers - 3))]
    paths, feed, first = {}, [], 1
    for rank, (size, kind) in enumerate(zip(sizes, kinds, strict=False)):
        publisher, url, last = (
            f"Invented Publisher {rank}",
            f"https://publisher{rank}.example/360giving.{kind}",
            first + size - 1,
        )
        feed.append(registry_entry(rank, publisher, CC_BY, url))
        path = folder / f"publisher{rank}.{kind}"
        if kind == "json":
            path.write_text(json.dumps(json_grants(first, last, where, publisher)), encoding="utf-8")
        else:
            write_publisher(path, kind, list(standard_rows(first, last, where, publisher)))
        paths[url], first = path, last + 1
    (folder / "registry.json").write_text(json.dumps(feed), encoding="utf-8")
    return {"registry": folder / "registry.json", **paths}
