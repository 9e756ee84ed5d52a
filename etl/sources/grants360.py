"""360Giving grants: every publisher's current file online, the mirror's aggregation offline.

Online the build reads the 360Giving Data Registry (`data.json`, every publisher's own file, as 360Giving's
datagetter does to build the Datastore and GrantNav): each openly licensed publisher file (XLSX, CSV, JSON or
ODS) is downloaded and streamed, one at a time, into a flat CSV of the standard columns; DuckDB aggregates them
to funder x year x district x ward x recipient postcode (or recipient charity number where there is no
postcode); a file that fails is skipped and listed in `skipped_files`. Recipients are placed through the NSPL
(postcode) and the Charity Commission register (GB-CHC identifier → registered postcode) after loading.
Offline the build loads the third-party aggregation of a 2018 GrantNav export (54 funders, 2013-2018), which is
not an official 360Giving file, as its own derived distribution.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

from etl.capacity_sql import drop_temp_sql, insert_measure_sql, lad18_values_sql, lad24_map_sql, rollup_sql
from etl.source import Distribution, RemoteFile, Source, SourceError, require_columns
from etl.sources import _grants360_files as files
from etl.sources._grants360_files import FLAT_TITLES, RECIPIENT_ID, STANDARD_CSV
from etl.sources.nspl import NORMALISE_SQL

SOURCE_ID = "grants_360giving"
MIRROR_GZ = "grants_360giving_derived/grants_eng_LAD_ward_donor_year.csv.gz"
REGISTRY_PAGE = "https://www.360giving.org/explore/technical/registry/"
GRANTNAV = "https://grantnav.threesixtygiving.org/"
# Flat file title → query column beyond the standard ones: the recipient's org-id (GB-CHC-… places a grant
# without a postcode at the charity's registered postcode).
EXTRA_TITLES = {RECIPIENT_ID: "recipient_id"}


def read_mirror_aggregation(paths: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    """Read the funder x year x district x ward aggregation (columns as published by its authors)."""
    path = paths["grants_lad_ward"]
    raw = pd.read_csv(path, dtype={"Recipient District Geographic Code": str, "Recipient Ward Geographic Code": str})
    expected = [
        "Funding Org:Name",
        "Award Year",
        "Recipient District Geographic Code",
        "Recipient Ward Geographic Code",
        "Amount Awarded",
        "Identifier",
    ]
    require_columns(raw, expected, source_id=SOURCE_ID, file_name=path.name)
    frame = pd.DataFrame(
        {
            "funder": raw["Funding Org:Name"].str.strip(),
            "award_year": raw["Award Year"].astype(int),
            "lad_code": raw["Recipient District Geographic Code"].str.strip(),
            "ward_code": raw["Recipient Ward Geographic Code"].str.strip(),
            "amount": raw["Amount Awarded"].astype(float),
            "grants": raw["Identifier"].astype(int),
            "source_distribution": "mirror_derived_grantnav_2018_aggregation",
        }
    )
    return {"grants": frame}


def flat_sql(paths: list[Path], header: list[str], *, distribution: str) -> str:
    """Aggregate flat CSV files of 360Giving titles in DuckDB: GBP grants by funder x year x district x ward x postcode
    (x recipient charity number where there is no postcode); district or ward from a published geographic code."""
    present = {**STANDARD_CSV, **EXTRA_TITLES}
    cols = ", ".join(
        f'"{title}" AS {name}' if title in header else f"NULL::VARCHAR AS {name}" for title, name in present.items()
    )
    csv_files = ", ".join(f"'{p.as_posix()}'" for p in paths)
    return f"""
        WITH raw AS (SELECT {cols} FROM read_csv([{csv_files}], header = true, all_varchar = true,
                                                   quote = '"', escape = '"', strict_mode = false)),
        grants AS (
            SELECT trim(funder) AS funder, year(try_cast(left(award_date, 10) AS DATE)) AS award_year,
                   try_cast(amount AS DOUBLE) AS amount,
                   CASE WHEN regexp_full_match(trim(recipient_geo_code), '[EW]0[6-9][0-9]{{6}}')
                        THEN trim(recipient_geo_code) END AS lad_code,
                   CASE WHEN regexp_full_match(trim(recipient_geo_code), '[EW]05[0-9]{{6}}')
                        THEN trim(recipient_geo_code) END AS ward_code,
                   normalise_postcode(recipient_postcode) AS postcode,
                   regexp_extract(upper(trim(recipient_id)), '^GB-CHC-0*([1-9][0-9]{{4,7}})$', 1) AS charity
            FROM raw WHERE coalesce(nullif(trim(currency), ''), 'GBP') = 'GBP')
        SELECT funder, award_year::INTEGER AS award_year, lad_code, ward_code, postcode,
               CASE WHEN postcode IS NULL THEN nullif(charity, '') END AS charity_number,
               sum(amount) AS amount, count(*)::INTEGER AS grants, '{distribution}' AS source_distribution
        FROM grants WHERE funder <> '' AND award_year IS NOT NULL AND amount IS NOT NULL
        GROUP BY ALL ORDER BY ALL"""  # noqa: S608 - paths and titles from code, a file's header only selects


def aggregate(paths: list[Path], header: list[str], *, distribution: str) -> pd.DataFrame:
    """The `grants` rows of flat CSV files sharing one header of 360Giving titles (see flat_sql)."""
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false;" + NORMALISE_SQL)
        table = con.sql(flat_sql(paths, header, distribution=distribution)).to_arrow_table()
    finally:
        con.close()
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def read_registry(paths: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    """Read every publisher file the registry listed (keys: their URLs) into `grants`, one file at a time.

    A file that is not 360Giving data in a known format, or a dataset whose licence is not open, goes into
    `skipped_files` with its reason; the others load.

    Raises:
        SourceError: no publisher file could be read.
    """
    skipped = [(url, Path(url.split("?")[0]).name or url, why) for url, why in files.not_open(paths["registry"])]
    with tempfile.TemporaryDirectory(prefix="vcs_360giving_") as folder:
        flat = []
        for number, (url, path) in enumerate((k, p) for k, p in paths.items() if k != "registry"):
            out = Path(folder) / f"{number:05d}.csv"
            try:
                count = files.write_flat(path, out)
            except Exception as error:  # noqa: BLE001 - one publisher's file must never stop the others
                skipped.append((url, path.name, f"not read as 360Giving data ({type(error).__name__}: {error})"))
                continue
            flat += [out] if count else []
        if not flat:
            raise SourceError(SOURCE_ID, paths["registry"].name, "no publisher's file could be read")
        grants = aggregate(flat, FLAT_TITLES, distribution="360giving_registry")
    frame = pd.DataFrame(skipped, columns=["url", "file_name", "reason"]).assign(source_id=SOURCE_ID)
    return {"grants": grants, "skipped_files": frame}


# Grants without a recipient postcode but with a registered charity as recipient: its registered postcode.
CHARITY_POSTCODE_SQL = """UPDATE grants g SET postcode = c.postcode_normalised FROM charities c
WHERE g.postcode IS NULL AND c.charity_number = try_cast(g.charity_number AS BIGINT)
  AND c.postcode_normalised IS NOT NULL;"""
# Grants placed by recipient postcode: LSOA 2021 and, where the export had no district, LAD 2024 via the NSPL.
POSTCODE_SQL = """UPDATE grants g SET lsoa21_code = p.lsoa21_code, lad24_code = coalesce(g.lad24_code, p.lad24_code)
FROM postcodes p WHERE p.postcode = g.postcode;"""
# The numerator's award years, and a population of the same era covering England and Wales
# (mid-2019 for 2013-2018 — mid-2015 is England only — else Census 2021).
YEARS_SQL = "(SELECT min(award_year) || '-' || max(award_year) FROM grants)"
POPULATION_SQL = "(SELECT CASE WHEN max(award_year) <= 2018 THEN 'mid-2019' ELSE 'census-2021' END FROM grants)"
PER_RESIDENT_SQL = f"""INSERT INTO area_measures (level, area_code, measure, value, source_id, vintage, denominator_vintage)
SELECT r.level, r.area_code, 'grants_amount_per_resident', r.amount / p.population, '{SOURCE_ID}', {YEARS_SQL},
       p.vintage
FROM _rolled r LEFT JOIN population p ON p.level = r.level AND p.area_code = r.area_code
    AND p.vintage = {POPULATION_SQL} AND p.age_group = 'all' WHERE r.area_code IS NOT NULL;"""  # noqa: S608

DERIVE_SQL = "\n".join(
    [
        lad24_map_sql(vintage="2019"),
        f"""UPDATE grants g SET lad24_code = m.lad24_code
            FROM (SELECT coalesce(o.lad19_code, g2.lad_code) AS lad_code, g2.lad_code AS original FROM
                  (SELECT DISTINCT lad_code FROM grants) g2
                  LEFT JOIN (VALUES {lad18_values_sql()}) o(old_code, lad19_code) ON o.old_code = g2.lad_code) c
            JOIN _lad24_of m ON m.old_code = c.lad_code
            WHERE g.lad_code = c.original;""",  # noqa: S608
        CHARITY_POSTCODE_SQL,
        POSTCODE_SQL,
        """CREATE OR REPLACE TEMP TABLE _grants_lad24 AS
           SELECT lad24_code AS code, sum(amount) AS amount, sum(grants)::DOUBLE AS grants
           FROM grants WHERE lad24_code IS NOT NULL GROUP BY 1;""",
        rollup_sql("_grants_lad24", columns=["amount", "grants"]),
        insert_measure_sql(
            "grants_count", expression="r.grants", source_id=SOURCE_ID, vintage="", vintage_sql=YEARS_SQL
        ),
        PER_RESIDENT_SQL,
        drop_temp_sql("_lad24_of", "_grants_lad24", "_rolled"),
    ]
)

SOURCES = (
    Source(
        source_id=SOURCE_ID,
        title="360Giving grants by funder, award year and recipient district/ward",
        publisher="Funders publishing to the 360Giving Data Standard (360Giving Data Registry); offline: aggregated "
        "by the yanoak/360giving-deprivation authors",
        licence="Each funder's open licence as listed in the 360Giving Data Registry (mostly CC BY 4.0 / OGL v3.0)",
        vintage="award years in the data (online: every publisher's current file; offline: 2013-2018)",
        landing_url=REGISTRY_PAGE,
        distributions=(
            Distribution(
                name="360giving_registry",
                files=(
                    RemoteFile(
                        key="registry",
                        url=files.REGISTRY_URL,
                        name="360giving_registry.json",
                        expand=files.listed_files,
                    ),
                ),
                reader=read_registry,
                official=True,
            ),
            Distribution(
                name="mirror_derived_grantnav_2018_aggregation",
                files=(RemoteFile(key="grants_lad_ward", url=GRANTNAV, mirror_path=MIRROR_GZ),),
                reader=read_mirror_aggregation,
                official=False,
            ),
        ),
        required=False,
        derive_sql=DERIVE_SQL,
        notes=(
            "Online: every openly licensed file in the 360Giving Data Registry, located by the recipient postcode "
            "(NSPL), else a registered charity's postcode, else a published district/ward code; files that fail are "
            "listed in skipped_files. Offline: not an official 360Giving file; 54 funders, 2013-2018, located at "
            "the recipient's registered address."
        ),
    ),
)
