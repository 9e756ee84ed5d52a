"""Thresholds and the hidden-cell marker shared by the Your data page's protection (insight.cellkey).

Counts from 1 to threshold - 1 are hidden; the threshold is never below MIN_THRESHOLD. Hidden cells are written
"[c]" (the ONS marker for a confidential value) in downloads, so a blank never looks like a zero.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

MIN_THRESHOLD = 5
DEFAULT_THRESHOLD = 10
SUPPRESSED = "[c]"


def clamp_threshold(value: object) -> int:
    """A usable threshold: an integer, never below MIN_THRESHOLD."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return DEFAULT_THRESHOLD
    return max(MIN_THRESHOLD, number)


def for_export(frame: pd.DataFrame, *, columns: Iterable[str]) -> pd.DataFrame:
    """Hidden cells written as the ONS marker "[c]" so a download never shows a blank that looks like zero."""
    out = frame.copy()
    hidden = out["suppressed"] if "suppressed" in out else pd.Series(False, index=out.index)
    for column in columns:
        out[column] = out[column].astype(object).where(~hidden, SUPPRESSED)
    return out
