"""IoD2019 readers: CSV exports with a BOM and thousands separators, File 7 layout, then the real mirror files."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

from etl.source import SourceError
from etl.sources import imd2019

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imd"


def exports(tmp_path: Path) -> dict[str, Path]:
    """The File 1 / File 2 exports gzip'd, as the mirror holds them."""
    paths = {}
    for key in ("file1", "file2"):
        paths[key] = tmp_path / f"iod2019_{key}.csv.gz"
        with (FIXTURES / f"iod2019_{key}.csv").open("rb") as raw, gzip.open(paths[key], "wb") as packed:
            shutil.copyfileobj(raw, packed)
    return paths


def test_csv_exports_parse_bom_and_thousands_separators(tmp_path: Path) -> None:
    frame = imd2019.read_csv_exports(exports(tmp_path))["imd_lsoa"]
    assert frame["lsoa_code"].tolist() == ["E01999901", "E01999902", "E01999903"]
    assert frame["imd_rank"].tolist() == [1234, 12345, 32000]
    assert frame["environment_rank"].tolist() == [1241, 12352, 32007]
    assert frame["income_decile"].tolist() == [1, 4, 10]
    assert (set(frame["edition"]), set(frame["country"])) == ({"IoD2019"}, {"E"})
    assert not any(c.endswith("_score") for c in frame.columns)


def test_csv_export_missing_column_names_the_file(tmp_path: Path) -> None:
    frame = pd.read_csv(FIXTURES / "iod2019_file2.csv", encoding="utf-8-sig", dtype=str)
    frame.drop(columns=["Crime Rank (where 1 is most deprived)"]).to_csv(tmp_path / "File_2.csv", index=False)
    paths = {"file1": FIXTURES / "iod2019_file1.csv", "file2": tmp_path / "File_2.csv"}
    with pytest.raises(SourceError, match=r"\[imd2019_lsoa\] File_2\.csv: missing expected column\(s\): Crime Rank"):
        imd2019.read_csv_exports(paths)


def test_truncated_gzip_export_is_refused(tmp_path: Path) -> None:
    paths = exports(tmp_path)
    data = paths["file2"].read_bytes()
    paths["file2"].write_bytes(data[: len(data) - 30])
    with pytest.raises(SourceError, match=r"iod2019_file2\.csv\.gz"):
        imd2019.read_csv_exports(paths)


def test_exports_covering_different_lsoas_are_refused(tmp_path: Path) -> None:
    lines = (FIXTURES / "iod2019_file1.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "File_1.csv").write_text("".join(lines[:-1]), encoding="utf-8")
    paths = {"file1": tmp_path / "File_1.csv", "file2": FIXTURES / "iod2019_file2.csv"}
    with pytest.raises(SourceError, match="covers different LSOAs"):
        imd2019.read_csv_exports(paths)


def test_file7_layout_with_2011_and_2019_codes() -> None:
    frame = imd2019.read_file7({"file7": FIXTURES / "iod2019_file7.csv"})["imd_lsoa"]
    assert frame["lsoa_code"].tolist() == ["E01999901", "E01999902", "E01999903"]
    assert frame["imd_score"].tolist() == [55.5, 22.2, 3.3]
    assert frame["idaci_decile"].tolist() == [1, 6, 10]


@pytest.mark.integration
def test_real_exports_have_32844_lsoas_ranked_1_to_n(mirror: Path) -> None:
    paths = {f.key: mirror / f.mirror_path for f in (imd2019.FILE_1_CSV, imd2019.FILE_2_CSV)}
    frame = imd2019.read_csv_exports(paths)["imd_lsoa"]
    assert len(frame) == 32_844
    assert (frame["imd_rank"].min(), frame["imd_rank"].max()) == (1, 32_844)
    # As published, 26 pairs of LSOAs share an IMD rank, e.g. Leicester 011A and Eastbourne 010C at 2,852.
    assert frame["imd_rank"].duplicated().sum() == 26
    tied = frame.loc[frame["imd_rank"] == 2852, "lsoa_code"]
    assert sorted(tied) == ["E01013651", "E01020912"]
    assert frame["imd_decile"].value_counts(normalize=True).between(0.095, 0.105).all()
    assert frame["lad_code"].nunique() == 317
    city = frame.set_index("lsoa_code").loc["E01000001"]
    assert (city["imd_rank"], city["imd_decile"], city["housing_rank"]) == (29199, 9, 7319)


@pytest.mark.integration
def test_real_file10_has_317_lads_and_hartlepools_published_score(mirror: Path) -> None:
    frame = imd2019.read_file10({"file10": mirror / imd2019.FILE_10.mirror_path})["imd_lad"]
    assert frame["lad_code"].nunique() == 317
    assert set(frame["domain"]) == {
        "imd",
        "income",
        "employment",
        "education",
        "health",
        "crime",
        "housing",
        "environment",
        "idaci",
        "idaopi",
    }
    hartlepool = frame[(frame["lad_code"] == "E06000001") & (frame["domain"] == "imd")].set_index("measure")["value"]
    assert (hartlepool["average_score"], hartlepool["proportion_most_deprived_10"]) == (35.037, 0.3621)
