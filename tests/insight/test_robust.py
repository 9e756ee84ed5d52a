"""insight.robust: rank correlation with a bootstrap interval, Theil–Sen lines and named outliers (SciPy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from insight import robust

NEED = np.arange(1.0, 21.0)
CAPACITY = 30 - NEED + np.tile([0.5, -0.5], 10)


def with_outlier() -> tuple[np.ndarray, np.ndarray]:
    """Twenty areas on a falling line plus one tiny 'city' with low need and 40× the capacity."""
    return np.append(NEED, 2.5), np.append(CAPACITY, 1200.0)


def test_rank_correlation_is_spearman_with_an_interval_and_n() -> None:
    fit = robust.rank_correlation(*with_outlier())
    x, y = with_outlier()
    assert fit.rho == pytest.approx(stats.spearmanr(x, y).statistic)
    assert fit.low <= fit.rho <= fit.high and fit.n == 21
    assert fit.pearson == pytest.approx(np.corrcoef(x, y)[0, 1])
    # The one extreme area leaves the rank correlation strongly negative while Pearson's r is swung towards 0.
    assert fit.rho < -0.85 and abs(fit.pearson) < 0.35


def test_the_interval_is_reproducible_with_the_fixed_seed() -> None:
    assert robust.rank_correlation(*with_outlier()) == robust.rank_correlation(*with_outlier())


def test_spearman_rows_matches_scipy_row_by_row() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(4, 30)), rng.normal(size=(4, 30))
    x[:, :5] = 0.0  # ties
    expected = [stats.spearmanr(a, b).statistic for a, b in zip(x, y, strict=True)]
    assert robust.spearman_rows(x, y) == pytest.approx(expected)


def test_theil_sen_ignores_one_extreme_area() -> None:
    line = robust.theil_sen(*with_outlier())
    # Intercept: the median of y + x over 10 × 29.5, 10 × 30.5 and the outlier.
    assert line.slope == pytest.approx(-1.0) and line.intercept == pytest.approx(30.5)
    assert line.low_slope <= line.slope <= line.high_slope and not line.sampled
    assert np.polyfit(*with_outlier(), 1)[0] < -5  # least squares is dragged far off by the one area


def test_large_inputs_are_fitted_on_a_fixed_sample() -> None:
    x = np.arange(5000.0)
    line = robust.theil_sen(x, 2 * x + 1, sample=500)
    assert line.sampled and line.n == 500 and line.slope == pytest.approx(2.0)


@pytest.mark.parametrize(("x", "y"), [([1.0, 2.0], [1.0, 2.0]), ([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])])
def test_too_little_or_constant_data_gives_none(x: list[float], y: list[float]) -> None:
    assert robust.rank_correlation(x, y) is None and robust.theil_sen(x, y) is None


def test_outliers_are_named_largest_first() -> None:
    frame = pd.DataFrame(
        {"area_name": [f"A{i}" for i in range(10)] + ["Big", "Huge"], "v": [*range(10), 60.0, 120.0]},
        index=[0] * 12,  # duplicated index labels must not confuse the naming
    )
    assert robust.outlier_names(frame, column="v") == ["Huge", "Big"]


def test_method_sentence_states_method_interval_n_and_outliers() -> None:
    x, y = with_outlier()
    sentence = robust.method_sentence(
        fit=robust.rank_correlation(x, y), line=robust.theil_sen(x, y), outliers=["Tiny City"], units="districts"
    )
    assert sentence.startswith("Method: Spearman rank correlation ρ = −0.")
    assert "n = 21 districts" in sentence and "Theil–Sen" in sentence and "kept in: Tiny City" in sentence


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(-50, 50), st.integers(-50, 50)), min_size=3, max_size=40))
def test_rank_correlation_lies_in_its_interval_and_in_range(pairs: list[tuple[int, int]]) -> None:
    x, y = (np.array(v, dtype=float) for v in zip(*pairs, strict=True))
    fit = robust.rank_correlation(x, y, resamples=200)
    if fit is None:
        assert np.ptp(x) == 0 or np.ptp(y) == 0
        return
    assert -1 - 1e-9 <= fit.rho <= 1 + 1e-9 and fit.n == len(pairs)
