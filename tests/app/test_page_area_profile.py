"""AppTest of the Area profile page on the real build: values, comparisons, meeting view and URL round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_app_page

ROOT = Path(__file__).resolve().parents[2]


def open_profile(built_db: Path, monkeypatch: pytest.MonkeyPatch, params: dict[str, str] | None = None) -> AppTest:
    return open_app_page(built_db, monkeypatch, page="views/area_profile.py", params=params)


def test_profile_default_first_district(built_db, db_con, monkeypatch) -> None:
    at = open_profile(built_db, monkeypatch)
    assert not at.exception
    first = db_con.execute(
        """SELECT a.code, a.name FROM areas a WHERE a.level = 'lad24' AND EXISTS (SELECT 1 FROM area_measures m
           WHERE m.level = 'lad24' AND m.area_code = a.code AND m.value IS NOT NULL) ORDER BY a.name LIMIT 1"""
    ).fetchone()
    assert at.selectbox(key="area").value == first[0]
    assert at.header[0].value == first[1]
    assert at.get("download_button")  # CSV tables and the HTML brief


def test_profile_url_round_trip_hartlepool(built_db, db_con, monkeypatch) -> None:
    at = open_profile(built_db, monkeypatch, {"level": "lad24", "area": "E06000001"})
    assert not at.exception
    assert (at.selectbox(key="level").value, at.selectbox(key="area").value) == ("lad24", "E06000001")
    assert at.header[0].value == "Hartlepool"
    # The older link (ids) is rewritten to what the bound widgets keep: the option as shown; the default level drops
    assert at.query_params["area"] == "Hartlepool (E06000001)" and "level" not in at.query_params
    table = at.dataframe[0].value.set_index("Measure")
    imd_label = db_con.execute("SELECT label FROM measure_catalog WHERE measure = 'imd_average_score'").fetchone()[0]
    assert table.loc[imd_label, "Hartlepool"] == "37.6"  # IoD2025 File 10: 37.58
    assert table.loc[imd_label, "vs England"] == "Worse"
    ncvo_label = db_con.execute("SELECT label FROM measure_catalog WHERE measure = 'ncvo_charities'").fetchone()[0]
    assert table.loc[ncvo_label, "Hartlepool"] == "116"  # NCVO Almanac 2020 A5 general charities, 2017/18
    assert len(at.dataframe) == 1  # the other sections are built only when their tab is opened
    similar = open_profile(built_db, monkeypatch, {"area": "E06000001", "tab": "Most similar areas"}).dataframe[0].value
    assert len(similar) == 10 and "E06000001" not in set(similar["area_code"])
    lsoas = open_profile(built_db, monkeypatch, {"area": "E06000001", "tab": "Neighbourhoods ranked by need"})
    ranked = lsoas.dataframe[0].value
    assert (
        len(ranked)
        == db_con.execute("SELECT count(*) FROM areas WHERE level = 'lsoa21' AND lad_code = 'E06000001'").fetchone()[0]
    )
    assert ranked["need_rank"].iloc[0] == 1 and lsoas.query_params["tab"] == "Neighbourhoods ranked by need"


def test_profile_meeting_view_steps_through_charts(built_db, monkeypatch) -> None:
    at = open_profile(built_db, monkeypatch, {"level": "lad24", "area": "E06000001"})
    at.toggle(key="meeting").set_value(True).run()
    assert not at.exception
    first = [m.value for m in at.markdown if "Chart 1 of" in m.value]
    assert first and len(at.get("plotly_chart")) == 1
    at.button(key="next").click().run()
    assert any("Chart 2 of" in m.value for m in at.markdown)


def test_profile_icb_level_lists_all_icbs(built_db, db_con, monkeypatch) -> None:
    at = open_profile(built_db, monkeypatch)
    at.selectbox(key="level").set_value("icb24").run()
    assert not at.exception
    icbs = db_con.execute(
        "SELECT count(DISTINCT area_code) FROM area_measures WHERE level = 'icb24' AND value IS NOT NULL"
    ).fetchone()[0]
    assert len(at.selectbox(key="area").options) == icbs == 42


def test_a_welsh_district_is_compared_with_wales(built_db, db_con, monkeypatch) -> None:
    """Cardiff: WIMD 2025 measures against Wales (never England), similar areas among Welsh districts only."""
    at = open_profile(built_db, monkeypatch, {"level": "lad24", "area": "W06000015"})
    assert not at.exception
    assert at.header[0].value == "Cardiff"
    assert any(c.value.endswith("Compared with Wales.") for c in at.caption)
    table = at.dataframe[0].value.set_index("Measure")
    assert "vs Wales" in table.columns and "vs England" not in table.columns
    label = db_con.execute("SELECT label FROM measure_catalog WHERE measure = 'wimd_share_most_deprived_10'").fetchone()
    share, lsoas = db_con.execute(
        """SELECT m.value, count(*) FROM area_measures m JOIN imd_lsoa i ON i.edition = 'WIMD2025'
           AND i.lad_code = m.area_code WHERE m.level = 'lad24' AND m.measure = 'wimd_share_most_deprived_10'
           AND m.area_code = 'W06000015' GROUP BY m.value"""
    ).fetchone()
    assert round(share * lsoas) == 37 and lsoas == 218  # Cardiff: 37 of its 218 LSOAs in Wales's most deprived 10%
    assert table.loc[label[0], "Wales"] == "10.0%"  # 191 of 1,917: the most deprived tenth of Wales
    assert table.loc[label[0], "vs Wales"] == "Worse"
    imd = db_con.execute("SELECT label FROM measure_catalog WHERE measure = 'imd_average_score'").fetchone()[0]
    assert imd not in table.index  # the English index is not shown for a Welsh area
    assert any("Health Index covers England only" in i.value for i in at.info)
    similar = open_profile(built_db, monkeypatch, {"area": "W06000015", "tab": "Most similar areas"}).dataframe[0]
    assert len(similar.value) == 10 and similar.value["area_code"].str.startswith("W06").all()
    ranked = open_profile(built_db, monkeypatch, {"area": "W06000015", "tab": "Neighbourhoods ranked by need"})
    lsoa_table = ranked.dataframe[0].value
    assert len(lsoa_table) == 218 and lsoa_table["wimd_decile"].notna().all()


def test_the_link_streamlit_writes_opens_the_same_view(built_db, monkeypatch) -> None:
    """The URL the bound widgets write (labels) round-trips; an unknown area falls back to the first and is dropped."""
    params = {
        "level": "Upper-tier LA / health and wellbeing board",
        "area": "Hartlepool (E06000001)",
        "tab": "Most similar areas",
    }
    at = open_profile(built_db, monkeypatch, params)
    assert not at.exception
    assert (at.selectbox(key="level").value, at.selectbox(key="area").value) == ("utla24", "E06000001")
    assert {key: at.query_params[key] for key in params} == params and len(at.dataframe[0].value) == 10
    unknown = open_profile(built_db, monkeypatch, {"level": "utla24", "area": "E99999999"})
    assert unknown.selectbox(key="level").value == "utla24" and "area" not in unknown.query_params
    assert unknown.selectbox(key="area").index == 0
