"""Official IoD layouts built from the mirror: File 7 CSVs and File 10 / File 13 summary workbooks.

Where the mirror lacks a File 7 column (IoD2019 scores; IDACI/IDAOPI scores) the stand-in derives an
invented value from the LSOA's rank (higher score for a more deprived rank), enough for a consistent
test build; those values exist only in the rehearsal's temporary files and database.
"""

from __future__ import annotations

import pandas as pd

from etl.sources import _iod_common as iod

# imd_lad.measure → the published header wording after "<Domain> - ".
MEASURE_TEXT = {measure: text.capitalize().replace("lsoas", "LSOAs") for text, measure in iod.SUMMARY_MEASURES.items()}
DOMAIN_LABELS = {
    "imd": "IMD",
    "income": "Income",
    "employment": "Employment",
    "education": "Education, Skills and Training",
    "health": "Health Deprivation and Disability",
    "crime": "Crime",
    "housing": "Barriers to Housing and Services",
    "environment": "Living Environment",
    "idaci": "IDACI",
    "idaopi": "IDAOPI",
}


def score_from_rank(rank: pd.Series) -> pd.Series:
    """An invented score that falls as the rank rises (rank 1 = most deprived), 3 decimals."""
    return (100 * (1 - (rank - 1) / len(rank))).round(3)


def decile_from_rank(rank: pd.Series) -> pd.Series:
    return ((rank - 1) * 10 // len(rank) + 1).astype(int)


def file7_frame(canonical: pd.DataFrame, *, lsoa_year: str, lad_year: str) -> pd.DataFrame:
    """canonical columns (lsoa_code, lsoa_name, lad_code, lad_name, <domain>_score/_rank/_decile) → File 7 headers."""
    frame = canonical.copy()
    for _title, domain, _score in iod.IOD_DOMAINS:
        if f"{domain}_rank" not in frame:
            frame[f"{domain}_rank"] = frame["imd_rank"]
        if f"{domain}_decile" not in frame:
            frame[f"{domain}_decile"] = decile_from_rank(frame[f"{domain}_rank"])
        if f"{domain}_score" not in frame:
            frame[f"{domain}_score"] = score_from_rank(frame[f"{domain}_rank"])
    spec = iod.area_headers(lsoa_year=lsoa_year, lad_year=lad_year) | iod.domain_headers(iod.IOD_DOMAINS, full=True)
    return frame[list(spec.values())].set_axis(list(spec), axis=1)


def summary_sheets(tidy: pd.DataFrame, *, code_header: str, name_header: str) -> dict[str, list[list]]:
    """Tidy summary rows (code, name, domain, measure, value) → one sheet per domain in File 10/13 layout."""
    sheets = {}
    for domain, part in tidy.groupby("domain", sort=False):
        wide = part.pivot_table(index=["code", "name"], columns="measure", values="value", sort=False).reset_index()
        measures = [m for m in MEASURE_TEXT if m in wide.columns]
        header = [code_header, name_header, *(f"{DOMAIN_LABELS[domain]} - {MEASURE_TEXT[m]}" for m in measures)]
        rows = wide[["code", "name", *measures]].astype(object).where(wide.notna(), None).to_numpy().tolist()
        sheets[DOMAIN_LABELS[domain][:31]] = [header, *rows]
    return sheets
