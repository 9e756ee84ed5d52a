"""AppTest of the Explore & download page on the real build: row counts match the DB, SQL box runs and refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from insight.pages import explore as page
from tests.app.apptest import open_app_page

PAGE = "views/explore.py"


def open_page(built_db: Path, monkeypatch: pytest.MonkeyPatch, params: dict[str, str] | None = None) -> AppTest:
    return open_app_page(built_db, monkeypatch, page=PAGE, params=params)


def count(db_con, sql: str, params: list | None = None) -> int:
    return db_con.execute(sql, params or []).fetchone()[0]


@pytest.mark.integration
def test_default_view_lists_every_district(built_db, db_con, monkeypatch):
    at = open_page(built_db, monkeypatch)
    table = at.dataframe[0].value
    assert at.selectbox(key="level").value == "lad24"
    assert len(table) == count(db_con, "SELECT count(*) FROM areas WHERE level = 'lad24'")
    need, capacity = page.choices(db_con, level="lad24").defaults  # insight.defaults' one rule: need and capacity
    assert list(table.columns[-2:]) == [need, capacity] == ["own_nation_share_most_deprived_20", capacity]
    scores = db_con.execute(
        "SELECT area_code, value FROM area_measures WHERE level = 'lad24' AND measure = ?", [need]
    ).df()
    merged = table.merge(scores, on="area_code")
    assert (merged[need] == merged["value"]).all()
    schema = at.dataframe[-2].value
    assert {"areas", "area_measures", "measure_catalog", "provenance"} <= set(schema["Table"])


@pytest.mark.integration
def test_region_and_decile_filters(built_db, db_con, monkeypatch):
    at = open_page(built_db, monkeypatch)
    at.selectbox(key="region").set_value("E12000002").run()
    at.multiselect(key="deciles").set_value([1, 2]).run()
    assert not at.exception
    want = count(
        db_con,
        """SELECT count(*) FROM areas a JOIN area_measures m ON m.level = 'lad24' AND m.area_code = a.code
           AND m.measure = 'imd_lad_decile' WHERE a.level = 'lad24' AND a.region_code = 'E12000002' AND m.value IN (1, 2)""",
    )
    assert want > 0
    assert len(at.dataframe[0].value) == want
    assert (at.selectbox(key="region").value, at.multiselect(key="deciles").value) == ("E12000002", [1, 2])


@pytest.mark.integration
def test_sql_box_runs_and_refuses(built_db, db_con, monkeypatch):
    at = open_page(built_db, monkeypatch)
    at.text_area(key="ex_sql").set_value("SELECT count(*) AS n FROM areas WHERE level = 'lsoa21'").run()
    at.button(key="ex_run").click().run()
    assert not at.exception
    assert at.dataframe[2].value["n"].tolist() == [count(db_con, "SELECT count(*) FROM areas WHERE level = 'lsoa21'")]
    at.text_area(key="ex_sql").set_value("DROP TABLE areas").run()
    at.button(key="ex_run").click().run()
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value
    assert count(db_con, "SELECT count(*) FROM areas") > 0


@pytest.mark.integration
def test_sql_in_the_url_is_run_on_load(built_db, db_con, monkeypatch):
    sql = "SELECT region_code, count(*) AS n FROM areas WHERE level = 'lad24' GROUP BY ALL ORDER BY n DESC, region_code"
    at = open_page(built_db, monkeypatch, {"sql": sql})
    assert at.text_area(key="ex_sql").value == sql
    assert at.dataframe[2].value.equals(db_con.execute(sql).df())
    assert at.query_params["sql"] == sql


@pytest.mark.integration
def test_url_round_trip(built_db, db_con, monkeypatch):
    params = {"level": "lsoa21", "measures": "imd_score,imd_decile", "region": "E12000002", "deciles": "1"}
    at = open_page(built_db, monkeypatch, params)
    assert at.selectbox(key="level").value == "lsoa21"
    assert at.multiselect(key="measures").value == ["imd_score", "imd_decile"]
    table = at.dataframe[0].value
    want = count(
        db_con,
        """SELECT count(*) FROM areas a JOIN area_measures m ON m.level = 'lsoa21' AND m.area_code = a.code
           AND m.measure = 'imd_decile' WHERE a.level = 'lsoa21' AND a.region_code = 'E12000002' AND m.value = 1""",
    )
    assert len(table) == want > 0
    # The older link (ids, comma-separated lists) is rewritten once to what the bound widgets keep (labels, one
    # parameter per item), which opens the same table.
    labels = at.multiselect(key="measures").format_func
    written = {
        "level": "Neighbourhoods (LSOA 2021)",
        "region": at.selectbox(key="region").format_func("E12000002"),
        "deciles": "1",
        "measures": [labels("imd_score"), labels("imd_decile")],
    }
    assert {key: at.query_params.get(key) for key in written} == written  # not the level's default: the link keeps them
    again = open_page(built_db, monkeypatch, written | {"measures": [labels("imd_decile"), labels("imd_score")]})
    assert again.multiselect(key="measures").value == ["imd_decile", "imd_score"]
    assert again.dataframe[0].value.equals(table[[*table.columns[:4], "imd_decile", "imd_score"]])


@pytest.mark.integration
def test_another_level_opens_on_its_own_default_columns(built_db, monkeypatch):
    at = open_page(built_db, monkeypatch)
    at.selectbox(key="level").set_value("lsoa21").run()
    assert not at.exception
    assert at.multiselect(key="measures").value == ["imd_score"]  # the need default; no capacity measure per LSOA
    assert "imd_score" in set(at.dataframe[0].value.columns)
