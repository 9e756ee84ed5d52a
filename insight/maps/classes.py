"""Decile classes for maps: the convention of the Indices of Deprivation (1 = most deprived 10%, strongest colour).

Need measures, decile measures and skewed measures (|skewness| > 1) are mapped in ten classes by default; the
Map page keeps a switch to the continuous scale. Classes are ranks within each nation (England and Wales are
never ranked together), ties share a class, and for an LSOA measure with a published decile (IMD score → IMD
decile) the publisher's decile is the class. Class 1 is the worse end: the most deprived for need, the lowest for
a measure where higher is better. The legend names each class's range of values, per nation when both appear.
The colours are Viridis (perceptually even, readable with the common colour-vision deficiencies), darkest first.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
from plotly.colors import sequential
from scipy import stats

from insight.db import query
from insight.formatting import format_value

COUNT = 10
COLOURS = list(sequential.Viridis)  # ten colours, darkest (class 1) first
NATIONS = {"E": "England", "W": "Wales"}
SKEW_LIMIT = 1.0
SCHEMES = {"classes": "Deciles (10 classes)", "continuous": "Continuous scale"}


@dataclass(frozen=True)
class Classes:
    """Each area's class (0 = no value, else 1..COUNT), and per class its colour, legend label and hover name."""

    number: np.ndarray
    labels: list[str]
    names: list[str]
    colours: list[str]
    title: str


def skewed(values: pd.Series) -> bool:
    """Whether the values are skewed enough (|sample skewness| > SKEW_LIMIT) that a linear scale hides most areas."""
    finite = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    return finite.size > 2 and np.ptp(finite) > 0 and abs(float(stats.skew(finite))) > SKEW_LIMIT


def default_scheme(*, layer: str, unit: str, values: pd.Series) -> str:
    """'classes' for need, decile and skewed measures, else 'continuous'."""
    return "classes" if layer == "need" or unit == "decile" or skewed(values) else "continuous"


def ends(*, layer: str, polarity: str | None) -> tuple[bool, str, str]:
    """(high values are class 1, words for class 1, words for class COUNT)."""
    if layer == "need":
        return True, "most deprived 10%", "least deprived 10%"
    if polarity == "higher_is_better":
        return False, "lowest 10%", "highest 10%"
    return True, "highest 10%", "lowest 10%"


def ranked_deciles(values: pd.Series, *, codes: pd.Series, high_first: bool) -> np.ndarray:
    """Decile 1..COUNT of each value ranked within its nation (first letter of the code), ties sharing a class."""
    frame = pd.DataFrame({"value": values.astype(float).to_numpy(), "nation": codes.astype(str).str[0].to_numpy()})
    oriented = -frame["value"] if high_first else frame["value"]
    share = oriented.groupby(frame["nation"]).rank(method="average", pct=True)
    return np.ceil(share * COUNT).clip(1, COUNT).fillna(0).to_numpy(dtype=int)


def class_label(number: int, values: pd.Series, codes: pd.Series, *, unit: str) -> str:
    """'a – b' range of values in a class, per nation when more than one nation has values in it."""
    if values.empty:
        return "no areas"
    nations = codes.astype(str).str[0]
    ranges = [
        (NATIONS.get(n, n), format_value(part.min(), unit=unit) + "–" + format_value(part.max(), unit=unit))
        for n, part in values.groupby(nations.to_numpy())
    ]
    return ranges[0][1] if len(ranges) == 1 else "; ".join(f"{n} {text}" for n, text in ranges)


def classify(
    values: pd.Series,
    *,
    codes: pd.Series,
    unit: str,
    layer: str,
    polarity: str | None,
    label: str,
    published: pd.Series | None = None,
) -> Classes:
    """Decile classes of one measure's values (aligned with codes; NaN = no value).

    Args:
        values: the measure per area.
        codes: the areas' GSS codes (their first letter is the nation ranked within).
        unit: the measure's unit (a 'decile' measure is its own class).
        layer: catalog layer ('need' names class 1 'most deprived').
        polarity: catalog polarity, which end is worse.
        label: the measure's label, for the legend title.
        published: the publisher's decile per area (same alignment), used where present.
    """
    values = values.astype(float).reset_index(drop=True)
    codes = codes.reset_index(drop=True)
    high_first, first_words, last_words = ends(layer=layer, polarity=polarity)
    if unit == "decile":
        number = values.round().clip(0, COUNT).fillna(0).to_numpy(dtype=int)
        first_words, last_words = "most deprived 10%", "least deprived 10%"
    else:
        number = ranked_deciles(values, codes=codes, high_first=high_first)
        if published is not None:
            given = published.astype(float).reset_index(drop=True)
            number = np.where(given.notna() & values.notna(), given.fillna(0), number).astype(int)
    words = {1: first_words, COUNT: last_words}
    labels, names = [], []
    for n in range(1, COUNT + 1):
        inside = number == n
        suffix = f" ({words[n]})" if n in words else ""
        if unit == "decile":  # the value is the class: a range would read "1–1"; say how many areas instead
            count = int(inside.sum())
            labels.append(f"{n}{suffix}: {count:,} area{'' if count == 1 else 's'}")
        else:
            labels.append(f"{n}{suffix}: {class_label(n, values[inside], codes[inside], unit=unit)}")
        names.append(f"decile {n} of {COUNT}{suffix}")
    title = f"{label}: decile (1 = {first_words})"
    return Classes(number=number, labels=labels, names=names, colours=COLOURS, title=title)


def published_decile_measure(measure: str) -> str:
    """The measure holding the publisher's decile of a score or rank measure ('imd_score' → 'imd_decile')."""
    for suffix in ("_score", "_rank"):
        if measure.endswith(suffix):
            return measure.removesuffix(suffix) + "_decile"
    return measure + "_decile"


def published_deciles(con: duckdb.DuckDBPyConnection, *, level: str, measure: str) -> pd.DataFrame:
    """area_code, decile: the publisher's decile for the measure's areas (empty when none is loaded)."""
    return query(
        con,
        """SELECT d.area_code, d.value AS decile FROM area_measures d JOIN measure_catalog c ON c.measure = d.measure
           WHERE d.level = ? AND d.measure = ? AND c.unit = 'decile' AND d.value IS NOT NULL""",
        [level, published_decile_measure(measure)],
    )


def measure_info(con: duckdb.DuckDBPyConnection, *, measure: str) -> dict[str, str | None]:
    """layer, unit, polarity of a catalogued measure (empty strings when it is not catalogued)."""
    frame = query(con, "SELECT layer, unit, polarity FROM measure_catalog WHERE measure = ?", [measure])
    return frame.iloc[0].to_dict() if len(frame) else {"layer": "", "unit": "", "polarity": None}


def measure_classes(
    con: duckdb.DuckDBPyConnection, values: pd.DataFrame, *, level: str, measure: str, label: str
) -> Classes:
    """Classes of a measure's values (area_code, value) at a level, with the published decile where there is one."""
    info = measure_info(con, measure=measure)
    decile = published_deciles(con, level=level, measure=measure).set_index("area_code")["decile"]
    published = values["area_code"].map(decile) if len(decile) else None
    return classify(
        values["value"],
        codes=values["area_code"],
        unit=str(info["unit"]),
        layer=str(info["layer"]),
        polarity=info["polarity"],
        label=label,
        published=published,
    )


def discrete_colorscale(colours: list[str]) -> list[list[object]]:
    """A Plotly colour scale of flat steps, one per colour, over z = 1..len(colours) (zmin 0.5, zmax n + 0.5)."""
    count = len(colours)
    scale: list[list[object]] = []
    for i, colour in enumerate(colours):
        scale += [[i / count, colour], [(i + 1) / count, colour]]
    return scale


def scheme_sentence(found: Classes, *, published: bool) -> str:
    """One line under a decile map: how the classes were made."""
    how = (
        "the publisher's decile where one is published (IMD: File 1 of the English Indices), else ranks"
        if published
        else "ranks"
    )
    return (
        f"Colours: ten classes (deciles) from {how} within each nation, 1 = {found.title.split('1 = ')[-1].rstrip(')')}"
        " in the darkest colour; the legend gives each class's range of values. Choose 'Continuous scale' for a "
        "linear colour scale."
    )
