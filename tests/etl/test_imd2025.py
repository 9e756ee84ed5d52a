"""IoD2025 readers: hand-made files in the official layouts (invented values), then the real mirror files.

The File 7 fixture's first 34 headers are as published (FIELD-NOTES.md and public code quoting them);
its denominator headers follow the IoD2019 wording and are not read.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etl.source import SourceError
from etl.sources import imd2025
from tests.etl import workbooks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imd"
AREA = [
    "LSOA code (2021)",
    "LSOA name (2021)",
    "Local Authority District code (2024)",
    "Local Authority District name (2024)",
]
INVENTED = [
    ["E01999901", "Invented Town 001A", "E06999901", "Invented District"],
    ["E01999902", "Invented Town 001B", "E06999901", "Invented District"],
]
DERIVED_STEMS = ["IMD", "Income", "Employment", "Education", "Health", "Crime", "Housing_and_Services", "Environment"]


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook with a Notes sheet first, like the published ones."""
    return workbooks.write_xlsx(path, sheets, notes_first=True)


def write_file1(path: Path) -> Path:
    """File 1 layout, including the publisher's truncated decile header."""
    header = AREA + [
        "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOA",
    ]
    return write_xlsx(path, {"IMD25": [header, INVENTED[0] + [7, 1], INVENTED[1] + [30000, 9]]})


def write_file3(path: Path) -> Path:
    header = AREA + [
        "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
        "Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived)",
        "Income Deprivation Affecting Children Index (IDACI) Decile (where 1 is most deprived 10% of LSOAs)",
        "Income Deprivation Affecting Older People (IDAOPI) Rank (where 1 is most deprived)",
        "Income Deprivation Affecting Older People (IDAOPI) Decile (where 1 is most deprived 10% of LSOAs)",
    ]
    rows = [INVENTED[0] + [7, 1, 11, 1, 22, 1], INVENTED[1] + [30000, 9, 29000, 9, 28000, 9]]
    return write_xlsx(path, {"IoD2025 IDACI & IDAOPI": [header, *rows]})


def write_derived_scores(path: Path, *, imd_ranks: tuple[int, int] = (7, 30000)) -> Path:
    columns = ["lsoa21_code"] + [f"{s}_{k}" for k in ("decile", "rank", "score") for s in DERIVED_STEMS]
    rows = []
    for code, rank in zip(["E01999901", "E01999902"], imd_ranks, strict=True):
        rows.append([code] + [1] * 8 + [rank] * 8 + [12.5] * 8)
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False)
    return path


def mirror_files(tmp_path: Path, **kwargs: tuple[int, int]) -> dict[str, Path]:
    return {
        "file1": write_file1(tmp_path / "File_1.xlsx"),
        "scores": write_derived_scores(tmp_path / "scores.csv", **kwargs),
        "file3": write_file3(tmp_path / "File_3.xlsx"),
    }


def test_file7_maps_every_domain_to_canonical_columns() -> None:
    frame = imd2025.read_file7({"file7": FIXTURES / "iod2025_file7.csv"})["imd_lsoa"]
    assert len(frame) == 3
    first = frame.iloc[0]
    assert (first["edition"], first["country"], first["lsoa_code"], first["lad_code"]) == (
        "IoD2025",
        "E",
        "E01999901",
        "E06999901",
    )
    assert (first["imd_score"], first["imd_rank"], first["imd_decile"]) == (55.5, 1, 1)
    assert (first["education_score"], first["idaopi_score"], first["idaopi_rank"]) == (13.875, 5.55, 1)
    assert {f"{d}_decile" for d in ("housing", "environment", "idaci")} <= set(frame.columns)
    assert str(frame["imd_rank"].dtype) == "Int64"


def test_file7_missing_column_names_source_and_file(tmp_path: Path) -> None:
    frame = pd.read_csv(FIXTURES / "iod2025_file7.csv", dtype=str).drop(columns=["Crime Score"])
    frame.to_csv(tmp_path / "File_7.csv", index=False)
    with pytest.raises(SourceError, match=r"\[imd2025_lsoa\] File_7\.csv: missing expected column\(s\): Crime Score"):
        imd2025.read_file7({"file7": tmp_path / "File_7.csv"})


def test_truncated_file7_is_refused(tmp_path: Path) -> None:
    text = (FIXTURES / "iod2025_file7.csv").read_text()
    (tmp_path / "File_7.csv").write_text(text[: len(text) - 60])
    with pytest.raises(SourceError, match=r"File_7\.csv: 1 incomplete rows \(e\.g\. E01999903\); truncated\?"):
        imd2025.read_file7({"file7": tmp_path / "File_7.csv"})


def test_mirror_files_join_codes_scores_and_supplementary_ranks(tmp_path: Path) -> None:
    frame = imd2025.read_mirror_files(mirror_files(tmp_path))["imd_lsoa"]
    assert frame["lsoa_code"].tolist() == ["E01999901", "E01999902"]
    assert frame["lad_name"].tolist() == ["Invented District", "Invented District"]
    assert frame["imd_decile"].tolist() == [1, 9]
    assert frame["housing_score"].tolist() == [12.5, 12.5]
    assert frame[["idaci_rank", "idaopi_rank"]].values.tolist() == [[11, 22], [29000, 28000]]
    assert "idaci_score" not in frame


def test_mirror_files_refuse_an_extract_of_another_edition(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="IMD ranks differ from File 1"):
        imd2025.read_mirror_files(mirror_files(tmp_path, imd_ranks=(8, 30000)))


def test_truncated_workbook_names_the_file(tmp_path: Path) -> None:
    paths = mirror_files(tmp_path)
    data = paths["file1"].read_bytes()
    paths["file1"].write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match=r"\[imd2025_lsoa\] File_1\.xlsx: could not be opened as a workbook"):
        imd2025.read_mirror_files(paths)


def test_file10_workbook_becomes_tidy_rows(tmp_path: Path) -> None:
    code = ["Local Authority District code (2024)", "Local Authority District name (2024)"]
    imd = code + [
        "IMD - Average score ",
        "IMD - Proportion of LSOAs in most deprived 10% nationally ",
        "IMD25 - Extent",
    ]
    income = code + ["Income - Average score ", "Income scale", "Rank of Income Scale"]
    sheets = {
        "IMD": [imd, ["E06999901", "Invented District", 31.5, 0.25, 0.5]],
        "Income": [income, ["E06999901", "Invented District", 0.2, 1234, 5]],
    }
    frame = imd2025.read_file10({"file10": write_xlsx(tmp_path / "File_10.xlsx", sheets)})["imd_lad"]
    rows = set(frame[["lad_code", "domain", "measure", "value"]].itertuples(index=False, name=None))
    assert rows == {
        ("E06999901", "imd", "average_score", 31.5),
        ("E06999901", "imd", "proportion_most_deprived_10", 0.25),
        ("E06999901", "imd", "extent", 0.5),
        ("E06999901", "income", "average_score", 0.2),
        ("E06999901", "income", "scale", 1234.0),
        ("E06999901", "income", "rank_of_scale", 5.0),
    }
    assert set(frame["edition"]) == {"IoD2025"}


def test_summary_with_unknown_columns_is_refused(tmp_path: Path) -> None:
    header = ["Integrated Care Board Code (2024)", "Integrated Care Board Name (2024)", "IMD - Median score"]
    path = write_xlsx(tmp_path / "File_13.xlsx", {"IMD": [header, ["E54999901", "Invented ICB", 1.0]]})
    with pytest.raises(SourceError, match=r"File_13\.xlsx: unrecognised summary columns"):
        imd2025.read_file13({"file13": path})


@pytest.fixture(scope="module")
def real_lsoas(mirror: Path) -> pd.DataFrame:
    files = {f.key: mirror / f.mirror_path for f in (imd2025.FILE_1, imd2025.DERIVED_SCORES, imd2025.FILE_3)}
    return imd2025.read_mirror_files(files)["imd_lsoa"]


@pytest.mark.integration
def test_real_lsoa_file_has_33755_lsoas_ranked_1_to_n(real_lsoas: pd.DataFrame) -> None:
    assert len(real_lsoas) == 33_755
    assert sorted(real_lsoas["imd_rank"]) == list(range(1, 33_756))
    assert real_lsoas["lad_code"].nunique() == 296


@pytest.mark.integration
@pytest.mark.parametrize(
    ("column", "tied"),
    [("employment_rank", 0), ("income_rank", 3), ("education_rank", 1), ("housing_rank", 1), ("idaci_rank", 36)],
)
def test_real_domain_ranks_span_1_to_n_with_the_published_ties(
    real_lsoas: pd.DataFrame, column: str, tied: int
) -> None:
    assert (real_lsoas[column].min(), real_lsoas[column].max()) == (1, 33_755)
    assert real_lsoas[column].duplicated().sum() == tied


@pytest.mark.integration
@pytest.mark.parametrize("column", ["imd_decile", "crime_decile", "idaci_decile"])
def test_real_deciles_each_hold_about_ten_percent(real_lsoas: pd.DataFrame, column: str) -> None:
    shares = real_lsoas[column].value_counts(normalize=True)
    assert sorted(shares.index) == list(range(1, 11))
    assert shares.between(0.095, 0.105).all()


@pytest.mark.integration
def test_real_lsoa_keeps_the_lad_the_iod_file_carries(real_lsoas: pd.DataFrame) -> None:
    row = real_lsoas.set_index("lsoa_code").loc["E01027305"]
    assert row["lad_code"] == "E06000062"


@pytest.mark.integration
def test_real_lad_summary_has_296_lads_and_hartlepools_published_score(mirror: Path) -> None:
    frame = imd2025.read_derived_lad({"lad": mirror / imd2025.DERIVED_LAD.mirror_path})["imd_lad"]
    assert frame["lad_code"].nunique() == 296
    hartlepool = frame[(frame["lad_code"] == "E06000001") & (frame["domain"] == "imd")].set_index("measure")["value"]
    assert hartlepool["average_score"] == 37.58
    assert hartlepool["proportion_most_deprived_10"] == 0.4211
    assert hartlepool["rank_of_average_score"] == 6


@pytest.mark.integration
def test_real_icb_summary_has_42_icbs(mirror: Path) -> None:
    frame = imd2025.read_derived_icb({"icb": mirror / imd2025.DERIVED_ICB.mirror_path})["imd_icb"]
    assert frame["icb_code"].nunique() == 42
    assert frame["icb_code"].str.startswith("E54").all()
