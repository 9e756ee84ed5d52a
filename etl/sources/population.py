"""Population denominators, each row labelled with its vintage, and their roll-ups to current areas.

Loaded as published: IoD2019 File 6 (mid-2015, LSOA 2011, England), ONS small-area estimates
(mid-2019, LSOA 2011, E&W), ONS mid-year estimates (mid-2020, LAD 2021) and Census 2021 (LAD 2021,
rounded to the nearest 100 as published). IoD2025 File 6 (mid-2022, LSOA 2021) is optional: it is
only obtainable online. Roll-ups to lad19 / lad24 / utla24 / region / country are ROLLUP_SQL,
run as the derive_sql of the geography source (see there).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from etl.source import Distribution, Frames, Reader, RemoteFile, Source, SourceError, require_columns
from etl.sources import _iod_common as iod
from etl.sources._ons import official_sheet

ONS = "Office for National Statistics"
MHCLG = "Ministry of Housing, Communities and Local Government"
OGL = "Open Government Licence v3.0"
DEMOGRAPHR = "population/derived_humaniverse_demographr"
# Age bands kept from single-year-of-age files (inclusive; 90 means the published "90+" column).
AGES = [str(age) for age in range(90)] + ["90+"]
AGE_GROUPS = {"0-15": (0, 15), "16-59": (16, 59), "60+": (60, 90), "16-64": (16, 64), "65+": (65, 90)}
POPULATION_COLUMNS = ["area_code", "level", "vintage", "age_group", "population", "source_id"]


def tidy(
    wide: pd.DataFrame, *, code: str, groups: Mapping[str, str], level: str, vintage: str, source_id: str
) -> pd.DataFrame:
    """Wide (one column per age group) to population rows; groups maps column → age_group label."""
    long = wide.melt(id_vars=[code], value_vars=list(groups), var_name="column", value_name="value")
    long["age_group"] = long["column"].map(groups)
    long = long.rename(columns={code: "area_code", "value": "population"}).assign(
        level=level, vintage=vintage, source_id=source_id
    )
    return long[POPULATION_COLUMNS]


def age_bands(single_years: pd.DataFrame) -> pd.DataFrame:
    """Sum single-year-of-age columns '0'…'89', '90+' into the AGE_GROUPS bands."""
    return pd.DataFrame(
        {label: single_years[AGES[low : high + 1]].sum(axis=1) for label, (low, high) in AGE_GROUPS.items()}
    )


def check_bands(frame: pd.DataFrame, *, total: str, source_id: str, file_name: str) -> None:
    """Single years must add up to the published total in every row.

    Raises:
        SourceError: a row's ages do not sum to its total.
    """
    ages = frame[AGES].sum(axis=1)
    wrong = frame.index[ages != frame[total]]
    if len(wrong):
        raise SourceError(source_id, file_name, f"{len(wrong)} rows whose single years do not sum to {total}")


def read_single_year_file(path: Path, *, code: str, level: str, vintage: str, source_id: str) -> pd.DataFrame:
    """A demographr single-year-of-age file (code, total_population, '0'…'89', '90+') as population rows."""
    frame = pd.read_csv(path, dtype={code: str})
    return single_year_rows(frame, code=code, level=level, vintage=vintage, source_id=source_id, file_name=path.name)


def single_year_rows(
    frame: pd.DataFrame, *, code: str, level: str, vintage: str, source_id: str, file_name: str
) -> pd.DataFrame:
    """Single-year-of-age columns (code, total_population, '0'…'89', '90+') checked and banded into rows.

    Raises:
        SourceError: a column is missing or a row's ages do not sum to its total.
    """
    require_columns(frame, [code, "total_population", *AGES], source_id=source_id, file_name=file_name)
    check_bands(frame, total="total_population", source_id=source_id, file_name=file_name)
    wide = pd.concat([frame[[code, "total_population"]], age_bands(frame)], axis=1)
    groups = {"total_population": "all"} | {label: label for label in AGE_GROUPS}
    return tidy(wide, code=code, groups=groups, level=level, vintage=vintage, source_id=source_id)


IOD2019_ID = "iod2019_population"
FILE6_2019_GROUPS = {
    "Total population: mid 2015 (excluding prisoners)": "all",
    "Dependent Children aged 0-15: mid 2015 (excluding prisoners)": "0-15",
    "Population aged 16-59: mid 2015 (excluding prisoners)": "16-59",
    "Older population aged 60 and over: mid 2015 (excluding prisoners)": "60+",
    "Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners)": "18-59/64",
}


def read_iod2019_file6(paths: Mapping[str, Path]) -> Frames:
    """IoD2019 File 6: mid-2015 population denominators by LSOA 2011 (England, prisoners excluded)."""
    path = paths["file6"]
    frame = pd.read_csv(path, encoding="utf-8-sig", thousands=",", dtype={"LSOA code (2011)": str})
    require_columns(frame, ["LSOA code (2011)", *FILE6_2019_GROUPS], source_id=IOD2019_ID, file_name=path.name)
    rows = tidy(
        frame,
        code="LSOA code (2011)",
        groups=FILE6_2019_GROUPS,
        level="lsoa11",
        vintage="mid-2015",
        source_id=IOD2019_ID,
    )
    return {"population": rows}


def read_iod2019_file6_xlsx(paths: Mapping[str, Path]) -> Frames:
    """The official IoD2019 File 6 workbook (same columns as its CSV export)."""
    code, total = "LSOA code (2011)", next(iter(FILE6_2019_GROUPS))
    frame = denominators_sheet(paths["file6"], code=code, total=total, source_id=IOD2019_ID)
    require_columns(frame, list(FILE6_2019_GROUPS), source_id=IOD2019_ID, file_name=paths["file6"].name)
    rows = tidy(frame, code=code, groups=FILE6_2019_GROUPS, level="lsoa11", vintage="mid-2015", source_id=IOD2019_ID)
    return {"population": rows}


SAPE2019_ID = "ons_sape_mid2019_lsoa11"


def read_sape_mid2019(paths: Mapping[str, Path]) -> Frames:
    """ONS small-area population estimates, mid-2019, LSOA 2011 (E&W), single year of age → bands."""
    rows = read_single_year_file(
        paths["sape"], code="lsoa11_code", level="lsoa11", vintage="mid-2019", source_id=SAPE2019_ID
    )
    return {"population": rows}


MYE2020_ID = "ons_mye_mid2020_lad21"


def read_mye_mid2020(paths: Mapping[str, Path]) -> Frames:
    """ONS mid-2020 population estimates on LAD 2021 geography (E&W), single year of age → bands."""
    rows = read_single_year_file(
        paths["mye"], code="ltla21_code", level="lad21", vintage="mid-2020", source_id=MYE2020_ID
    )
    return {"population": rows}


CENSUS2021_ID = "ons_census2021_lad21"


def read_census2021(paths: Mapping[str, Path]) -> Frames:
    """Census 2021 first results: usual residents by LAD 2021 (E&W), rounded to the nearest 100."""
    path = paths["census"]
    frame = pd.read_csv(path, dtype={"ltla21_code": str})
    require_columns(frame, ["ltla21_code", "population"], source_id=CENSUS2021_ID, file_name=path.name)
    rows = tidy(
        frame,
        code="ltla21_code",
        groups={"population": "all"},
        level="lad21",
        vintage="census-2021",
        source_id=CENSUS2021_ID,
    )
    return {"population": rows}


IOD2025_ID = "iod2025_population"
IOD2025_CODE = "LSOA code (2021)"
FILE6_2025_GROUPS = {
    "Total population: mid 2022": "all",
    "Dependent Children aged 0-15: mid 2022": "0-15",
    "Population aged 16-59: mid 2022": "16-59",
    "Older population aged 60 and over: mid 2022": "60+",
    "Working age population 18-66 (for use with Employment Deprivation Domain): mid 2022": "18-66",
}


def denominators_sheet(path: Path, *, code: str, total: str, source_id: str) -> pd.DataFrame:
    """The sheet of an IoD File 6 workbook whose header carries the LSOA code column.

    Raises:
        SourceError: no sheet has the LSOA code and total population columns.
    """
    for frame in pd.read_excel(path, sheet_name=None, dtype={code: str}, engine="calamine").values():
        if code in frame.columns:
            require_columns(frame, [code, total], source_id=source_id, file_name=path.name)
            return frame
    raise SourceError(source_id, path.name, f"no sheet with a '{code}' column")


def read_iod2025_file6(paths: Mapping[str, Path]) -> Frames:
    """IoD2025 File 6: mid-2022 population denominators by LSOA 2021 (England, prisoners excluded)."""
    frame = denominators_sheet(
        paths["file6"], code=IOD2025_CODE, total="Total population: mid 2022", source_id=IOD2025_ID
    )
    groups = {column: label for column, label in FILE6_2025_GROUPS.items() if column in frame.columns}
    rows = tidy(frame, code=IOD2025_CODE, groups=groups, level="lsoa21", vintage="mid-2022", source_id=IOD2025_ID)
    return {"population": rows}


# Roll-ups, run after every source has loaded (areas and lad_successor come from geography.py).
# Attached to a geography source, whose derive_sql runs before every other module's, so the IMD and
# capacity derives can already weight and divide by lad24/utla24/region/country populations.
# LSOA 2011 → LAD 2019 (ONS LSOA11→LAD19 lookup); LSOA 2021 → best-fit LAD 2024; LAD 2019/2021 →
# LAD 2024 via lad_successor (merged districts sum); LAD 2024 → upper tier, region, country.
ROLLUP_SQL = """
INSERT INTO population
SELECT a.lad_code, 'lad19', p.vintage, p.age_group, sum(p.population), p.source_id
FROM population p JOIN areas a ON a.level = 'lsoa11' AND a.code = p.area_code
WHERE p.level = 'lsoa11' GROUP BY ALL;

INSERT INTO population
SELECT a.lad_code, 'lad24', p.vintage, p.age_group, sum(p.population), p.source_id
FROM population p JOIN areas a ON a.level = 'lsoa21' AND a.code = p.area_code
WHERE p.level = 'lsoa21' GROUP BY ALL;

INSERT INTO population
SELECT s.lad24_code, 'lad24', p.vintage, p.age_group, sum(p.population), p.source_id
FROM population p
JOIN lad_successor s ON s.lad_code = p.area_code
    AND s.lad_vintage = CASE p.level WHEN 'lad19' THEN '2019' WHEN 'lad21' THEN '2021' END
WHERE p.level IN ('lad19', 'lad21') GROUP BY ALL;

INSERT INTO population
WITH parents AS (
    SELECT code, utla_code AS parent_code, 'utla24' AS parent_level FROM areas WHERE level = 'lad24'
    UNION ALL SELECT code, region_code, 'region' FROM areas WHERE level = 'lad24'
    UNION ALL SELECT code, country_code, 'country' FROM areas WHERE level = 'lad24'
)
SELECT r.parent_code, r.parent_level, p.vintage, p.age_group, sum(p.population), p.source_id
FROM population p JOIN parents r ON r.code = p.area_code
WHERE p.level = 'lad24' AND r.parent_code IS NOT NULL GROUP BY ALL;
"""


# Official ONS workbooks. Sheet names and header labels are those the humaniverse/demographr data-raw
# scripts read (SAPE22DT2 "Mid-2019 Persons" after 4 title rows; MYE2 "MYE2 - Persons" after 7; Census
# P01 after 6); the header row is found by its first label rather than by a fixed count of title rows.
LAD_PREFIXES = ("E06", "E07", "E08", "E09", "W06")


def numeric(frame: pd.DataFrame, columns: list[str], *, source_id: str, file_name: str) -> pd.DataFrame:
    """The named columns as integers.

    Raises:
        SourceError: a value is not a whole number.
    """
    values = frame[columns].apply(pd.to_numeric, errors="coerce")
    if values.isna().any().any() or not (values % 1 == 0).all().all():
        raise SourceError(source_id, file_name, "non-numeric or fractional population counts")
    return frame.assign(**{c: values[c].astype("int64") for c in columns})


def read_sape_mid2019_official(paths: Mapping[str, Path]) -> Frames:
    """The official SAPE22DT2 zip: sheet 'Mid-2019 Persons' (LSOA Code, All Ages, 0…89, 90+), LSOA 2011."""
    path = paths["sape"]
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.namelist() if m.lower().endswith(".xlsx")]
        if not members:
            raise SourceError(SAPE2019_ID, path.name, "no .xlsx workbook in the zip")
        book = io.BytesIO(archive.read(members[0]))
    frame = official_sheet(
        book, sheet="Mid-2019 Persons", first="LSOA Code", source_id=SAPE2019_ID, file_name=path.name
    )
    frame = frame.rename(columns={"LSOA Code": "lsoa11_code", "All Ages": "total_population"})
    require_columns(frame, ["lsoa11_code", "total_population", *AGES], source_id=SAPE2019_ID, file_name=path.name)
    frame = numeric(frame, ["total_population", *AGES], source_id=SAPE2019_ID, file_name=path.name)
    rows = single_year_rows(
        frame, code="lsoa11_code", level="lsoa11", vintage="mid-2019", source_id=SAPE2019_ID, file_name=path.name
    )
    return {"population": rows}


def read_mye_mid2020_official(paths: Mapping[str, Path]) -> Frames:
    """The official MYE2 workbook on 2021 geography: sheet 'MYE2 - Persons', E&W districts only."""
    path = paths["mye"]
    frame = official_sheet(path, sheet="MYE2 - Persons", first="Code", source_id=MYE2020_ID, file_name=path.name)
    frame = frame.rename(columns={"Code": "ltla21_code", "All ages": "total_population"})
    require_columns(frame, ["ltla21_code", "total_population", *AGES], source_id=MYE2020_ID, file_name=path.name)
    frame = frame[frame["ltla21_code"].astype(str).str.startswith(LAD_PREFIXES)]
    frame = numeric(frame, ["total_population", *AGES], source_id=MYE2020_ID, file_name=path.name)
    rows = single_year_rows(
        frame, code="ltla21_code", level="lad21", vintage="mid-2020", source_id=MYE2020_ID, file_name=path.name
    )
    return {"population": rows}


def read_census2021_official(paths: Mapping[str, Path]) -> Frames:
    """The official Census 2021 first-results workbook: sheet P01 'All persons' of E&W districts."""
    path = paths["census"]
    frame = official_sheet(path, sheet="P01", first="Area code", source_id=CENSUS2021_ID, file_name=path.name)
    code = next(c for c in frame.columns if c.startswith("Area code"))
    frame = frame.rename(columns={code: "ltla21_code", "All persons": "population"})
    require_columns(frame, ["ltla21_code", "population"], source_id=CENSUS2021_ID, file_name=path.name)
    frame = frame[frame["ltla21_code"].astype(str).str.startswith(LAD_PREFIXES)]
    frame = numeric(frame, ["population"], source_id=CENSUS2021_ID, file_name=path.name)
    rows = tidy(
        frame,
        code="ltla21_code",
        groups={"population": "all"},
        level="lad21",
        vintage="census-2021",
        source_id=CENSUS2021_ID,
    )
    return {"population": rows}


def demographr_file(key: str, name: str, url: str) -> RemoteFile:
    """An ONS table re-packaged by humaniverse/demographr (columns renamed, values unchanged)."""
    return RemoteFile(key=key, url=url, mirror_path=f"{DEMOGRAPHR}/{name}")


def ons_source(
    source_id: str,
    title: str,
    *,
    vintage: str,
    key: str,
    url: str,
    official: tuple[str, Reader],
    derived: tuple[str, Reader],
) -> Source:
    """An ONS population table: the official file at `url`, or humaniverse/demographr's CSV of it (mirror only).

    Args:
        source_id: the source's id.
        title: its title.
        vintage: the estimates' vintage and geography.
        key: the key both readers use for the file.
        url: the official file (its name is the URL's last part).
        official: (distribution name, reader) of the official file.
        derived: (file name in the demographr mirror folder, reader) of the re-packaging.
    """
    official_name, official_reader = official
    derived_name, derived_reader = derived
    official_file = RemoteFile(key=key, url=url, name=url.rsplit("/", 1)[1])
    distributions = (
        Distribution(name=official_name, reader=official_reader, files=(official_file,)),
        Distribution(
            name="mirror_derived_csv",
            official=False,
            reader=derived_reader,
            files=(demographr_file(key, derived_name, url),),
        ),
    )
    return iod.iod_source(source_id, title, distributions, vintage=vintage, landing_url=ONS_LANDING, publisher=ONS)


ONS_LANDING = "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates"
ONS_FILE = (
    "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/populationestimates/datasets"
)
SAPE_URL = (
    f"{ONS_FILE}/lowersuperoutputareamidyearpopulationestimates/mid2019sape22dt2/"
    "sape22dt2mid2019lsoasyoaestimatesunformatted.zip"
)
MYE_URL = (
    f"{ONS_FILE}/populationestimatesforukenglandandwalesscotlandandnorthernireland/mid2020/"
    "ukpopestimatesmid2020on2021geography.xls"
)
CENSUS_URL = (
    f"{ONS_FILE}/populationandhouseholdestimatesenglandandwalescensus2021/census2021/"
    "census2021firstresultsenglandwales1.xlsx"
)
IOD2019_FILE6_URL = (
    "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/833980/"
    "File_6_-_IoD2019_Population_Denominators.xlsx"
)

SOURCES: tuple[Source, ...] = (
    Source(
        source_id=IOD2025_ID,
        title="English Indices of Deprivation 2025: File 6 population denominators",
        publisher=MHCLG,
        licence=OGL,
        vintage="mid-2022 (LSOA 2021)",
        landing_url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2025",
        required=False,
        distributions=(
            Distribution(
                name="official_xlsx",
                reader=read_iod2025_file6,
                files=(
                    RemoteFile(
                        key="file6",
                        url="https://assets.publishing.service.gov.uk/media/691ded46513046b952c500be/"
                        "File_6_IoD2025_Population_Denominators.xlsx",
                        mirror_path="imd2025/File_6_IoD2025_Population_Denominators.xlsx",
                        sha256="7a5f1c296181220d5fddb53456cb68c45b3b6b20081cc442b6063130cf20c6e5",
                        size=2_137_125,
                    ),
                ),
            ),
        ),
    ),
    Source(
        source_id=IOD2019_ID,
        title="English Indices of Deprivation 2019: File 6 population denominators",
        publisher=MHCLG,
        licence=OGL,
        vintage="mid-2015 (LSOA 2011)",
        landing_url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
        distributions=(
            Distribution(
                name="mirror_derived_csv",
                official=False,
                reader=read_iod2019_file6,
                files=(
                    RemoteFile(
                        key="file6",
                        url=IOD2019_FILE6_URL,
                        mirror_path="imd2019/File_6_-_IoD2019_Population_Denominators.csv.gz",
                        sha256="f4ee47fbe7a8b2ccbc0c8575f92d7972ce99582c11412b1583aebbd3a6099995",
                    ),
                ),
            ),
            Distribution(
                name="official_xlsx",
                reader=read_iod2019_file6_xlsx,
                files=(RemoteFile(key="file6", url=IOD2019_FILE6_URL),),
            ),
        ),
        notes="CSV export of the official workbook (thousands separators as displayed, UTF-8 BOM).",
    ),
    ons_source(
        SAPE2019_ID,
        "Lower layer Super Output Area population estimates, mid-2019 (SAPE22DT2), persons by single year of age",
        vintage="mid-2019 (LSOA 2011)",
        key="sape",
        url=SAPE_URL,
        official=("official_zip_xlsx", read_sape_mid2019_official),
        derived=("population19_lsoa11.csv.gz", read_sape_mid2019),
    ),
    ons_source(
        MYE2020_ID,
        "Population estimates for the UK, mid-2020, on 2021 local authority geography (MYE2 persons)",
        vintage="mid-2020 (LAD 2021)",
        key="mye",
        url=MYE_URL,
        official=("official_xls", read_mye_mid2020_official),
        derived=("population20_ltla21.csv", read_mye_mid2020),
    ),
    ons_source(
        CENSUS2021_ID,
        "Census 2021 first results: usual residents by local authority (P01), England and Wales",
        vintage="census-2021 (LAD 2021, rounded to 100)",
        key="census",
        url=CENSUS_URL,
        official=("official_xlsx", read_census2021_official),
        derived=("population21_ltla21_census2021.csv", read_census2021),
    ),
)
