"""insight.maps.classes: decile classes for maps (1 = most deprived, darkest), per nation, published deciles first."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight.maps import choropleth as maps
from insight.maps import classes
from insight.maps import national as national_map

CODES = pd.Series([f"E0100{i:04d}" for i in range(20)] + [f"W0100{i:04d}" for i in range(10)])
SCORES = pd.Series([float(v) for v in range(1, 21)] + [float(v) * 100 for v in range(1, 11)])


def test_need_deciles_rank_within_each_nation_with_1_the_most_deprived() -> None:
    found = classes.classify(SCORES, codes=CODES, unit="score", layer="need", polarity="higher_is_worse", label="S")
    assert found.number[:20].tolist() == [c for c in range(10, 0, -1) for _ in range(2)]  # 2 per decile, high first
    assert found.number[20:].tolist() == list(range(10, 0, -1))  # Wales ranked on its own
    assert found.labels[0] == "1 (most deprived 10%): England 19.0–20.0; Wales 1,000.0–1,000.0"
    assert found.names[0] == "decile 1 of 10 (most deprived 10%)" and found.title == "S: decile (1 = most deprived 10%)"
    assert found.colours[0] == "#440154" and len(found.colours) == 10  # Viridis: darkest for decile 1


def test_capacity_class_1_is_the_lowest_and_ties_share_a_class() -> None:
    values = pd.Series([0.0] * 5 + [float(v) for v in range(1, 6)])
    found = classes.classify(
        values, codes=CODES[:10], unit="per 1,000", layer="capacity", polarity="higher_is_better", label="C"
    )
    assert set(found.number[:5]) == {3} and found.number[9] == 10
    assert found.labels[0].startswith("1 (lowest 10%): no areas")


def test_published_deciles_are_the_classes_and_missing_values_have_class_0() -> None:
    values = pd.Series([50.0, 10.0, np.nan])
    published = pd.Series([2.0, 9.0, 1.0])
    found = classes.classify(
        values,
        codes=CODES[:3],
        unit="score",
        layer="need",
        polarity="higher_is_worse",
        label="IMD",
        published=published,
    )
    assert found.number.tolist() == [2, 9, 0]


def test_decile_measures_are_their_own_class() -> None:
    found = classes.classify(
        pd.Series([1.0, 10.0, 5.0]), codes=CODES[:3], unit="decile", layer="need", polarity=None, label="IMD decile"
    )
    assert found.number.tolist() == [1, 10, 5]
    # the legend names each class and how many areas are in it, not a value range ("England 1–1")
    assert found.labels[0] == "1 (most deprived 10%): 1 area" and found.labels[1] == "2: 0 areas"
    assert not any("–" in text for text in found.labels)


@pytest.mark.parametrize(
    ("layer", "unit", "values", "scheme"),
    [
        ("need", "score", [1.0, 2.0, 3.0], "classes"),
        ("capacity", "per 1,000", [1.0, 2.0, 3.0, 2.5, 1.5], "continuous"),
        ("capacity", "per 1,000", [1.0, 1.1, 1.2, 1.3, 1.1, 1.2, 1.0, 120.0], "classes"),  # skewed
        ("funding", "decile", [1.0, 2.0], "classes"),
    ],
)
def test_default_scheme(layer: str, unit: str, values: list[float], scheme: str) -> None:
    assert classes.default_scheme(layer=layer, unit=unit, values=pd.Series(values)) == scheme


def test_published_decile_measure_names() -> None:
    assert classes.published_decile_measure("imd_score") == "imd_decile"
    assert classes.published_decile_measure("imd_rank") == "imd_decile"


def test_district_map_uses_the_classes_in_legend_colours_and_hover() -> None:
    values = pd.DataFrame({"area_code": CODES[:20], "area_name": list("ABCDEFGHIJKLMNOPQRST"), "value": SCORES[:20]})
    geo = pd.DataFrame(
        {
            "code": CODES[:20],
            "name": values["area_name"],
            "geojson": [f'{{"type":"Point","coordinates":[{i},0]}}' for i in range(20)],
        }
    )
    found = classes.classify(
        values["value"], codes=values["area_code"], unit="score", layer="need", polarity="higher_is_worse", label="Need"
    )
    fig = maps.choropleth(values, geo, label="Need", unit="score", title="T", classes=found)
    trace = fig.data[-1]
    assert list(trace.colorbar.ticktext)[::-1] == found.labels  # class 1 at the top
    assert trace.customdata[-1][3] == "decile 1 of 10 (most deprived 10%)"  # T: the highest score
    assert trace.z[-1] == 10 and trace.colorscale[-1][1] == "#440154"  # drawn in the darkest colour


def test_national_payload_colours_each_lsoa_by_its_class() -> None:
    number = np.array([1, 10, 0])
    found = classes.Classes(
        number=number,
        labels=[f"{i}" for i in range(1, 11)],
        names=[f"d{i}" for i in range(1, 11)],
        colours=classes.COLOURS,
        title="T",
    )
    steps = national_map.class_steps(number)
    palette = national_map.palette(found.colours)
    assert steps.tolist() == [national_map.FIRST_STEP, national_map.FIRST_STEP + 9, national_map.NO_VALUE]
    assert tuple(palette[3 * steps[0] : 3 * steps[0] + 3]) == (0x44, 0x01, 0x54)
    legend = national_map.class_legend(found)
    assert legend["classes"][0] == [national_map.FIRST_STEP, "1"] and legend["names"][9] == "d10"
