"""ONS National Statistics Postcode Lookup (NSPL): postcode → LSOA 2021 (or 2011 → 2021) → LAD.

Online the national CSV inside the ONS zip (`Data/NSPL_<MON>_<YEAR>_UK.csv`) is streamed: only the
columns used are parsed (pyarrow), tidied in DuckDB, and kept as Arrow-backed columns, so the ~2.7M
postcodes of a full release fit in a few hundred MB. Three published layouts are accepted (see ALIASES);
the release (vintage) is read from the file name, not assumed. The mirror holds the November 2021
per-postcode-area CSVs for 10 areas only (distribution `mirror_partial_10_areas`). The `postcodes`
table also geocodes uploaded files, so its columns are stable (see docs/schema.md).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

import uk_postcode
from etl.fetch.discover import arcgis_latest_release
from etl.source import Distribution, RemoteFile, Source, SourceError

SOURCE_ID = "nspl"
AREAS = ("DT", "HG", "HR", "HX", "LD", "SM", "SR", "TF", "WC", "WN")
# The geoportal item "National Statistics Postcode Lookup (May 2025) for the UK"; its zip holds
# Data/NSPL_MAY_2025_UK.csv (quoted with this item id in public code; see docs/sources.md).
OFFICIAL_ZIP = "https://www.arcgis.com/sharing/rest/content/items/077631e063eb4e1ab43575d01381ec33/data"
# Each release is a new ArcGIS item: the build finds the latest through ArcGIS Online's item search (items owned
# by the Open Geography Portal's ONSGeography_data, CSV Collection) and falls back to the May 2025 item above.
RELEASE_QUERY = 'title:"National Statistics Postcode Lookup" AND owner:ONSGeography_data AND type:"CSV Collection"'
RELEASE_TITLE = re.compile(r"National Statistics Postcode Lookup(?: - [^()]*)? \(([A-Za-z]+) (\d{4})\)")
LANDING = "https://geoportal.statistics.gov.uk/datasets/077631e063eb4e1ab43575d01381ec33/about"
# Field names per column, in the three published layouts: to 2022 (`laua`, `ctry`, `lsoa11`), 2023 to
# May 2025 (`laua`, `ctry`, `lsoa21`, no `lsoa11`), and from August 2025 names carrying the vintage
# (`lad25cd`, `ctry25cd`, `lsoa21cd`; `lad26cd` in 2026).
ALIASES = {
    "pcds": re.compile(r"pcds"),
    "doterm": re.compile(r"doterm"),
    "laua": re.compile(r"laua|lad\d{2}cd"),
    "ctry": re.compile(r"ctry|ctry\d{2}cd"),
    "lsoa11": re.compile(r"lsoa11(cd)?"),
    "lsoa21": re.compile(r"lsoa21(cd)?"),
}
REQUIRED = ("pcds", "doterm", "laua", "ctry")
MEMBER = re.compile(r"(.*/)?NSPL\w*_UK\.csv", re.IGNORECASE)
RELEASE = re.compile(r"NSPL\d*_([A-Z]{3})_?(\d{4})", re.IGNORECASE)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
BATCH_BYTES = 16 << 20


def normalise_postcode(value: object) -> str | None:
    """Uppercase with one space before the inward code ('sw1a1aa' → 'SW1A 1AA'); None if not postcode-shaped.

    Args:
        value: any text (or None/NaN).

    Returns:
        The normalised postcode, or None when the text cannot be a UK postcode.
    """
    if not isinstance(value, str):
        return None
    compact = re.sub(r"[^A-Z0-9]", "", value.upper())
    if not re.fullmatch(uk_postcode.PATTERN, compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


# The same rule in SQL, for bulk use inside DuckDB (register extract, uploads).
NORMALISE_SQL = f"""CREATE OR REPLACE MACRO normalise_postcode(p) AS (
    CASE WHEN regexp_full_match(regexp_replace(upper(coalesce(p, '')), '[^A-Z0-9]', '', 'g'),
                                '{uk_postcode.PATTERN}')
         THEN left(regexp_replace(upper(p), '[^A-Z0-9]', '', 'g'),
                   length(regexp_replace(upper(p), '[^A-Z0-9]', '', 'g')) - 3)
              || ' ' || right(regexp_replace(upper(p), '[^A-Z0-9]', '', 'g'), 3)
    END);"""
# ONS pseudo-codes meaning "no value" (E99999999, W99999999, L99999999...) and blanks become NULL.
CODE_SQL = """CREATE OR REPLACE MACRO nspl_code(c) AS (
    CASE WHEN regexp_full_match(trim(coalesce(c, '')), '[A-Z]99999999|') THEN NULL ELSE trim(c) END);"""


def release_of(file_name: str) -> str:
    """The release month named in an NSPL file name: 'NSPL_MAY_2025_UK.csv' → '2025-05'.

    Raises:
        SourceError: the name carries no month and year.
    """
    match = RELEASE.search(Path(file_name).name)
    if not match or match.group(1).upper() not in MONTHS:
        raise SourceError(SOURCE_ID, file_name, "file name names no release (expected NSPL_<MON>_<YEAR>_UK...)")
    return f"{match.group(2)}-{MONTHS.index(match.group(1).upper()) + 1:02d}"


def resolve_columns(header: list[str], *, file_name: str) -> dict[str, str]:
    """Map each used column to its name in this file's header (first matching field wins).

    Raises:
        SourceError: a required column, or both LSOA columns, are missing.
    """
    names = [h.strip().lstrip("\ufeff") for h in header]
    found = {key: next((n for n in names if rule.fullmatch(n.lower())), None) for key, rule in ALIASES.items()}
    missing = [key for key in REQUIRED if found[key] is None]
    if found["lsoa11"] is None and found["lsoa21"] is None:
        missing.append("lsoa21 or lsoa11")
    if missing:
        raise SourceError(SOURCE_ID, file_name, f"missing expected column(s): {', '.join(missing)}")
    return {key: name for key, name in found.items() if name is not None}


def arrow_columns(handle: IO[bytes], *, file_name: str) -> pa.Table:
    """Stream one NSPL CSV, parsing only the used columns (as text, blanks kept as '')."""
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    header = next(csv.reader(text), [])
    text.detach()  # leave the byte stream open for pyarrow
    columns = resolve_columns(header, file_name=file_name)
    handle.seek(0)
    reader = pa_csv.open_csv(
        handle,
        read_options=pa_csv.ReadOptions(block_size=BATCH_BYTES),
        convert_options=pa_csv.ConvertOptions(
            include_columns=list(columns.values()),
            column_types=dict.fromkeys(columns.values(), pa.string()),
            strings_can_be_null=False,
        ),
    )
    table = reader.read_all()
    return table.rename_columns([next(k for k, v in columns.items() if v == name) for name in table.column_names])


def tidy_sql(table: str, *, has: set[str], vintage: str) -> str:
    """SELECT mapping one Arrow table of NSPL columns to the `postcodes` table."""
    lsoa11 = "nspl_code(lsoa11)" if "lsoa11" in has else "NULL::VARCHAR"
    lsoa21 = "nspl_code(lsoa21)" if "lsoa21" in has else "NULL::VARCHAR"
    return f"""SELECT normalise_postcode(pcds) AS postcode, replace(normalise_postcode(pcds), ' ', '') AS pcd_compact,
        {lsoa11} AS lsoa11_code, {lsoa21} AS lsoa21_code, nspl_code(laua) AS lad_code,
        nspl_code(ctry) AS country_code, trim(doterm) <> '' AS terminated, '{vintage}' AS nspl_vintage
        FROM {table} WHERE normalise_postcode(pcds) IS NOT NULL"""  # noqa: S608 - names and vintage from code


def tidy_tables(tables: list[tuple[pa.Table, str]]) -> pd.DataFrame:
    """The `postcodes` frame (Arrow-backed) from (columns, vintage) pairs; the first row of a postcode wins."""
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false;" + NORMALISE_SQL + CODE_SQL)
        selects = []
        for number, (table, vintage) in enumerate(tables):
            con.register(f"nspl_{number}", table)
            tidy = tidy_sql(f"nspl_{number}", has=set(table.column_names), vintage=vintage)
            selects.append(f"SELECT {number} AS part, * FROM ({tidy})")  # noqa: S608 - built from code
        result = con.sql(
            f"""SELECT * EXCLUDE (part) FROM ({" UNION ALL ".join(selects)})
                QUALIFY row_number() OVER (PARTITION BY postcode ORDER BY part) = 1 ORDER BY postcode"""  # noqa: S608
        ).to_arrow_table()
    finally:
        con.close()
    return result.to_pandas(types_mapper=pd.ArrowDtype)


def read_partial(paths: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    """Read per-postcode-area CSVs (e.g. the mirror's NSPL_NOV_2021_UK_DT.csv ...) into one `postcodes` frame."""
    tables = []
    for path in paths.values():
        with path.open("rb") as handle:
            tables.append((arrow_columns(handle, file_name=path.name), release_of(path.name)))
    return {"postcodes": tidy_tables(tables)}


@contextmanager
def national_csv(path: Path) -> Iterator[tuple[IO[bytes], str]]:
    """Open the national CSV inside an NSPL zip (Data/NSPL_<MON>_<YEAR>_UK.csv) without extracting it.

    Raises:
        SourceError: the file is not a zip, or holds no national NSPL CSV.
    """
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise SourceError(SOURCE_ID, path.name, f"not a zip file ({error})") from error
    with archive:
        members = [n for n in archive.namelist() if MEMBER.fullmatch(n) and "multi_csv" not in n.lower()]
        if not members:
            raise SourceError(SOURCE_ID, path.name, "no Data/NSPL_<MON>_<YEAR>_UK.csv inside the zip")
        member = min(members, key=len)
        with archive.open(member) as handle:
            yield handle, member


def read_full_zip(paths: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    """Read the national CSV inside the official NSPL zip, streaming only the used columns."""
    with national_csv(paths["nspl_zip"]) as (handle, member):
        table = arrow_columns(handle, file_name=member)
    return {"postcodes": tidy_tables([(table, release_of(member))])}


# LSOA 2021 where the LSOA 2011 maps to exactly one LSOA 2021 (splits stay NULL: a postcode
# cannot be placed in one half without its own LSOA 2021 field); LAD 2024 via the ONS successor table.
DERIVE_SQL = """
UPDATE postcodes p SET lsoa21_code = m.lsoa21_code
FROM (SELECT lsoa11_code, any_value(lsoa21_code) AS lsoa21_code FROM lsoa11_lsoa21
      GROUP BY lsoa11_code HAVING count(DISTINCT lsoa21_code) = 1) m
WHERE p.lsoa11_code = m.lsoa11_code AND p.lsoa21_code IS NULL;
UPDATE postcodes p SET lad24_code = a.lad_code
FROM areas a WHERE a.level = 'lsoa21' AND a.code = p.lsoa21_code AND p.lad24_code IS NULL;
UPDATE postcodes p SET lad24_code = s.lad24_code
FROM (SELECT lad_code, any_value(lad24_code) AS lad24_code FROM lad_successor
      GROUP BY lad_code HAVING count(DISTINCT lad24_code) = 1) s
WHERE p.lad_code = s.lad_code AND p.lad24_code IS NULL;
UPDATE postcodes p SET lad24_code = p.lad_code
WHERE p.lad24_code IS NULL AND p.lad_code IN (SELECT code FROM areas WHERE level = 'lad24');
"""

SOURCES = (
    Source(
        source_id=SOURCE_ID,
        title="National Statistics Postcode Lookup (NSPL), United Kingdom",
        publisher="Office for National Statistics",
        licence=(
            "OGL v3.0. Contains OS data © Crown copyright and database right; Contains Royal Mail data © Royal Mail "
            "copyright and database right; Source: Office for National Statistics licensed under the OGL v3.0"
        ),
        vintage="release named in the file (NSPL_<MON>_<YEAR>_UK.csv; postcodes.nspl_vintage)",
        landing_url=LANDING,
        distributions=(
            Distribution(
                name="nspl_full_zip",
                files=(
                    RemoteFile(
                        key="nspl_zip",
                        url=OFFICIAL_ZIP,
                        mirror_path="postcodes_nspl/NSPL_UK.zip",
                        discover=arcgis_latest_release(RELEASE_QUERY, title=RELEASE_TITLE),
                    ),
                ),
                reader=read_full_zip,
                official=True,
            ),
            Distribution(
                name="mirror_partial_10_areas",
                files=tuple(
                    RemoteFile(
                        key=f"nspl_{area.lower()}",
                        url=OFFICIAL_ZIP,
                        mirror_path=f"postcodes_nspl_nov2021_partial/NSPL_NOV_2021_UK_{area}.csv",
                    )
                    for area in AREAS
                ),
                reader=read_partial,
                official=True,
            ),
        ),
        required=False,
        derive_sql=DERIVE_SQL,
        notes=(
            "Online: the national CSV of the current release. The mirror holds November 2021 for 10 postcode areas "
            "only (DT HG HR HX LD SM SR TF WC WN): partial, for joins and tests."
        ),
    ),
)
