"""Welsh Index of Multiple Deprivation 2025 (Welsh Government): LSOA 2021 index and domain ranks and scores.

Layout of the official workbooks (published 27 Nov 2025). The Welsh Government's guidance sheet and these
public readers of the same two files agree on it (evidence gathered 2026-12-04):
- ranks workbook, sheet ``WIMD_2025_ranks``: a note row, then the header on row 3 (``read_ods(skip = 2)``)
  "LSOA code", "LSOA name (Eng)", "Local Authority name (Eng)", "WIMD 2025", then one rank column per
  domain ("Income" ... "Physical Environment") and an empty trailing column
  (bhattaraianisha025-beep/WIMD-Rural-deprivation-wales, Scripts/06-Master-dataset.Rmd);
- ranks workbook, sheet ``Deciles_quintiles_quartiles``: header on row 4 (``skip = 3``), "LSOA code", names,
  "WIMD 2025 overall rank", "WIMD 2025 overall decile", "... quintile", "... quartile" (same repository,
  Scripts/01-Validation-LSOA.Rmd; a Node reader that selects the sheet by those two headers);
- scores workbook, sheet ``Data``: header on row 4 (``skip = 3``), "LSOA code", "LSOA name",
  "Local authority name", "WIMD 2025", then one score column per domain (06-Master-dataset.Rmd).
Header case differs between readers' quotations, so headers are matched without regard to case.

Deciles: only the overall decile is published. The publisher's key (guidance sheet of the ranks workbook,
as quoted by a reader that checks it against all 1,917 published overall deciles) puts ranks 1-191 in
decile 1, 192-382 in 2, 383-574 in 3, 575-766 in 4, 767-958 in 5, 959-1149 in 6, 1150-1341 in 7,
1342-1533 in 8, 1534-1724 in 9 and 1725-1917 in 10; i.e. the upper rank of decile k is
floor(k × 1917 / 10 − 0.5). The derived distribution (no deciles) takes deciles from that key; the
official reader takes the published decile and refuses a workbook the key does not reproduce.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from etl.source import Distribution, Frames, RemoteFile, Source, SourceError
from etl.sources import _iod_common as iod
from etl.sources._wimd2025_sql import DERIVE

SOURCE_ID = "wimd2025_lsoa"
EDITION = "WIMD2025"
LSOAS = 1_917
STATS = "https://www.gov.wales/sites/default/files/statistics-and-research/2025-11"
RANKS_NAME, SCORES_NAME = (f"wimd-2025-index-and-domain-{kind}-by-small-area.ods" for kind in ("ranks", "scores"))
RANKS = RemoteFile(key="ranks", url=f"{STATS}/{RANKS_NAME}", mirror_path=f"wimd2025/{RANKS_NAME}")
SCORES = RemoteFile(key="scores", url=f"{STATS}/{SCORES_NAME}", mirror_path=f"wimd2025/{SCORES_NAME}")
# A third party's re-packaging of both workbooks (see the mirror's wimd2025/README.md): not the publisher's bytes.
DERIVED = RemoteFile(key="derived", url=RANKS.url, mirror_path="wimd2025/wimd2025_lsoa21_ranks_scores.csv")
# Upper rank of each decile in the publisher's key (1 = most deprived 10%).
DECILE_UPPER_RANKS = (191, 382, 574, 766, 958, 1149, 1341, 1533, 1724, 1917)

# Published domain headers (lower case) → canonical domains, as for WIMD 2019.
DOMAINS = {
    "wimd 2025": "imd",
    "income": "income",
    "employment": "employment",
    "health": "health",
    "education": "education",
    "access to services": "access",
    "housing": "housing",
    "community safety": "crime",
    "physical environment": "environment",
}
# Stems of the derived CSV's columns → canonical domains.
DERIVED_STEMS = {
    "wimd_2025": "imd",
    "income": "income",
    "employment": "employment",
    "health": "health",
    "education": "education",
    "access": "access",
    "housing": "housing",
    "community_safety": "crime",
    "physical_env": "environment",
}


def decile_of(ranks: pd.Series) -> pd.Series:
    """The publisher's decile (1 = most deprived) of each WIMD 2025 rank, from the key DECILE_UPPER_RANKS."""
    bounds = [0, *DECILE_UPPER_RANKS]
    return pd.cut(ranks.astype("Int64"), bins=bounds, labels=range(1, 11)).astype("Int64")


def lower_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """Headers in lower case (the workbooks' capitalisation is not stable between releases)."""
    return frame.set_axis([str(c).lower() for c in frame.columns], axis=1)


def select(frame: pd.DataFrame, spec: Mapping[str, str], *, path: Path) -> pd.DataFrame:
    """Case-insensitive column selection (spec keys in lower case), then number parsing."""
    chosen = iod.select_columns(lower_headers(frame), spec, source_id=SOURCE_ID, file_name=path.name)
    return iod.convert_numbers(chosen, source_id=SOURCE_ID, file_name=path.name)


def sheet(path: Path, name: str) -> pd.DataFrame:
    return iod.read_sheet(path, first_header="LSOA code", sheet=name, source_id=SOURCE_ID)


def check_ranks(frame: pd.DataFrame, *, path: Path) -> pd.DataFrame:
    """Refuse ranks outside 1..1,917 (a different edition or a damaged file), then check the LSOA rows."""
    ranks = frame[[c for c in frame.columns if c.endswith("_rank")]]
    if ((ranks < 1) | (ranks > LSOAS)).any().any():
        raise SourceError(SOURCE_ID, path.name, f"ranks outside 1..{LSOAS:,}: not the WIMD 2025 file")
    required = [c for c in frame.columns if c != "lsoa_name"]
    return iod.check_lsoas(frame, required=required, source_id=SOURCE_ID, file_name=path.name)


def read_ranks(path: Path) -> pd.DataFrame:
    """Ranks workbook: index and domain ranks, and the published overall decile (checked against the key)."""
    spec = {"lsoa code": "lsoa_code", "lsoa name (eng)": "lsoa_name", "local authority name (eng)": "lad_name"}
    ranks = select(sheet(path, "WIMD_2025_ranks"), spec | {h: f"{d}_rank" for h, d in DOMAINS.items()}, path=path)
    deciles = select(
        sheet(path, "Deciles_quintiles_quartiles"),
        {"lsoa code": "lsoa_code", "wimd 2025 overall decile": "imd_decile"},
        path=path,
    )
    frame = check_ranks(iod.join_parts(ranks, deciles, source_id=SOURCE_ID, file_name=path.name), path=path)
    if (decile_of(frame["imd_rank"]) != frame["imd_decile"]).any():
        raise SourceError(SOURCE_ID, path.name, "published deciles differ from the publisher's rank key")
    return frame


def read_scores(path: Path) -> pd.DataFrame:
    """Scores workbook (sheet Data): index and domain scores."""
    spec = {"lsoa code": "lsoa_code"} | {h: f"{d}_score" for h, d in DOMAINS.items()}
    frame = select(sheet(path, "Data"), spec, path=path)
    return iod.check_lsoas(frame, required=list(frame.columns), source_id=SOURCE_ID, file_name=path.name)


def lsoa_rows(frame: pd.DataFrame) -> Frames:
    """imd_lsoa rows; lad_code is filled from the ONS LSOA 2021 → LAD 2024 lookup when measures are derived."""
    return {"imd_lsoa": iod.lsoa_table(frame.assign(lad_code=None), edition=EDITION, country="W")}


def read_official(paths: Mapping[str, Path]) -> Frames:
    """Official ranks and scores workbooks → imd_lsoa.

    Raises:
        SourceError: a file's layout is not the published one, a value does not parse, or rows are missing.
    """
    ranks, scores = read_ranks(paths["ranks"]), read_scores(paths["scores"])
    return lsoa_rows(iod.join_parts(ranks, scores, source_id=SOURCE_ID, file_name=paths["scores"].name))


def read_derived(paths: Mapping[str, Path]) -> Frames:
    """The mirror's re-packaging (ranks and scores, no deciles) → imd_lsoa, deciles from the publisher's key.

    Raises:
        SourceError: a column is missing, a value does not parse, or rows are missing.
    """
    path = paths["derived"]
    spec = {"lsoa_code": "lsoa_code", "lsoa_name": "lsoa_name", "la_name": "lad_name"}
    spec |= {f"{stem}_{kind}": f"{d}_{kind}" for stem, d in DERIVED_STEMS.items() for kind in ("rank", "score")}
    frame = check_ranks(select(iod.read_csv(path, source_id=SOURCE_ID), spec, path=path), path=path)
    return lsoa_rows(frame.assign(imd_decile=decile_of(frame["imd_rank"])))


SOURCES: tuple[Source, ...] = (
    iod.iod_source(
        SOURCE_ID,
        "Welsh Index of Multiple Deprivation 2025: index and domain ranks and scores by LSOA 2021",
        (
            Distribution("official_ranks_and_scores_ods", (RANKS, SCORES), read_official),
            Distribution("derived_ranks_scores_csv", (DERIVED,), read_derived, official=False),
        ),
        vintage="WIMD 2025 (published 27 Nov 2025)",
        landing_url="https://www.gov.wales/welsh-index-multiple-deprivation-2025",
        derive_sql=DERIVE,
        publisher=iod.WELSH_GOVERNMENT,
        notes="The derived distribution is a third party's re-packaging of the two workbooks (ranks and scores, "
        "no deciles); its overall decile is computed from the publisher's rank key. Domain deciles are not "
        "published and stay NULL. lad_code comes from the ONS LSOA 2021 → LAD 2024 lookup.",
    ),
)
