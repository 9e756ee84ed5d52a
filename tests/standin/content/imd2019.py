"""English Indices of Deprivation 2019: File 7 CSV (built) and File 10 workbook (the mirror's bytes).

The mirror holds CSV exports of Files 1 and 2 (codes, names, every rank and decile) but not File 7;
File 7 is built from them, with invented rank-derived scores and IDACI/IDAOPI columns (see _iod).
"""

from __future__ import annotations

from pathlib import Path

from etl.sources import imd2019
from tests.standin.content import mirror
from tests.standin.content._iod import file7_frame
from tests.standin.content._sheets import csv_bytes


def file7(work: Path) -> Path:
    base = mirror() / "imd2019"
    paths = {"file1": base / imd2019.FILE_1_CSV.file_name, "file2": base / imd2019.FILE_2_CSV.file_name}
    frame = imd2019.read_csv_exports(paths)["imd_lsoa"].drop(columns=["edition", "country"])
    path = work / imd2019.FILE_7.file_name
    path.write_bytes(csv_bytes(file7_frame(frame, lsoa_year="2011", lad_year="2019"), bom=True))
    return path


def static_files(work: Path) -> dict[str, bytes | Path]:
    return {
        imd2019.FILE_7.url: file7(work),
        imd2019.FILE_10.url: mirror() / imd2019.FILE_10.mirror_path,  # type: ignore[operator]
    }
