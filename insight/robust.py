"""Outlier-robust statistics for headline numbers and trend lines, from SciPy rather than hand-written maths.

- Association: Spearman's rank correlation (scipy.stats.spearmanr) with a 95% bias-corrected and accelerated
  bootstrap interval (scipy.stats.bootstrap, paired resampling of areas, fixed seed so a build always shows the
  same interval) and the number of areas n. A rank correlation is not moved by one extreme area such as the
  City of London, whose tiny resident population gives 100+ charities per 1,000.
- Trend: the Theil–Sen line (scipy.stats.theilslopes): the median of all pairwise slopes, the intercept the
  median of y − slope·x. Its cost grows with n², so above THEIL_SEN_SAMPLE points it is fitted on a fixed-seed sample.
- Outliers: Tukey's far-out rule, more than 3 × IQR beyond the quartiles; named, never dropped silently.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

SEED = 20251204
RESAMPLES = 2000
CONFIDENCE = 0.95
THEIL_SEN_SAMPLE = 3000
BCA_LIMIT = 2000  # BCa's jackknife costs n², so larger samples get the plain percentile interval


@dataclass(frozen=True)
class RankCorrelation:
    """Spearman's rho with its bootstrap interval, the number of pairs and Pearson's r for comparison."""

    rho: float
    low: float
    high: float
    n: int
    pearson: float
    method: str = "BCa"


@dataclass(frozen=True)
class RobustLine:
    """A Theil–Sen line y = intercept + slope·x with the 95% interval of the slope."""

    slope: float
    intercept: float
    low_slope: float
    high_slope: float
    n: int
    sampled: bool = False

    def at(self, x: np.ndarray | pd.Series | float) -> np.ndarray | pd.Series | float:
        """The line's value at x."""
        return self.intercept + self.slope * x


def paired(x: np.ndarray | pd.Series, y: np.ndarray | pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """x and y as float arrays with every pair holding a NaN dropped."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    return x[keep], y[keep]


def spearman_rows(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
    """Spearman's rho along an axis (vectorised for the bootstrap): Pearson's r of average ranks."""
    rx = stats.rankdata(x, axis=axis) - (x.shape[axis] + 1) / 2
    ry = stats.rankdata(y, axis=axis) - (y.shape[axis] + 1) / 2
    with np.errstate(invalid="ignore", divide="ignore"):  # a resample with one side constant has no rho: NaN
        return (rx * ry).sum(axis=axis) / np.sqrt((rx**2).sum(axis=axis) * (ry**2).sum(axis=axis))


def spearman(x: np.ndarray | pd.Series, y: np.ndarray | pd.Series) -> float | None:
    """Spearman's rho alone (no interval), NaN pairs dropped; None below 3 pairs or a constant side."""
    x, y = paired(x, y)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    return float(stats.spearmanr(x, y).statistic)


def bootstrap_method(n: int) -> str:
    """'BCa' for up to BCA_LIMIT pairs, else 'percentile'."""
    return "BCa" if n <= BCA_LIMIT else "percentile"


def rank_correlation(
    x: np.ndarray | pd.Series, y: np.ndarray | pd.Series, *, resamples: int = RESAMPLES, seed: int = SEED
) -> RankCorrelation | None:
    """Spearman's rho of paired values with a 95% bootstrap interval (BCa up to BCA_LIMIT pairs); None below 3 pairs or a constant side.

    Args:
        x: first variable (e.g. need per district); NaN pairs are dropped.
        y: second variable (e.g. charities per 1,000).
        resamples: bootstrap resamples.
        seed: random seed; fixed so the same data always give the same interval.
    """
    x, y = paired(x, y)
    rho = spearman(x, y)
    if rho is None:
        return None
    method = bootstrap_method(len(x))
    with warnings.catch_warnings():  # degenerate resamples (tiny n, perfect order) are handled below
        warnings.simplefilter("ignore")
        result = stats.bootstrap(
            (x, y),
            spearman_rows,
            paired=True,
            vectorized=True,
            n_resamples=resamples,
            batch=200,
            confidence_level=CONFIDENCE,
            method=method,
            rng=np.random.default_rng(seed),
        )
    low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
    if not (np.isfinite(low) and np.isfinite(high)):
        method = "percentile"
        tail = (1 - CONFIDENCE) / 2 * 100
        low, high = (float(v) for v in np.nanpercentile(result.bootstrap_distribution, [tail, 100 - tail]))
    pearson = float(stats.pearsonr(x, y).statistic)
    return RankCorrelation(rho=rho, low=low, high=high, n=len(x), pearson=pearson, method=method)


def theil_sen(
    x: np.ndarray | pd.Series, y: np.ndarray | pd.Series, *, sample: int = THEIL_SEN_SAMPLE
) -> RobustLine | None:
    """Theil–Sen line of y on x (NaN pairs dropped); None below 3 pairs or constant x.

    Args:
        x: explanatory values.
        y: values to fit.
        sample: above this many pairs the line is fitted on a fixed-seed random sample of this size.
    """
    x, y = paired(x, y)
    if len(x) < 3 or np.ptp(x) == 0:
        return None
    sampled = len(x) > sample
    if sampled:
        keep = np.random.default_rng(SEED).choice(len(x), size=sample, replace=False)
        x, y = x[keep], y[keep]
    fit = stats.theilslopes(y, x, alpha=CONFIDENCE, method="joint")
    return RobustLine(
        slope=float(fit.slope),
        intercept=float(fit.intercept),
        low_slope=float(fit.low_slope),
        high_slope=float(fit.high_slope),
        n=len(x),
        sampled=sampled,
    )


def far_out(values: pd.Series) -> pd.Series:
    """True for Tukey far-out values: more than 3 × IQR below the lower or above the upper quartile."""
    q1, q3 = values.quantile([0.25, 0.75])
    spread = 3 * (q3 - q1)
    return (values < q1 - spread) | (values > q3 + spread)


def outlier_names(frame: pd.DataFrame, *, column: str, name: str = "area_name") -> list[str]:
    """Names of the rows whose value in column is far out (see far_out), largest deviation from the median first."""
    data = frame[[column, name]].dropna(subset=[column]).reset_index(drop=True)
    flagged = data[far_out(data[column])]
    distance = (flagged[column] - data[column].median()).abs()
    return flagged.loc[distance.sort_values(ascending=False).index, name].astype(str).tolist()


def signed(value: float) -> str:
    """A coefficient to two decimals with a true minus sign (−0.57)."""
    return f"{value:.2f}".replace("-", "−")


def correlation_sentence(fit: RankCorrelation, *, units: str = "areas") -> str:
    """'ρ = −0.57 (95% CI −0.64 to −0.49; n = 296 districts)'."""
    return f"ρ = {signed(fit.rho)} (95% CI {signed(fit.low)} to {signed(fit.high)}; n = {fit.n:,} {units})"


def method_sentence(
    *,
    fit: RankCorrelation | None,
    line: RobustLine | None,
    outliers: list[str],
    units: str = "areas",
    outlier_measure: str = "capacity",
) -> str:
    """One line stating the method behind a scatter's statistics: correlation, trend and named outliers."""
    parts = []
    if fit is not None:
        parts.append(
            f"Spearman rank correlation {correlation_sentence(fit, units=units)}, interval from {RESAMPLES:,} bootstrap "
            f"resamples of areas ({fit.method}, fixed seed); Pearson's r, which one extreme area can swing, is {signed(fit.pearson)}"
        )
    if line is not None:
        sample = f" on a fixed random sample of {line.n:,} areas" if line.sampled else ""
        parts.append(f"dashed line: Theil–Sen trend (median of pairwise slopes){sample}")
    if outliers:
        parts.append(f"far-out {outlier_measure} (over 3 × IQR beyond the quartiles), kept in: {', '.join(outliers)}")
    return "Method: " + "; ".join(parts) + "."
