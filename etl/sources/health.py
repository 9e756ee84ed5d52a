"""Health: ONS Health Index for England by LTLA 2021 (2015-2021) and, online only, OHID Fingertips indicators.

Measures at LAD 2024 for the latest year: `health_index_overall` and `life_expectancy`. An index score cannot
be summed, so a 2024 district formed by merging 2021 districts (Cumberland, Westmorland and Furness, North
Yorkshire, Somerset) has no value rather than an invented average.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from etl.capacity_sql import drop_temp_sql, lad24_map_sql
from etl.source import Distribution, RemoteFile, Source, require_columns

SOURCE_ID = "ons_health_index"
FINGERTIPS_ID = "ohid_fingertips"
VINTAGE = "2015-2021"
MIRROR_DIR = "health_ons_health_index/derived_humaniverse_healthyr"
ONS = "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/healthandsocialcare/healthandwellbeing/datasets"
SCORES_URL = f"{ONS}/healthindexscoresengland/current/healthindexscoresengland.xlsx"
UNDERLYING_URL = f"{ONS}/healthindexunderlyingdataengland/current/healthindexunderlyingdataenglandcanscreenfix.xlsx"
FINGERTIPS_URL = (
    "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids=90366,90362&area_type_id=101"
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
        landing_url="https://www.ons.gov.uk/peoplepopulationandcommunity/healthandsocialcare/healthandwellbeing/datasets/healthindexscoresengland",
        distributions=(
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
            "The official workbooks (scores and underlying data) change layout between editions and are not parsed."
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
