"""Aggregate the geocoded upload (temp table byod_geo) into suppressed LSOA, LAD and decile tables."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from insight import byod_sql as sql
from insight import suppression
from insight.suppression import ALL

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
MEASURES = ("records", "amount", "share_of_records", "records_per_1000", "amount_per_resident")


@dataclass
class ByodResult:
    """Everything the page shows; every area table is already suppressed (hidden values are NA)."""

    summary: dict[str, int]
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


def disclosure(rows: pd.Series, *, records: pd.Series) -> pd.Series:
    """The count a cell's safety is judged on: the smaller of rows and summed counts (rows when counts are 0)."""
    return pd.Series(np.where(records > 0, np.minimum(rows, records), rows), index=rows.index)


def status_summary(cursor: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], pd.DataFrame]:
    """Rows by status (file quality, the user's own rows) and out-of-scope rows by country."""
    counts = fetch(cursor, sql.STATUS_COUNTS)
    summary = {status: int(counts.loc[counts.status == status, "rows"].sum()) for status in STATUSES}
    summary["rows"] = int(counts["rows"].sum())
    summary["terminated"] = int(
        cursor.execute("SELECT count(*) FROM byod_geo WHERE status = 'matched' AND terminated").fetchone()[0]
    )
    scope = counts[counts.status == "out_of_scope"].groupby("scope", as_index=False)["rows"].sum()
    return summary, scope


def not_matched_rows(cursor: duckdb.DuckDBPyConnection, *, frame: pd.DataFrame) -> pd.DataFrame:
    """The uploaded rows that were not placed in an area, with the reason first (for download to fix them)."""
    rows = fetch(cursor, sql.NOT_MATCHED_ROWS)
    out = frame.iloc[rows["row"].to_numpy()].reset_index(drop=True)
    out.insert(0, "problem", rows["status"].map(STATUS_LABELS).to_numpy())
    out.insert(0, "row_in_file", rows["row"].to_numpy() + 1)
    return out


def decile_table(lsoa: pd.DataFrame, *, local: pd.DataFrame, national: pd.DataFrame) -> pd.DataFrame:
    """Records by IMD decile beside the share of LSOAs nationally and in the districts reached."""
    keyed = lsoa.assign(decile_key=lsoa["imd_decile"].fillna(NOT_KNOWN).astype(int))
    sums = keyed.groupby("decile_key")[["rows", "records", "amount"]].sum(min_count=1)
    table = sums.reindex(range(NOT_KNOWN, 11)).rename_axis("decile_key").reset_index()
    table[["rows", "records"]] = table[["rows", "records"]].fillna(0)
    table["share_of_records"] = 100 * table["records"] / max(table["records"].sum(), 1)
    national_share = national.set_index("imd_decile")["lsoas"] / max(national["lsoas"].sum(), 1)
    local_counts = local["imd_decile"].dropna().astype(int).value_counts()
    local_share = local_counts / max(local_counts.sum(), 1)
    table["lsoas_national_pct"] = 100 * table["decile_key"].map(national_share).fillna(0.0).where(table.decile_key > 0)
    table["lsoas_local_pct"] = 100 * table["decile_key"].map(local_share).fillna(0.0).where(table.decile_key > 0)
    table["imd_decile"] = table["decile_key"].where(table["decile_key"] > 0).astype("Int64")
    table["decile"] = table["decile_key"].map(lambda k: f"{k}" if k else "not known")
    return table


def lad_table(lad: pd.DataFrame) -> pd.DataFrame:
    out = lad.copy()
    out["records_per_1000"] = 1000 * out["records"] / out["population"]
    out["amount_per_resident"] = out["amount"] / out["population"]
    return out


def suppress_all(tables: dict[str, pd.DataFrame], *, threshold: int) -> dict[str, pd.Series]:
    """Flags for every table, consistent across them.

    The LAD and decile tables are suppressed against their totals; every LSOA cell of a hidden LAD or decile is
    hidden; LSOA cells get secondary suppression within each LAD, each decile and overall. Where an LAD or decile
    keeps exactly one hidden LSOA cell with nothing left to hide beside it, that LAD or decile is hidden too, and
    the whole is repeated until nothing changes.
    """
    for table in tables.values():
        table["disclosure"] = disclosure(table["rows"], records=table["records"])
    lsoa = tables["lsoa"].assign(
        decile_key=tables["lsoa"]["imd_decile"].fillna(NOT_KNOWN).astype(int),
        lad_key=tables["lsoa"]["lad_code"].fillna(""),
    )
    forced: dict[str, set] = {"lad_key": set(), "decile_key": set()}
    for _ in range(suppression.MAX_PASSES):
        lad_flags = suppression.suppress(
            tables["lad"], count="disclosure", threshold=threshold, hidden_groups={"lad_code": forced["lad_key"]}
        )
        decile_flags = suppression.suppress(
            tables["deciles"],
            count="disclosure",
            threshold=threshold,
            hidden_groups={"decile_key": forced["decile_key"]},
        )
        hidden = {
            "lad_key": set(tables["lad"].loc[lad_flags, "lad_code"]),
            "decile_key": set(tables["deciles"].loc[decile_flags, "decile_key"]),
        }
        lsoa_flags = suppression.suppress(
            lsoa,
            count="disclosure",
            threshold=threshold,
            groupings=("lad_key", "decile_key", ALL),
            hidden_groups=hidden,
        )
        exposed = {key: suppression.lone_hidden(lsoa, flags=lsoa_flags, key=key) - hidden[key] for key in forced}
        if not any(exposed.values()):
            break
        for key, values in exposed.items():
            forced[key] |= values
    return {"lad": lad_flags, "deciles": decile_flags, "lsoa": lsoa_flags}


def masked(table: pd.DataFrame, flags: pd.Series) -> pd.DataFrame:
    columns = [c for c in MEASURES if c in table.columns]
    return suppression.mask(table, flags=flags, columns=columns).drop(columns=["rows", "disclosure"], errors="ignore")


def local_with_flags(local: pd.DataFrame, *, lsoa: pd.DataFrame, flags: pd.Series, threshold: int) -> pd.DataFrame:
    """Every LSOA in the districts reached, with records hidden exactly where the LSOA table hides them."""
    hidden = lsoa.loc[flags, ["lsoa_code", "disclosure"]].dropna(subset=["lsoa_code"])
    out = local.merge(hidden.rename(columns={"disclosure": "hidden_count"}), on="lsoa_code", how="left")
    out["suppressed"] = out["hidden_count"].notna()
    out["below_threshold"] = out["suppressed"] & (out["hidden_count"] < threshold)
    out["records"] = out["records"].astype("Float64").mask(out["suppressed"])
    return out.drop(columns=["hidden_count", "rows"])


def underserved(local: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """LSOAs in the most deprived 20% (of their nation) in the districts reached, with no or very few records."""
    needy = local[local["imd_decile"].isin(MOST_DEPRIVED)]
    low = needy[(needy["records"].fillna(0) == 0) & (~needy["suppressed"] | needy["below_threshold"])]
    reach = np.where(low["below_threshold"], f"fewer than {threshold}", "none")
    out = low.assign(reach=reach).sort_values(["need_edition", "imd_rank"])
    return out[["lsoa_code", "lsoa_name", "lad_code", "lad_name", "imd_decile", "need_edition", "reach"]].reset_index(
        drop=True
    )


def headline(deciles: pd.DataFrame, *, flags: pd.Series, national: float, local: float) -> str:
    """The reach-vs-need sentence, withheld when it would let a hidden decile be worked out."""
    chosen = deciles["decile_key"].isin(MOST_DEPRIVED)
    inside, outside = int((flags & chosen).sum()), int((flags & ~chosen).sum())
    comparison = f"{national:.1f}% of LSOAs nationally and {local:.1f}% of LSOAs in the districts your records reach"
    if inside == 1 or outside == 1:
        return f"The share from the most deprived 20% is withheld (it would reveal a suppressed count); {comparison}."
    total = deciles["records"].sum()
    share = 100 * deciles.loc[chosen, "records"].sum() / total if total else 0.0
    return (
        f"{share:.1f}% of your mapped records are from the most deprived 20% of neighbourhoods "
        f"(IMD deciles 1–2 in their own nation), against {comparison}."
    )


def build_result(cursor: duckdb.DuckDBPyConnection, *, frame: pd.DataFrame, threshold: int, has_amount: bool):
    """Read byod_geo back as suppressed tables (see ByodResult)."""
    summary, scope = status_summary(cursor)
    tables = {
        "lsoa": fetch(cursor, sql.LSOA_CELLS),
        "lad": lad_table(fetch(cursor, sql.LAD_CELLS)),
    }
    local = fetch(cursor, sql.LOCAL_LSOAS)
    national = fetch(cursor, sql.NATIONAL_DECILES)
    tables["deciles"] = decile_table(tables["lsoa"], local=local, national=national)
    flags = suppress_all(tables, threshold=threshold)
    local_flagged = local_with_flags(local, lsoa=tables["lsoa"], flags=flags["lsoa"], threshold=threshold)
    scope_flags = suppression.suppress(scope, count="rows", threshold=threshold)
    shares = _most_deprived_shares(national, local)
    result = ByodResult(
        summary=summary,
        out_of_scope=suppression.mask(scope, flags=scope_flags, columns=["rows"]),
        lsoa=masked(tables["lsoa"], flags["lsoa"]),
        lad=masked(tables["lad"], flags["lad"]),
        deciles=masked(tables["deciles"], flags["deciles"]),
        local=local_flagged,
        underserved=underserved(local_flagged, threshold=threshold),
        headline=headline(tables["deciles"], flags=flags["deciles"], national=shares[0], local=shares[1]),
        threshold=threshold,
        not_matched=not_matched_rows(cursor, frame=frame),
        suppressed={name: int(f.sum()) for name, f in flags.items()} | {"out_of_scope": int(scope_flags.sum())},
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
