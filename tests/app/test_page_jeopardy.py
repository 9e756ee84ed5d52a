"""AppTest of the Triple jeopardy page on the real build: flagged counts match counts computed straight from the DB."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_app_page

PAGE = "views/triple_jeopardy.py"

# Areas in the worst X% of need and the worst Y% of capacity (and Z% of dependence when given), counted in SQL:
# rank from the worse end with ties sharing the best rank, at most X% of the areas that have a value.
FLAGGED_SQL = """
WITH v AS (
    SELECT area_code,
           max(value) FILTER (WHERE measure = $need) AS need,
           max(value) FILTER (WHERE measure = $capacity) AS capacity,
           max(value) FILTER (WHERE measure = $dependence) AS dependence
    FROM area_measures WHERE level = $level GROUP BY area_code
), r AS (
    SELECT *,
           rank() OVER (ORDER BY need DESC NULLS LAST) AS need_rank, count(need) OVER () AS need_n,
           rank() OVER (ORDER BY capacity ASC NULLS LAST) AS capacity_rank, count(capacity) OVER () AS capacity_n,
           rank() OVER (ORDER BY dependence DESC NULLS LAST) AS dependence_rank, count(dependence) OVER () AS dependence_n
    FROM v
)
SELECT count(*) FILTER (WHERE need IS NOT NULL AND need_rank <= $x / 100 * need_n) AS need,
       count(*) FILTER (WHERE capacity IS NOT NULL AND capacity_rank <= $y / 100 * capacity_n) AS capacity,
       count(*) FILTER (WHERE need IS NOT NULL AND need_rank <= $x / 100 * need_n
                          AND capacity IS NOT NULL AND capacity_rank <= $y / 100 * capacity_n
                          AND ($dependence IS NULL OR (dependence IS NOT NULL AND dependence_rank <= $z / 100 * dependence_n)))
           AS flagged
FROM r
"""


def expected_counts(db_con, *, level, need, capacity, dependence, x, y, z) -> dict[str, int]:
    row = db_con.execute(
        FLAGGED_SQL,
        {"level": level, "need": need, "capacity": capacity, "dependence": dependence, "x": x, "y": y, "z": z},
    ).fetchone()
    return {"need": row[0], "capacity": row[1], "flagged": row[2]}


def open_page(built_db: Path, monkeypatch: pytest.MonkeyPatch, params: dict[str, str] | None = None) -> AppTest:
    return open_app_page(built_db, monkeypatch, page=PAGE, params=params)


def shown(at: AppTest) -> dict[str, object]:
    """The page's choices and its flagged counts as displayed (a role not loaded shows a disabled '<role>_none')."""
    boxes = {box.key: box.value for box in at.selectbox}
    return {
        "level": boxes["level"],
        "need": boxes.get("need"),
        "capacity": boxes.get("capacity"),
        "dependence": boxes.get("dependence"),
        **{key: at.slider(key=key).value for key in "xyz"},
        "metrics": [int(m.value.replace(",", "")) for m in at.metric[:3]],
    }


def link(at: AppTest) -> dict[str, str]:
    """The link the browser shows for the page's choices: Streamlit writes each bound widget's label."""
    boxes = {box.key: box.options[box.index] for box in at.selectbox if not box.disabled}
    return boxes | {key: str(at.slider(key=key).value) for key in "xyz"}


def assert_counts_match_db(at: AppTest, db_con) -> dict[str, int]:
    view = shown(at)
    want = expected_counts(db_con, **{k: view[k] for k in ("level", "need", "capacity", "dependence", "x", "y", "z")})
    assert view["metrics"] == [want["flagged"], want["need"], want["capacity"]]
    return want


@pytest.mark.integration
def test_default_view_is_lad_two_or_three_jeopardy(built_db, db_con, monkeypatch):
    at = open_page(built_db, monkeypatch)
    view = shown(at)
    assert (view["level"], view["need"], view["x"], view["y"], view["z"]) == (
        "lad24",
        "own_nation_share_most_deprived_20",
        20,
        20,
        20,
    )
    districts = db_con.execute(
        "SELECT count(DISTINCT area_code) FROM area_measures WHERE level = 'lad24' AND measure = ? AND value IS NOT NULL",
        [view["need"]],
    ).fetchone()[0]
    want = assert_counts_match_db(at, db_con)
    assert want["need"] >= int(0.2 * districts)  # ties at the boundary can add areas
    assert want["flagged"] > 0
    table = at.dataframe[0].value
    assert len(table) == want["flagged"]
    assert table["Flagged"].all()
    assert table["Score"].is_monotonic_decreasing
    if view["dependence"] is None:
        assert "two-jeopardy version" in at.info[0].value
    assert not {"level", "need", "x"} & set(at.query_params)  # defaults keep the link clean
    # Own-nation need covers England and Wales: every district is ranked (none dropped for lack of a value).
    assert any(c.value.startswith("318 of 318 local authority districts have every chosen measure") for c in at.caption)
    assert any("separate deprivation indices" in c.value for c in at.caption)


@pytest.mark.integration
def test_moving_the_need_slider_changes_the_count(built_db, db_con, monkeypatch):
    at = open_page(built_db, monkeypatch)
    before = shown(at)["metrics"][0]
    at.slider(key="x").set_value(40).run()
    assert not at.exception
    want = assert_counts_match_db(at, db_con)
    assert want["flagged"] > before
    assert link(at)["x"] == "40"


@pytest.mark.integration
def test_url_round_trip(built_db, db_con, monkeypatch):
    first = open_page(built_db, monkeypatch, {"level": "utla24", "x": "30", "y": "25", "z": "10"})
    view = shown(first)
    assert (view["level"], view["x"], view["y"], view["z"]) == ("utla24", 30, 25, 10)
    assert_counts_match_db(first, db_con)
    second = open_page(built_db, monkeypatch, link(first))
    assert link(second)["level"] == "Upper-tier local authorities"
    assert shown(second) == view
    assert second.dataframe[0].value.equals(first.dataframe[0].value)


@pytest.mark.integration
def test_neighbourhood_level_says_what_is_missing(built_db, db_con, monkeypatch):
    at = open_page(built_db, monkeypatch, {"level": "lsoa21"})
    capacity_here = db_con.execute(
        """SELECT count(*) FROM area_measures m JOIN measure_catalog c USING (measure)
           WHERE m.level = 'lsoa21' AND c.layer = 'capacity' AND m.value IS NOT NULL"""
    ).fetchone()[0]
    assert shown(at)["need"] == "imd_score"
    if capacity_here:
        assert_counts_match_db(at, db_con)
    else:  # the offline build: no neighbourhood-level capacity without the Charity Commission register
        assert "No capacity measure has values for neighbourhoods (lsoa 2021)" in at.warning[0].value


def chart_kinds(at: AppTest) -> list[str]:
    """Trace types of each Plotly chart the page sent, in order."""
    import json

    return [
        sorted({trace["type"] for trace in json.loads(chart.proto.spec)["data"]}) for chart in at.get("plotly_chart")
    ]


@pytest.mark.integration
def test_only_the_open_tab_is_built_and_the_url_keeps_it(built_db, monkeypatch):
    at = open_page(built_db, monkeypatch)
    assert chart_kinds(at) == [["choropleth"]]  # the map alone: the hidden tabs' charts are not built or sent
    top20 = open_page(built_db, monkeypatch, {"tab": "Top 20", "x": "30"})
    assert chart_kinds(top20) == [["bar"]]
    assert top20.query_params["tab"] == "Top 20" and top20.query_params["x"] == "30"
    gap = open_page(built_db, monkeypatch, {"tab": "Capacity gap"})
    assert chart_kinds(gap) == [["scatter"]] or chart_kinds(gap) == [["scatter", "scattergl"]]


@pytest.mark.integration
def test_old_links_still_work_and_hostile_values_give_the_defaults(built_db, monkeypatch):
    old = open_page(built_db, monkeypatch, {"level": "utla24", "need": "imd_average_score", "x": "35"})
    assert (shown(old)["level"], shown(old)["need"], shown(old)["x"]) == ("utla24", "imd_average_score", 35)
    assert link(old)["need"] == "IMD average score"  # what the browser shows once the page binds it
    assert shown(open_page(built_db, monkeypatch, link(old))) == shown(old)
    hostile = {"level": "²", "need": "'; DROP TABLE areas", "capacity": "", "x": "9" * 40, "y": "0", "z": "-1"}
    view = shown(open_page(built_db, monkeypatch, hostile))
    defaults = ("lad24", "own_nation_share_most_deprived_20", 20, 20, 20)
    assert (view["level"], view["need"], view["x"], view["y"], view["z"]) == defaults
