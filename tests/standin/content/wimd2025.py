"""WIMD 2025: the ranks and scores workbooks in the publisher's layout, built from the mirror's re-packaging.

The mirror holds only a derived CSV of WIMD 2025 (no publisher's bytes), so both .ods files are written here
in the layout etl/sources/wimd2025.py reads (and tests/fixtures/wimd2025/make_fixtures.py documents): ranks
workbook with `Guidance_sheet`, `WIMD_2025_ranks` (header on row 3) and `Deciles_quintiles_quartiles` (header on
row 4, deciles by the publisher's rank key); scores workbook with sheet `Data` (header on row 4).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.sources import wimd2025
from tests.standin.content import mirror
from tests.standin.content._sheets import frame_rows, ods_bytes

# Published headers of the index and domains, in the publisher's order → the derived CSV's column stems.
HEADERS = {
    "WIMD 2025": "wimd_2025",
    "Income": "income",
    "Employment": "employment",
    "Health": "health",
    "Education": "education",
    "Access to Services": "access",
    "Housing": "housing",
    "Community Safety": "community_safety",
    "Physical Environment": "physical_env",
}


def derived() -> pd.DataFrame:
    return pd.read_csv(mirror() / wimd2025.DERIVED.mirror_path, dtype={"lsoa_code": str})  # type: ignore[operator]


def names(frame: pd.DataFrame, *, titles: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame({titles[0]: frame["lsoa_code"], titles[1]: frame["lsoa_name"], titles[2]: frame["la_name"]})


def ranks_ods(frame: pd.DataFrame) -> bytes:
    ranks = names(frame, titles=("LSOA code", "LSOA name (Eng)", "Local Authority name (Eng)"))
    for header, stem in HEADERS.items():
        ranks[header] = frame[f"{stem}_rank"]
    groups = names(frame, titles=("LSOA code", "LSOA name (Eng)", "Local Authority name (Eng)"))
    groups["WIMD 2025 overall rank"] = frame["wimd_2025_rank"]
    groups["WIMD 2025 overall decile"] = wimd2025.decile_of(frame["wimd_2025_rank"])
    return ods_bytes(
        {
            "Guidance_sheet": [["Welsh Index of Multiple Deprivation (WIMD) 2025"]],
            "WIMD_2025_ranks": frame_rows(ranks, titles=("WIMD 2025 ranks", "Rank 1 is the most deprived LSOA.")),
            "Deciles_quintiles_quartiles": frame_rows(groups, titles=("Deciles", "1 is the most deprived group.", "")),
        }
    )


def scores_ods(frame: pd.DataFrame) -> bytes:
    scores = names(frame, titles=("LSOA code", "LSOA name", "Local authority name"))
    for header, stem in HEADERS.items():
        scores[header] = frame[f"{stem}_score"]
    titles = ("WIMD 2025 index and domain scores", "Scores are not comparable between domains.", "")
    return ods_bytes({"Data": frame_rows(scores, titles=titles)})


def static_files(work: Path) -> dict[str, bytes | Path]:
    frame = derived()
    return {wimd2025.RANKS.url: ranks_ods(frame), wimd2025.SCORES.url: scores_ods(frame)}
