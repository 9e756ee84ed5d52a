"""Numbers for people: thousands separators, percentages, pounds, and units from the measure catalog."""

from __future__ import annotations

import math
from collections.abc import Callable

SHARE_UNITS = {"share", "proportion", "percent", "%"}
COUNT_UNITS = {"count", "charities", "grants", "residents", "people", "rank"}


def is_count(unit: str) -> bool:
    """Units that are plain counts (totals, not rates): not comparable between areas of different size."""
    return unit.lower() in COUNT_UNITS


def is_share(unit: str) -> bool:
    """Units such as 'share', 'share of LSOAs', 'share of residents' hold 0–1 proportions shown as %."""
    lower = unit.lower()
    return lower in SHARE_UNITS or lower.startswith("share")


def is_missing(value: object) -> bool:
    """True for None and NaN (pandas NA included)."""
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def format_int(value: object) -> str:
    """1234.4 -> '1,234'; missing -> 'n/a'."""
    return "n/a" if is_missing(value) else f"{round(float(value)):,}"  # type: ignore[arg-type]


def format_share(value: object, *, digits: int = 1) -> str:
    """0.123 -> '12.3%'; missing -> 'n/a'."""
    return "n/a" if is_missing(value) else f"{float(value):.{digits}%}"  # type: ignore[arg-type]


def format_decimal(value: object, *, digits: int = 1) -> str:
    """1234.56 -> '1,234.6'; missing -> 'n/a'."""
    return "n/a" if is_missing(value) else f"{float(value):,.{digits}f}"  # type: ignore[arg-type]


def value_kind(unit: str) -> str:
    """How a unit's values are written: 'share' (as %), 'pound', 'integer' or 'decimal'."""
    unit_lower = unit.lower()
    if is_share(unit):
        return "share"
    if "£" in unit_lower:
        return "pound"
    if unit_lower == "decile" or is_count(unit):
        return "integer"
    return "decimal"


def format_value(value: object, *, unit: str = "") -> str:
    """Format a measure value by its catalog unit: shares as %, £ with a pound sign, deciles as integers."""
    return "n/a" if is_missing(value) else value_formatter(unit)(float(value))  # type: ignore[arg-type]


def value_formatter(unit: str) -> Callable[[float], str]:
    """format_value for one unit, as a function of a present value (the national map writes 35,672 of them)."""
    kind = value_kind(unit)
    if kind == "share":
        return lambda value: f"{value:.1%}"
    if kind == "pound":
        return lambda value: f"£{value:,.{2 if abs(value) < 100 else 0}f}"
    if kind == "integer":
        return lambda value: f"{round(value):,}"
    return lambda value: f"{value:,.{2 if abs(value) < 10 else 1}f}"


def hover_format(unit: str) -> str:
    """A Plotly d3 number format for a unit (used in hover templates and axes)."""
    unit_lower = unit.lower()
    if is_share(unit):
        return ".1%"
    if unit_lower == "decile" or is_count(unit):
        return ",.0f"
    return ",.2f"


def unit_suffix(unit: str) -> str:
    """Axis-label suffix for a unit: '' for shares (shown as %), ' (per 1,000 residents)' otherwise."""
    return f" (%, {unit})" if is_share(unit) else (f" ({unit})" if unit else "")


def not_loaded_sentence(what: str, *, missing_titles: list[str]) -> str:
    """'<what> is not loaded in this build.' plus the sources the build looked for and did not find."""
    sentence = f"{what} is not loaded in this build."
    if missing_titles:
        sentence += " Sources the build looked for and did not find: " + "; ".join(missing_titles) + "."
    return sentence


def wrap(text: str, *, width: int = 48) -> str:
    """Break a long title into lines of at most ~width characters (Plotly does not wrap titles)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])
