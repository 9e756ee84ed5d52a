"""Statistical disclosure control for counts of people or records: primary and secondary suppression.

Primary: a count from 1 to threshold - 1 is hidden (0 is a true zero and is shown).
Secondary: wherever a published total covers a group of cells, a group with exactly one hidden cell
gets its next smallest cell hidden too, so the hidden cell cannot be recovered by subtraction. Groups
are checked repeatedly (by LAD, by decile, overall) until no rule adds a cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

MIN_THRESHOLD = 5
DEFAULT_THRESHOLD = 10
SUPPRESSED = "[c]"  # the ONS marker for a confidential (suppressed) value
ALL = "__all__"
MAX_PASSES = 100


def clamp_threshold(value: object) -> int:
    """A usable threshold: an integer, never below MIN_THRESHOLD."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return DEFAULT_THRESHOLD
    return max(MIN_THRESHOLD, number)


def primary(counts: pd.Series, *, threshold: int) -> pd.Series:
    """Cells with a small non-zero count."""
    return (counts > 0) & (counts < clamp_threshold(threshold))


def secondary_pass(flags: pd.Series, *, counts: pd.Series, groups: pd.Series) -> pd.Series:
    """One pass of the complementary rule: in each group with exactly one hidden cell, hide its smallest other cell."""
    hidden_in_group = flags.groupby(groups, dropna=False).transform("sum")
    candidates = counts[~flags & (hidden_in_group == 1) & (counts > 0)]
    if candidates.empty:
        return flags
    smallest = candidates.groupby(groups[candidates.index], dropna=False).idxmin()
    out = flags.copy()
    out.loc[smallest.to_numpy()] = True
    return out


def suppress(
    frame: pd.DataFrame,
    *,
    count: str,
    threshold: int,
    groupings: Iterable[str] = (ALL,),
    hidden_groups: Mapping[str, Iterable[object]] | None = None,
) -> pd.Series:
    """Which cells to hide, after primary and secondary suppression.

    Args:
        frame: one row per published cell.
        count: the column with the count each cell shows.
        threshold: smallest count that may be shown (clamped to at least MIN_THRESHOLD).
        groupings: columns whose groups have a published total (ALL: the table's grand total).
        hidden_groups: column -> values whose cells must all be hidden (e.g. LADs hidden in another table).

    Returns:
        Boolean Series aligned with frame: True where the cell must be hidden.
    """
    counts = frame[count].fillna(0)
    flags = primary(counts, threshold=threshold)
    for column, values in (hidden_groups or {}).items():
        flags |= frame[column].isin(list(values)) & (counts > 0)
    keys = [pd.Series(ALL, index=frame.index) if g == ALL else frame[g] for g in groupings]
    for _ in range(MAX_PASSES):
        before = int(flags.sum())
        for groups in keys:
            flags = secondary_pass(flags, counts=counts, groups=groups)
        if int(flags.sum()) == before:
            break
    return flags


def lone_hidden(frame: pd.DataFrame, *, flags: pd.Series, key: str) -> set:
    """Groups of `key` with exactly one hidden cell: their published total would reveal it."""
    hidden_per_group = flags.groupby(frame[key], dropna=False).sum()
    return set(hidden_per_group[hidden_per_group == 1].index)


def mask(frame: pd.DataFrame, *, flags: pd.Series, columns: Iterable[str]) -> pd.DataFrame:
    """Blank (NA) the given columns where flags is True, and add a boolean `suppressed` column."""
    out = frame.copy()
    for column in columns:
        out[column] = out[column].astype("Float64").mask(flags)
    out["suppressed"] = flags.to_numpy()
    return out


def for_export(frame: pd.DataFrame, *, columns: Iterable[str]) -> pd.DataFrame:
    """Suppressed cells written as the ONS marker "[c]" so a download never shows a blank that looks like zero."""
    out = frame.copy()
    hidden = out["suppressed"] if "suppressed" in out else pd.Series(False, index=out.index)
    for column in columns:
        out[column] = out[column].astype(object).where(~hidden, SUPPRESSED)
    return out
