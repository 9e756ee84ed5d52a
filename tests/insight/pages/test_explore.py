"""The Explore view-model on the tiny database: choices per level, the table with its scope, the SQL box's run."""

from __future__ import annotations

import pandas as pd
import pytest

from insight import explore, sql_sandbox
from insight.pages import explore as page


def test_choices_per_level(con) -> None:
    choices = page.choices(con, level="lad24")
    assert choices.labels["imd_average_score"] == "IMD average score (imd_average_score)"
    assert choices.defaults == ["imd_average_score", "ncvo_charities_per_1000"] and choices.decile_ready
    assert choices.regions["E12000901"] == "Invented Region North" and choices.missing == ""
    assert not page.choices(con, level="utla24").decile_ready


def test_a_level_with_no_measures_says_so(con) -> None:
    empty = page.choices(con, level="utla24")
    assert empty.labels == {} and empty.defaults == []
    assert empty.missing == "No measures have values for upper-tier local authorities (2024) in this database."


def test_defaults_are_the_need_and_capacity_measures_of_the_one_rule(con) -> None:
    catalog = explore.measure_catalog(con, level="lad24")
    assert page.default_measures(catalog) == ["imd_average_score", "ncvo_charities_per_1000"]
    own = catalog[catalog["measure"] == "imd_average_score"].assign(measure="own_nation_share_most_deprived_20")
    assert page.default_measures(pd.concat([catalog, own]))[0] == "own_nation_share_most_deprived_20"  # as elsewhere
    assert page.default_measures(catalog[catalog["layer"] == "dependence"]) == ["share_charities_govt_funded"]


def test_view_holds_table_scope_formats_legend_and_schema(con) -> None:
    view = page.view(con, level="lad24", measures=("imd_average_score",), region="E12000901", deciles=(3, 1))
    assert view.table["area_name"].tolist() == ["Aldbury", "Brambleton"]
    assert view.scope == (
        "**2 local authority districts (2024) in Invented Region North**, one row each; "
        "columns are measure ids (blank = no value for that area)."
    )
    assert view.formats == {"imd_average_score": "%.2f"} and view.legend["column"].tolist() == ["imd_average_score"]
    assert view.name == "vcs_insight_lad24_E12000901" and view.caption
    assert "seconds" in view.sql_limits and "areas" in view.tables["Table"].tolist()
    assert {"code", "name"} <= set(view.columns["areas"]["Column"]) and list(view.columns["areas"]) == [
        "Column",
        "Type",
    ]
    assert page.view(con, level="lad24", measures=(), region=None, deciles=()).caption == ""


def test_deciles_apply_only_where_the_level_has_them(con) -> None:
    kept = page.view(con, level="region", measures=("imd_average_score",), region=None, deciles=(1,))
    assert kept.table["area_code"].tolist() == ["E12000901", "E12000902"]  # a decile kept from another level
    assert len(page.view(con, level="lad24", measures=(), region=None, deciles=(1,)).table) < 6


def test_sql_words() -> None:
    rows, seconds, sentence = page.sql_limits()
    assert f"{seconds:g} seconds" in sentence and rows > 0
    capped = pd.DataFrame({"n": [1, 2]})
    capped.attrs["truncated"] = True
    assert page.result_sentence(capped) == "2 rows (stopped at the row limit; more rows exist)."


def test_run_sql_result_refusal_and_link(monkeypatch: pytest.MonkeyPatch) -> None:
    def sandbox(path, text, *, max_rows, timeout_s):
        if "drop" in text:
            raise sql_sandbox.SqlRefused(f"Not a SELECT: {text}")
        return pd.DataFrame({"name": ["=1+1", "Aldbury"]})

    monkeypatch.setattr(page.sql_sandbox, "run_readonly_sql", sandbox)
    run = page.run_sql("SELECT name FROM areas")
    assert run.error == "" and run.sentence == "2 rows." and run.link == "SELECT name FROM areas"
    assert run.result["name"].tolist() == ["=1+1", "Aldbury"] and run.shown["name"].tolist() == ["'=1+1", "Aldbury"]
    refused = page.run_sql("drop table [x](y)")  # Markdown-escaped: a refusal echoing the query shows it as typed
    assert refused.result is None and refused.error == explore.plain_text("Not a SELECT: drop table [x](y)")
    assert page.run_sql("SELECT 1 -- " + "x" * explore.MAX_URL_SQL).link is None  # too long for a link: still run
