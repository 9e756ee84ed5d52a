"""Map builders: fitted choropleths without tiles (SVG for few areas, MapLibre for many), bivariate classes."""

from __future__ import annotations

import json
import tomllib

import pandas as pd
import pytest
import shapely

from insight import charts, config
from insight.maps import choropleth as maps


def square(x: float, y: float) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]})


GEO = pd.DataFrame(
    {
        "code": [f"E0600090{i}" for i in range(1, 7)],
        "name": list("ABCDEF"),
        "geojson": [square(i, 50) for i in range(6)],
    }
)
VALUES = pd.DataFrame(
    {
        "area_code": [f"E0600090{i}" for i in range(1, 7)],
        "area_name": list("ABCDEF"),
        "need": [10.0, 20.0, 30.0, 40.0, 50.0, None],
        "capacity": [5.0, 4.0, 3.0, 2.0, 1.0, 1.0],
    }
)


def test_feature_collection_ids_are_codes() -> None:
    collection = maps.feature_collection(GEO)
    assert [f["id"] for f in collection["features"]] == GEO["code"].tolist()
    assert collection["features"][0]["geometry"]["type"] == "Polygon"


def test_fitted_view_centres_on_the_data() -> None:
    view = maps.fitted_view(maps.total_bounds(GEO))
    assert view["center"]["lon"] == pytest.approx(3.0)
    assert 50.4 < view["center"]["lat"] < 50.6
    assert 6 < view["zoom"] < 8


def test_svg_features_have_clockwise_outer_rings() -> None:
    """d3-geo fills everything outside an anticlockwise ring: the SVG map would be one colour with a hole."""
    standard = maps.feature_collection(GEO)
    svg = maps.feature_collection(GEO, svg=True)
    ring = lambda feature: shapely.LinearRing(feature["geometry"]["coordinates"][0])  # noqa: E731
    assert all(shapely.is_ccw(ring(f)) for f in standard["features"])  # GeoJSON's own convention, as stored
    assert not any(shapely.is_ccw(ring(f)) for f in svg["features"])
    assert [f["id"] for f in svg["features"]] == GEO["code"].tolist()
    same_area = [shapely.from_geojson(json.dumps(f["geometry"])).area for f in svg["features"]]
    assert same_area == pytest.approx([1.0] * len(GEO))


def test_choropleth_few_areas_is_svg_no_tiles_and_grey_for_missing() -> None:
    values = VALUES.rename(columns={"need": "value"})
    fig = maps.choropleth(values, GEO, label="Need", unit="score", title="T", revision="r")
    assert [t.type for t in fig.data] == ["choropleth", "choropleth"]
    assert fig.layout.geo.visible is False and fig.layout.geo.fitbounds == "locations"
    assert fig.layout.geo.projection.type == "mercator" and fig.layout.uirevision == "r"
    assert fig.data[1].locationmode == "geojson-id"
    no_data, main = fig.data
    assert list(no_data.locations) == ["E06000906"] and no_data.name == "No data"
    assert list(main.z) == [10.0, 20.0, 30.0, 40.0, 50.0]
    assert "%{customdata[0]}" in main.hovertemplate


def test_choropleth_many_areas_is_maplibre(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(maps, "SVG_MAX_AREAS", 3)
    fig = maps.choropleth(VALUES.rename(columns={"need": "value"}), GEO, label="Need", unit="score", title="T")
    assert [t.type for t in fig.data] == ["choroplethmap", "choroplethmap"]
    assert fig.layout.map.style == "white-bg" and 6 < fig.layout.map.zoom < 8


def test_svg_maps_load_the_apps_own_empty_topology() -> None:
    """Plotly's geo subplot fetches scope_resolution.json from topojsonURL: the app serves it, so no CDN is called."""
    assert charts.plotly_config("x")["topojsonURL"] == config.STATIC_URL == "app/static/"
    topology = json.loads((config.STATIC_DIR / "world_110m.json").read_text())
    assert topology == {"type": "Topology", "objects": {}, "arcs": []}
    streamlit_config = tomllib.loads((config.ROOT / ".streamlit" / "config.toml").read_text())
    assert streamlit_config["server"]["enableStaticServing"] is True


def test_bivariate_classes_terciles() -> None:
    classes = maps.bivariate_classes(VALUES, need="need", capacity="capacity").set_index("area_code")
    assert len(classes) == 5
    assert classes.loc["E06000905", "class_label"] == "high need, low capacity"
    assert classes.loc["E06000901", "class_label"] == "low need, high capacity"


def test_bivariate_map_first_legend_entry_is_high_need_low_capacity() -> None:
    fig = maps.bivariate_map(
        VALUES, GEO, need="need", capacity="capacity", need_label="N", capacity_label="C", title="T"
    )
    class_traces = [t for t in fig.data if t.name != "No data"]
    assert len(class_traces) == 9
    assert class_traces[0].name.startswith("high need, low capacity")
    assert class_traces[0].colorscale[0][1] == maps.BIVARIATE[(3, 1)]


def test_bivariate_legend_names_every_cell() -> None:
    fig = maps.bivariate_legend(need_label="Need", capacity_label="Capacity")
    texts = {a.text for a in fig.layout.annotations}
    assert "high need,<br>low capacity" in texts and len(texts) == 9
