"""insight.jeopardy.measures on ten invented districts whose flags, scores and gaps are worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from insight import defaults
from insight.jeopardy import figures as jeopardy_figures
from insight.jeopardy import measures as jeopardy

CODES = [f"E0600090{i}" for i in range(10)]


@pytest.fixture(scope="module")
def con(jeopardy_con):
    return jeopardy_con


def frame() -> pd.DataFrame:
    """Need 1..10; capacity 20 - need with residuals +1 (need 4, 7) and -1 (need 5, 6); dependence as in tiny.sql."""
    need = np.arange(1, 11, dtype=float)
    residual = np.array([0, 0, 0, 1, -1, -1, 1, 0, 0, 0], dtype=float)
    dependence = np.array([1.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    return pd.DataFrame(
        {"area_code": CODES, "area_name": list("ABCDEFGHIJ"), "n": need, "c": 20 - need + residual, "d": dependence}
    )


PERCENTS = {"need": 20, "capacity": 20, "dependence": 20}


def test_fit_is_the_exact_line_and_gap_is_the_residual():
    result = jeopardy.score_areas(
        frame(), measures={"need": "n", "capacity": "c", "dependence": "d"}, percents=PERCENTS
    )
    assert result.fit.slope == pytest.approx(-1.0)
    assert result.fit.intercept == pytest.approx(20.0)
    assert result.fit.rho == pytest.approx(stats.spearmanr(frame()["n"], frame()["c"]).statistic)
    assert result.fit.n == 10
    gaps = result.table.set_index("area_name")["gap"]
    assert gaps.round(9).to_dict() == {"A": 0, "B": 0, "C": 0, "D": 1, "E": -1, "F": -1, "G": 1, "H": 0, "I": 0, "J": 0}


@pytest.mark.parametrize(
    ("percent", "dependence", "flagged", "counts"),
    [
        (20, "d", ["J"], {"need": 2, "capacity": 2, "dependence": 2, "flagged": 1, "scored": 10}),
        (30, "d", ["J", "I"], {"need": 3, "capacity": 3, "dependence": 3, "flagged": 2, "scored": 10}),
        (20, None, ["J", "I"], {"need": 2, "capacity": 2, "flagged": 2, "scored": 10}),
        (10, None, ["J"], {"need": 1, "capacity": 1, "flagged": 1, "scored": 10}),
    ],
)
def test_flags_at_thresholds(percent, dependence, flagged, counts):
    percents = dict.fromkeys(jeopardy.ROLES, percent)
    result = jeopardy.score_areas(
        frame(), measures={"need": "n", "capacity": "c", "dependence": dependence}, percents=percents
    )
    assert jeopardy.top_areas(result)["area_name"].tolist() == flagged
    assert jeopardy.flag_counts(result) == counts
    assert result.roles == (jeopardy.ROLES if dependence else ("need", "capacity"))


def test_scores_are_mean_percentile_ranks():
    result = jeopardy.score_areas(
        frame(), measures={"need": "n", "capacity": "c", "dependence": "d"}, percents=PERCENTS
    )
    scores = result.table.set_index("area_name")["score"]
    assert scores["J"] == pytest.approx((100 + 100 + 90) / 3)
    assert scores["I"] == pytest.approx((90 + 90 + 80) / 3)
    # A: need pct 10, capacity highest (19) pct 10, dependence 1.0 pct 100.
    assert scores["A"] == pytest.approx(40.0)
    assert result.table["rank"].iloc[0] == 1 and result.table["area_name"].iloc[0] == "J"


def test_two_jeopardy_when_dependence_column_is_empty():
    data = frame().assign(d=np.nan)
    result = jeopardy.score_areas(data, measures={"need": "n", "capacity": "c", "dependence": "d"}, percents=PERCENTS)
    assert result.roles == ("need", "capacity")
    assert result.table.set_index("area_name")["score"]["J"] == pytest.approx(100.0)


def test_missing_need_raises():
    with pytest.raises(ValueError, match="need"):
        jeopardy.score_areas(frame().assign(n=np.nan), measures={"need": "n", "capacity": "c"}, percents=PERCENTS)


@pytest.mark.parametrize(
    ("role", "polarity", "expected"),
    [
        ("need", "higher_is_worse", True),
        ("need", "higher_is_better", False),
        ("need", "none", True),
        ("capacity", "higher_is_better", False),
        ("capacity", "higher_is_worse", True),
        ("dependence", None, True),
    ],
)
def test_worse_is_high(role, polarity, expected):
    assert jeopardy.worse_is_high(role, polarity) is expected


def test_ties_at_the_boundary_are_all_in():
    values = pd.Series([5, 5, 5, 1, 1, 1, 1, 1, 1, 1], dtype=float)
    assert jeopardy.in_worst_share(values, percent=20, worse_high=True).tolist() == [True] * 3 + [False] * 7


def test_missing_values_are_never_flagged():
    values = pd.Series([np.nan, 9, 8, 7, 6], dtype=float)
    assert jeopardy.in_worst_share(values, percent=25, worse_high=True).tolist() == [False, True, False, False, False]


def test_scored_areas_from_database(con):
    result = jeopardy.scored_areas(
        con,
        level="lad24",
        need="imd_average_score",
        capacity="ncvo_charities_per_1000",
        dependence="share_charities_govt_funded",
    )
    assert jeopardy.top_areas(result)["area_code"].tolist() == ["E06000909"]
    assert result.table.iloc[0][["area_name", "region_name"]].tolist() == ["Testshire J", "Invented South"]
    assert result.fit.slope == pytest.approx(-1.0)


def test_rank_measure_is_flipped_by_polarity(con):
    result = jeopardy.scored_areas(
        con, level="lad24", need="imd_rank_test", capacity="ncvo_charities_per_1000", dependence=None
    )
    assert sorted(jeopardy.top_areas(result)["area_name"]) == ["Testshire I", "Testshire J"]


def test_dependence_without_values_gives_two_jeopardy(con):
    result = jeopardy.scored_areas(
        con, level="lad24", need="imd_average_score", capacity="ncvo_charities_per_1000", dependence="govt_income_share"
    )
    assert result.roles == ("need", "capacity")
    assert jeopardy.flag_counts(result)["flagged"] == 2


def test_loaded_measures_and_defaults(con):
    available = jeopardy.loaded_measures(con, level="lad24")
    assert "govt_income_share" not in set(available["measure"])
    assert available.set_index("measure")["areas"]["imd_average_score"] == 10
    assert defaults.default_measure(available, role="need") == "imd_average_score"
    assert defaults.default_measure(available, role="capacity") == "ncvo_charities_per_1000"
    assert defaults.default_measure(available, role="dependence") == "share_charities_govt_funded"
    assert defaults.default_measure(available.iloc[0:0], role="dependence") is None


def test_missing_sources(con):
    assert jeopardy.missing_sources(con)["title"].tolist() == ["Invented charity register"]


def test_figures():
    result = jeopardy.score_areas(
        frame(), measures={"need": "n", "capacity": "c", "dependence": "d"}, percents=PERCENTS
    )
    bar = jeopardy_figures.build_top_bar(result, n=3, title="Top")
    assert list(bar.data[0].y) == ["H", "I", "J"]
    assert list(bar.data[0].text) == ["", "", "flagged"]
    scatter = jeopardy_figures.build_gap_scatter(result, need_label="Need", capacity_label="Capacity")
    assert [t.name for t in scatter.data][:2] == ["Other areas", "Flagged"]
    assert list(scatter.data[1].x) == [10.0]
    assert [scatter.data[2].y[0], scatter.data[2].y[-1]] == pytest.approx([19.0, 10.0])
    assert scatter.layout.yaxis.type == "linear"
    outlier = jeopardy.score_areas(
        frame().assign(c=lambda f: f["c"].where(f["n"] != 1, 500.0)),
        measures={"need": "n", "capacity": "c"},
        percents=PERCENTS,
    )
    log_axis = jeopardy_figures.build_gap_scatter(outlier, need_label="N", capacity_label="C").layout.yaxis
    assert log_axis.type == "log"
    ticks = list(log_axis.tickvals)
    assert ticks == sorted(ticks) and list(log_axis.ticktext) == [f"{t:,g}" for t in ticks]  # read in one direction
    assert min(ticks) <= outlier.table["capacity"].min() * 2 and max(ticks) >= 500 / 2


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.03, 0.07, 2.5], [0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0]),
        ([1.0, 10.0, 500.0], [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]),
    ],
)
def test_log_ticks_step_1_2_5_across_the_values(values, expected):
    assert jeopardy_figures.log_ticks(pd.Series(values)) == expected


def test_long_axis_titles_are_wrapped_so_they_are_not_clipped():
    result = jeopardy.score_areas(frame(), measures={"need": "n", "capacity": "c"}, percents=PERCENTS)
    label = "Registered charities per 1,000 residents (by registered office), a long invented label"
    scatter = jeopardy_figures.build_gap_scatter(result, need_label="Need", capacity_label=label)
    assert all(len(line) <= 40 for line in scatter.layout.yaxis.title.text.split("<br>"))


def test_measures_without_direction_are_not_offered(con):
    available = jeopardy.loaded_measures(con, level="lad24")
    assert defaults.role_options(available, role="need") == ["imd_average_score", "imd_rank_test"]
    assert defaults.role_options(available, role="capacity") == ["ncvo_charities_per_1000"]
    assert defaults.default_measure(available, role="need") == "imd_average_score"


def test_far_out_capacity_stays_in_the_robust_fit_and_is_named():
    data = pd.concat(
        [frame(), pd.DataFrame({"area_code": ["E06000999"], "area_name": ["K"], "n": [5.5], "c": [120.0], "d": [0.5]})]
    )
    result = jeopardy.score_areas(data, measures={"need": "n", "capacity": "c"}, percents=PERCENTS)
    # Theil–Sen: K is in the fit (n = 11) and cannot tilt it; least squares would move the slope off −1.
    assert (result.fit.slope, result.fit.intercept, result.fit.n) == (pytest.approx(-1.0), pytest.approx(20.0), 11)
    assert result.fit.outliers == ("E06000999",)
    assert result.table.set_index("area_name")["gap"]["K"] == pytest.approx(120 - 14.5)
    sentence = jeopardy.fit_sentence(result)
    assert sentence.startswith("Expected capacity = 20.000 − 1.000 × need (Theil–Sen line over 11 areas; Spearman ρ")
    assert "far-out capacity, kept in the fit: K (E06000999)" in sentence


def test_many_areas_use_webgl_scatter():
    need = np.arange(6000, dtype=float)
    data = pd.DataFrame(
        {"area_code": [f"E0100{i:04d}" for i in range(6000)], "area_name": "x", "n": need, "c": 7000 - need}
    )
    result = jeopardy.score_areas(data, measures={"need": "n", "capacity": "c"}, percents=PERCENTS)
    figure = jeopardy_figures.build_gap_scatter(result, need_label="N", capacity_label="C")
    assert [type(t).__name__ for t in figure.data] == ["Scattergl", "Scattergl", "Scatter"]
    assert jeopardy.flag_counts(result) == {"need": 1200, "capacity": 1200, "flagged": 1200, "scored": 6000}


def test_flag_map_groups_areas():
    result = jeopardy.score_areas(frame(), measures={"need": "n", "capacity": "c"}, percents=PERCENTS)
    square = '{{"type":"Polygon","coordinates":[[[{x},50],[{x},51],[{y},51],[{y},50],[{x},50]]]}}'
    geo = pd.DataFrame(
        {
            "code": [f"E0600090{i}" for i in (9, 8, 0)],
            "name": list("JIA"),
            "geojson": [square.format(x=i, y=i + 1) for i in (0, 1, 2)],
        }
    )
    figure = jeopardy_figures.build_flag_map(result, geo, title="Flags")
    assert [t.name for t in figure.data] == ["Flagged (2)", "Not flagged (1)", "No data (0)"]
    assert list(figure.data[0].locations) == ["E06000909", "E06000908"]
    assert {t.type for t in figure.data} == {"choropleth"}  # a few areas: SVG, fitted to them
    assert figure.layout.geo.fitbounds == "locations" and figure.layout.geo.visible is False
