"""English Indices of Deprivation 2025: File 7 CSV, File 10 v2 and File 13 workbooks in the official layouts.

The mirror holds File 1 and File 3 as published but not Files 7, 10 or 13, so these are built at test
time from File 1 (codes, names), humaniverse/IMD's File 7 extract (scores, ranks, deciles), File 3
(IDACI/IDAOPI ranks and deciles) and humaniverse/IMD's joins of File 10 v2 and File 13.
"""

from __future__ import annotations

from pathlib import Path

from etl.sources import _iod_common as iod
from etl.sources import imd2025
from tests.standin.content import mirror
from tests.standin.content._iod import file7_frame, summary_sheets
from tests.standin.content._sheets import csv_bytes, xlsx_bytes


def file7(work: Path) -> Path:
    base = mirror() / "imd2025"
    codes = imd2025.read_file1(base / "File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx")
    scores = imd2025.read_derived_scores(base / "derived_humaniverse" / "imd2025_england_lsoa21.csv")
    supplementary = imd2025.read_file3(base / "File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx")
    frame = codes[["lsoa_code", "lsoa_name", "lad_code", "lad_name"]].merge(scores, on="lsoa_code")
    frame = frame.merge(supplementary, on="lsoa_code")
    path = work / imd2025.FILE_7.file_name
    path.write_bytes(csv_bytes(file7_frame(frame, lsoa_year="2021", lad_year="2024")))
    return path


def summary(work: Path, *, csv_name: str, code: str, headers: tuple[str, str], name: str) -> Path:
    tidy = iod.read_derived_summary(
        mirror() / "imd2025" / "derived_humaniverse" / csv_name, code_column=code, source_id="standin"
    )
    path = work / name
    path.write_bytes(xlsx_bytes(summary_sheets(tidy, code_header=headers[0], name_header=headers[1])))
    return path


def static_files(work: Path) -> dict[str, bytes | Path]:
    lad = ("Local Authority District code (2024)", "Local Authority District name (2024)")
    icb = ("Integrated Care Board Code (2024)", "Integrated Care Board Name (2024)")
    return {
        imd2025.FILE_7.url: file7(work),
        imd2025.FILE_10.url: summary(
            work, csv_name="imd2025_england_ltla24.csv", code="ltla24_code", headers=lad, name=imd2025.FILE_10.file_name
        ),
        imd2025.FILE_13.url: summary(
            work, csv_name="imd2025_england_icb24.csv", code="icb24_code", headers=icb, name=imd2025.FILE_13.file_name
        ),
    }
