"""Served boundary files: written once per content, complete, SVG-ready, and never required (read-only installs)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
import shapely

from insight import config
from insight.maps import choropleth as maps
from insight.maps import files as map_files


@pytest.fixture
def static(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(config, "STATIC_DIR", tmp_path / "static")
    return tmp_path / "static"


def test_level_file_holds_every_area_clockwise(con, static: Path) -> None:
    url = map_files.geojson_url(con, level="lad24")
    assert url is not None and url.startswith("app/static/geo/lad24-") and url.endswith(".geojson")
    served = json.loads((static / url.removeprefix("app/static/")).read_text())
    codes = [
        code for (code,) in con.execute("SELECT code FROM boundaries WHERE level = 'lad24' ORDER BY code").fetchall()
    ]
    assert [f["id"] for f in served["features"]] == codes
    for feature in served["features"]:
        for polygon in shapely.get_parts(shapely.from_geojson(json.dumps(feature["geometry"]))):
            assert not shapely.is_ccw(polygon.exterior)  # d3-geo (SVG maps) reads anticlockwise as "all but"


def test_file_is_written_once_and_named_by_its_content(con, static: Path) -> None:
    first = map_files.geojson_url(con, level="lad24")
    path = static / first.removeprefix("app/static/")
    os.utime(path, (1, 1))
    assert map_files.geojson_url(con, level="lad24") == first
    assert path.stat().st_mtime == 1  # not rewritten
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind


def test_levels_not_served_and_unwritable_folders_fall_back_to_embedding(
    con, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert map_files.geojson_url(con, level="lsoa21") is None  # ~9 MB: LSOA subsets stay in the figure
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setattr(config, "STATIC_DIR", blocker / "static")  # cannot be created, even by root
    assert map_files.geojson_url(con, level="lad24") is None


def test_figures_name_the_served_file_instead_of_embedding(con) -> None:
    geo = pd.DataFrame(
        {
            "code": ["E06000901", "E06000902"],
            "name": ["A", "B"],
            "geojson": ['{"type":"Polygon","coordinates":[[[0,50],[1,50],[1,51],[0,51],[0,50]]]}'] * 2,
        }
    )
    values = pd.DataFrame({"area_code": ["E06000901"], "area_name": ["A"], "value": [1.0]})
    fig = maps.choropleth(values, geo, label="x", unit="score", title="t", geojson_url="app/static/geo/x.geojson")
    assert [t.geojson for t in fig.data] == ["app/static/geo/x.geojson"] * 2
    assert [list(t.locations) for t in fig.data] == [["E06000902"], ["E06000901"]]
