"""Welsh Index of Multiple Deprivation 2019 (Welsh Government): LSOA 2011 index and domain ranks and scores."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from etl.source import Distribution, Frames, RemoteFile, Source, SourceError
from etl.sources import _iod_common as iod

SOURCE_ID = "wimd2019_lsoa"
EDITION = "WIMD2019"
STATS = "https://www.gov.wales/sites/default/files/statistics-and-research"
RANKS_NAME = "welsh-index-multiple-deprivation-2019-index-and-domain-ranks-by-small-area.ods"

RANKS = RemoteFile(key="ranks", url=f"{STATS}/2022-02/{RANKS_NAME}", mirror_path=f"wimd2019/{RANKS_NAME}")
# The mirror holds the first (Nov 2019) upload of the same workbook.
RANKS_2019 = RemoteFile(
    key="ranks",
    url=f"https://gov.wales/sites/default/files/statistics-and-research/2019-12/{RANKS_NAME}",
    mirror_path=f"wimd2019/{RANKS_NAME}",
)
SCORES = RemoteFile(
    key="scores",
    url=f"{STATS}/2022-02/wimd-2019-index-and-domain-scores-by-small-area.ods",
    mirror_path="wimd2019/wimd-2019-index-and-domain-scores-by-small-area.ods",
)
# humaniverse/IMD object built from the ranks and scores workbooks; only its scores are taken
# (its domain deciles are its own computation, not published).
DERIVED_SCORES = RemoteFile(
    key="scores", url=SCORES.url, mirror_path="wimd2019/derived_humaniverse/imd2019_wales_lsoa11.csv"
)

# Published WIMD headers → canonical domains (WIMD's Community Safety is stored as crime,
# Physical Environment as environment, Access to Services as access).
DOMAINS = {
    "WIMD 2019": "imd",
    "Income": "income",
    "Employment": "employment",
    "Health": "health",
    "Education": "education",
    "Access to Services": "access",
    "Housing": "housing",
    "Community Safety": "crime",
    "Physical Environment": "environment",
}
DERIVED_STEMS = {
    "IMD": "imd",
    "Income": "income",
    "Employment": "employment",
    "Health": "health",
    "Education": "education",
    "Access": "access",
    "Housing": "housing",
    "Crime": "crime",
    "Environment": "environment",
}


def read_ranks(path: Path) -> pd.DataFrame:
    """Ranks workbook: index and domain ranks (sheet WIMD_2019_ranks) and the official overall decile."""
    spec = {"LSOA Code": "lsoa_code", "LSOA Name (Eng)": "lsoa_name", "Local Authority Name (Eng)": "lad_name"}
    spec |= {header: f"{domain}_rank" for header, domain in DOMAINS.items()}
    ranks = iod.read_sheet(path, first_header="LSOA Code", sheet="WIMD_2019_ranks", source_id=SOURCE_ID)
    ranks = iod.select_columns(ranks, spec, source_id=SOURCE_ID, file_name=path.name)
    deciles = iod.read_sheet(path, first_header="LSOA Code", sheet="Deciles_quintiles_quartiles", source_id=SOURCE_ID)
    deciles = iod.select_columns(
        deciles,
        {"LSOA Code": "lsoa_code", "WIMD 2019 Overall Decile": "imd_decile"},
        source_id=SOURCE_ID,
        file_name=path.name,
    )
    frame = iod.join_parts(ranks, deciles, source_id=SOURCE_ID, file_name=path.name)
    frame = iod.convert_numbers(frame, source_id=SOURCE_ID, file_name=path.name)
    required = [c for c in frame.columns if c != "lsoa_name"]
    return iod.check_lsoas(frame, required=required, source_id=SOURCE_ID, file_name=path.name)


def check_scores(frame: pd.DataFrame, *, path: Path) -> pd.DataFrame:
    """Parse and check a scores table already reduced to lsoa_code and *_score columns."""
    frame = iod.convert_numbers(frame, source_id=SOURCE_ID, file_name=path.name)
    return iod.check_lsoas(frame, required=list(frame.columns), source_id=SOURCE_ID, file_name=path.name)


def read_scores_ods(path: Path) -> pd.DataFrame:
    """Official scores workbook (sheet Data): index and domain scores."""
    spec = {"LSOA code": "lsoa_code"} | {header: f"{domain}_score" for header, domain in DOMAINS.items()}
    frame = iod.read_sheet(path, first_header="LSOA code", sheet="Data", source_id=SOURCE_ID)
    return check_scores(iod.select_columns(frame, spec, source_id=SOURCE_ID, file_name=path.name), path=path)


def read_derived_scores(path: Path) -> pd.DataFrame:
    """humaniverse/IMD Wales table: its IMD rank (for a cross-check) and the published scores."""
    spec = {"lsoa11_code": "lsoa_code", "IMD_rank": "imd_rank"}
    spec |= {f"{stem}_score": f"{domain}_score" for stem, domain in DERIVED_STEMS.items()}
    frame = iod.select_columns(iod.read_csv(path, source_id=SOURCE_ID), spec, source_id=SOURCE_ID, file_name=path.name)
    return check_scores(frame, path=path)


def combine(ranks: pd.DataFrame, scores: pd.DataFrame, *, scores_name: str) -> Frames:
    """Join ranks and scores (refusing scores whose IMD ranks disagree) → imd_lsoa."""
    if "imd_rank" in scores:
        check = ranks[["lsoa_code", "imd_rank"]].merge(scores, on="lsoa_code", suffixes=("", "_scores"))
        if (check["imd_rank"] != check["imd_rank_scores"]).any():
            raise SourceError(SOURCE_ID, scores_name, "WIMD ranks differ from the official ranks workbook")
        scores = scores.drop(columns=["imd_rank"])
    frame = iod.join_parts(ranks, scores, source_id=SOURCE_ID, file_name=scores_name)
    return {"imd_lsoa": iod.lsoa_table(frame, edition=EDITION, country="W")}


def read_official(paths: Mapping[str, Path]) -> Frames:
    """Official ranks and scores workbooks → imd_lsoa.

    Raises:
        SourceError: a file's layout is not the published one, a value does not parse, or rows are missing.
    """
    return combine(read_ranks(paths["ranks"]), read_scores_ods(paths["scores"]), scores_name=paths["scores"].name)


def read_mirror_files(paths: Mapping[str, Path]) -> Frames:
    """Official ranks workbook + derived scores CSV → imd_lsoa.

    Raises:
        SourceError: a file's layout is not the published one, a value does not parse, or rows are missing.
    """
    return combine(read_ranks(paths["ranks"]), read_derived_scores(paths["scores"]), scores_name=paths["scores"].name)


# District (LAD 2024) average of the WIMD 2019 LSOA scores weighted by ONS mid-2019 LSOA residents (the
# population vintage of the same LSOA 2011 geography that covers Wales); nothing without that population.
AVERAGE_SCORE_SQL = """
INSERT INTO area_measures BY NAME
SELECT 'lad24' AS level, s.lad24_code AS area_code, 'wimd2019_weighted_score' AS measure,
       sum(i.imd_score * p.population) / sum(p.population) AS value,
       'wimd2019_lsoa' AS source_id, 'WIMD2019' AS vintage, 'mid-2019' AS denominator_vintage
FROM imd_lsoa i
JOIN areas a ON a.level = 'lsoa11' AND a.code = i.lsoa_code
JOIN lad_successor s ON s.lad_code = a.lad_code AND s.lad_vintage = '2019'
JOIN population p ON p.level = 'lsoa11' AND p.area_code = i.lsoa_code AND p.vintage = 'mid-2019' AND p.age_group = 'all'
WHERE i.edition = 'WIMD2019'
GROUP BY s.lad24_code HAVING count(i.imd_score) = count(*);

INSERT OR IGNORE INTO measure_catalog VALUES
('wimd2019_weighted_score', 'WIMD 2019 score, population-weighted (Wales)', 'need', 'score', 'higher_is_worse',
 'Average of the WIMD 2019 scores of the district''s LSOAs 2011, weighted by ONS mid-2019 residents (Welsh districts only). Not published by the Welsh Government; not comparable with IoD scores.');
"""

SOURCES: tuple[Source, ...] = (
    iod.iod_source(
        SOURCE_ID,
        "Welsh Index of Multiple Deprivation 2019: index and domain ranks and scores by LSOA",
        (
            Distribution("official_ranks_and_scores_ods", (RANKS, SCORES), read_official),
            Distribution(
                "official_ranks_ods_with_derived_scores",
                (RANKS_2019, DERIVED_SCORES),
                read_mirror_files,
                official=False,
            ),
        ),
        vintage="WIMD 2019 (published 27 Nov 2019)",
        landing_url="https://gov.wales/welsh-index-multiple-deprivation-full-index-update-ranks-2019",
        derive_sql=AVERAGE_SCORE_SQL,
        publisher=iod.WELSH_GOVERNMENT,
        notes="WIMD gives local authority names only, so imd_lsoa.lad_code is NULL for Welsh rows; "
        "domain deciles are not published and stay NULL.",
    ),
)
