"""NCVO UK Civil Society Almanac 2020: general charities by local authority (sheet A5, data year 2017/18).

Official: the Almanac data-tables workbook (LAD 2017 codes, aggregated here to LAD 2019). Mirror: the
British Red Cross re-packaging of the same column at LAD 2019 (derived). Measures at LAD 2024 sum merged
districts; upper tiers, regions and countries sum their LADs. This source also inserts the catalog rows
of every capacity/dependence/funding/health measure, so absent layers still have definitions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from etl.capacity_sql import PRE2019_TO_LAD19, drop_temp_sql, insert_measure_sql, lad24_map_sql, rollup_sql, sql_file
from etl.source import Distribution, RemoteFile, Source, SourceError, require_columns

SOURCE_ID = "ncvo_almanac"
VINTAGE = "2017/18"
# Closest official population estimate to the 2017/18 data year available at LAD 2024 and above.
POPULATION_VINTAGE = "mid-2019"
WORKBOOK_URL = "https://almanac.fc.production.ncvocloud.net/documents/51/uk_civil_society_almanac_2020_data_tables.xlsx"
MIRROR_CSV = "vcs_capacity_derived/brc_resilience_index/ncvo_almanac2020_charity_density_lad19.csv"
LAD_CODE = re.compile(r"^[EW]0[6-9]\d{6}$")


def read_mirror_csv(paths: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    """Read the LAD 2019 re-packaging: `LAD19CD`, `Number of charities`."""
    path = paths["ncvo_lad19"]
    raw = pd.read_csv(path, dtype={"LAD19CD": str})
    require_columns(raw, ["LAD19CD", "Number of charities"], source_id=SOURCE_ID, file_name=path.name)
    frame = pd.DataFrame(
        {
            "lad19_code": raw["LAD19CD"].str.strip(),
            "charities": raw["Number of charities"].astype(int),
            "vintage": VINTAGE,
        }
    )
    return {"ncvo_charities_lad": frame}


def general_charities_a5(raw: pd.DataFrame, *, file_name: str) -> pd.DataFrame:
    """From sheet A5 (no fixed header row): rows with a LAD code and the 'General charities' count column.

    Args:
        raw: the sheet read with header=None.
        file_name: for error messages.

    Returns:
        Frame lad17_code, charities.

    Raises:
        SourceError: no header row with 'General charities' or no LAD codes found.
    """
    text = raw.astype(str)
    header_rows = [i for i in raw.index if text.loc[i].str.strip().str.lower().eq("general charities").any()]
    if not header_rows:
        raise SourceError(SOURCE_ID, file_name, "sheet A5 has no 'General charities' column header")
    header = header_rows[0]
    count_col = text.loc[header].str.strip().str.lower().eq("general charities").idxmax()
    code_col = next((c for c in raw.columns if text[c].str.strip().str.match(LAD_CODE).sum() > 100), None)
    if code_col is None:
        raise SourceError(SOURCE_ID, file_name, "sheet A5 has no column of local authority GSS codes")
    body = raw.loc[header + 1 :]
    body = body[text.loc[header + 1 :, code_col].str.strip().str.match(LAD_CODE)]
    return pd.DataFrame(
        {"lad17_code": body[code_col].astype(str).str.strip(), "charities": pd.to_numeric(body[count_col])}
    )


def read_workbook(paths: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    """Read sheet A5 of the official workbook and sum LAD 2017 codes into LAD 2019 (recodes and 2019 mergers)."""
    path = paths["almanac_xlsx"]
    with pd.ExcelFile(path, engine="calamine") as book:  # the engine every other workbook is read with
        sheets = book.sheet_names
        sheet = next((s for s in sheets if s.strip().upper().startswith("A5")), None)
        if sheet is None:
            raise SourceError(SOURCE_ID, path.name, f"no sheet A5 among {sheets}")
        a5 = general_charities_a5(book.parse(sheet, header=None), file_name=path.name)
    a5["lad19_code"] = a5["lad17_code"].map(PRE2019_TO_LAD19).fillna(a5["lad17_code"])
    frame = a5.groupby("lad19_code", as_index=False)["charities"].sum().astype({"charities": int})
    frame["vintage"] = VINTAGE
    return {"ncvo_charities_lad": frame}


def derive_sql() -> str:
    """Catalog rows for all layers of issue 3, NCVO measures at lad24 and above."""
    return "\n".join(
        [
            sql_file("capacity_catalog.sql"),
            lad24_map_sql(vintage="2019"),
            """CREATE OR REPLACE TEMP TABLE _ncvo_lad24 AS
               SELECT m.lad24_code AS code, sum(n.charities)::DOUBLE AS charities
               FROM ncvo_charities_lad n JOIN _lad24_of m ON m.old_code = n.lad19_code GROUP BY 1;""",
            rollup_sql("_ncvo_lad24", columns=["charities"]),
            insert_measure_sql("ncvo_charities", expression="r.charities", source_id=SOURCE_ID, vintage=VINTAGE),
            insert_measure_sql(
                "ncvo_charities_per_1000",
                expression="1000 * r.charities / p.population",
                source_id=SOURCE_ID,
                vintage=VINTAGE,
                population_vintage=POPULATION_VINTAGE,
            ),
            drop_temp_sql("_lad24_of", "_ncvo_lad24", "_rolled"),
        ]
    )


SOURCES = (
    Source(
        source_id=SOURCE_ID,
        title="NCVO UK Civil Society Almanac 2020 data tables: general charities by local authority (A5)",
        publisher="NCVO (National Council for Voluntary Organisations)",
        licence="NCVO terms of use for the Almanac data tables (attribution: NCVO UK Civil Society Almanac)",
        vintage=VINTAGE,
        landing_url="https://www.ncvo.org.uk/news-and-insights/news-index/uk-civil-society-almanac-2020/",
        distributions=(
            Distribution(
                name="mirror_derived_brc_lad19_csv",
                files=(RemoteFile(key="ncvo_lad19", url=WORKBOOK_URL, mirror_path=MIRROR_CSV),),
                reader=read_mirror_csv,
                official=False,
            ),
            Distribution(
                name="official_xlsx",
                files=(RemoteFile(key="almanac_xlsx", url=WORKBOOK_URL, mirror_path="ncvo_almanac/almanac2020.xlsx"),),
                reader=read_workbook,
                official=True,
            ),
        ),
        derive_sql=derive_sql(),
        # Optional: the 2020 data tables' only known link is on a retired Almanac host (docs/sources.md);
        # a failed download is a missing layer, not a failed build.
        required=False,
        notes=(
            "Mirror: British Red Cross re-packaging of sheet A5 'General charities' at LAD 2019 (derived). "
            "Merged 2019-2023 districts are summed into their LAD 2024."
        ),
    ),
)
