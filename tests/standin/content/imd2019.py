"""English Indices of Deprivation 2019: File 7 CSV (built) and File 10 workbook (the mirror's bytes).

The mirror holds CSV exports of Files 1 and 2 (codes, names, every rank and decile) but not File 7;
File 7 is built from them, with invented rank-derived scores and IDACI/IDAOPI columns (see _iod). The invented
IDACI/IDAOPI deciles put in decile 1 exactly as many of each district's LSOAs as the published File 10 share says,
so the build's reconciliation of File 10 against the LSOA rows holds on the rehearsal too.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.sources import imd2019
from tests.standin.content import mirror
from tests.standin.content._iod import decile_from_rank, file7_frame
from tests.standin.content._sheets import csv_bytes

SUPPLEMENTS = ("idaci", "idaopi")


def published_shares(domain: str) -> pd.Series:
    """File 10's share of each district's LSOAs in the most deprived 10% for one domain, by LAD 2019 code."""
    tidy = imd2019.read_file10({"file10": mirror() / imd2019.FILE_10.mirror_path})["imd_lad"]  # type: ignore[operator]
    rows = tidy[(tidy["domain"] == domain) & (tidy["measure"] == "proportion_most_deprived_10")]
    return rows.set_index("lad_code")["value"]


def supplement_deciles(frame: pd.DataFrame, domain: str) -> pd.Series:
    """Invented deciles (from the IMD rank) with decile 1 for the published number of each district's LSOAs."""
    deciles = decile_from_rank(frame["imd_rank"]).clip(lower=2)
    order = frame.sort_values("imd_rank").groupby("lad_code").cumcount() + 1
    count = (
        frame["lad_code"].map(published_shares(domain)).fillna(0)
        * frame.groupby("lad_code")["lad_code"].transform("size")
    ).round()
    return deciles.where(order.reindex(frame.index) > count, 1)


def file7(work: Path) -> Path:
    base = mirror() / "imd2019"
    paths = {"file1": base / imd2019.FILE_1_CSV.file_name, "file2": base / imd2019.FILE_2_CSV.file_name}
    frame = imd2019.read_csv_exports(paths)["imd_lsoa"].drop(columns=["edition", "country"])
    for domain in SUPPLEMENTS:
        frame[f"{domain}_decile"] = supplement_deciles(frame, domain)
    path = work / imd2019.FILE_7.file_name
    path.write_bytes(csv_bytes(file7_frame(frame, lsoa_year="2011", lad_year="2019"), bom=True))
    return path


def static_files(work: Path) -> dict[str, bytes | Path]:
    return {
        imd2019.FILE_7.url: file7(work),
        imd2019.FILE_10.url: mirror() / imd2019.FILE_10.mirror_path,  # type: ignore[operator]
    }
