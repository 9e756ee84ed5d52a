"""English Indices of Deprivation 2019 (MHCLG): LSOA 2011 index and domains, LAD 2019 summaries."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from etl.source import Distribution, Frames, RemoteFile, Source
from etl.sources import _iod_common as iod

EDITION = "IoD2019"
VINTAGE = "IoD2019 (published 26 Sep 2019)"
LANDING = "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019"
UPLOADS = "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file"
LSOA_ID, LAD_ID = "imd2019_lsoa", "imd2019_lad"

FILE_7 = RemoteFile(
    key="file7",
    url=f"{UPLOADS}/845345/File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv",
    mirror_path="imd2019/File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv",
)
# CSV exports of the official File 1 and File 2 workbooks (anetobradley/energy_flex): ranks and deciles only.
FILE_1_CSV = RemoteFile(
    key="file1",
    url=f"{UPLOADS}/833970/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
    mirror_path="imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
)
FILE_2_CSV = RemoteFile(
    key="file2",
    url=f"{UPLOADS}/833973/File_2_-_IoD2019_Domains_of_Deprivation.xlsx",
    mirror_path="imd2019/File_2_-_IoD2019_Domains_of_Deprivation.csv.gz",
)
FILE_10 = RemoteFile(
    key="file10",
    url=f"{UPLOADS}/833995/File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx",
    mirror_path="imd2019/File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx",
)

AREA_HEADERS = iod.area_headers(lsoa_year="2011", lad_year="2019")
# File 2 holds the IMD and the seven domains; the supplementary indices are in File 3.
DOMAIN_RANKS = {
    header: column
    for header, column in iod.domain_headers(iod.IOD_DOMAINS[:8], full=False).items()
    if not column.endswith("_score")
}


def read_file7(paths: Mapping[str, Path]) -> Frames:
    """Official File 7 CSV → imd_lsoa with scores, ranks and deciles (IDACI/IDAOPI included).

    Raises:
        SourceError: a file's layout is not the published one, a value does not parse, or rows are missing.
    """
    frame = iod.read_file7(paths["file7"], lsoa_year="2011", lad_year="2019", source_id=LSOA_ID)
    return {"imd_lsoa": iod.lsoa_table(frame, edition=EDITION, country="E")}


def read_ranks_csv(path: Path, spec: Mapping[str, str]) -> pd.DataFrame:
    """One CSV export (BOM, thousands separators) → canonical rank/decile columns, checked."""
    frame = iod.select_columns(iod.read_csv(path, source_id=LSOA_ID), spec, source_id=LSOA_ID, file_name=path.name)
    frame = iod.convert_numbers(frame, source_id=LSOA_ID, file_name=path.name)
    required = [c for c in frame.columns if c != "lsoa_name"]
    return iod.check_lsoas(frame, required=required, source_id=LSOA_ID, file_name=path.name)


def read_csv_exports(paths: Mapping[str, Path]) -> Frames:
    """File 1 (codes, IMD rank/decile) + File 2 (domain ranks/deciles); scores stay NULL.

    Raises:
        SourceError: a file's layout is not the published one, a value does not parse, or rows are missing.
    """
    imd = {h: c for h, c in DOMAIN_RANKS.items() if c.startswith("imd_")}
    domains = {"LSOA code (2011)": "lsoa_code"} | {h: c for h, c in DOMAIN_RANKS.items() if c not in imd.values()}
    file1 = read_ranks_csv(paths["file1"], AREA_HEADERS | imd)
    file2 = read_ranks_csv(paths["file2"], domains)
    frame = iod.join_parts(file1, file2, source_id=LSOA_ID, file_name=paths["file2"].name)
    return {"imd_lsoa": iod.lsoa_table(frame, edition=EDITION, country="E")}


def read_file10(paths: Mapping[str, Path]) -> Frames:
    """Official File 10 workbook (one sheet per domain, IDACI/IDAOPI included) → imd_lad.

    Raises:
        SourceError: a file's layout is not the published one, a value does not parse, or rows are missing.
    """
    tidy = iod.read_summary_workbook(
        paths["file10"], first_header="Local Authority District code (2019)", source_id=LAD_ID
    )
    return {"imd_lad": iod.summary_table(tidy, edition=EDITION, level="lad", file_key="file10")}


def iod2019_source(source_id: str, title: str, distributions: tuple[Distribution, ...]) -> Source:
    return iod.iod_source(source_id, title, distributions, vintage=VINTAGE, landing_url=LANDING)


SOURCES: tuple[Source, ...] = (
    iod2019_source(
        LSOA_ID,
        "English Indices of Deprivation 2019: LSOA 2011 index and domains",
        (
            Distribution("official_file7_csv", (FILE_7,), read_file7),
            Distribution("file1_file2_csv_exports", (FILE_1_CSV, FILE_2_CSV), read_csv_exports, official=False),
        ),
    ),
    iod2019_source(
        LAD_ID,
        "English Indices of Deprivation 2019: File 10 local authority district (lower-tier) summaries",
        (Distribution("official_file10_xlsx", (FILE_10,), read_file10),),
    ),
)
