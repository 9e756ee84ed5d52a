"""Population sources in their official layouts, built from the mirror's re-packagings (humaniverse/demographr).

SAPE22DT2 (zip of an xlsx, sheet "Mid-2019 Persons" after 4 title rows), MYE2 (sheet "MYE2 - Persons"
after 7; the official file is .xls, served here as xlsx bytes under its .xls name, which calamine reads
alike), Census 2021 P01 (after 6), IoD2019 File 6 (from the mirror's CSV export) and IoD2025 File 6.
The mirror has no mid-2022 LSOA 2021 denominators: the IoD2025 File 6 values are invented (a fixed
1,600 residents per LSOA split by fixed shares), for the rehearsal's temporary database only.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.sources import imd2025, population
from tests.standin.content import mirror
from tests.standin.content._sheets import frame_rows, xlsx_bytes, zip_bytes

DEMOGRAPHR = "population/derived_humaniverse_demographr"
AGE_HEADER = [*range(90), "90+"]


def ages(frame: pd.DataFrame) -> pd.DataFrame:
    """The single-year columns '0'…'89', '90+' as the published headers 0…89, '90+'."""
    return frame[population.AGES].set_axis(AGE_HEADER, axis=1)


def sape(work: Path) -> Path:
    frame = pd.read_csv(mirror() / DEMOGRAPHR / "population19_lsoa11.csv.gz", dtype={"lsoa11_code": str})
    head = pd.DataFrame(
        {"LSOA Code": frame["lsoa11_code"], "LSOA Name": frame["lsoa11_name"], "LA Code (2019 boundaries)": ""}
    )
    table = pd.concat([head, frame[["total_population"]].set_axis(["All Ages"], axis=1), ages(frame)], axis=1)
    book = xlsx_bytes(
        {"Contents": [["Contents"]], "Mid-2019 Persons": frame_rows(table, titles=["t1", "t2", "t3", "t4"])}
    )
    path = work / population.SAPE_URL.rsplit("/", 1)[1]
    path.write_bytes(zip_bytes({"SAPE22DT2-mid-2019-lsoa-syoa-estimates-unformatted.xlsx": book}))
    return path


def mye(work: Path) -> Path:
    frame = pd.read_csv(mirror() / DEMOGRAPHR / "population20_ltla21.csv", dtype={"ltla21_code": str})
    head = pd.DataFrame({"Code": frame["ltla21_code"], "Name": frame["ltla21_name"], "Geography": "Local Authority"})
    table = pd.concat([head, frame[["total_population"]].set_axis(["All ages"], axis=1), ages(frame)], axis=1)
    path = work / population.MYE_URL.rsplit("/", 1)[1]
    path.write_bytes(xlsx_bytes({"MYE2 - Persons": frame_rows(table, titles=[f"title {i}" for i in range(7)])}))
    return path


def census(work: Path) -> Path:
    frame = pd.read_csv(mirror() / DEMOGRAPHR / "population21_ltla21_census2021.csv", dtype={"ltla21_code": str})
    females = (frame["population"] // 200) * 100
    table = pd.DataFrame(
        {
            "Area code [note 2]": frame["ltla21_code"],
            "Area name": frame["ltla21_name"],
            "All persons": frame["population"],
            "Females": females,
            "Males": frame["population"] - females,
        }
    )
    path = work / population.CENSUS_URL.rsplit("/", 1)[1]
    path.write_bytes(xlsx_bytes({"P01": frame_rows(table, titles=[f"title {i}" for i in range(6)])}))
    return path


def file6_2019(work: Path) -> Path:
    frame = pd.read_csv(
        mirror() / "imd2019" / "File_6_-_IoD2019_Population_Denominators.csv.gz",
        thousands=",",
        encoding="utf-8-sig",
        dtype=str,
    )
    numbers = list(population.FILE6_2019_GROUPS)
    frame[numbers] = frame[numbers].apply(lambda column: pd.to_numeric(column.str.replace(",", "")))
    path = work / "File_6_-_IoD2019_Population_Denominators.xlsx"
    path.write_bytes(xlsx_bytes({"Notes": [["Notes"]], "Population Denominators": frame_rows(frame)}))
    return path


def file6_2025(work: Path) -> Path:
    codes = imd2025.read_file1(mirror() / imd2025.FILE_1.mirror_path)["lsoa_code"]  # type: ignore[operator]
    shares = {"all": 1.0, "0-15": 0.19, "16-59": 0.56, "60+": 0.25, "18-66": 0.62}
    frame = pd.DataFrame({population.IOD2025_CODE: codes})
    for header, label in population.FILE6_2025_GROUPS.items():
        frame[header] = round(1600 * shares[label])
    path = work / "File_6_IoD2025_Population_Denominators.xlsx"
    path.write_bytes(xlsx_bytes({"Notes": [["Notes"]], "Population Denominators": frame_rows(frame)}))
    return path


def static_files(work: Path) -> dict[str, bytes | Path]:
    file6_2025_url = (
        next(s for s in population.SOURCES if s.source_id == population.IOD2025_ID).distributions[0].files[0].url
    )
    return {
        population.SAPE_URL: sape(work),
        population.MYE_URL: mye(work),
        population.CENSUS_URL: census(work),
        population.IOD2019_FILE6_URL: file6_2019(work),
        file6_2025_url: file6_2025(work),
    }
