"""Bring your own data: map an uploaded table's columns, geocode it in DuckDB and aggregate it with protection.

The upload stays in memory: a registered frame and a temp table on one cursor, dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

import uk_postcode
from insight.export import to_csv_bytes
from insight.uploads import cellkey
from insight.uploads import sql as sql
from insight.uploads.readers import UploadError
from insight.uploads.tables import ByodResult, build_result

KINDS = ("postcode", "lsoa", "lad")
KIND_LABELS = {"postcode": "postcode", "lsoa": "LSOA code", "lad": "local authority district code"}
VALUE_PATTERNS = {
    "postcode": re.compile(uk_postcode.PATTERN),
    "lsoa": re.compile(r"[EW]01[0-9]{6}"),
    "lad": re.compile(r"[EW]0[6-9][0-9]{6}"),
}
HEADER_HINTS = {
    "postcode": ("postcode", "postalcode", "pcd", "pcds", "zip"),
    "lsoa": ("lsoa",),
    "lad": ("lad", "localauthority", "district", "ltla"),
    "count": ("count", "records", "number", "attendances", "visits", "people", "clients", "users", "contacts"),
    "amount": ("amount", "value", "grant", "spend", "income", "£"),
    "date": ("date", "awarded", "when", "period"),
    "category": ("category", "type", "service", "programme", "project", "fundingorgname", "funder"),
}
NO_LOCATION_MESSAGE = (
    "No column with postcodes, LSOA codes or local authority district codes was recognised. Choose the location "
    "column below, or check the file uses commas, semicolons, tabs or pipes between columns."
)
SAMPLE = 2000
MIN_VALUE_SHARE = 0.5
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ColumnMapping:
    """Which uploaded column holds what; location_kind is one of KINDS."""

    location: str | None
    location_kind: str = "postcode"
    count: str | None = None
    amount: str | None = None
    date: str | None = None
    category: str | None = None


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9£]", "", name.lower())


def _value_share(values: pd.Series, kind: str) -> float:
    """Share of the first non-blank values that have the shape of `kind` once blanks are removed and capitalised."""
    sample = values[values.str.strip() != ""].head(SAMPLE)
    squeezed = sample.str.replace(r"\s+", "", regex=True).str.upper()
    return float(squeezed.str.fullmatch(VALUE_PATTERNS[kind]).mean()) if len(sample) else 0.0


def _numeric_share(values: pd.Series) -> float:
    sample = values[values.str.strip() != ""].head(SAMPLE)
    return float(parse_numbers(sample)[0].notna().mean()) if len(sample) else 0.0


def detect_mapping(frame: pd.DataFrame) -> ColumnMapping:
    """Guess the columns: a location (by values first, then header), then optional count/amount/date/category."""
    columns = [str(c) for c in frame.columns]
    location, kind = None, "postcode"
    for candidate_kind in KINDS:
        scored = [(c, _value_share(frame[c].astype(str), candidate_kind)) for c in columns]
        named = [c for c, share in scored if share >= MIN_VALUE_SHARE and _hinted(c, candidate_kind)]
        valued = [c for c, share in sorted(scored, key=lambda x: -x[1]) if share >= MIN_VALUE_SHARE]
        if named or valued:
            location, kind = (named or valued)[0], candidate_kind
            break
    rest = [c for c in columns if c != location]
    count = _first(rest, "count", numeric=frame)
    amount = _first([c for c in rest if c != count], "amount", numeric=frame)
    date = _first([c for c in rest if c not in (count, amount)], "date")
    category = _first([c for c in rest if c not in (count, amount, date)], "category")
    return ColumnMapping(location, kind, count, amount, date, category)


def _hinted(column: str, key: str) -> bool:
    squashed = _squash(column)
    return any(hint in squashed for hint in HEADER_HINTS[key])


def _first(columns: list[str], key: str, numeric: pd.DataFrame | None = None) -> str | None:
    for column in columns:
        if _hinted(column, key) and (numeric is None or _numeric_share(numeric[column].astype(str)) >= MIN_VALUE_SHARE):
            return column
    return None


def require_location(frame: pd.DataFrame, *, mapping: ColumnMapping) -> None:
    """Raise UploadError unless the mapping names a location column of a known kind present in the frame."""
    if mapping.location is None or mapping.location not in frame.columns:
        raise UploadError(f"{NO_LOCATION_MESSAGE} Columns seen: {', '.join(map(str, frame.columns[:20]))}.")
    if mapping.location_kind not in KINDS:
        raise UploadError(f"Unknown location kind {mapping.location_kind!r}.")


def parse_numbers(values: pd.Series) -> tuple[pd.Series, int]:
    """Numbers from text like '£1,234.50' or '12'; returns (values with NA where unreadable, how many unreadable)."""
    text = values.astype(str)
    numbers = pd.to_numeric(text, errors="coerce")
    retry = numbers.isna() & (text.str.strip() != "")
    if retry.any():  # only the cells that need it go through the (slower) clean-up
        cleaned = text[retry].str.replace(r"[£,\s]", "", regex=True)
        numbers = numbers.astype(float)
        numbers[retry] = pd.to_numeric(cleaned, errors="coerce")
    return numbers, int((numbers.isna() & (text.str.strip() != "")).sum())


def category_values(frame: pd.DataFrame, *, mapping: ColumnMapping, limit: int = 200) -> list[str]:
    """The most frequent values of the category column (for a filter)."""
    if not mapping.category:
        return []
    return frame[mapping.category].value_counts().head(limit).index.astype(str).tolist()


ISO_DATE = r"^\s*\d{4}-\d{2}-\d{2}"


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates from text: ISO (2024-11-01 is 1 November) or else day-first (01/11/2024); NaT where unreadable."""
    text = values.astype(str)
    iso = text.str.match(ISO_DATE).fillna(False).to_numpy(dtype=bool)
    dates = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    if iso.any():
        dates[iso] = pd.to_datetime(text[iso].str.strip(), errors="coerce", format="ISO8601")
    if (~iso).any():
        dates[~iso] = pd.to_datetime(text[~iso], errors="coerce", dayfirst=True, format="mixed")
    return dates


def date_range(frame: pd.DataFrame, *, mapping: ColumnMapping) -> tuple[dt.date, dt.date] | None:
    """First and last readable date in the date column, or None."""
    if not mapping.date:
        return None
    dates = parse_dates(frame[mapping.date]).dropna()
    return (dates.min().date(), dates.max().date()) if len(dates) else None


def filter_mask(
    frame: pd.DataFrame,
    *,
    mapping: ColumnMapping,
    categories: tuple[str, ...] = (),
    span: tuple[dt.date, dt.date] | None = None,
) -> np.ndarray:
    """Which rows are in the chosen categories and (inclusive) date span; with a span, rows without a date drop out."""
    keep = pd.Series(True, index=frame.index)
    if mapping.category and categories:
        keep &= frame[mapping.category].isin(categories)
    if mapping.date and span is not None:
        dates = parse_dates(frame[mapping.date])
        keep &= (dates >= pd.Timestamp(span[0])) & (dates < pd.Timestamp(span[1]) + pd.Timedelta(days=1))
    return keep.to_numpy()


def input_frame(frame: pd.DataFrame, *, mapping: ColumnMapping, keys: np.ndarray) -> tuple[pd.DataFrame, list[str]]:
    """The slim frame DuckDB geocodes: row number, location text, record key, weight (count or 1) and amount."""
    notes = []
    weight = pd.Series(1.0, index=frame.index)
    if mapping.count:
        counts, bad = parse_numbers(frame[mapping.count])
        negative = int((counts < 0).sum())
        weight = counts.where(counts >= 0).fillna(0.0)
        if bad or negative:
            notes.append(f"{bad + negative:,} row(s) had a count that is not a number ≥ 0; they count as 0.")
    amount = pd.Series(np.nan, index=frame.index)
    if mapping.amount:
        amount, bad = parse_numbers(frame[mapping.amount])
        if bad:
            notes.append(f"{bad:,} row(s) had an amount that is not a number; it was left out of the £ totals.")
    inputs = pd.DataFrame(
        {
            "row": np.arange(len(frame), dtype=np.int64),
            "raw": frame[mapping.location].astype(str).to_numpy(),
            "rkey": keys,
            "weight": weight.to_numpy(dtype=float),
            "amount": amount.to_numpy(dtype=float),
        }
    )
    return inputs, notes


def geocode(cursor: duckdb.DuckDBPyConnection, *, inputs: pd.DataFrame, kind: str) -> None:
    """Create the temp table byod_geo (row, rkey, status, scope, lsoa_code, lad_code, weight, amount) on this cursor."""
    cursor.register("byod_input", inputs)
    try:
        if kind == "postcode":
            areas = sql.OUT_OF_SCOPE_AREAS
            params = {
                "pattern": uk_postcode.PATTERN,
                "scot": list(areas["Scotland"]),
                "ni": list(areas["Northern Ireland"]),
                "crown": list(areas["Channel Islands / Isle of Man"]),
            }
            cursor.execute(sql.GEOCODE_POSTCODES, params)
        else:
            cursor.execute(sql.GEOCODE_AREAS, {"kind": kind})
    finally:
        cursor.unregister("byod_input")


def analyse(
    con: duckdb.DuckDBPyConnection,
    *,
    frame: pd.DataFrame,
    mapping: ColumnMapping,
    threshold: int = cellkey.DEFAULT_THRESHOLD,
    categories: tuple[str, ...] = (),
    span: tuple[dt.date, dt.date] | None = None,
    secret: bytes | None = None,
    progress: Progress | None = None,
) -> ByodResult:
    """Geocode and aggregate an uploaded frame against the database, with disclosure control (insight.uploads.cellkey).

    A row's record key depends on the row alone (its number in the file and its cells), so it keeps its key in every
    filter state; frame's index must therefore be the row numbers of the whole upload (as read).

    Args:
        con: read-only connection to the built database (a private cursor is used).
        frame: the whole upload, text columns.
        mapping: which columns hold the location and optional count/amount.
        threshold: smallest count shown (never below cellkey.MIN_THRESHOLD, 10; above it, on perturbed counts).
        categories: keep only rows in these categories (empty: all).
        span: keep only rows dated in this inclusive span (None: all rows).
        secret: the record-key secret (None: the server's, see cellkey.server_secret).
        progress: optional callback(fraction, message).

    Returns:
        ByodResult with protected tables and counts.

    Raises:
        UploadError: no usable location column.
    """
    require_location(frame, mapping=mapping)
    report = progress or (lambda _f, _m: None)
    threshold = cellkey.clamp_threshold(threshold)
    report(0.1, "Preparing rows")
    frame = frame[filter_mask(frame, mapping=mapping, categories=categories, span=span)]
    cursor = con.cursor()
    try:
        keys = cellkey.record_keys(cursor, frame=frame, secret=secret)
        inputs, notes = input_frame(frame, mapping=mapping, keys=keys)
        report(0.3, f"Matching {len(inputs):,} {KIND_LABELS[mapping.location_kind]}s to areas")
        geocode(cursor, inputs=inputs, kind=mapping.location_kind)
        cursor.execute(sql.NEED_VIEW)
        del inputs
        report(0.6, "Counting by area")
        result = build_result(cursor, frame=frame, threshold=threshold, has_amount=mapping.amount is not None)
    finally:
        cursor.execute("DROP VIEW IF EXISTS byod_need; DROP TABLE IF EXISTS byod_geo")
        cursor.close()
    result.notes = notes + result.notes
    report(1.0, "Done")
    return result


METRIC_LABELS = {
    "rows": "Rows read",
    "matched": "Matched",
    "unmatched": "Not placed",
    "invalid": "Invalid",
    "out_of_scope": "Outside England & Wales",
}
POPULATION_NOTE = (
    "Neighbourhood (LSOA 2021) populations are not in this database, so need is compared with the share of LSOAs "
    "(each has roughly 1,000–3,000 residents), and rates per 1,000 residents are given for districts only "
    "(Census 2021 usual residents)."
)
SCOPE_COLUMNS = {"scope": "Outside England and Wales", "rows": "Rows", "suppressed": "Suppressed"}
UNDERSERVED_COLUMNS = {
    "lsoa_code": "LSOA code",
    "lsoa_name": "LSOA",
    "lad_code": "LAD code",
    "lad_name": "District",
    "imd_decile": "IMD decile",
    "need_edition": "Deprivation index",
    "reach": "Your records",
}
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
MAP_MAX_LSOAS = 5000
EXPORT_MEASURES = ("records", "amount", "share_of_records", "records_per_1000", "amount_per_resident", "rows")
LSOA_COLUMNS = {
    "lad_code": "LAD code",
    "lad_name": "District",
    "lsoa_code": "LSOA code",
    "lsoa_name": "LSOA",
    "imd_decile": "IMD decile",
    "need_edition": "Deprivation index",
    "records": "Records",
    "amount": "Amount (£)",
    "suppressed": "Suppressed",
}
LAD_COLUMNS = {
    "lad_code": "LAD code",
    "lad_name": "District",
    "records": "Records",
    "population": "Residents",
    "population_vintage": "Residents (vintage)",
    "records_per_1000": "Records per 1,000 residents",
    "amount": "Amount (£)",
    "amount_per_resident": "£ per resident",
    "suppressed": "Suppressed",
}
DECILE_COLUMNS = {
    "decile": "IMD decile (1 = most deprived)",
    "records": "Records",
    "share_of_records": "Share of your records (%)",
    "lsoas_national_pct": "Share of LSOAs, England and Wales (%)",
    "lsoas_local_pct": "Share of LSOAs in districts reached (%)",
    "amount": "Amount (£)",
    "suppressed": "Suppressed",
}


def escape_markdown(text: object) -> str:
    """User-supplied text (file and column names) made literal for Streamlit's markdown messages."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


ROUNDING = {"share_of_records": 1, "lsoas_national_pct": 1, "lsoas_local_pct": 1, "records_per_1000": 2}


def labelled(table: pd.DataFrame, *, columns: dict[str, str]) -> pd.DataFrame:
    """The table's known columns in order, rounded for reading, with readable names (for display and download)."""
    present = [c for c in columns if c in table.columns]
    out = table[present].copy()
    for column, digits in ROUNDING.items():
        if column in out and pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].round(digits)
    return out.rename(columns=columns)


def export_frame(table: pd.DataFrame, *, columns: dict[str, str] | None = None) -> pd.DataFrame:
    """A protected table as it is downloaded: hidden cells as "[c]" (and labelled when columns are given); write it
    with insight.export.to_csv_bytes, which neutralises formula-like text."""
    out = cellkey.for_export(table, columns=[c for c in EXPORT_MEASURES if c in table.columns])
    return labelled(out, columns=columns) if columns else out


def export_csv(table: pd.DataFrame, *, columns: dict[str, str] | None = None) -> bytes:
    """Safe CSV of a protected table: hidden cells as "[c]", formula-like text neutralised."""
    return to_csv_bytes(export_frame(table, columns=columns))


def map_areas(result: ByodResult) -> tuple[str, pd.DataFrame]:
    """What to map: every LSOA in the districts reached, or the districts themselves when that is too many."""
    if 0 < len(result.local) <= MAP_MAX_LSOAS:
        frame = result.local[["lsoa_code", "lsoa_name", "records", "suppressed"]]
        return "lsoa21", frame.rename(columns={"lsoa_code": "code", "lsoa_name": "name"})
    frame = result.lad[["lad_code", "lad_name", "records", "suppressed"]]
    return "lad24", frame.rename(columns={"lad_code": "code", "lad_name": "name"})


PROTECTION_LINE = (
    "Counts from your file are protected before they are shown or downloaded: counts from 1 to {below} are hidden "
    "([c]){raised} and every other count has a small fixed random adjustment (at most ±2, the same for the same "
    "records in every table, filter and date range), so comparing two views cannot reveal a hidden count. Zeros are "
    "exact."
)


def protection_line(threshold: int) -> str:
    """How the numbers on the page are protected, in one line."""
    raised = f", and so are counts adjusted to below {threshold}" if threshold > cellkey.MIN_THRESHOLD else ""
    return PROTECTION_LINE.format(below=cellkey.MIN_THRESHOLD - 1, raised=raised)


def shown_count(value: int | None) -> str:
    """A protected count as text: "[c]" when hidden."""
    return cellkey.SUPPRESSED if value is None else f"{value:,}"


def suppression_sentence(result: ByodResult) -> str:
    """What was hidden, in words."""
    hidden = result.suppressed
    return (
        f"{protection_line(result.threshold)} Totals and shares are worked out from the adjusted counts, so they may "
        f"not add up exactly. Hidden: {hidden.get('lsoa', 0)} LSOA cell(s), {hidden.get('lad', 0)} district(s), "
        f"{hidden.get('deciles', 0)} decile(s), {hidden.get('out_of_scope', 0)} out-of-scope count(s)."
    )
