"""The Explore view-model on the tiny database: choices per level, the table with its scope, the SQL box's words."""

from __future__ import annotations

import pandas as pd

from insight.pages import explore as page


def test_choices_per_level(con) -> None:
    choices = page.choices(con, level="lad24")
    assert choices.labels["imd_average_score"] == "IMD average score (imd_average_score)"
    assert choices.defaults == ["imd_average_score", "ncvo_charities_per_1000"] and choices.decile_ready
    assert choices.regions["E12000901"] == "Invented Region North"
    assert not page.choices(con, level="utla24").decile_ready


def test_table_scope_formats_and_legend(con) -> None:
    view = page.table(con, level="lad24", measures=("imd_average_score",), region="E12000901", deciles=(1, 3))
    assert view.table["area_name"].tolist() == ["Aldbury", "Brambleton"]
    assert view.scope == "2 local authority districts (2024) in Invented Region North"
    assert view.formats == {"imd_average_score": "%.2f"} and view.legend["column"].tolist() == ["imd_average_score"]
    assert view.name == "vcs_insight_lad24_E12000901" and view.caption
    assert page.table(con, level="lad24", measures=(), region=None, deciles=()).caption == ""


def test_sql_words() -> None:
    rows, seconds, sentence = page.sql_limits()
    assert f"{seconds:g} seconds" in sentence and rows > 0
    capped = pd.DataFrame({"n": [1, 2]})
    capped.attrs["truncated"] = True
    assert page.result_sentence(capped) == "2 rows (stopped at the row limit; more rows exist)."
