"""etl.vintages: every population vintage gets the date it refers to, and an undatable one fails validation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from etl import checks, vintages

SCHEMA = Path(__file__).resolve().parents[2] / "etl" / "schema.sql"


@pytest.mark.parametrize(
    ("label", "expected"),
    [("mid-2020", date(2020, 6, 30)), ("census-2021", date(2021, 3, 21)), ("census-2011", date(2011, 3, 27))],
)
def test_reference_dates(label: str, expected: date) -> None:
    found = vintages.reference(label)
    assert found is not None and found[0] == expected


@pytest.mark.parametrize("label", ["2020", "census-2031", "mid-2020 (LAD 2021)", "Mid-2020"])
def test_labels_without_a_rule_have_no_date(label: str) -> None:
    assert vintages.reference(label) is None


def test_record_dates_population_and_denominators_and_the_check_names_the_rest() -> None:
    con = duckdb.connect()
    con.execute(SCHEMA.read_text())
    con.executemany(
        "INSERT INTO population VALUES ('E06000001', 'lad24', ?, 'all', 1, 'src')", [["mid-2020"], ["census-2021"]]
    )
    con.execute("INSERT INTO area_measures VALUES ('lad24', 'E06000001', 'm', 1, 'src', '2017/18', 'projection-2030')")
    vintages.record(con)
    vintages.record(con)  # idempotent
    dated = con.execute("SELECT vintage FROM vintages ORDER BY reference_date").fetchall()
    assert dated == [("mid-2020",), ("census-2021",)]
    assert checks.check_vintages_dated(con) == [
        "vintage 'projection-2030' has no reference date: add a rule to etl/vintages.py"
    ]
