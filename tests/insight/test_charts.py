"""Figure builders: data in, figure out — traces, labels, trend line and download config."""

from __future__ import annotations

import pandas as pd
import pytest

from insight import charts

AREAS = pd.DataFrame(
    {
        "area_code": ["E06000901", "E06000902", "E06000903", "E06000904"],
        "area_name": ["Aldbury", "Brambleton", "Cressford", "Dunmere"],
        "need": [40.0, 30.0, 20.0, 10.0],
        "capacity": [1.0, 2.0, 3.0, None],
    }
)


def test_plotly_config_names_the_png() -> None:
    config = charts.plotly_config("Charities per 1,000 / Aldbury")
    assert config["toImageButtonOptions"]["filename"] == "charities_per_1_000_aldbury"
    assert config["toImageButtonOptions"]["format"] == "png" and config["displaylogo"] is False


def test_decile_bar_labels_values() -> None:
    frame = pd.DataFrame({"decile": [1, 10], "value": [1.234, 4.5], "areas": [30, 31]})
    fig = charts.decile_bar(
        frame, decile="decile", value="value", count="areas", title="T", value_label="V", unit="per 1,000 residents"
    )
    bar = fig.data[0]
    assert list(bar.x) == [1, 10] and list(bar.text) == ["1.23", "4.50"]
    assert fig.layout.font.size >= 14
    assert "1 = most deprived" in fig.layout.xaxis.title.text


def test_scatter_has_trend_and_highlight() -> None:
    fig = charts.need_capacity_scatter(
        AREAS, x="need", y="capacity", x_label="Need", y_label="Capacity", highlight="E06000902"
    )
    names = [trace.name for trace in fig.data]
    assert names[0] == "Areas" and len(fig.data[0].x) == 3  # Dunmere has no capacity
    assert names[1] == "Trend (Theil–Sen, ρ = −1.00)"
    assert list(fig.data[1].y) == pytest.approx([3.0, 1.0])  # y = 5 - 0.1x at x = 20 and 40
    assert names[2] == "Brambleton" and fig.data[2].marker.symbol == "diamond"


def test_scatter_ignores_unknown_highlight() -> None:
    fig = charts.need_capacity_scatter(AREAS, x="need", y="capacity", x_label="N", y_label="C", highlight="E06000904")
    assert len(fig.data) == 2


def test_empty_inputs_give_a_sentence() -> None:
    fig = charts.decile_bar(
        pd.DataFrame({"d": [], "v": []}), decile="d", value="v", title="T", value_label="V", unit=""
    )
    assert fig.layout.annotations[0].text == "No values to show."


def test_comparison_chart_colours_by_kind_and_formats_shares() -> None:
    frame = pd.DataFrame(
        {
            "name": ["Aldbury", "Region", "Similar", "England"],
            "kind": ["area", "region", "similar", "england"],
            "value": [0.5, 0.4, None, 0.35],
        }
    )
    fig = charts.comparison_chart(frame, title="Share", unit="share")
    assert list(fig.data[0].y) == ["Aldbury", "Region", "England"]
    assert list(fig.data[0].text) == ["50.0%", "40.0%", "35.0%"]
    assert fig.data[0].marker.color[0] == charts.COMPARATOR_COLOURS["area"]


def test_ranked_bar_keeps_order() -> None:
    frame = pd.DataFrame({"name": ["B 001A", "A 002A"], "score": [45.0, 35.0]})
    fig = charts.ranked_bar(
        frame, value="score", name="name", title="T", value_label="IMD score", unit="score", font_size=22
    )
    assert list(fig.data[0].y) == ["B 001A", "A 002A"] and fig.layout.font.size == 22


def test_scatter_caps_far_outliers_and_names_them() -> None:
    frame = pd.DataFrame(
        {
            "area_code": [f"E0600090{i}" for i in range(9)] + ["E09000001"],
            "area_name": [f"Area {i}" for i in range(9)] + ["Tiny City"],
            "need": [float(i) for i in range(10)],
            "capacity": [2.0, 2.5, 3.0, 2.0, 2.5, 3.0, 2.0, 2.5, 3.0, 120.0],
        }
    )
    fig = charts.need_capacity_scatter(
        frame, x="need", y="capacity", x_label="N", y_label="C", y_unit="per 1,000 residents"
    )
    assert fig.layout.yaxis.range[1] < 120
    assert fig.layout.annotations[0].text == "Off the scale: Tiny City (120.0)"
