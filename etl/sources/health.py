"""Health: ONS Health Index for England by LTLA 2021 (2015-2021) and, online only, OHID Fingertips indicators.

Measures at LAD 2024 for the latest year: `health_index_overall` and `life_expectancy`. An index score cannot
be summed, so a 2024 district formed by merging 2021 districts (Cumberland, Westmorland and Furness, North
Yorkshire, Somerset) has no value rather than an invented average.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from etl.capacity_sql import drop_temp_sql, lad24_map_sql
from etl.fetch.discover import ons_dataset_file
from etl.source import Distribution, RemoteFile, Source, SourceError, require_columns
from etl.sources._ons import official_sheet

SOURCE_ID = "ons_health_index"
FINGERTIPS_ID = "ohid_fingertips"
VINTAGE = "2015-2021"
MIRROR_DIR = "health_ons_health_index/derived_humaniverse_healthyr"
ONS = "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/healthandsocialcare/healthandwellbeing/datasets"
SCORES_URL = f"{ONS}/healthindexscoresengland/current/healthindexscoresengland.xlsx"
UNDERLYING_URL = f"{ONS}/healthindexunderlyingdataengland/current/healthindexunderlyingdataenglandcanscreenfix.xlsx"
# The file name under /current/ changes between editions: the build asks the dataset page for the current one
# (etl.fetch.discover.ons_dataset_file) and falls back to the last known names above.
ONS_SITE = "https://www.ons.gov.uk"
DATASETS = f"{ONS_SITE}/peoplepopulationandcommunity/healthandsocialcare/healthandwellbeing/datasets"
SCORES_PAGE = f"{DATASETS}/healthindexscoresengland"
UNDERLYING_PAGE = f"{DATASETS}/healthindexunderlyingdataengland"
# Districts and UAs (child area type 502, the current lower-tier type) under England (parent type 15).
FINGERTIPS_URL = (
    "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids=90366,90362"
    "&child_area_type_id=502&parent_area_type_id=15"
)
SCORE_COLUMNS = {
    "ltla21_code": "ltla21_code",
    "year": "year",
    "overall_score": "overall_score",
    "healthy_people_domain_score": "healthy_people_score",
    "healthy_lives_domain_score": "healthy_lives_score",
    "healthy_places_domain_score": "healthy_places_score",
}
FINGERTIPS_COLUMNS = {
    "Indicator ID": "indicator_id",
    "Indicator Name": "indicator",
    "Area Code": "area_code",
    "Area Type": "area_type",
    "Sex": "sex",
    "Age": "age",
    "Time period": "time_period",
    "Value": "value",
}


def read_mirror(paths: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    """Read the tidy index scores and the long indicator table (humaniverse/healthyr re-packaging)."""
    scores = pd.read_csv(paths["scores"], dtype={"ltla21_code": str})
    require_columns(scores, list(SCORE_COLUMNS), source_id=SOURCE_ID, file_name=paths["scores"].name)
    scores = scores[list(SCORE_COLUMNS)].rename(columns=SCORE_COLUMNS)
    scores.attrs["file_key"] = "scores"
    indicators = pd.read_csv(paths["indicators"], dtype={"ltla21_code": str, "indicator": str})
    expected = ["ltla21_code", "year", "indicator", "value"]
    require_columns(indicators, expected, source_id=SOURCE_ID, file_name=paths["indicators"].name)
    indicators = indicators[expected]
    indicators.attrs["file_key"] = "indicators"
    return {"health_index_lad": scores, "health_indicators_lad": indicators}


# The official workbooks as the humaniverse/healthyr data-raw scripts read the 2021 edition: scores in
# "Table_2_Index_scores" (header on row 3: Area Code, Area Name, Area Type [Note 3], 2015…2021), domains in
# one "Table_<n>_<year>_Index" sheet per year (header on row 5), indicators in "Table_2_Underlying_data"
# (header on row 4: Area code, Year, Indicator name, Value). Header rows are found by their first label.
YEAR_SHEET = re.compile(r"^Table_\d+_(\d{4})_Index$")
LTLA_PREFIXES = ("E06", "E07", "E08", "E09")
DOMAINS = {
    "Healthy People Domain": "healthy_people_score",
    "Healthy Lives Domain": "healthy_lives_score",
    "Healthy Places Domain": "healthy_places_score",
}


def ltla_rows(frame: pd.DataFrame, *, file_name: str) -> pd.DataFrame:
    """Lower-tier LA rows (Area Type 'LTLA' where the sheet has that column; E06-E09 codes), code as `ltla21_code`.

    Raises:
        SourceError: no 'Area code' column, or no lower-tier rows.
    """
    code = next((c for c in frame.columns if c.lower() == "area code"), None)
    if code is None:
        raise SourceError(SOURCE_ID, file_name, "missing expected column(s): Area code")
    kind = next((c for c in frame.columns if c.lower().startswith("area type")), None)
    rows = frame if kind is None else frame[frame[kind].astype(str).str.strip() == "LTLA"]
    rows = rows[rows[code].astype(str).str.startswith(LTLA_PREFIXES)].rename(columns={code: "ltla21_code"})
    if rows.empty:
        raise SourceError(SOURCE_ID, file_name, "no lower-tier local authority rows (Area Type 'LTLA')")
    return rows


def official_domains(path: Path) -> pd.DataFrame:
    """Domain scores of every year sheet ('Table_<n>_<year>_Index').

    Raises:
        SourceError: no year sheet, or one without the three domain columns.
    """
    years = [
        (m.group(1), name)
        for name in pd.ExcelFile(path, engine="calamine").sheet_names
        if (m := YEAR_SHEET.match(name))
    ]
    if not years:
        raise SourceError(SOURCE_ID, path.name, "no 'Table_<n>_<year>_Index' sheets of domain scores")
    frames = []
    for year, sheet in years:
        frame = ltla_rows(
            official_sheet(path, sheet=sheet, first="Area Code", source_id=SOURCE_ID, file_name=path.name),
            file_name=path.name,
        )
        require_columns(frame, list(DOMAINS), source_id=SOURCE_ID, file_name=f"{path.name} ({sheet})")
        frames.append(frame[["ltla21_code", *DOMAINS]].rename(columns=DOMAINS).assign(year=int(year)))
    return pd.concat(frames, ignore_index=True)


def official_scores(path: Path) -> pd.DataFrame:
    """Overall scores (one column per year) joined to each year's domain scores.

    Raises:
        SourceError: a sheet or column of the published layout is missing.
    """
    sheet = official_sheet(
        path, sheet="Table_2_Index_scores", first="Area Code", source_id=SOURCE_ID, file_name=path.name
    )
    overall = ltla_rows(sheet, file_name=path.name)
    years = [c for c in overall.columns if re.fullmatch(r"\d{4}", c)]
    if not years:
        raise SourceError(SOURCE_ID, path.name, "no year columns in 'Table_2_Index_scores'")
    long = overall.melt(id_vars=["ltla21_code"], value_vars=years, var_name="year", value_name="overall_score")
    long["year"] = long["year"].astype(int)
    scores = long.merge(official_domains(path), on=["ltla21_code", "year"], how="left")
    for column in ["overall_score", *DOMAINS.values()]:
        scores[column] = pd.to_numeric(scores[column], errors="coerce")
    scores = scores[list(SCORE_COLUMNS.values())].drop_duplicates(["ltla21_code", "year"])
    scores.attrs["file_key"] = "scores"
    return scores


def official_indicators(path: Path) -> pd.DataFrame:
    """The long indicator table of 'Table_2_Underlying_data'.

    Raises:
        SourceError: a sheet or column of the published layout is missing.
    """
    sheet = official_sheet(
        path, sheet="Table_2_Underlying_data", first="Area code", source_id=SOURCE_ID, file_name=path.name
    )
    frame = ltla_rows(sheet, file_name=path.name).rename(
        columns={"Year": "year", "Indicator name": "indicator", "Value": "value"}
    )
    expected = ["ltla21_code", "year", "indicator", "value"]
    require_columns(frame, expected, source_id=SOURCE_ID, file_name=path.name)
    frame = frame[expected].assign(
        year=pd.to_numeric(frame["year"], errors="coerce"), value=pd.to_numeric(frame["value"], errors="coerce")
    )
    frame = (
        frame.dropna(subset=["year"]).astype({"year": "int64"}).drop_duplicates(["ltla21_code", "year", "indicator"])
    )
    frame.attrs["file_key"] = "indicators"
    return frame


def read_official(paths: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    """The official scores and underlying-data workbooks, in the layout of the 2021 edition."""
    return {
        "health_index_lad": official_scores(paths["scores"]),
        "health_indicators_lad": official_indicators(paths["indicators"]),
    }


def read_fingertips(paths: Mapping[str, Path]) -> dict[str, pd.DataFrame]:
    """Read the Fingertips `all_data/csv/by_indicator_id` export (one row per indicator x area x period)."""
    path = paths["fingertips_csv"]
    raw = pd.read_csv(io.BytesIO(path.read_bytes()), dtype=str, encoding="utf-8-sig", keep_default_na=False)
    require_columns(raw, list(FINGERTIPS_COLUMNS), source_id=FINGERTIPS_ID, file_name=path.name)
    frame = raw[list(FINGERTIPS_COLUMNS)].rename(columns=FINGERTIPS_COLUMNS)
    frame["indicator_id"] = frame["indicator_id"].astype(int)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    return {"fingertips_values": frame}


# Latest year only; LAD 2021 → 2024 where one 2021 district is the whole 2024 district.
DERIVE_SQL = "\n".join(
    [
        lad24_map_sql(vintage="2021", table="_health_lad24_of"),
        """CREATE OR REPLACE TEMP TABLE _health_map AS
           SELECT old_code, lad24_code FROM _health_lad24_of
           WHERE lad24_code IN (SELECT lad24_code FROM _health_lad24_of GROUP BY 1 HAVING count(DISTINCT old_code) = 1);
        INSERT INTO area_measures (level, area_code, measure, value, source_id, vintage, denominator_vintage)
        SELECT 'lad24', m.lad24_code, 'health_index_overall', h.overall_score, 'ons_health_index', h.year::VARCHAR, NULL
        FROM health_index_lad h JOIN _health_map m ON m.old_code = h.ltla21_code
        WHERE h.year = (SELECT max(year) FROM health_index_lad);
        INSERT INTO area_measures (level, area_code, measure, value, source_id, vintage, denominator_vintage)
        SELECT 'lad24', m.lad24_code, 'life_expectancy', h.value, 'ons_health_index', h.year::VARCHAR, NULL
        FROM health_indicators_lad h JOIN _health_map m ON m.old_code = h.ltla21_code
        WHERE h.indicator = 'Life expectancy'
          AND h.year = (SELECT max(year) FROM health_indicators_lad WHERE indicator = 'Life expectancy');""",
        drop_temp_sql("_health_lad24_of", "_health_map"),
    ]
)

SOURCES = (
    Source(
        source_id=SOURCE_ID,
        title="Health Index for England: scores and underlying indicators by local authority",
        publisher="Office for National Statistics",
        licence="Open Government Licence v3.0",
        vintage=VINTAGE,
        landing_url=SCORES_PAGE,
        distributions=(
            Distribution(
                name="official_xlsx",
                files=(
                    RemoteFile(
                        key="scores",
                        url=SCORES_URL,
                        name="healthindexscoresengland.xlsx",
                        discover=ons_dataset_file(SCORES_PAGE),
                    ),
                    RemoteFile(
                        key="indicators",
                        url=UNDERLYING_URL,
                        name="healthindexunderlyingdataenglandcanscreenfix.xlsx",
                        discover=ons_dataset_file(UNDERLYING_PAGE),
                    ),
                ),
                reader=read_official,
            ),
            Distribution(
                name="mirror_derived_healthyr_csv",
                files=(
                    RemoteFile(key="scores", url=SCORES_URL, mirror_path=f"{MIRROR_DIR}/england_health_index.csv"),
                    RemoteFile(
                        key="indicators",
                        url=UNDERLYING_URL,
                        mirror_path=f"{MIRROR_DIR}/england_health_index_indicators.csv.gz",
                    ),
                ),
                reader=read_mirror,
                official=False,
            ),
        ),
        required=False,
        derive_sql=DERIVE_SQL,
        notes=(
            "Index scores: England 2015 = 100. City of London and Isles of Scilly are not in the index. "
            "Online: the official workbooks, read in the layout of the 2021 edition (a later layout is refused "
            "with the sheet or column it lacks)."
        ),
    ),
    Source(
        source_id=FINGERTIPS_ID,
        title="OHID Fingertips: life expectancy (90366) and healthy life expectancy (90362) at birth by local authority",
        publisher="Office for Health Improvement and Disparities",
        licence="Open Government Licence v3.0",
        vintage="latest published periods",
        landing_url="https://fingertips.phe.org.uk/",
        distributions=(
            Distribution(
                name="official_api_csv",
                files=(RemoteFile(key="fingertips_csv", url=FINGERTIPS_URL, mirror_path="fingertips/le_hle_la.csv"),),
                reader=read_fingertips,
                official=True,
            ),
        ),
        required=False,
        notes="Online only: the offline mirror holds no Fingertips extract.",
    ),
)
