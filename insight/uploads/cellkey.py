"""Cell-key perturbation for counts from an upload: the same records always get the same noise, in every view.

The method the ONS used for Census 2021 tables (and ships as the `cell-key-perturbation` package):

- every uploaded row gets a record key, a pseudo-random integer in [0, KEY_RANGE) fixed by the row (its number in
  the file and its cells) and a server secret: the same file gives the same keys, and so does a later version of
  it for the rows that did not change;
- a published cell (the records of one LSOA, district, decile, status, ... in the chosen filters) has the cell key
  sum(record keys) mod KEY_RANGE, so the same set of records has the same cell key in every table and filter state;
- the perturbation table maps a cell key to a noise value from -2 to +2 (NOISE_KEYS), added to the cell's count.

Counts from 1 to MIN_THRESHOLD - 1 (9) are hidden ([c]) and shown counts never fall below MIN_THRESHOLD; zeros
stay zeros. A higher threshold chosen on the page hides cells whose *perturbed* count is below it, so moving the
threshold shows nothing the perturbed counts do not (were it judged on true counts, raising it one step at a time
would reveal each cell's true count where the cell disappears).
Differences between two views are differences of independently perturbed cells: noise, not a hidden count.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from functools import cache

import duckdb
import numpy as np
import pandas as pd

from insight import config

MIN_THRESHOLD = 10  # the fixed floor: true counts from 1 to 9 are always hidden
DEFAULT_THRESHOLD = 10
SUPPRESSED = "[c]"  # the ONS marker for a confidential value
KEY_RANGE = 256
# How many of the KEY_RANGE cell keys give each noise value: P(0) = 0.4, P(+-1) = 0.2 each, P(+-2) = 0.1 each.
NOISE_KEYS = {-2: 26, -1: 51, 0: 102, 1: 51, 2: 26}
NOISE_BOUND = max(NOISE_KEYS)
PTABLE = np.repeat(np.array(list(NOISE_KEYS), dtype=np.int64), list(NOISE_KEYS.values()))
SECRET_SETTING = "VCS_INSIGHT_SDC_SECRET"
# byod_rows(position, file_row, c0, c1, ...): the upload's cells under neutral names (never the user's names).
# The cast keeps the modulo in integers (an untyped parameter made it a 6x slower DOUBLE division).
RECORD_KEYS = """
SELECT position, (hash($secret, *COLUMNS(* EXCLUDE (position))) % $range::UBIGINT)::INTEGER AS rkey FROM byod_rows
"""


def clamp_threshold(value: object) -> int:
    """A usable threshold: an integer, never below MIN_THRESHOLD."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return DEFAULT_THRESHOLD
    return max(MIN_THRESHOLD, number)


@cache
def _process_secret() -> bytes:
    return secrets.token_bytes(32)


def server_secret() -> bytes:
    """VCS_INSIGHT_SDC_SECRET as bytes, or (when unset) a random secret kept for the life of this process."""
    configured = config.setting(SECRET_SETTING)
    return configured.encode() if configured else _process_secret()


def record_keys(cursor: duckdb.DuckDBPyConnection, *, frame: pd.DataFrame, secret: bytes | None = None) -> np.ndarray:
    """One record key per row, in [0, KEY_RANGE): a hash of the secret, the row's number in the file and its cells.

    The frame's index must be the rows' numbers in the whole upload, so a row keeps its key when filters drop
    others. DuckDB's 64-bit hash is fast (about a second for a million rows) but not a cryptographic MAC: the keys
    are never shown, and without the secret and the rows themselves there is nothing to compute them from.
    """
    cells = frame.set_axis([f"c{i}" for i in range(frame.shape[1])], axis=1)
    mixed = [column for column in cells.columns if cells[column].dtype == object]  # e.g. numbers and text together
    cells = cells.astype(dict.fromkeys(mixed, str)) if mixed else cells
    cells.insert(0, "file_row", frame.index.to_numpy(dtype=np.int64))
    cells.insert(0, "position", np.arange(len(frame), dtype=np.int64))
    cursor.register("byod_rows", cells)
    try:
        secret_text = (server_secret() if secret is None else secret).hex()
        found = cursor.execute(RECORD_KEYS, {"secret": secret_text, "range": KEY_RANGE}).df()
    finally:
        cursor.unregister("byod_rows")
    keys = np.zeros(len(frame), dtype=np.int64)
    keys[found["position"].to_numpy()] = found["rkey"].to_numpy(dtype=np.int64)
    return keys


def noise(key_sums: np.ndarray) -> np.ndarray:
    """The perturbation for cells whose record keys sum to key_sums (the cell key is the sum mod KEY_RANGE)."""
    return PTABLE[np.asarray(key_sums, dtype=np.int64) % KEY_RANGE]


def small_cells(rows: np.ndarray, *, records: np.ndarray) -> np.ndarray:
    """Cells counting 1 to MIN_THRESHOLD - 1, on the smaller of rows and summed counts (rows when counts are 0)."""
    basis = np.where(records > 0, np.minimum(rows, records), rows)
    return (basis > 0) & (basis < MIN_THRESHOLD)


def protect(
    cells: pd.DataFrame, *, threshold: int, values: tuple[str, ...] = ("records",), key: str = "key_sum"
) -> pd.DataFrame:
    """Cells with perturbed values and a `suppressed` flag; `rows` and the key column are dropped.

    Args:
        cells: one row per published cell with `rows` (uploaded rows in it), the key sum, and value columns.
        threshold: smallest count shown: true counts 1 to MIN_THRESHOLD - 1 are hidden (NA), and so are cells whose
            perturbed count is from 1 to threshold - 1.
        values: columns scaled by (rows + noise) / rows; the count column `records` is kept >= MIN_THRESHOLD.
        key: column with the sum of the cell's record keys.

    Returns:
        The cells with values perturbed (hidden ones NA) and a boolean `suppressed` column.
    """
    rows = cells["rows"].fillna(0).to_numpy(dtype=float)
    records = cells["records"].fillna(0).to_numpy(dtype=float) if "records" in cells else rows
    hidden = small_cells(rows, records=records)
    shifted = rows + noise(cells[key].fillna(0).to_numpy())
    factor = np.divide(shifted, rows, out=np.ones_like(rows), where=rows > 0)
    out = cells.drop(columns=["rows", key])
    for column in values:
        scaled = np.round(cells[column].to_numpy(dtype=float, na_value=np.nan) * factor)
        if column == "records":
            scaled = np.where(records > 0, np.maximum(scaled, MIN_THRESHOLD), scaled)
            hidden |= (scaled > 0) & (scaled < clamp_threshold(threshold))
        out[column] = scaled
    for column in values:
        out[column] = pd.array(np.where(hidden, np.nan, out[column]), dtype="Float64")
    out["suppressed"] = hidden
    return out


def protect_count(rows: int, *, key_sum: int, threshold: int) -> int | None:
    """One count of rows as protect shows it: 0 as 0, None when hidden, else perturbed (at least MIN_THRESHOLD)."""
    if 0 < rows < MIN_THRESHOLD:
        return None
    shown = max(MIN_THRESHOLD, rows + int(noise(np.array([key_sum]))[0])) if rows else 0
    return None if 0 < shown < clamp_threshold(threshold) else shown


def for_export(frame: pd.DataFrame, *, columns: Iterable[str]) -> pd.DataFrame:
    """Hidden cells written as the ONS marker "[c]" so a download never shows a blank that looks like zero."""
    out = frame.copy()
    hidden = out["suppressed"] if "suppressed" in out else pd.Series(False, index=out.index)
    for column in columns:
        out[column] = out[column].astype(object).where(~hidden, SUPPRESSED)
    return out
