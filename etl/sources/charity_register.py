"""Charity Commission for England and Wales register (official JSON extract) and its area-of-operation lookup.

The extract is not in the mirror: offline this layer is listed in missing_layers and its measures are absent.
Each zip holds one JSON array (UTF-8 with BOM); DuckDB reads it, pandas only sees the selected columns.
Main charities only (linked_charity_number = 0); removed charities are kept with their status.
Location: registered-office postcode → NSPL (derive step); area of operation → upper-tier council via the
Commission-name lookup (cc-aoo-gss-iso-new.csv), corrected for known errors and validated against ONS names.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

from etl.capacity_sql import drop_temp_sql, insert_measure_sql, rollup_sql
from etl.source import Distribution, RemoteFile, Source, SourceError, require_columns
from etl.sources.nspl import NORMALISE_SQL

SOURCE_ID = "ccew_register"
LOOKUP_ID = "cc_aoo_lookup"
BASE_URL = "https://ccewuksprdoneregsadata1.blob.core.windows.net/data/json/"
TABLES = (
    "charity",
    "charity_area_of_operation",
    "charity_classification",
    "charity_annual_return_parta",
    "charity_annual_return_partb",
    "charity_annual_return_history",
)
POPULATION_VINTAGE = "census-2021"
VINTAGE_SQL = "(SELECT coalesce(strftime(max(extract_date), '%Y-%m-%d'), 'unknown') FROM charities)"
LOCAL_MAX_AUTHORITIES = 5
# Field types read from each JSON table (fields absent from a file read as NULL; others are ignored).
FIELDS: dict[str, dict[str, str]] = {
    "charity": {
        "date_of_extract": "TIMESTAMP",
        "organisation_number": "BIGINT",
        "registered_charity_number": "BIGINT",
        "linked_charity_number": "BIGINT",
        "charity_name": "VARCHAR",
        "charity_registration_status": "VARCHAR",
        "date_of_registration": "TIMESTAMP",
        "date_of_removal": "TIMESTAMP",
        "latest_income": "DOUBLE",
        "latest_expenditure": "DOUBLE",
        "charity_contact_postcode": "VARCHAR",
        "charity_insolvent": "BOOLEAN",
        "charity_in_administration": "BOOLEAN",
    },
    "charity_area_of_operation": {
        "registered_charity_number": "BIGINT",
        "linked_charity_number": "BIGINT",
        "geographic_area_type": "VARCHAR",
        "geographic_area_description": "VARCHAR",
        "welsh_ind": "BOOLEAN",
    },
    "charity_classification": {
        "registered_charity_number": "BIGINT",
        "linked_charity_number": "BIGINT",
        "classification_code": "VARCHAR",
        "classification_type": "VARCHAR",
        "classification_description": "VARCHAR",
    },
    "charity_annual_return_parta": {
        "organisation_number": "BIGINT",
        "registered_charity_number": "BIGINT",
        "latest_fin_period_submitted_ind": "BOOLEAN",
        "fin_period_order_number": "BIGINT",
        "fin_period_end_date": "TIMESTAMP",
        "total_gross_income": "DOUBLE",
        "charity_receives_govt_funding_contracts": "BOOLEAN",
        "charity_receives_govt_funding_grants": "BOOLEAN",
        "income_from_government_contracts": "DOUBLE",
        "income_from_government_grants": "DOUBLE",
    },
    "charity_annual_return_partb": {
        "organisation_number": "BIGINT",
        "registered_charity_number": "BIGINT",
        "latest_fin_period_submitted_ind": "BOOLEAN",
        "fin_period_order_number": "BIGINT",
        "fin_period_end_date": "TIMESTAMP",
        "income_total_income_and_endowments": "DOUBLE",
        "income_charitable_activities": "DOUBLE",
        "expenditure_total": "DOUBLE",
        "count_employees": "DOUBLE",
    },
    "charity_annual_return_history": {
        "organisation_number": "BIGINT",
        "registered_charity_number": "BIGINT",
        "fin_period_end_date": "TIMESTAMP",
        "total_gross_income": "DOUBLE",
        "total_gross_expenditure": "DOUBLE",
    },
}

# NCVO size bands by annual income (£).
INCOME_BAND_SQL = """CASE WHEN latest_income IS NULL THEN 'unknown'
    WHEN latest_income < 10000 THEN 'micro (under £10k)' WHEN latest_income < 100000 THEN 'small (£10k-£100k)'
    WHEN latest_income < 1000000 THEN 'medium (£100k-£1m)' WHEN latest_income < 10000000 THEN 'large (£1m-£10m)'
    WHEN latest_income < 100000000 THEN 'major (£10m-£100m)' ELSE 'super-major (£100m+)' END"""


def extract_json(zip_path: Path, target_dir: Path) -> Path:
    """Stream the single JSON member of an extract zip to target_dir (no whole-file read into memory).

    Raises:
        SourceError: the zip holds no .json member.
    """
    with zipfile.ZipFile(zip_path) as archive:
        members = [n for n in archive.namelist() if n.lower().endswith(".json")]
        if not members:
            raise SourceError(SOURCE_ID, zip_path.name, "no .json file inside the zip")
        target = target_dir / f"{zip_path.stem}.json"
        with archive.open(members[0]) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
    return target


def register_json(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """Expose one extract file as view src_{table}; the UTF-8 BOM is handled by format='array'."""
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in FIELDS[table].items()) + "}"
    con.execute(
        f"CREATE VIEW src_{table} AS SELECT * FROM read_json('{path.as_posix()}', format = 'array', columns = {columns})"  # noqa: S608
    )  # path and columns come from code, not user input


# One SELECT per output table, over the src_* views (main charities only; latest annual-return period).
SELECTS = {
    "charities": f"""
        WITH main AS (
            SELECT * FROM src_charity WHERE linked_charity_number = 0
            QUALIFY row_number() OVER (PARTITION BY registered_charity_number ORDER BY organisation_number) = 1),
        parta AS (
            SELECT * FROM src_charity_annual_return_parta
            QUALIFY row_number() OVER (PARTITION BY registered_charity_number
                ORDER BY latest_fin_period_submitted_ind DESC NULLS LAST, fin_period_order_number NULLS LAST,
                         fin_period_end_date DESC NULLS LAST) = 1)
        SELECT m.registered_charity_number AS charity_number, m.organisation_number, m.charity_name AS name,
               m.charity_registration_status AS status, m.date_of_registration::DATE AS registered_date,
               m.date_of_removal::DATE AS removed_date, m.charity_insolvent AS insolvent,
               m.charity_in_administration AS in_administration, m.charity_contact_postcode AS postcode,
               normalise_postcode(m.charity_contact_postcode) AS postcode_normalised,
               m.latest_income, m.latest_expenditure, {INCOME_BAND_SQL} AS income_band,
               a.charity_receives_govt_funding_contracts AS receives_govt_contracts,
               a.charity_receives_govt_funding_grants AS receives_govt_grants,
               a.income_from_government_contracts AS income_govt_contracts,
               a.income_from_government_grants AS income_govt_grants, a.total_gross_income AS total_income_parta,
               a.fin_period_end_date::DATE AS parta_fin_period_end, m.date_of_extract::DATE AS extract_date
        FROM main m LEFT JOIN parta a USING (registered_charity_number)""",  # noqa: S608
    "charity_area_of_operation": """
        SELECT registered_charity_number AS charity_number, geographic_area_type,
               geographic_area_description AS description, welsh_ind
        FROM src_charity_area_of_operation WHERE linked_charity_number = 0""",
    "charity_classification": """
        SELECT registered_charity_number AS charity_number, classification_code, classification_type,
               classification_description AS description
        FROM src_charity_classification WHERE linked_charity_number = 0""",
    "charity_annual_returns": """
        SELECT registered_charity_number AS charity_number, fin_period_end_date::DATE AS fin_period_end_date,
               total_gross_income, total_gross_expenditure
        FROM src_charity_annual_return_history
        WHERE organisation_number IN (SELECT organisation_number FROM src_charity WHERE linked_charity_number = 0)""",
    "charity_partb": """
        SELECT registered_charity_number AS charity_number, fin_period_end_date::DATE AS fin_period_end_date,
               income_total_income_and_endowments AS income_total, income_charitable_activities,
               expenditure_total, count_employees
        FROM src_charity_annual_return_partb
        QUALIFY row_number() OVER (PARTITION BY registered_charity_number
            ORDER BY latest_fin_period_submitted_ind DESC NULLS LAST, fin_period_order_number NULLS LAST) = 1""",
}
FILE_OF_TABLE = {
    "charities": "charity",
    "charity_area_of_operation": "charity_area_of_operation",
    "charity_classification": "charity_classification",
    "charity_annual_returns": "charity_annual_return_history",
    "charity_partb": "charity_annual_return_partb",
}


def read_register(paths: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    """Read the six extract zips with DuckDB; return the register tables (main charities only).

    Args:
        paths: file key (the extract table name) → local zip path.

    Returns:
        Frames for charities, charity_area_of_operation, charity_classification, charity_annual_returns,
        charity_partb; each tagged with its file key.
    """
    with tempfile.TemporaryDirectory(prefix="ccew-") as tmp:
        con = duckdb.connect()
        try:
            con.execute("SET enable_progress_bar = false;" + NORMALISE_SQL)
            for table in TABLES:
                register_json(con, table, extract_json(paths[table], Path(tmp)))
            frames = {}
            for name, sql in SELECTS.items():
                frame = con.execute(sql).df()
                frame.attrs["file_key"] = FILE_OF_TABLE[name]
                frames[name] = frame
        finally:
            con.close()
    return frames


# Known errors in the community lookup: (type, Commission name, wrong code) → right code.
CORRECTIONS = {
    ("Local Authority", "Hertfordshire", "E06000019"): "E10000015",  # E06000019 is Herefordshire
    ("Local Authority", "Somerset", "E10000027"): "E06000066",  # county became the Somerset unitary in 2023
}
# One Commission name, several successor councils (2023 reorganisation): accepted without a name match.
SPLITS = {("Cumbria", "E06000063"), ("Cumbria", "E06000064")}


def read_aoo_lookup(paths: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    """Read the area-of-operation → GSS lookup, applying CORRECTIONS (recorded in `correction`)."""
    path = paths["aoo_lookup"]
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    require_columns(
        raw, ["geographic_area_type", "geographic_area_description", "GSS"], source_id=LOOKUP_ID, file_name=path.name
    )
    frame = pd.DataFrame(
        {
            "geographic_area_type": raw["geographic_area_type"].str.strip(),
            "description": raw["geographic_area_description"].str.strip(),
            "gss_code": raw["GSS"].str.strip().replace("", None),
        }
    )
    keys = list(zip(frame["geographic_area_type"], frame["description"], frame["gss_code"], strict=True))
    fixed = [CORRECTIONS.get(key) for key in keys]
    frame["correction"] = [
        f"{key[2]} corrected to {new}" if new else None for key, new in zip(keys, fixed, strict=True)
    ]
    frame["gss_code"] = [new or key[2] for key, new in zip(keys, fixed, strict=True)]
    return {"cc_aoo_lookup": frame}


def name_key(name: str) -> str:
    """Comparable form of a council name: 'Bristol, City of' and 'Bristol City' → 'bristol'."""
    words = re.sub(r"[^a-z ]", " ", name.lower().replace("&", " and ")).split()
    return " ".join(w for w in words if w not in {"city", "of", "county", "the", "council", "borough", "and"})


def aoo_mismatches(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Local-authority rows of cc_aoo_lookup whose code is not a current upper-tier council of that name.

    Args:
        con: connection to the database being built.

    Returns:
        One problem per mismatching row (empty when the lookup is consistent or not loaded).
    """
    rows = con.execute(
        """SELECT l.description, l.gss_code, a.name FROM cc_aoo_lookup l
           LEFT JOIN areas a ON a.level = 'utla24' AND a.code = l.gss_code
           WHERE l.geographic_area_type = 'Local Authority'"""
    ).fetchall()
    problems = []
    for description, code, ons_name in rows:
        if (description, code) in SPLITS:
            continue
        mine, theirs = name_key(description), name_key(ons_name or "")
        if not ons_name or not (mine in theirs or theirs in mine):
            problems.append(f"cc_aoo_lookup: '{description}' → {code} is {ons_name or 'not a current upper-tier code'}")
    return problems


LOOKUP_DERIVE_SQL = """
UPDATE cc_aoo_lookup l SET utla24_code = l.gss_code
WHERE l.gss_code IN (SELECT code FROM areas WHERE level = 'utla24');
"""

REACH_SQL = f"""
CREATE OR REPLACE TEMP TABLE _reach AS
SELECT charity_number,
    CASE WHEN bool_or(gss_code IN ('K04000001', 'E92000001', 'W92000004', 'S92000003', 'N92000002')) THEN 'national'
         WHEN bool_or(geographic_area_type = 'Continent' OR (geographic_area_type = 'Country' AND gss_code IS NULL))
              THEN 'overseas'
         WHEN bool_or(geographic_area_type IN ('Region', 'Metropolitan Counties'))
              OR count(DISTINCT description) FILTER (WHERE geographic_area_type = 'Local Authority')
                 > {LOCAL_MAX_AUTHORITIES} THEN 'regional'
         WHEN bool_or(geographic_area_type = 'Local Authority') THEN 'local'
         ELSE 'unknown' END AS reach
FROM charity_area_of_operation GROUP BY charity_number;
UPDATE charities c SET reach = coalesce((SELECT r.reach FROM _reach r WHERE r.charity_number = c.charity_number), 'unknown');
"""  # noqa: S608

GEOCODE_SQL = """
UPDATE charities c SET lsoa11_code = p.lsoa11_code, lsoa21_code = p.lsoa21_code, lad24_code = p.lad24_code
FROM postcodes p WHERE p.postcode = c.postcode_normalised;
INSERT INTO charity_geocode_unmatched
SELECT postcode, count(*) AS charities, reason FROM (
    SELECT coalesce(c.postcode_normalised, nullif(trim(c.postcode), '')) AS postcode,
        CASE WHEN nullif(trim(c.postcode), '') IS NULL THEN 'missing postcode'
             WHEN c.postcode_normalised IS NULL THEN 'not a valid postcode'
             WHEN p.postcode IS NULL THEN 'not in the postcode lookup'
             ELSE 'postcode has no current LAD' END AS reason
    FROM charities c LEFT JOIN postcodes p ON p.postcode = c.postcode_normalised
    WHERE c.lad24_code IS NULL) GROUP BY ALL;
INSERT INTO register_quality
SELECT 'main_charities', count(*), 'main charities in the extract (linked_charity_number = 0), incl. removed'
FROM charities
UNION ALL SELECT 'registered_charities', count(*) FILTER (WHERE status = 'Registered'), 'status Registered'
FROM charities
UNION ALL SELECT 'geocoded_charities', count(lad24_code), 'registered-office postcode matched to a LAD 2024'
FROM charities
UNION ALL SELECT 'geocode_match_rate', count(lad24_code) / nullif(count(*), 0),
    'share of main charities whose postcode matched the postcode lookup to a LAD 2024' FROM charities
UNION ALL SELECT 'aoo_rows_unmapped', count(*) FILTER (WHERE gss_code IS NULL AND geographic_area_type <> 'Country'),
    'area-of-operation rows (other than countries) with no GSS code in the lookup' FROM charity_area_of_operation;
"""

AOO_MAP_SQL = """
CREATE OR REPLACE TEMP TABLE _aoo AS
SELECT a.charity_number, a.geographic_area_type, a.description, a.welsh_ind, l.gss_code, l.utla24_code
FROM charity_area_of_operation a
LEFT JOIN cc_aoo_lookup l ON lower(l.geographic_area_type) = lower(a.geographic_area_type)
    AND lower(l.description) = lower(a.description);
DELETE FROM charity_area_of_operation;
INSERT INTO charity_area_of_operation BY NAME SELECT * FROM _aoo;
"""

MEASURES_SQL = """
CREATE OR REPLACE TEMP TABLE _reg_lad24 AS
SELECT lad24_code AS code, count(*)::DOUBLE AS charities, sum(coalesce(latest_income, 0)) AS income,
    count(*) FILTER (WHERE receives_govt_contracts IS NOT NULL OR receives_govt_grants IS NOT NULL)::DOUBLE AS answered,
    count(*) FILTER (WHERE receives_govt_contracts OR receives_govt_grants)::DOUBLE AS govt_funded,
    sum(coalesce(income_govt_contracts, 0) + coalesce(income_govt_grants, 0)) FILTER (WHERE total_income_parta > 0
        AND (income_govt_contracts IS NOT NULL OR income_govt_grants IS NOT NULL)) AS govt_income,
    sum(total_income_parta) FILTER (WHERE total_income_parta > 0
        AND (income_govt_contracts IS NOT NULL OR income_govt_grants IS NOT NULL)) AS reported_income
FROM charities WHERE status = 'Registered' AND lad24_code IS NOT NULL GROUP BY lad24_code;
"""

AOO_MEASURE_SQL = f"""
CREATE OR REPLACE TEMP TABLE _rolled AS
SELECT 'utla24' AS level, a.utla24_code AS area_code, count(DISTINCT a.charity_number)::DOUBLE AS charities
FROM charity_area_of_operation a JOIN charities c USING (charity_number)
WHERE c.status = 'Registered' AND c.reach = 'local' AND a.utla24_code IS NOT NULL GROUP BY a.utla24_code;
{
    insert_measure_sql(
        "charities_aoo_per_1000",
        expression="1000 * r.charities / p.population",
        source_id=SOURCE_ID,
        vintage="",
        vintage_sql=VINTAGE_SQL,
        population_vintage=POPULATION_VINTAGE,
    )
}
"""  # noqa: S608


def register_measures_sql() -> str:
    """Capacity and dependence measures from the register, at lad24 and above (aoo-based at utla24)."""
    common = {"source_id": SOURCE_ID, "vintage": "", "vintage_sql": VINTAGE_SQL}
    per_person = {**common, "population_vintage": POPULATION_VINTAGE}
    return "\n".join(
        [
            MEASURES_SQL,
            rollup_sql(
                "_reg_lad24",
                columns=["charities", "income", "answered", "govt_funded", "govt_income", "reported_income"],
            ),
            insert_measure_sql("charities_per_1000", expression="1000 * r.charities / p.population", **per_person),
            insert_measure_sql("charity_income_per_resident", expression="r.income / p.population", **per_person),
            insert_measure_sql(
                "share_charities_govt_funded", expression="r.govt_funded / nullif(r.answered, 0)", **common
            ),
            insert_measure_sql(
                "govt_income_share", expression="r.govt_income / nullif(r.reported_income, 0)", **common
            ),
            AOO_MEASURE_SQL,
            drop_temp_sql("_aoo", "_reach", "_reg_lad24", "_rolled"),
        ]
    )


SOURCES = (
    Source(
        source_id=LOOKUP_ID,
        title="Charity Commission area of operation to GSS/ISO code lookup (charity-lookups)",
        publisher="David Kane (drkane/charity-lookups)",
        licence="Open Database License 1.0; contains information from charity-lookups by David Kane, ODbL",
        vintage="2025-07-03",
        landing_url="https://github.com/drkane/charity-lookups",
        distributions=(
            Distribution(
                name="lookup_csv",
                files=(
                    RemoteFile(
                        key="aoo_lookup",
                        url="https://raw.githubusercontent.com/drkane/charity-lookups/master/cc-aoo-gss-iso-new.csv",
                        mirror_path="charity_commission/cc-aoo-gss-iso-new.csv",
                    ),
                ),
                reader=read_aoo_lookup,
                official=True,
            ),
        ),
        derive_sql=LOOKUP_DERIVE_SQL,
        notes="Known errors corrected in code (CORRECTIONS); every local-authority code is checked against ONS names.",
    ),
    Source(
        source_id=SOURCE_ID,
        title="Register of charities: full register download (JSON)",
        publisher="Charity Commission for England and Wales",
        licence="Open Government Licence v3.0",
        vintage="daily extract (date_of_extract)",
        landing_url="https://register-of-charities.charitycommission.gov.uk/register/full-register-download",
        distributions=(
            Distribution(
                name="official_json_zips",
                files=tuple(
                    RemoteFile(
                        key=t,
                        url=f"{BASE_URL}publicextract.{t}.zip",
                        mirror_path=f"charity_commission/register/publicextract.{t}.zip",
                    )
                    for t in TABLES
                ),
                reader=read_register,
                official=True,
            ),
        ),
        required=False,
        derive_sql="\n".join([AOO_MAP_SQL, REACH_SQL, GEOCODE_SQL, register_measures_sql()]),
        notes="Not in the offline mirror: download online. Registered office is not necessarily where a charity works.",
    ),
)
