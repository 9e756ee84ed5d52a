"""The ONS Health Index reader on the official workbook layout (2021 edition), with invented values."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.source import SourceError
from etl.sources.health import read_official
from tests.etl.workbooks import write_xlsx

AREAS = [
    ("E92000001", "England", "Country"),
    ("E10990001", "Inventshire County", "UTLA"),
    ("E07990001", "Invent Vale", "LTLA"),
    ("E06990002", "Invent Bay", "LTLA"),
]


def titles(n: int) -> list[list]:
    return [[f"Invented title {i + 1}"] for i in range(n)]


def scores_workbook(path: Path, *, year_sheets: bool = True) -> Path:
    overall = [["Area Code", "Area Name", "Area Type [Note 3]", 2020, 2021]] + [
        [code, name, kind, 100 + i, 101 + i] for i, (code, name, kind) in enumerate(AREAS)
    ]
    header = [
        "Area Code",
        "Area Name",
        "Area Type [Note 3]",
        "Healthy People Domain",
        "Healthy Lives Domain",
        "Healthy Places Domain",
        "Mental health [Pe]",
    ]
    sheets = {"Contents": [["Table of contents"]], "Table_2_Index_scores": titles(2) + overall}
    if year_sheets:
        for n, year in ((3, 2021), (4, 2020)):
            rows = [[code, name, kind, year - 1900, 90.5, 110, 99] for code, name, kind in AREAS]
            sheets[f"Table_{n}_{year}_Index"] = titles(4) + [header] + rows
    return write_xlsx(path, sheets)


def underlying_workbook(path: Path) -> Path:
    header = ["Area code", "Area name", "Area type", "Indicator grouping", "Indicator name", "Year", "Value"]
    rows = [
        [code, name, kind, "Mortality", "Life expectancy", year, 80 + i + (year - 2020) / 10]
        for i, (code, name, kind) in enumerate(AREAS)
        for year in (2020, 2021)
    ]
    return write_xlsx(path, {"Table_2_Underlying_data": titles(3) + [header] + rows})


@pytest.fixture()
def frames(tmp_path: Path) -> dict:
    return read_official(
        {
            "scores": scores_workbook(tmp_path / "healthindexscoresengland.xlsx"),
            "indicators": underlying_workbook(tmp_path / "healthindexunderlyingdataenglandcanscreenfix.xlsx"),
        }
    )


def test_scores_keep_lower_tier_rows_with_domains(frames: dict) -> None:
    scores = frames["health_index_lad"].set_index(["ltla21_code", "year"])
    assert sorted(scores.index) == [("E06990002", 2020), ("E06990002", 2021), ("E07990001", 2020), ("E07990001", 2021)]
    assert scores.loc[("E06990002", 2021)].tolist() == [104.0, 121.0, 90.5, 110.0]
    assert scores.loc[("E07990001", 2020)].tolist() == [102.0, 120.0, 90.5, 110.0]


def test_indicators_are_long_and_lower_tier(frames: dict) -> None:
    indicators = frames["health_indicators_lad"]
    assert list(indicators.columns) == ["ltla21_code", "year", "indicator", "value"]
    assert len(indicators) == 4 and set(indicators["indicator"]) == {"Life expectancy"}
    got = indicators.set_index(["ltla21_code", "year"])["value"]
    assert got[("E06990002", 2021)] == pytest.approx(83.1)


def test_a_later_layout_without_year_sheets_is_refused(tmp_path: Path) -> None:
    paths = {
        "scores": scores_workbook(tmp_path / "healthindexscoresengland.xlsx", year_sheets=False),
        "indicators": underlying_workbook(tmp_path / "underlying.xlsx"),
    }
    with pytest.raises(SourceError, match=r"^\[ons_health_index\] healthindexscoresengland.xlsx: no 'Table_<n>_"):
        read_official(paths)
