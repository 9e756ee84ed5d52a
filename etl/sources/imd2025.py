"""English Indices of Deprivation 2025 (MHCLG): LSOA 2021 index and domains, LAD 2024 and ICB summaries."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path

import pandas as pd

from etl.source import Distribution, Frames, RemoteFile, Source, SourceError
from etl.sources import _iod_common as iod
from etl.sources._imd2025_sql import ICB_DERIVE, LAD_DERIVE, LSOA_DERIVE

EDITION = "IoD2025"
VINTAGE = "IoD2025 (published 30 Oct 2025; LSOA files and File 10 v2 re-issued 17-19 Nov 2025)"
LANDING = "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2025"
ASSETS = "https://assets.publishing.service.gov.uk/media"
LSOA_ID, LAD_ID, ICB_ID = "imd2025_lsoa", "imd2025_lad", "imd2025_icb"

FILE_7 = RemoteFile(
    key="file7",
    url=f"{ASSETS}/691ded56d140bbbaa59a2a7d/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv",
    mirror_path="imd2025/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv",
    sha256="b1b716aa2e476449f987b9de3e08255b4794eabfd270626de5de18b2f5eff3ef",
    size=9_897_666,
)
FILE_1 = RemoteFile(
    key="file1",
    url=f"{ASSETS}/691dece32c6b98ecdbc500d5/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
    mirror_path="imd2025/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
)
FILE_3 = RemoteFile(
    key="file3",
    url=f"{ASSETS}/691ded0a21ef5aaa6543efe9/File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx",
    mirror_path="imd2025/File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx",
)
# humaniverse/IMD's column selection of File 7 (30 Oct upload): the scores, which are not in File 1.
DERIVED_SCORES = RemoteFile(
    key="scores",
    url=f"{ASSETS}/68ff5daabcb10f6bf9bef911/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv",
    mirror_path="imd2025/derived_humaniverse/imd2025_england_lsoa21.csv",
)
FILE_10 = RemoteFile(
    key="file10",
    url=f"{ASSETS}/6917412ebc34c86ce4e6e7fc/File_10_-_IoD2025_Local_Authority_District_Summaries__lower-tier__v2.xlsx",
    mirror_path="imd2025/File_10_-_IoD2025_Local_Authority_District_Summaries__lower-tier__v2.xlsx",
    sha256="6c38a2fd3998e0caf76a3ef8da331613d52d6d0320065ccef346103fd9770a7e",
    size=226_470,
)
DERIVED_LAD = RemoteFile(
    key="lad", url=FILE_10.url, mirror_path="imd2025/derived_humaniverse/imd2025_england_ltla24.csv"
)
FILE_13 = RemoteFile(
    key="file13",
    url=f"{ASSETS}/68ff7ed00f801e57b5bef928/File_13_-_IoD2025_Integrated_Care_Board__ICB__Summaries.xlsx",
    mirror_path="imd2025/File_13_-_IoD2025_Integrated_Care_Board__ICB__Summaries.xlsx",
)
DERIVED_ICB = RemoteFile(
    key="icb", url=FILE_13.url, mirror_path="imd2025/derived_humaniverse/imd2025_england_icb24.csv"
)

AREA_HEADERS = iod.area_headers(lsoa_year="2021", lad_year="2024")
# humaniverse column stems → canonical domains (its "Housing_and_Services" is Barriers to Housing and Services).
DERIVED_DOMAINS = {
    "IMD": "imd",
    "Income": "income",
    "Employment": "employment",
    "Education": "education",
    "Health": "health",
    "Crime": "crime",
    "Housing_and_Services": "housing",
    "Environment": "environment",
}
SUPPLEMENTARY = tuple(t for t in iod.IOD_DOMAINS if t[1] in ("idaci", "idaopi"))


def read_file7(paths: Mapping[str, Path]) -> Frames:
    """Official File 7 CSV → imd_lsoa (every score, rank and decile, IDACI/IDAOPI included).

    Raises:
        SourceError: a file's layout is not the published one, a value does not parse, or rows are missing.
    """
    frame = iod.read_file7(paths["file7"], lsoa_year="2021", lad_year="2024", source_id=LSOA_ID)
    return {"imd_lsoa": iod.lsoa_table(frame, edition=EDITION, country="E")}


def read_lsoa_sheet(path: Path, spec: Mapping[str, str], *, required: list[str] | None = None) -> pd.DataFrame:
    """The LSOA sheet of an IoD2025 workbook: the columns of `spec` (header → column), numbers parsed, LSOAs checked.

    Args:
        path: File 1 or File 3.
        spec: published header → column name.
        required: columns that must be filled on every row (default: all of them).

    Raises:
        SourceError: the layout is not the published one, a value does not parse, or rows are missing.
    """
    frame = iod.read_sheet(path, first_header="LSOA code (2021)", source_id=LSOA_ID)
    frame = iod.select_columns(frame, spec, source_id=LSOA_ID, file_name=path.name)
    frame = iod.convert_numbers(frame, source_id=LSOA_ID, file_name=path.name)
    return iod.check_lsoas(frame, required=required or list(frame.columns), source_id=LSOA_ID, file_name=path.name)


def read_file1(path: Path) -> pd.DataFrame:
    """File 1 workbook: LSOA and LAD codes and names, IMD rank and decile."""
    spec = AREA_HEADERS | iod.domain_headers(iod.IOD_DOMAINS[:1], full=False)
    del spec["Index of Multiple Deprivation (IMD) Score"]
    return read_lsoa_sheet(path, spec, required=["lad_code", "imd_rank", "imd_decile"])


def read_derived_scores(path: Path) -> pd.DataFrame:
    """humaniverse/IMD File 7 extract: scores, ranks and deciles of the IMD and seven domains."""
    spec = {"lsoa21_code": "lsoa_code"} | {
        f"{stem}_{kind}": f"{domain}_{kind}"
        for stem, domain in DERIVED_DOMAINS.items()
        for kind in ("score", "rank", "decile")
    }
    frame = iod.select_columns(iod.read_csv(path, source_id=LSOA_ID), spec, source_id=LSOA_ID, file_name=path.name)
    frame = iod.convert_numbers(frame, source_id=LSOA_ID, file_name=path.name)
    return iod.check_lsoas(frame, required=list(frame.columns), source_id=LSOA_ID, file_name=path.name)


def read_file3(path: Path) -> pd.DataFrame:
    """File 3 workbook: IDACI and IDAOPI ranks and deciles (scores are only in Files 5 and 7)."""
    spec = {"LSOA code (2021)": "lsoa_code"} | iod.domain_headers(SUPPLEMENTARY, full=False)
    return read_lsoa_sheet(path, {header: column for header, column in spec.items() if not column.endswith("_score")})


def read_mirror_files(paths: Mapping[str, Path]) -> Frames:
    """File 1 (codes, IMD rank/decile) + derived File 7 extract (scores, domains) + File 3 (IDACI/IDAOPI).

    Raises:
        SourceError: a file's layout is not the published one, a value does not parse, or rows are missing.
    """
    file1, scores = read_file1(paths["file1"]), read_derived_scores(paths["scores"])
    name = paths["scores"].name
    check = file1[["lsoa_code", "imd_rank", "imd_decile"]].merge(scores, on="lsoa_code", suffixes=("", "_derived"))
    if (check["imd_rank"] != check["imd_rank_derived"]).any():
        raise SourceError(LSOA_ID, name, "IMD ranks differ from File 1; the extract is not of this edition")
    frame = iod.join_parts(file1, scores.drop(columns=["imd_rank", "imd_decile"]), source_id=LSOA_ID, file_name=name)
    frame = iod.join_parts(frame, read_file3(paths["file3"]), source_id=LSOA_ID, file_name=paths["file3"].name)
    return {"imd_lsoa": iod.lsoa_table(frame, edition=EDITION, country="E")}


# The summary files: one sheet per domain (official) or all sheets joined (humaniverse/IMD), per level.
SUMMARY_IDS = {"lad": LAD_ID, "icb": ICB_ID}
SUMMARY_HEADERS = {"lad": "Local Authority District code (2024)", "icb": "Integrated Care Board Code (2024)"}
DERIVED_CODES = {"lad": "ltla24_code", "icb": "icb24_code"}


def read_summary(paths: Mapping[str, Path], *, key: str, level: str) -> Frames:
    """Official summary workbook (File 10 v2 for 'lad', File 13 for 'icb') → imd_lad or imd_icb.

    Raises:
        SourceError: a file's layout is not the published one, a value does not parse, or rows are missing.
    """
    tidy = iod.read_summary_workbook(paths[key], first_header=SUMMARY_HEADERS[level], source_id=SUMMARY_IDS[level])
    return {f"imd_{level}": iod.summary_table(tidy, edition=EDITION, level=level, file_key=key)}


def read_derived_summary(paths: Mapping[str, Path], *, key: str, level: str) -> Frames:
    """humaniverse/IMD join of a summary workbook's sheets → imd_lad or imd_icb.

    Raises:
        SourceError: a file's layout is not the published one, a value does not parse, or rows are missing.
    """
    tidy = iod.read_derived_summary(paths[key], code_column=DERIVED_CODES[level], source_id=SUMMARY_IDS[level])
    return {f"imd_{level}": iod.summary_table(tidy, edition=EDITION, level=level, file_key=key)}


read_file10 = partial(read_summary, key="file10", level="lad")
read_file13 = partial(read_summary, key="file13", level="icb")
read_derived_lad = partial(read_derived_summary, key="lad", level="lad")
read_derived_icb = partial(read_derived_summary, key="icb", level="icb")


def iod2025_source(source_id: str, title: str, distributions: tuple[Distribution, ...], derive_sql: str) -> Source:
    return iod.iod_source(source_id, title, distributions, vintage=VINTAGE, landing_url=LANDING, derive_sql=derive_sql)


SOURCES: tuple[Source, ...] = (
    iod2025_source(
        LSOA_ID,
        "English Indices of Deprivation 2025: LSOA 2021 index, domains and supplementary indices",
        (
            Distribution("official_file7_csv", (FILE_7,), read_file7),
            Distribution(
                "file1_file3_xlsx_with_derived_file7_scores",
                (FILE_1, DERIVED_SCORES, FILE_3),
                read_mirror_files,
                official=False,
            ),
        ),
        LSOA_DERIVE,
    ),
    iod2025_source(
        LAD_ID,
        "English Indices of Deprivation 2025: File 10 v2 local authority district (lower-tier) summaries",
        (
            Distribution("official_file10_v2_xlsx", (FILE_10,), read_file10),
            Distribution("mirror_derived_csv", (DERIVED_LAD,), read_derived_lad, official=False),
        ),
        LAD_DERIVE,
    ),
    iod2025_source(
        ICB_ID,
        "English Indices of Deprivation 2025: File 13 integrated care board summaries",
        (
            Distribution("official_file13_xlsx", (FILE_13,), read_file13),
            Distribution("mirror_derived_csv", (DERIVED_ICB,), read_derived_icb, official=False),
        ),
        ICB_DERIVE,
    ),
)
