"""WIMD 2019 readers: an ODS in the official ranks layout (invented values), then the real mirror files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etl.source import SourceError
from etl.sources import wimd2019

RANK_HEADER = [
    "LSOA Code",
    "LSOA Name (Eng)",
    "Local Authority Name (Eng)",
    "WIMD 2019 ",
    "Income ",
    "Employment",
    "Health",
    "Education ",
    "Access to Services",
    "Housing",
    "Community Safety",
    "Physical Environment",
    " ",
]
DECILE_HEADER = [
    "LSOA Code",
    "LSOA Name (Eng)",
    "Local Authority Name (Eng)",
    "WIMD 2019 Overall Rank ",
    "WIMD 2019 Overall Decile",
    "WIMD 2019 Overall Quintile",
    "WIMD 2019 Overall Quartile",
]
INVENTED = [["W01999901", "Invented Cwm 1", "Invented Sir"], ["W01999902", "Invented Cwm 2", "Invented Sir"]]
DERIVED_STEMS = ["IMD", "Income", "Employment", "Health", "Education", "Housing", "Access", "Environment", "Crime"]


def write_ranks_ods(path: Path, *, rank_header: list[str] = RANK_HEADER) -> Path:
    """Ranks workbook: a guidance sheet, ranks under a note row, and the deciles sheet."""
    note = ["", "", "", "Rank of LSOA, where 1 is the Most Deprived LSOA."] + [""] * 9
    ranks = [note, rank_header, INVENTED[0] + [1, 2, 3, 4, 5, 6, 7, 8, 9, ""], INVENTED[1] + [2] * 9 + [""]]
    deciles = [DECILE_HEADER, INVENTED[0] + [1, 1, 1, 1], INVENTED[1] + [2, 10, 5, 4]]
    with pd.ExcelWriter(path, engine="odf") as writer:
        pd.DataFrame([["Welsh Index of Multiple Deprivation (WIMD) 2019"]]).to_excel(
            writer, sheet_name="Guidance_sheet", header=False, index=False
        )
        pd.DataFrame(ranks).to_excel(writer, sheet_name="WIMD_2019_ranks", header=False, index=False)
        pd.DataFrame(deciles).to_excel(writer, sheet_name="Deciles_quintiles_quartiles", header=False, index=False)
    return path


def write_derived_scores(path: Path, *, imd_ranks: tuple[int, int] = (1, 2)) -> Path:
    columns = ["lsoa11_code"] + [f"{s}_{k}" for k in ("decile", "rank", "score") for s in DERIVED_STEMS]
    rows = []
    for code, rank in zip(["W01999901", "W01999902"], imd_ranks, strict=True):
        scores = [float(10 * rank + i) for i in range(9)]
        rows.append([code] + [9] * 9 + [rank] * 9 + scores)
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False)
    return path


def test_ranks_and_derived_scores_map_welsh_domains(tmp_path: Path) -> None:
    paths = {"ranks": write_ranks_ods(tmp_path / "ranks.ods"), "scores": write_derived_scores(tmp_path / "s.csv")}
    frame = wimd2019.read_mirror_files(paths)["imd_lsoa"].set_index("lsoa_code")
    first = frame.loc["W01999901"]
    assert (first["edition"], first["country"], first["lad_name"]) == ("WIMD2019", "W", "Invented Sir")
    assert [first[f"{d}_rank"] for d in ("imd", "income", "access", "housing", "crime", "environment")] == [
        1,
        2,
        6,
        7,
        8,
        9,
    ]
    assert frame["imd_decile"].tolist() == [1, 10]
    assert (first["imd_score"], first["housing_score"], first["access_score"], first["crime_score"]) == (
        10.0,
        15.0,
        16.0,
        18.0,
    )
    assert "income_decile" not in frame and "lad_code" not in frame


def test_missing_domain_column_names_the_workbook(tmp_path: Path) -> None:
    header = [h if h != "Community Safety" else "Safety" for h in RANK_HEADER]
    paths = {"ranks": write_ranks_ods(tmp_path / "ranks.ods", rank_header=header)}
    paths["scores"] = write_derived_scores(tmp_path / "s.csv")
    with pytest.raises(
        SourceError, match=r"\[wimd2019_lsoa\] ranks\.ods: missing expected column\(s\): Community Safety"
    ):
        wimd2019.read_mirror_files(paths)


def test_scores_with_other_ranks_are_refused(tmp_path: Path) -> None:
    paths = {"ranks": write_ranks_ods(tmp_path / "ranks.ods")}
    paths["scores"] = write_derived_scores(tmp_path / "s.csv", imd_ranks=(2, 1))
    with pytest.raises(SourceError, match=r"s\.csv: WIMD ranks differ"):
        wimd2019.read_mirror_files(paths)


def test_truncated_ods_is_refused(tmp_path: Path) -> None:
    ranks = write_ranks_ods(tmp_path / "ranks.ods")
    ranks.write_bytes(ranks.read_bytes()[:400])
    paths = {"ranks": ranks, "scores": write_derived_scores(tmp_path / "s.csv")}
    with pytest.raises(SourceError, match=r"ranks\.ods: could not be opened as a workbook"):
        wimd2019.read_mirror_files(paths)


@pytest.fixture(scope="module")
def real_wimd(mirror: Path) -> pd.DataFrame:
    paths = {f.key: mirror / f.mirror_path for f in (wimd2019.RANKS_2019, wimd2019.DERIVED_SCORES)}
    return wimd2019.read_mirror_files(paths)["imd_lsoa"]


@pytest.mark.integration
@pytest.mark.parametrize("column", ["imd_rank", "income_rank", "access_rank", "crime_rank", "environment_rank"])
def test_real_wimd_has_1909_lsoas_ranked_1_to_n(real_wimd: pd.DataFrame, column: str) -> None:
    assert len(real_wimd) == 1_909
    assert sorted(real_wimd[column]) == list(range(1, 1_910))


@pytest.mark.integration
def test_real_wimd_official_deciles_and_scores(real_wimd: pd.DataFrame) -> None:
    assert real_wimd["imd_decile"].value_counts().sort_index().tolist() == [191] * 9 + [190]
    assert real_wimd["lsoa_code"].str.startswith("W01").all()
    assert real_wimd[[f"{d}_score" for d in wimd2019.DOMAINS.values()]].notna().all().all()
    assert real_wimd["lad_name"].nunique() == 22
