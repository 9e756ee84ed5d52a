"""Stand-in NSPL download: the ONS zip layout (Data/NSPL_<MON>_<YEAR>_UK.csv, Data/multi_csv/, Documents/)
holding invented postcodes placed on real LSOA 2021 / LAD 2024 codes (tests/standin/content/_places.py).

HEADERS are the published field lists of three releases: November 2021 (as in the mirror), May 2025
(quoted in public code reading Data/NSPL_MAY_2025_UK.csv) and the renamed fields used from August 2025.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from etl.fetch.discover import arcgis_search_url
from etl.sources import nspl
from tests.standin.content._places import Place, places

HEADERS = {
    "NOV_2021": (
        "pcd,pcd2,pcds,dointr,doterm,usertype,oseast1m,osnrth1m,osgrdind,oa11,cty,ced,laua,ward,hlthau,nhser,ctry,"
        "rgn,pcon,eer,teclec,ttwa,pct,itl,park,lsoa11,msoa11,wz11,ccg,bua11,buasd11,ru11ind,oac11,lat,long,lep1,"
        "lep2,pfa,imd,calncv,stp"
    ),
    "MAY_2025": (
        "pcd,pcd2,pcds,dointr,doterm,usertype,oseast1m,osnrth1m,osgrdind,oa21,cty,ced,laua,ward,nhser,ctry,rgn,"
        "pcon,ttwa,itl,park,lsoa21,msoa21,wz11,sicbl,bua24,ruc21,oac11,lat,long,lep1,lep2,pfa,imd,icb"
    ),
    "AUG_2025": (
        "pcd7,pcd8,pcds,dointr,doterm,usrtypind,east1m,north1m,gridind,oa21cd,cty25cd,ced25cd,lad25cd,wd25cd,"
        "nhser24cd,ctry25cd,rgn25cd,pcon24cd,ttwa15cd,itl25cd,npark16cd,lsoa21cd,msoa21cd,wz11cd,sicbl24cd,"
        "bua24cd,ruc21ind,oac11ind,lat,long,lep21cd1,lep21cd2,pfa23cd,imd20ind,icb23cd"
    ),
}
RELEASE = "MAY_2025"  # what the official item serves (docs/sources.md)
# Fields the ETL does not read still carry values of the published width, so a file is as large as the real one.
FILLER = {
    "oseast1m": "530047",
    "east1m": "530047",
    "osnrth1m": "0180429",
    "north1m": "0180429",
    "osgrdind": "1",
    "gridind": "1",
    "usertype": "0",
    "usrtypind": "0",
    "lat": "51.507870",
    "long": "-0.127690",
    "imd": "12345",
    "imd20ind": "12345",
    "ruc21": "UN1",
    "ruc21ind": "UN1",
    "oac11": "2B1",
    "oac11ind": "2B1",
}
UNREAD_CODE = "E00000000"


def values(place: Place, *, terminated: bool) -> dict[str, str]:
    """The fields a row carries, under every layout's name (the writer keeps those of its header)."""
    lad, ward, lsoa = place.lad24, place.ward24, place.lsoa21
    out = place.postcode.split()[0]
    return {
        "pcd": f"{out:<4}{place.postcode[-3:]}",
        "pcd7": f"{out:<4}{place.postcode[-3:]}",
        "pcd2": f"{out:<5}{place.postcode[-3:]}",
        "pcd8": f"{out:<5}{place.postcode[-3:]}",
        "pcds": place.postcode,
        "dointr": "200001",
        "doterm": "202001" if terminated else "",
        "laua": lad,
        "lad25cd": lad,
        "ward": ward,
        "wd25cd": ward,
        "ctry": place.country,
        "ctry25cd": place.country,
        "lsoa21": lsoa,
        "lsoa21cd": lsoa,
        "lsoa11": lsoa,
        "cty": "E99999999",
        "cty25cd": "E99999999",
    }


def write_rows(handle: IO[str], rows: Iterable[Place], *, release: str, extra: Iterable[dict[str, str]] = ()) -> None:
    """Write one NSPL CSV in the given release's layout (all fields quoted, as ONS writes them), streaming."""
    header = HEADERS[release].split(",")
    writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    for number, place in enumerate(rows):
        row = values(place, terminated=number % 10 == 9)
        writer.writerow([row.get(name, FILLER.get(name, UNREAD_CODE)) for name in header])
    for row in extra:
        writer.writerow([row.get(name, "") for name in header])


def write_zip(path: Path, rows: Iterable[Place], *, release: str = RELEASE, per_area: bool = True) -> Path:
    """The ONS zip structure: the national CSV, (optionally) a per-area CSV under multi_csv, and documents."""
    names = [f"Data/NSPL_{release}_UK.csv"] + ([f"Data/multi_csv/NSPL_{release}_UK_ZZ.csv"] if per_area else [])
    rows = list(rows) if per_area else rows
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name in names:
            with (
                archive.open(name, "w", force_zip64=True) as raw,
                io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
            ):
                write_rows(text, rows, release=release, extra=[pseudo_row()])
        archive.writestr(f"Documents/LA_UA names and codes UK as at {release}.csv", b"LAD25CD,LAD25NM\r\n")
        archive.writestr(f"User Guide/NSPL User Guide {release}.txt", b"Stand-in: invented postcodes.\r\n")
    return path


def pseudo_row() -> dict[str, str]:
    """A postcode with ONS pseudo-codes (no LAD, no LSOA), as Channel Islands rows carry."""
    pseudo = {"laua": "L99999999", "lad25cd": "L99999999", "ctry": "L93000001", "ctry25cd": "L93000001"}
    return {"pcds": "ZZ99 9ZZ", "dointr": "200001", "lsoa21": "", "lsoa21cd": "", **pseudo}


def search_results() -> bytes:
    """ArcGIS Online's answer to the build's release search: the May 2025 item (the one served) is the latest
    release listed; an older release, its user guide and a differently titled item are listed too."""
    items = [
        {
            "id": "0d61d4d1a1c04b6d9b4d8ce8d4d1a2b3",
            "title": "National Statistics Postcode Lookup (May 2025) User Guide",
        },
        {"id": nspl.OFFICIAL_ZIP.split("/")[-2], "title": "National Statistics Postcode Lookup (May 2025)"},
        {"id": "80592949bebd4390b2cbe29159a75ef4", "title": "National Statistics Postcode Lookup (February 2024)"},
        {"id": "1b2c3d4e5f60718293a4b5c6d7e8f901", "title": "ONS Postcode Directory (May 2025)"},
    ]
    results = [item | {"owner": "ONSGeography_data", "type": "CSV Collection"} for item in items]
    return json.dumps({"query": nspl.RELEASE_QUERY, "total": len(results), "results": results}).encode()


def static_files(work: Path) -> dict[str, bytes | Path]:
    """The NSPL zip at its official item URL, and the item search that finds it."""
    search = arcgis_search_url(nspl.RELEASE_QUERY)
    return {nspl.OFFICIAL_ZIP: write_zip(work / "nspl.zip", places()), search: search_results()}
