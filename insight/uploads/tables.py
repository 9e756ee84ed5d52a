"""Aggregate the geocoded upload (temp table byod_geo) into protected LSOA, LAD, decile and status tables.

Every number is a cell of one upload's records and goes through insight.uploads.cellkey: counts from 1 to threshold - 1
hidden, every other count perturbed by the noise its cell key gives (the same records, the same noise, in every
table and filter state), zeros shown as zeros. Shares and rates are computed from the perturbed counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from insight.uploads import cellkey
from insight.uploads import sql as sql

STATUSES = ("matched", "unmatched", "invalid", "missing", "out_of_scope")
STATUS_LABELS = {
    "matched": "matched to an area",
    "unmatched": "valid postcode or code, not placed by the lookup",
    "invalid": "not a valid postcode or code",
    "missing": "blank location",
    "out_of_scope": "outside England and Wales (counted, not mapped)",
}
MOST_DEPRIVED = (1, 2)
NOT_KNOWN = 0  # decile key for records whose LSOA or its deprivation is not known
CELL_SUMS = ["rows", "records", "amount", "key_sum"]


@dataclass
class ByodResult:
    """Everything the page shows; every count is protected (hidden values are NA, summary values None)."""

    summary: dict[str, int | None]
    out_of_scope: pd.DataFrame
    lsoa: pd.DataFrame
    lad: pd.DataFrame
    deciles: pd.DataFrame
    local: pd.DataFrame
    underserved: pd.DataFrame
    headline: str
    threshold: int
    not_matched: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    suppressed: dict[str, int] = field(default_factory=dict)


def fetch(cursor: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> pd.DataFrame:
    return cursor.execute(query, params or []).df()


def status_summary(cursor: duckdb.DuckDBPyConnection, *, threshold: int) -> tuple[dict, pd.DataFrame]:
    """Rows by status and out-of-scope rows by country, each a protected count (None when hidden)."""
    counts = fetch(cursor, sql.STATUS_COUNTS)
    groups = {status: counts[counts.status == status] for status in STATUSES}
    groups |= {"rows": counts, "terminated": counts[counts.terminated]}
    summary = {
        name: cellkey.protect_count(int(g["rows"].sum()), key_sum=int(g["key_sum"].sum()), threshold=threshold)
        for name, g in groups.items()
    }
    scope = groups["out_of_scope"].groupby("scope", as_index=False)[["rows", "key_sum"]].sum()
    scope = cellkey.protect(scope.assign(records=scope["rows"].astype(float)), threshold=threshold)
    return summary, scope.rename(columns={"records": "rows"})


def not_matched_rows(cursor: duckdb.DuckDBPyConnection, *, frame: pd.DataFrame) -> pd.DataFrame:
    """The uploaded rows that were not placed in an area, with the reason first (for download to fix them)."""
    rows = fetch(cursor, sql.NOT_MATCHED_ROWS)
    out = frame.iloc[rows["row"].to_numpy()].reset_index(drop=True)
    out.insert(0, "problem", rows["status"].map(STATUS_LABELS).to_numpy())
    out.insert(0, "row_in_file", frame.index[rows["row"].to_numpy()] + 1)  # the row's number in the whole file
    return out


def whole(cells: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """One protected cell holding all the given cells' records."""
    total = cells[CELL_SUMS].sum(min_count=1).to_frame().T
    total[["rows", "key_sum"]] = total[["rows", "key_sum"]].fillna(0)
    return cellkey.protect(total, threshold=threshold, values=("records", "amount"))


def decile_table(lsoa: pd.DataFrame, *, local: pd.DataFrame, national: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Protected records by IMD decile beside the share of LSOAs nationally and in the districts reached."""
    keyed = lsoa.assign(decile_key=lsoa["imd_decile"].fillna(NOT_KNOWN).astype(int))
    sums = keyed.groupby("decile_key")[CELL_SUMS].sum(min_count=1)
    table = sums.reindex(range(NOT_KNOWN, 11)).rename_axis("decile_key").reset_index()
    table[["rows", "records", "key_sum"]] = table[["rows", "records", "key_sum"]].fillna(0)
    table = cellkey.protect(table, threshold=threshold, values=("records", "amount"))
    total = whole(lsoa, threshold=threshold).loc[0, "records"]
    table["share_of_records"] = 100 * table["records"] / total if pd.notna(total) and total > 0 else pd.NA
    national_share = national.set_index("imd_decile")["lsoas"] / max(national["lsoas"].sum(), 1)
    local_counts = local["imd_decile"].dropna().astype(int).value_counts()
    local_share = local_counts / max(local_counts.sum(), 1)
    table["lsoas_national_pct"] = 100 * table["decile_key"].map(national_share).fillna(0.0).where(table.decile_key > 0)
    table["lsoas_local_pct"] = 100 * table["decile_key"].map(local_share).fillna(0.0).where(table.decile_key > 0)
    table["imd_decile"] = table["decile_key"].where(table["decile_key"] > 0).astype("Int64")
    table["decile"] = table["decile_key"].map(lambda k: f"{k}" if k else "not known")
    return table


def lad_table(lad: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """Protected records (and amounts) by district, with rates from the protected values."""
    out = cellkey.protect(lad, threshold=threshold, values=("records", "amount"))
    out["records_per_1000"] = 1000 * out["records"] / out["population"]
    out["amount_per_resident"] = out["amount"] / out["population"]
    return out


def local_table(local: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """Every LSOA in the districts reached with its protected records (0 where none): map and list use it."""
    return cellkey.protect(local.assign(records=local["records"].astype(float)), threshold=threshold)


def underserved(local: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """LSOAs in the most deprived 20% (of their nation) in the districts reached, with no or very few records.

    "Fewer than 10" (or, with a raised threshold, "hidden") is said of every hidden cell and only of hidden cells,
    so the list tells nothing the [c] marker does not.
    """
    needy = local[local["imd_decile"].isin(MOST_DEPRIVED)]
    low = needy[needy["suppressed"] | (needy["records"].fillna(0) == 0)]
    few = f"fewer than {threshold}" if threshold <= cellkey.MIN_THRESHOLD else f"hidden (adjusted below {threshold})"
    reach = np.where(low["suppressed"], few, "none")
    out = low.assign(reach=reach).sort_values(["need_edition", "imd_rank"])
    return out[["lsoa_code", "lsoa_name", "lad_code", "lad_name", "imd_decile", "need_edition", "reach"]].reset_index(
        drop=True
    )


def headline(lsoa: pd.DataFrame, *, threshold: int, national: float, local: float) -> str:
    """The reach-vs-need sentence from two protected cells: records in deciles 1-2, and all mapped records."""
    comparison = f"{national:.1f}% of LSOAs nationally and {local:.1f}% of LSOAs in the districts your records reach"
    total = whole(lsoa, threshold=threshold).loc[0, "records"]
    chosen = whole(lsoa[lsoa["imd_decile"].isin(MOST_DEPRIVED)], threshold=threshold).loc[0, "records"]
    if pd.isna(total) or total == 0:
        return f"Too few mapped records to compare with need; {comparison}."
    if pd.isna(chosen):
        return f"The number of your mapped records from the most deprived 20% is hidden ([c]); {comparison}."
    return (
        f"{100 * chosen / total:.1f}% of your mapped records are from the most deprived 20% of neighbourhoods "
        f"(IMD deciles 1–2 in their own nation), against {comparison}."
    )


def build_result(cursor: duckdb.DuckDBPyConnection, *, frame: pd.DataFrame, threshold: int, has_amount: bool):
    """Read byod_geo back as protected tables (see ByodResult)."""
    summary, scope = status_summary(cursor, threshold=threshold)
    lsoa = fetch(cursor, sql.LSOA_CELLS)
    local = local_table(fetch(cursor, sql.LOCAL_LSOAS), threshold=threshold)
    national = fetch(cursor, sql.NATIONAL_DECILES)
    shares = _most_deprived_shares(national, local)
    tables = {
        "lsoa": cellkey.protect(lsoa, threshold=threshold, values=("records", "amount")),
        "lad": lad_table(fetch(cursor, sql.LAD_CELLS), threshold=threshold),
        "deciles": decile_table(lsoa, local=local, national=national, threshold=threshold),
    }
    result = ByodResult(
        summary=summary,
        out_of_scope=scope,
        local=local,
        underserved=underserved(local, threshold=threshold),
        headline=headline(lsoa, threshold=threshold, national=shares[0], local=shares[1]),
        threshold=threshold,
        not_matched=not_matched_rows(cursor, frame=frame),
        suppressed={name: int(t["suppressed"].sum()) for name, t in tables.items()}
        | {"out_of_scope": int(scope["suppressed"].sum())},
        **tables,
    )
    if not has_amount:
        result.lsoa, result.lad, result.deciles = (
            t.drop(columns=["amount", "amount_per_resident"], errors="ignore")
            for t in (result.lsoa, result.lad, result.deciles)
        )
    return result


def _most_deprived_shares(national: pd.DataFrame, local: pd.DataFrame) -> tuple[float, float]:
    national_share = national.loc[national.imd_decile.isin(MOST_DEPRIVED), "lsoas"].sum() / max(national.lsoas.sum(), 1)
    known = local["imd_decile"].dropna()
    return 100 * float(national_share), 100 * float(known.isin(MOST_DEPRIVED).mean() if len(known) else 0.0)
