"""AppTest of the Map page on the real build: mapped areas and values match the DB; the URL reproduces the view."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_app_page
from tests.fixtures.dashboard.plotly_spec import figures, raster_maps

ROOT = Path(__file__).resolve().parents[2]


def open_map(built_db: Path, monkeypatch: pytest.MonkeyPatch, params: dict[str, str] | None = None) -> AppTest:
    return open_app_page(built_db, monkeypatch, page="views/map.py", params=params)


def map_traces(at: AppTest) -> list[dict]:
    return figures(at)[0]["data"]


def count(db_con, sql: str, params: list | None = None) -> int:
    return db_con.execute(sql, params or []).fetchone()[0]


def test_map_default_is_own_nation_need_covering_wales(built_db, db_con, monkeypatch) -> None:
    at = open_map(built_db, monkeypatch)
    assert not at.exception
    assert [s.value for s in at.selectbox] == ["lad24", "own_nation_share_most_deprived_20"]
    values = map_traces(at)[-1]
    assert len(values["z"]) == count(db_con, "SELECT count(*) FROM boundaries WHERE level = 'lad24'") == 318
    assert sum(c.startswith("W06") for c in values["locations"]) == 22
    assert sum("separate deprivation indices" in c.value for c in at.caption) == 1


def test_map_district_imd_score(built_db, db_con, monkeypatch) -> None:
    at = open_map(built_db, monkeypatch, {"measure": "imd_average_score"})
    assert not at.exception
    assert [s.value for s in at.selectbox] == ["lad24", "imd_average_score"]
    no_data, values = map_traces(at)
    with_value = count(
        db_con,
        "SELECT count(*) FROM area_measures WHERE level = 'lad24' AND measure = 'imd_average_score' AND value IS NOT NULL",
    )
    boundaries = count(db_con, "SELECT count(*) FROM boundaries WHERE level = 'lad24'")
    assert len(values["z"]) == with_value == 296  # English districts in IoD2025 File 10
    assert len(no_data["locations"]) == boundaries - with_value  # Welsh districts: no English IMD, drawn grey
    hartlepool = values["locations"].index("E06000001")
    # Deciles by default (need measure): the value on hover, coloured by its class among England's 296 districts.
    assert at.radio(key="scale").value == "classes"
    name, code, value, decile = values["customdata"][hartlepool]
    rank = count(
        db_con,
        """SELECT count(*) FROM area_measures WHERE level = 'lad24' AND measure = 'imd_average_score'
           AND value > 37.58 AND area_code LIKE 'E%'""",
    )
    expected = -(-(rank + 1) * 10 // 296)  # ceil(rank share × 10); Hartlepool has no tie
    assert (code, value, decile.split(" (")[0]) == ("E06000001", pytest.approx(37.58), f"decile {expected} of 10")
    assert values["z"][hartlepool] == 11 - expected  # class 1 at the top of the colour bar
    assert values["colorbar"]["ticktext"][-1].startswith("1 (most deprived 10%): ")
    at.radio(key="scale").set_value("continuous").run()
    assert map_traces(at)[1]["z"][hartlepool] == pytest.approx(37.58)
    assert at.radio(key="scale").value == "continuous"  # the browser writes ?scale=Continuous+scale (bound widget)


def test_map_bivariate_interaction(built_db, db_con, monkeypatch) -> None:
    at = open_map(built_db, monkeypatch)
    at.radio(key="view").set_value("bivariate").run()
    assert not at.exception
    traces = [t for t in map_traces(at) if t["name"] != "No data"]
    assert len(traces) == 9 and traces[0]["name"].startswith("high need, low capacity (")
    both = count(
        db_con,
        """SELECT count(*) FROM area_measures n JOIN area_measures c USING (level, area_code)
           JOIN boundaries b ON b.level = n.level AND b.code = n.area_code
           WHERE n.level = 'lad24' AND n.measure = 'own_nation_share_most_deprived_20'
             AND c.measure = 'ncvo_charities_per_1000' AND n.value IS NOT NULL AND c.value IS NOT NULL""",
    )
    # The own-nation need measure by default (the one rule, insight.defaults): Welsh districts are classed too.
    assert at.selectbox(key="need").value == "own_nation_share_most_deprived_20"
    assert sum(len(t["locations"]) for t in traces) == both == 318
    assert at.radio(key="view").value == "bivariate"  # the browser writes the bound radio's label into the URL


def test_map_url_round_trip_lsoas_in_a_district(built_db, db_con, monkeypatch) -> None:
    at = open_map(
        built_db, monkeypatch, {"view": "single", "geo": "lsoa_in_lads", "lads": "E06000001", "measure": "imd_score"}
    )
    assert not at.exception
    assert at.multiselect(key="lads").value == ["E06000001"]
    assert at.selectbox(key="measure").value == "imd_score"
    lsoas = count(
        db_con,
        """SELECT count(*) FROM areas a JOIN area_measures m ON m.level = 'lsoa21' AND m.area_code = a.code
           WHERE a.level = 'lsoa21' AND a.lad_code = 'E06000001' AND m.measure = 'imd_score' AND m.value IS NOT NULL""",
    )
    values = [t for t in map_traces(at) if t["name"] != "No data"][0]
    assert len(values["z"]) == lsoas > 50
    # The older link (ids, comma-separated districts) is rewritten once to what the bound widgets keep, which opens
    # the same map; the default view drops out.
    label = at.selectbox(key="measure").format_func("imd_score")
    written = {"geo": "Neighbourhoods (LSOAs) in chosen districts", "lads": "Hartlepool", "measure": label}
    assert {key: at.query_params.get(key) for key in ("view", *written)} == {"view": None, **written}
    again = open_map(built_db, monkeypatch, written | {"lads": ["Hartlepool", "Middlesbrough"]})
    assert again.multiselect(key="lads").value == ["E06000001", "E06000002"]
    assert again.selectbox(key="measure").value == "imd_score" and again.selectbox(key="geo").value == "lsoa_in_lads"


def test_map_says_what_to_do_when_started_without_static_serving(built_db, monkeypatch) -> None:
    """Started without .streamlit/config.toml (another folder), SVG maps could not load their topology: say so."""
    from streamlit import config as streamlit_config

    assert streamlit_config.get_option("server.enableStaticServing") is True  # the project's config is read
    streamlit_config.set_option("server.enableStaticServing", False)
    try:
        at = open_map(built_db, monkeypatch)
        assert not at.exception and not figures(at)
        assert "bash scripts/run.sh" in at.warning[0].value
    finally:
        streamlit_config.set_option("server.enableStaticServing", True)


def test_district_map_names_its_served_boundary_file(built_db, db_con, monkeypatch) -> None:
    """The figure sends codes and values; the boundaries come once from the file the app serves."""
    import json

    from insight import config

    at = open_map(built_db, monkeypatch)
    urls = {trace["geojson"] for trace in map_traces(at)}
    assert len(urls) == 1
    url = urls.pop()
    assert url.startswith("app/static/geo/lad24-")
    served = json.loads((config.STATIC_DIR / url.removeprefix(config.STATIC_URL)).read_text())
    assert len(served["features"]) == count(db_con, "SELECT count(*) FROM boundaries WHERE level = 'lad24'") == 318


def test_national_neighbourhood_map_is_the_raster_viewer_with_the_table_on_request(
    built_db, db_con, monkeypatch
) -> None:
    """All LSOAs: the raster map (no Plotly figure, no polygons) and a download straight away; the 33,755-row grid
    only when asked for."""

    from insight.maps import national as national_map

    at = open_map(built_db, monkeypatch, {"geo": "lsoa21", "measure": "imd_score"})
    assert not at.exception
    assert not figures(at)
    (payload,) = raster_maps(at)
    meta, parts = national_map.unpack(payload)
    assert meta["title"] == "IMD score — All neighbourhoods (LSOAs), national"
    assert meta["geometry_url"].startswith("app/static/raster/lsoa21-")  # served once, cached by the browser
    assert meta["filename"] == "map_imd_score_lsoa21" and meta["source"].startswith("Source: ")
    with_value = count(
        db_con,
        "SELECT count(*) FROM area_measures WHERE level = 'lsoa21' AND measure = 'imd_score' AND value IS NOT NULL",
    )
    values, _medians = national_map.hover_texts(parts)
    assert sum(text != "no value" for text in values) == with_value == 33_755 and len(values) == 35_672
    assert not at.dataframe
    assert [b.label for b in at.download_button] == [f"Download all {with_value:,} (CSV)"]
    at.toggle(key="lsoa_table").set_value(True).run()
    assert len(at.dataframe[0].value) == with_value == 33_755


def test_national_map_defaults_to_the_own_nation_decile_colouring_every_lsoa(built_db, db_con, monkeypatch) -> None:
    """England and Wales together: every LSOA 2021 (33,755 English, 1,917 Welsh) has its own-nation decile."""

    from insight.maps import national as national_map

    at = open_map(built_db, monkeypatch, {"geo": "lsoa21"})
    assert not at.exception and at.selectbox(key="measure").value == "own_nation_decile"
    meta, parts = national_map.unpack(raster_maps(at)[0])
    values, _medians = national_map.hover_texts(parts)
    assert "no value" not in values and len(values) == 35_672
    welsh = count(
        db_con,
        """SELECT count(*) FROM area_measures
           WHERE level = 'lsoa21' AND measure = 'own_nation_decile' AND area_code LIKE 'W01%' AND value BETWEEN 1 AND 10""",
    )
    assert welsh == 1_917


def test_national_map_follows_the_measure(built_db, monkeypatch) -> None:
    from insight.maps import national as national_map

    at = open_map(built_db, monkeypatch, {"geo": "lsoa21", "measure": "income_score", "scale": "continuous"})
    assert not at.exception and at.selectbox(key="measure").value == "income_score"
    meta, parts = national_map.unpack(raster_maps(at)[0])
    values, _medians = national_map.hover_texts(parts)
    assert meta["label"] == "Income deprivation score" and {v[-1] for v in values} == {"%", "e"}  # shares; no value
    assert meta["legend"]["ticks"][-1][1].endswith("%")
    at.radio(key="scale").set_value("classes").run()
    legend = national_map.unpack_meta(raster_maps(at)[0])["legend"]
    assert legend["classes"][0][1].startswith("1 (most deprived 10%): ") and legend["classes"][0][1].endswith("%")
