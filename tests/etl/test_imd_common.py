"""Unit: the parsing shared by the deprivation sources (headers, numbers, summary measure names)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etl.source import SourceError
from etl.sources import _iod_common as iod


@pytest.mark.parametrize(
    ("text", "expected"),
    [("29,199", 29199), ("1,234,567", 1234567), ("7", 7), ("26525.0", 26525), (" 12 ", 12)],
)
def test_integers_with_thousands_separators_parse(text: str, expected: int) -> None:
    parsed = iod.to_number(pd.Series([text], name="rank"), integer=True, source_id="s", file_name="f.csv")
    assert parsed.tolist() == [expected]
    assert str(parsed.dtype) == "Int64"


def test_blank_numbers_become_null() -> None:
    parsed = iod.to_number(pd.Series(["1.5", ""], name="score"), integer=False, source_id="s", file_name="f.csv")
    assert parsed.iloc[0] == 1.5 and pd.isna(parsed.iloc[1])


@pytest.mark.parametrize(("text", "integer"), [("abc", False), ("12.5", True)])
def test_bad_numbers_raise_naming_source_and_file(text: str, integer: bool) -> None:
    with pytest.raises(SourceError, match=r"\[src\] file\.csv: column 'rank'"):
        iod.to_number(pd.Series([text], name="rank"), integer=integer, source_id="src", file_name="file.csv")


def test_select_columns_matches_trailing_spaces_and_truncated_headers() -> None:
    frame = pd.DataFrame(
        columns=["LSOA code (2021) ", "Index of Multiple Deprivation (IMD) Decile (where 1 is most de"]
    )
    spec = {"LSOA code (2021)": "lsoa_code", "Index of Multiple Deprivation (IMD) Decile": "imd_decile"}
    assert list(iod.select_columns(frame, spec, source_id="s", file_name="f")) == ["lsoa_code", "imd_decile"]


def test_select_columns_names_the_missing_header() -> None:
    frame = pd.DataFrame(columns=["LSOA code (2021)"])
    with pytest.raises(SourceError, match=r"\[s\] File_1\.xlsx: missing expected column\(s\): Income Rank"):
        iod.select_columns(frame, {"LSOA code (2021)": "a", "Income Rank": "b"}, source_id="s", file_name="File_1.xlsx")


@pytest.mark.parametrize(
    ("header", "measure"),
    [
        ("IMD - Average rank ", "average_rank"),
        ("IMD - Rank of average score ", "rank_of_average_score"),
        ("Income - Proportion of LSOAs in most deprived 10% nationally ", "proportion_most_deprived_10"),
        ("IMD 2019 - Rank of local concentration ", "rank_of_local_concentration"),
        ("IMD25 - Extent", "extent"),
        ("Income scale", "scale"),
        ("Employment scale ", "scale"),
        ("Rank of Income Scale", "rank_of_scale"),
        ("IMD - Median score", None),
    ],
)
def test_published_summary_headers_map_to_measures(header: str, measure: str | None) -> None:
    assert iod.measure_of(header) == measure


@pytest.mark.parametrize(
    ("title", "domain"),
    [
        ("IMD", "imd"),
        ("Index of Multiple Deprivation (IMD)", "imd"),
        ("Education, Skills and Training", "education"),
        ("Barriers to Housing and Services", "housing"),
        ("Living Environment", "environment"),
        ("Income Deprivation Affecting Children Index (IDACI)", "idaci"),
        ("IDAOPI", "idaopi"),
        ("Notes", None),
    ],
)
def test_domain_titles_map_to_canonical_domains(title: str, domain: str | None) -> None:
    assert iod.domain_of(title) == domain


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("imd_average_score", ("imd", "average_score")),
        ("imd25_rank_of_extent", ("imd", "rank_of_extent")),
        ("imd_2025_local_concentration", ("imd", "local_concentration")),
        (
            "living_environment_proportion_of_lso_as_in_most_deprived_10_percent_nationally",
            ("environment", "proportion_most_deprived_10"),
        ),
        ("barriers_to_housing_and_services_average_rank", ("housing", "average_rank")),
        ("rank_of_employment_scale", ("employment", "rank_of_scale")),
        ("income_scale", ("income", "scale")),
        ("imd_median", None),
    ],
)
def test_derived_summary_columns_map_to_domain_and_measure(column: str, expected: tuple | None) -> None:
    assert iod.derived_measure(column) == expected


def test_check_lsoas_refuses_bad_codes_and_duplicates() -> None:
    bad = pd.DataFrame({"lsoa_code": ["E01999901", "E06999901"], "imd_rank": [1, 2]})
    with pytest.raises(SourceError, match="without an LSOA code, e.g. 'E06999901'"):
        iod.check_lsoas(bad, required=["imd_rank"], source_id="s", file_name="f")
    dupes = pd.DataFrame({"lsoa_code": ["E01999901", "E01999901"], "imd_rank": [1, 2]})
    with pytest.raises(SourceError, match="duplicate LSOA codes"):
        iod.check_lsoas(dupes, required=["imd_rank"], source_id="s", file_name="f")


def test_read_csv_falls_back_to_windows_1252(tmp_path: Path) -> None:
    (tmp_path / "export.csv").write_bytes("code,name\r\nW06999901,Invented Môn\r\n".encode("cp1252"))
    frame = iod.read_csv(tmp_path / "export.csv", source_id="s")
    assert frame.to_dict("records") == [{"code": "W06999901", "name": "Invented Môn"}]
