"""Safe table exports: CSV cells that a spreadsheet would run as formulas are neutralised."""

from __future__ import annotations

import io

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix a text cell starting with a formula character with an apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell and header neutralised; numbers untouched.

    Show user-controlled frames (uploads, SQL results) this way too: the data grid's own CSV download and
    clipboard copy take the cells as shown.
    """
    safe = frame.copy()
    safe.columns = [str(neutralise(str(c))) for c in safe.columns]
    for position in range(safe.shape[1]):  # by position: query results may repeat a column name
        column = safe.iloc[:, position]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            safe.isetitem(position, column.map(neutralise))
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV (UTF-8 with BOM so Excel reads it) with every text cell and header neutralised; numbers untouched."""
    safe = neutralised(frame)
    buffer = io.StringIO()
    # CRLF rows (RFC 4180) make the writer quote any cell holding \r or \n, so no cell can start a new row.
    safe.to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")


def to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()
