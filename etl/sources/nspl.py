"""ONS National Statistics Postcode Lookup (NSPL): postcode → LSOA 2011 (→ LSOA 2021) → LAD.

The mirror holds the NSPL November 2021 per-postcode-area CSVs for 10 areas only
(distribution `mirror_partial_10_areas`): ONS bytes, but a partial set. Online the full
national CSV in the ONS zip is read. The `postcodes` table is also used to geocode
uploaded files, so its columns are stable (see docs/schema.md).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from etl.source import Distribution, RemoteFile, Source, SourceError, require_columns

SOURCE_ID = "nspl"
VINTAGE = "2021-11"
AREAS = ("DT", "HG", "HR", "HX", "LD", "SM", "SR", "TF", "WC", "WN")
OFFICIAL_ZIP = "https://www.arcgis.com/sharing/rest/content/items/077631e063eb4e1ab43575d01381ec33/data"
COLUMNS = ["pcds", "doterm", "lsoa11", "laua", "ctry"]
OPTIONAL = ["lsoa21"]  # NSPL editions from 2022 carry LSOA 2021 directly
# ONS pseudo-codes meaning "no value" (e.g. W99999999, E99999999, L99999999).
PSEUDO_CODE = re.compile(r"^[A-Z]99999999$")


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
    if not re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}", compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


# The same rule in SQL, for bulk use inside DuckDB (register extract, uploads).
NORMALISE_SQL = """CREATE OR REPLACE MACRO normalise_postcode(p) AS (
    CASE WHEN regexp_full_match(regexp_replace(upper(coalesce(p, '')), '[^A-Z0-9]', '', 'g'),
                                '[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}')
         THEN left(regexp_replace(upper(p), '[^A-Z0-9]', '', 'g'),
                   length(regexp_replace(upper(p), '[^A-Z0-9]', '', 'g')) - 3)
              || ' ' || right(regexp_replace(upper(p), '[^A-Z0-9]', '', 'g'), 3)
    END);"""


def tidy(raw: pd.DataFrame, *, file_name: str) -> pd.DataFrame:
    """Map NSPL columns to the `postcodes` table (terminated postcodes kept, flagged)."""
    require_columns(raw, COLUMNS, source_id=SOURCE_ID, file_name=file_name)
    postcode = raw["pcds"].map(normalise_postcode)

    def code(column: str) -> pd.Series:
        values = raw[column].fillna("").str.strip()
        return values.where(~values.str.match(PSEUDO_CODE) & (values != ""), None)

    return pd.DataFrame(
        {
            "postcode": postcode,
            "pcd_compact": postcode.str.replace(" ", "", regex=False),
            "lsoa11_code": code("lsoa11"),
            "lsoa21_code": code("lsoa21") if "lsoa21" in raw.columns else None,
            "lad_code": code("laua"),
            "country_code": code("ctry"),
            "terminated": raw["doterm"].fillna("").str.strip() != "",
            "nspl_vintage": VINTAGE,
        }
    ).dropna(subset=["postcode"])


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(
        path, usecols=lambda c: c in COLUMNS + OPTIONAL, dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )


def read_partial(paths: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    """Read the per-postcode-area CSVs; each frame is tagged with its file for provenance."""
    frames = []
    for key, path in paths.items():
        frame = tidy(read_csv(path), file_name=path.name)
        frame.attrs["file_key"] = key
        frames.append(frame)
    combined = pd.concat(frames, ignore_index=True)
    combined.attrs = {}
    return {"postcodes": combined.drop_duplicates(subset=["postcode"])}


def read_full_zip(paths: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    """Read the national CSV inside the official NSPL zip (Data/NSPL_*_UK.csv), in chunks."""
    path = paths["nspl_zip"]
    with zipfile.ZipFile(path) as archive:
        members = [n for n in archive.namelist() if re.fullmatch(r"Data/NSPL\w*_UK\.csv", n)]
        if not members:
            raise SourceError(SOURCE_ID, path.name, "no Data/NSPL_*_UK.csv inside the zip")
        with archive.open(members[0]) as handle:
            chunks = pd.read_csv(
                handle, usecols=lambda c: c in COLUMNS + OPTIONAL, dtype=str, keep_default_na=False, chunksize=500_000
            )
            frames = [tidy(chunk, file_name=members[0]) for chunk in chunks]
    return {"postcodes": pd.concat(frames, ignore_index=True).drop_duplicates(subset=["postcode"])}


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
        title="National Statistics Postcode Lookup (NSPL), November 2021",
        publisher="Office for National Statistics",
        licence=(
            "OGL v3.0. Contains OS data © Crown copyright and database right; Contains Royal Mail data © Royal Mail "
            "copyright and database right; Source: Office for National Statistics licensed under the OGL v3.0"
        ),
        vintage=VINTAGE,
        landing_url="https://geoportal.statistics.gov.uk/search?q=PRD_NSPL",
        distributions=(
            Distribution(
                name="nspl_full_zip",
                files=(RemoteFile(key="nspl_zip", url=OFFICIAL_ZIP, mirror_path="postcodes_nspl/NSPL_UK.zip"),),
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
        notes="The mirror holds 10 postcode areas only (DT HG HR HX LD SM SR TF WC WN): partial, for joins and tests.",
    ),
)
