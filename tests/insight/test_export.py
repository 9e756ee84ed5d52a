"""CSV exports neutralise spreadsheet formulas in text cells and headers; numbers and Parquet are untouched."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from insight.export import neutralise, to_csv_bytes, to_parquet_bytes

BOM = "\ufeff"


def read_back(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :], newline="")))


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ('=HYPERLINK("http://example.invalid","click")', '\'=HYPERLINK("http://example.invalid","click")'),
        ("Invented Town", "Invented Town"),
        ("E06999001", "E06999001"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_cells(cell: str, written: str) -> None:
    assert read_back(to_csv_bytes(pd.DataFrame({"name": [cell]}))) == [["name"], [written]]


@pytest.mark.parametrize("cell", ["ok\r=cmd|' /C calc'!A0", "ok\n=cmd", "ok\r\n@x"])
def test_line_breaks_cannot_start_a_new_row(cell: str) -> None:
    data = to_csv_bytes(pd.DataFrame({"name": [cell], "n": [1]}))
    assert read_back(data) == [["name", "n"], [cell, "1"]]
    assert data.endswith(b'"' + cell.encode() + b'",1\r\n')


def test_neutralise_leaves_non_text_alone() -> None:
    assert [neutralise(v) for v in (-5, 2.5, None, "-5")] == [-5, 2.5, None, "'-5"]


def test_numbers_stay_numbers() -> None:
    frame = pd.DataFrame({"change": [-5, 3], "rate": [-0.25, np.nan], "flag": [True, False]})
    assert read_back(to_csv_bytes(frame)) == [["change", "rate", "flag"], ["-5", "-0.25", "True"], ["3", "", "False"]]


def test_headers_are_neutralised() -> None:
    frame = pd.DataFrame({"=cmd|' /C calc'!A0": ["x"], "@name": ["y"], "ok": ["z"]})
    assert read_back(to_csv_bytes(frame))[0] == ["'=cmd|' /C calc'!A0", "'@name", "ok"]


@pytest.mark.parametrize(
    "column",
    [
        pd.Series(["=evil", None], dtype=object),
        pd.Series(["=evil", None], dtype="string"),
        pd.Series(["=evil", None], dtype="str"),
        pd.Series(pd.Categorical(["=evil", None])),
    ],
    ids=["object", "string", "str", "category"],
)
def test_every_text_dtype(column: pd.Series) -> None:
    assert read_back(to_csv_bytes(pd.DataFrame({"c": column})))[1:] == [["'=evil"], [""]]


def test_repeated_column_names_from_a_query() -> None:
    frame = pd.DataFrame([["=a", "=b", 1]], columns=["x", "x", "n"])
    assert read_back(to_csv_bytes(frame)) == [["x", "x", "n"], ["'=a", "'=b", "1"]]


def test_export_does_not_change_the_shown_frame() -> None:
    frame = pd.DataFrame({"name": ["=1+1"]})
    to_csv_bytes(frame)
    assert frame["name"].tolist() == ["=1+1"]


def test_parquet_keeps_values_and_types() -> None:
    frame = pd.DataFrame({"name": ["=1+1", "Invented"], "value": [-1.5, 2.0]})
    back = pd.read_parquet(io.BytesIO(to_parquet_bytes(frame)))
    assert back["name"].tolist() == ["=1+1", "Invented"]
    assert back["value"].tolist() == [-1.5, 2.0]
