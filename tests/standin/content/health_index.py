"""Stand-in ONS Health Index workbooks at their `/current/` file URLs, in the layout of the 2021 edition
(scores in Table_2_Index_scores and one Table_<n>_<year>_Index sheet per year; indicators in
Table_2_Underlying_data), with invented values for the real LTLA 2021 codes of the mirror's lookup.

Also the ONS website's JSON the build discovers the current file name from: `<dataset page>/data` naming the
current edition (`datasets[0].uri`) and `<edition uri>/data` listing its files (`downloads[0].file`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from urllib.parse import urlsplit

from openpyxl import Workbook

from etl.sources import health
from tests.standin.content._places import mirror

LTLA21 = "geography/lookup_ltla21_region21.csv"
YEARS = (2020, 2021)


def districts() -> list[tuple[str, str]]:
    """(code, name) of every English lower-tier LA of 2021, from the mirror."""
    with (mirror() / LTLA21).open(encoding="utf-8-sig", newline="") as handle:
        return [(r["ltla21_code"], r["ltla21_name"]) for r in csv.DictReader(handle) if r["ltla21_code"][0] == "E"]


def save(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def notes(count: int) -> list[list]:
    return [[f"Stand-in note {i + 1}: invented values"] for i in range(count)]


def scores(path: Path, areas: list[tuple[str, str]]) -> Path:
    rows = [["E92000001", "England", "Country", 100.0, 100.4]] + [
        [code, name, "LTLA", 95 + i % 11, 95.5 + i % 11] for i, (code, name) in enumerate(areas)
    ]
    sheets = {
        "Contents": [["Table of contents"]],
        "Table_2_Index_scores": notes(2) + [["Area Code", "Area Name", "Area Type [Note 3]", *YEARS], *rows],
    }
    domains = ["Healthy People Domain", "Healthy Lives Domain", "Healthy Places Domain"]
    for number, year in enumerate(reversed(YEARS), 3):
        body = [[code, name, "LTLA", 96 + i % 9, 97 + i % 7, 98 + i % 5] for i, (code, name) in enumerate(areas)]
        sheets[f"Table_{number}_{year}_Index"] = notes(4) + [
            ["Area Code", "Area Name", "Area Type [Note 3]", *domains],
            *body,
        ]
    return save(path, sheets)


def indicators(path: Path, areas: list[tuple[str, str]]) -> Path:
    header = ["Area code", "Area name", "Area type", "Indicator grouping", "Indicator name", "Year", "Value"]
    rows = [
        [code, name, "LTLA", "Mortality", "Life expectancy", year, 78 + i % 7 + (year - 2020) / 10]
        for i, (code, name) in enumerate(areas)
        for year in YEARS
    ]
    return save(path, {"Contents": [["Table of contents"]], "Table_2_Underlying_data": notes(3) + [header, *rows]})


def ons_pages(dataset_page: str, file_url: str) -> dict[str, bytes | Path]:
    """The two JSON pages of an ONS dataset whose current edition holds the file at `file_url`."""
    edition, name = urlsplit(file_url).query.removeprefix("uri=").rsplit("/", 1)
    landing = {"type": "dataset_landing_page", "datasets": [{"uri": edition}]}
    version = {"type": "dataset", "uri": edition, "downloads": [{"file": name, "size": "1234"}]}
    return {
        f"{dataset_page}/data": json.dumps(landing).encode(),
        f"{health.ONS_SITE}{edition}/data": json.dumps(version).encode(),
    }


def static_files(work: Path) -> dict[str, bytes | Path]:
    areas = districts()
    return {
        health.SCORES_URL: scores(work / "healthindexscoresengland.xlsx", areas),
        health.UNDERLYING_URL: indicators(work / "healthindexunderlyingdataenglandcanscreenfix.xlsx", areas),
        **ons_pages(health.SCORES_PAGE, health.SCORES_URL),
        **ons_pages(health.UNDERLYING_PAGE, health.UNDERLYING_URL),
    }
