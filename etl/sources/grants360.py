"""360Giving grants: a reader for standard 360Giving files and the mirror's funder x year x district aggregation.

`read_360giving` parses any file in the 360Giving data standard (CSV with the standard column titles, or the
JSON package `{"grants": [...]}`) into one row per grant; it has no app dependencies so upload pages can use it.
The build loads the third-party aggregation of a 2018 GrantNav export (54 funders, 2013-2018), which is not an
official 360Giving file, as its own derived distribution.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from etl.capacity_sql import drop_temp_sql, insert_measure_sql, lad18_values_sql, lad24_map_sql, rollup_sql
from etl.source import Distribution, RemoteFile, Source, SourceError, require_columns
from etl.sources.nspl import normalise_postcode

SOURCE_ID = "grants_360giving"
VINTAGE = "2013-2018"
# The estimate nearest the middle of 2013-2018 that covers England and Wales (mid-2015 is England only).
POPULATION_VINTAGE = "mid-2019"
MIRROR_GZ = "grants_360giving_derived/grants_eng_LAD_ward_donor_year.csv.gz"
GRANTNAV = "https://grantnav.threesixtygiving.org/"
# Standard CSV column titles → record columns.
STANDARD_CSV = {
    "Identifier": "identifier",
    "Amount Awarded": "amount",
    "Currency": "currency",
    "Award Date": "award_date",
    "Funding Org:Name": "funder",
    "Recipient Org:Name": "recipient_name",
    "Recipient Org:Postal Code": "recipient_postcode",
    "Recipient Org:Location:0:Geographic Code": "recipient_geo_code",
}
REQUIRED = ["Identifier", "Amount Awarded", "Award Date", "Funding Org:Name"]
RECORD_COLUMNS = [*STANDARD_CSV.values(), "award_year"]
LAD_CODE = re.compile(r"^[EW]0[6-9]\d{6}$")
WARD_CODE = re.compile(r"^[EW]05\d{6}$")


def first(items: object, key: str) -> object:
    """items[0][key] for a 360Giving JSON list-of-objects field, else None."""
    return items[0].get(key) if isinstance(items, list) and items and isinstance(items[0], dict) else None


def json_grant(grant: dict) -> dict:
    """One JSON grant object → the flat standard CSV titles."""
    recipient = (grant.get("recipientOrganization") or [{}])[0]
    return {
        "Identifier": grant.get("id"),
        "Amount Awarded": grant.get("amountAwarded"),
        "Currency": grant.get("currency"),
        "Award Date": grant.get("awardDate"),
        "Funding Org:Name": first(grant.get("fundingOrganization"), "name"),
        "Recipient Org:Name": recipient.get("name"),
        "Recipient Org:Postal Code": recipient.get("postalCode"),
        "Recipient Org:Location:0:Geographic Code": first(recipient.get("location"), "geoCode"),
    }


def read_360giving(path: Path) -> pd.DataFrame:
    """Read a 360Giving standard file (CSV or JSON) into one row per grant.

    Args:
        path: a .csv or .json file in the 360Giving data standard.

    Returns:
        Columns identifier, amount, currency, award_date (date), funder, recipient_name, recipient_postcode
        (normalised; None if not a postcode), recipient_geo_code, award_year.

    Raises:
        SourceError: a required standard column is missing or the file is not a 360Giving package.
    """
    if path.suffix.lower() == ".json":
        package = json.loads(path.read_text(encoding="utf-8-sig"))
        if not isinstance(package, dict) or not isinstance(package.get("grants"), list):
            raise SourceError(SOURCE_ID, path.name, 'not a 360Giving JSON package (no "grants" list)')
        raw = pd.DataFrame([json_grant(g) for g in package["grants"]], columns=list(STANDARD_CSV))
    else:
        raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    require_columns(raw, REQUIRED, source_id=SOURCE_ID, file_name=path.name)
    frame = raw.reindex(columns=list(STANDARD_CSV)).rename(columns=STANDARD_CSV)
    frame["amount"] = pd.to_numeric(frame["amount"], errors="coerce")
    frame["award_date"] = pd.to_datetime(frame["award_date"].astype(str).str[:10], errors="coerce").dt.date
    frame["award_year"] = pd.to_datetime(frame["award_date"]).dt.year.astype("Int64")
    frame["recipient_postcode"] = frame["recipient_postcode"].map(normalise_postcode)
    frame["recipient_geo_code"] = frame["recipient_geo_code"].replace("", None)
    return frame[RECORD_COLUMNS]


def grants_table(records: pd.DataFrame, *, distribution: str) -> pd.DataFrame:
    """Aggregate grant records to the `grants` table: funder x year x district (x ward) by recipient geo code.

    Args:
        records: output of read_360giving (records without a LAD/ward code are kept with lad_code NULL).
        distribution: value for source_distribution.

    Returns:
        Frame funder, award_year, lad_code, ward_code, amount, grants, source_distribution.
    """
    code = records["recipient_geo_code"].fillna("")
    frame = records.assign(
        lad_code=code.where(code.str.match(LAD_CODE), None), ward_code=code.where(code.str.match(WARD_CODE), None)
    )
    grouped = frame.groupby(["funder", "award_year", "lad_code", "ward_code"], dropna=False)
    table = grouped.agg(amount=("amount", "sum"), grants=("identifier", "count")).reset_index()
    table["source_distribution"] = distribution
    return table


def read_mirror_aggregation(paths: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    """Read the funder x year x district x ward aggregation (columns as published by its authors)."""
    path = paths["grants_lad_ward"]
    raw = pd.read_csv(path, dtype={"Recipient District Geographic Code": str, "Recipient Ward Geographic Code": str})
    expected = ["Funding Org:Name", "Award Year", "Recipient District Geographic Code",
                "Recipient Ward Geographic Code", "Amount Awarded", "Identifier"]  # fmt: skip
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


DERIVE_SQL = "\n".join(
    [
        lad24_map_sql(vintage="2019"),
        f"""UPDATE grants g SET lad24_code = m.lad24_code
            FROM (SELECT coalesce(o.lad19_code, g2.lad_code) AS lad_code, g2.lad_code AS original FROM
                  (SELECT DISTINCT lad_code FROM grants) g2
                  LEFT JOIN (VALUES {lad18_values_sql()}) o(old_code, lad19_code) ON o.old_code = g2.lad_code) c
            JOIN _lad24_of m ON m.old_code = c.lad_code
            WHERE g.lad_code = c.original;""",  # noqa: S608
        """CREATE OR REPLACE TEMP TABLE _grants_lad24 AS
           SELECT lad24_code AS code, sum(amount) AS amount, sum(grants)::DOUBLE AS grants
           FROM grants WHERE lad24_code IS NOT NULL GROUP BY 1;""",
        rollup_sql("_grants_lad24", columns=["amount", "grants"]),
        insert_measure_sql("grants_count", expression="r.grants", source_id=SOURCE_ID, vintage=VINTAGE),
        insert_measure_sql(
            "grants_amount_per_resident",
            expression="r.amount / p.population",
            source_id=SOURCE_ID,
            vintage=VINTAGE,
            population_vintage=POPULATION_VINTAGE,
        ),
        drop_temp_sql("_lad24_of", "_grants_lad24", "_rolled"),
    ]
)

SOURCES = (
    Source(
        source_id=SOURCE_ID,
        title="360Giving grants by funder, award year and recipient district/ward (GrantNav export, 2013-2018)",
        publisher="360Giving GrantNav (funders' open data); aggregated by the yanoak/360giving-deprivation authors",
        licence="Each funder's open licence via 360Giving GrantNav (mostly CC BY 4.0 / OGL v3.0); demonstration data",
        vintage=VINTAGE,
        landing_url=GRANTNAV,
        distributions=(
            Distribution(
                name="mirror_derived_grantnav_2018_aggregation",
                files=(RemoteFile(key="grants_lad_ward", url=GRANTNAV, mirror_path=MIRROR_GZ),),
                reader=read_mirror_aggregation,
                official=False,
            ),
        ),
        required=False,
        derive_sql=DERIVE_SQL,
        notes="Not an official 360Giving file: 54 funders, 2013-2018, located at the recipient's registered address.",
    ),
)
