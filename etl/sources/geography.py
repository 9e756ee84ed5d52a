"""ONS Open Geography Portal lookups: areas at every level, LAD successors, LSOA 2011→2021 and rural-urban.

Parents carry the vintage of the level they describe: LSOA 2021 rows use the 2024 best-fit
ward/LAD, April 2023 upper tier (LAD codes did not change 2023→2024) and April 2024 sub-ICB/ICB;
LSOA 2011 rows use LAD 2019 (the LADs of IoD2019 and WIMD 2019). Wales is its own `region` row,
coded with the country code W92000004, so regional totals cover England and Wales.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from etl.source import Distribution, Frames, RemoteFile, Source, SourceError, require_columns
from etl.sources._ons import ESRI_JSON_QUERY, arcgis_file, read_table
from etl.sources.population import ROLLUP_SQL

PUBLISHER = "Office for National Statistics (Open Geography Portal)"
LICENCE = "Open Government Licence v3.0; contains OS data © Crown copyright and database right"
LANDING = "https://geoportal.statistics.gov.uk/"
ARCGIS = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"
QUERY = "FeatureServer/0/query?outFields=*&where=1%3D1&f=geojson"
ENGLAND, WALES = "E92000001", "W92000004"
COUNTRY_NAMES = {ENGLAND: "England", WALES: "Wales"}
AREA_COLUMNS = [
    "code",
    "name",
    "level",
    "ward_code",
    "lad_code",
    "utla_code",
    "sicbl_code",
    "icb_code",
    "region_code",
    "country_code",
]


def geography_file(key: str, name: str, url: str) -> RemoteFile:
    """A lookup file as re-packaged (columns renamed, values unchanged) in the mirror's geography folder."""
    return RemoteFile(key=key, url=url, mirror_path=f"geography/{name}")


def read_lookup(paths: Mapping[str, Path], key: str, columns: list[str], *, source_id: str) -> pd.DataFrame:
    """Read one lookup as text (mirror CSV, or the official ArcGIS JSON / xlsx), checking the columns used.

    Raises:
        SourceError: a named column is missing, or an official file is not a feature collection.
    """
    frame = read_table(paths[key], source_id=source_id)
    require_columns(frame, columns, source_id=source_id, file_name=paths[key].name)
    return frame[columns].drop_duplicates()


def country_of(codes: pd.Series) -> pd.Series:
    """E… codes are in England, W… codes in Wales."""
    return codes.str[0].map({"E": ENGLAND, "W": WALES})


def region_or_wales(codes: pd.Series, regions: Mapping[str, str]) -> pd.Series:
    """English region of each LAD code; Welsh codes get the Wales 'region' W92000004."""
    return codes.map(regions).where(~codes.str.startswith("W"), WALES)


def area_frame(rows: pd.DataFrame, *, level: str) -> pd.DataFrame:
    """Rows in the areas layout: missing parent columns are NULL."""
    frame = rows.assign(level=level).reindex(columns=AREA_COLUMNS)
    return frame.astype(object).where(frame.notna(), None)


def unique_parent(frame: pd.DataFrame, child: str, parent: str, *, source_id: str, file_name: str) -> pd.Series:
    """child → parent as a Series, raising if a child has two parents.

    Raises:
        SourceError: the lookup is not a hierarchy.
    """
    pairs = frame[[child, parent]].drop_duplicates()
    clashes = pairs[pairs[child].duplicated()][child]
    if len(clashes):
        raise SourceError(source_id, file_name, f"{child} with more than one {parent}, e.g. {clashes.iloc[0]}")
    return pairs.set_index(child)[parent]


def region_and_country_areas(regions: pd.DataFrame) -> pd.DataFrame:
    """The 9 English regions, Wales as a region, and the two countries."""
    english = regions.rename(columns={"region24_code": "code", "region24_name": "name"}).assign(country_code=ENGLAND)
    wales = pd.DataFrame({"code": [WALES], "name": ["Wales"], "country_code": [WALES]})
    countries = pd.DataFrame({"code": list(COUNTRY_NAMES), "name": list(COUNTRY_NAMES.values())})
    countries["country_code"] = countries["code"]
    return pd.concat(
        [area_frame(pd.concat([english, wales]), level="region"), area_frame(countries, level="country")],
        ignore_index=True,
    )


GEO2024_ID = "ons_geography_2024"
LSOA21_COLUMNS = ["lsoa21_code", "lsoa21_name", "ward24_code", "ward24_name", "ltla24_code", "ltla24_name"]
ICB24_COLUMNS = ["lsoa21_code", "sicbl24_code", "sicbl24_name", "icb24_code", "icb24_name"]


def upper_tier_of(lads: pd.Series, utla: pd.DataFrame, *, file_name: str) -> pd.Series:
    """UTLA of each LAD 2024 via the April 2023 lookup (LAD codes did not change 2023→2024).

    Raises:
        SourceError: a LAD 2024 code is absent from the 2023 lookup (a later boundary change).
    """
    utla_of = unique_parent(utla, "ltla23_code", "utla23_code", source_id=GEO2024_ID, file_name=file_name)
    missing = sorted(set(lads) - set(utla_of.index))
    if missing:
        raise SourceError(GEO2024_ID, file_name, f"LAD 2024 codes without an upper tier: {', '.join(missing[:5])}")
    return lads.map(utla_of)


def lsoa21_areas(lsoa: pd.DataFrame, icb: pd.DataFrame) -> pd.DataFrame:
    """LSOA 2021 rows with ward, LAD, upper tier, sub-ICB, ICB, region and country (already on `lsoa`)."""
    rows = lsoa.merge(icb[["lsoa21_code", "sicbl24_code", "icb24_code"]], on="lsoa21_code", how="left")
    rows = rows.rename(
        columns={
            "lsoa21_code": "code",
            "lsoa21_name": "name",
            "ward24_code": "ward_code",
            "ltla24_code": "lad_code",
            "sicbl24_code": "sicbl_code",
            "icb24_code": "icb_code",
        }
    )
    return area_frame(rows, level="lsoa21")


def nhs_areas(icb: pd.DataFrame, *, file_name: str) -> pd.DataFrame:
    """Sub-ICB locations (with their ICB) and ICBs, April 2024, England."""
    icb_of = unique_parent(icb, "sicbl24_code", "icb24_code", source_id=GEO2024_ID, file_name=file_name)
    sicbl = icb[["sicbl24_code", "sicbl24_name"]].drop_duplicates("sicbl24_code")
    sicbl = sicbl.rename(columns={"sicbl24_code": "code", "sicbl24_name": "name"})
    sicbl["icb_code"] = sicbl["code"].map(icb_of)
    icbs = icb[["icb24_code", "icb24_name"]].drop_duplicates("icb24_code")
    icbs = icbs.rename(columns={"icb24_code": "code", "icb24_name": "name"})
    return pd.concat(
        [
            area_frame(sicbl.assign(country_code=ENGLAND), level="sicbl24"),
            area_frame(icbs.assign(country_code=ENGLAND), level="icb24"),
        ]
    )


def council_areas(lsoa: pd.DataFrame, utla: pd.DataFrame) -> pd.DataFrame:
    """Wards 2024, LADs 2024 and upper-tier LAs (codes of April 2023 = 2024), with their parents."""
    wards = lsoa.drop_duplicates("ward24_code").rename(
        columns={"ward24_code": "code", "ward24_name": "name", "ltla24_code": "lad_code"}
    )
    lads = lsoa.drop_duplicates("ltla24_code").rename(columns={"ltla24_code": "code", "ltla24_name": "name"})
    utlas = lads.drop_duplicates("utla_code")[["utla_code", "region_code", "country_code"]].rename(
        columns={"utla_code": "code"}
    )
    utlas["name"] = utlas["code"].map(utla.drop_duplicates("utla23_code").set_index("utla23_code")["utla23_name"])
    return pd.concat(
        [
            area_frame(wards, level="ward24"),
            area_frame(lads, level="lad24"),
            area_frame(utlas, level="utla24"),
        ]
    )


def read_geography_2024(paths: Mapping[str, Path]) -> Frames:
    """Areas at the 2024 levels (LSOA21, ward, LAD, UTLA, sub-ICB, ICB, region, country) and LAD24 identity."""
    lsoa = read_lookup(paths, "lsoa21_ward24_lad24", LSOA21_COLUMNS, source_id=GEO2024_ID)
    icb = read_lookup(paths, "lsoa21_icb24", ICB24_COLUMNS, source_id=GEO2024_ID)
    regions = read_lookup(
        paths, "lad24_region24", ["ltla24_code", "region24_code", "region24_name"], source_id=GEO2024_ID
    )
    utla = read_lookup(paths, "ltla23_utla23", ["ltla23_code", "utla23_code", "utla23_name"], source_id=GEO2024_ID)
    region_file = paths["lad24_region24"].name
    region_of = unique_parent(regions, "ltla24_code", "region24_code", source_id=GEO2024_ID, file_name=region_file)
    lsoa["utla_code"] = upper_tier_of(lsoa["ltla24_code"], utla, file_name=paths["ltla23_utla23"].name)
    lsoa["region_code"] = region_or_wales(lsoa["ltla24_code"], region_of)
    lsoa["country_code"] = country_of(lsoa["ltla24_code"])
    areas = pd.concat(
        [
            lsoa21_areas(lsoa, icb),
            council_areas(lsoa, utla),
            nhs_areas(icb, file_name=paths["lsoa21_icb24"].name),
            region_and_country_areas(regions[["region24_code", "region24_name"]].drop_duplicates()),
        ],
        ignore_index=True,
    )
    lads = sorted(lsoa["ltla24_code"].unique())
    successor = pd.DataFrame({"lad_code": lads, "lad_vintage": "2024", "lad24_code": lads})
    return {"areas": areas, "lad_successor": successor}


HISTORIC_ID = "ons_geography_2019_2021"


def historic_lads(paths: Mapping[str, Path], year: str) -> pd.DataFrame:
    """LAD 2019 or 2021 rows (E&W) with the upper tier and English region of the same year."""
    lad, utla, region = f"ltla{year}_code", f"utla{year}_code", f"region{year}_code"
    tiers = read_lookup(paths, f"lad{year}_utla{year}", [lad, f"ltla{year}_name", utla], source_id=HISTORIC_ID)
    regions = read_lookup(paths, f"lad{year}_region{year}", [lad, region], source_id=HISTORIC_ID)
    region_of = unique_parent(
        regions, lad, region, source_id=HISTORIC_ID, file_name=paths[f"lad{year}_region{year}"].name
    )
    rows = tiers.rename(columns={lad: "code", f"ltla{year}_name": "name", utla: "utla_code"})
    rows["region_code"] = region_or_wales(rows["code"], region_of)
    rows["country_code"] = country_of(rows["code"])
    return area_frame(rows, level=f"lad{year}")


def lsoa11_areas(lsoa: pd.DataFrame, lad19: pd.DataFrame) -> pd.DataFrame:
    """LSOA 2011 rows (E&W) with their LAD 2019, region and country."""
    rows = lsoa.rename(columns={"lsoa11_code": "code", "lsoa11_name": "name", "ltla19_code": "lad_code"})
    rows["region_code"] = rows["lad_code"].map(lad19.set_index("code")["region_code"])
    rows["country_code"] = country_of(rows["code"])
    return area_frame(rows, level="lsoa11")


def successors_2021(lad21: pd.Series, changes: pd.DataFrame, *, file_name: str) -> pd.DataFrame:
    """LAD 2021 → LAD 2024 through the LAD 2022 → 2023 lookup (2021 = 2022 codes; 2023 = 2024 codes).

    Raises:
        SourceError: a LAD 2021 code is not in the 2022 → 2023 lookup.
    """
    later = unique_parent(changes, "ltla22_code", "ltla23_code", source_id=HISTORIC_ID, file_name=file_name)
    missing = sorted(set(lad21) - set(later.index))
    if missing:
        raise SourceError(HISTORIC_ID, file_name, f"LAD 2021 codes absent: {', '.join(missing[:5])}")
    return pd.DataFrame({"lad_code": lad21.values, "lad_vintage": "2021", "lad24_code": lad21.map(later).values})


def successors_2019(lsoa19: pd.DataFrame, lsoa21: pd.DataFrame, to24: pd.DataFrame) -> pd.DataFrame:
    """LAD 2019 → LAD 2024: the LAD 2021 holding most of the district's LSOAs, then on to 2024.

    Districts were merged whole (Buckinghamshire 2020, Northamptonshire 2021), so the majority
    rule only smooths out the odd LSOA that the two best-fit lookups place differently.
    """
    pairs = lsoa19.merge(lsoa21, on="lsoa11_code").groupby(["ltla19_code", "ltla21_code"]).size()
    best = pairs.reset_index(name="lsoas").sort_values("lsoas", ascending=False).drop_duplicates("ltla19_code")
    lad24_of = to24.set_index("lad_code")["lad24_code"]
    return pd.DataFrame(
        {
            "lad_code": best["ltla19_code"].values,
            "lad_vintage": "2019",
            "lad24_code": best["ltla21_code"].map(lad24_of).values,
        }
    ).sort_values("lad_code", ignore_index=True)


def read_geography_historic(paths: Mapping[str, Path]) -> Frames:
    """Areas for LSOA 2011, LAD 2019 and LAD 2021, and their LAD 2024 successors."""
    lsoa19 = read_lookup(paths, "lsoa11_lad19", ["lsoa11_code", "lsoa11_name", "ltla19_code"], source_id=HISTORIC_ID)
    lsoa21 = read_lookup(paths, "lsoa11_lad21", ["lsoa11_code", "ltla21_code"], source_id=HISTORIC_ID)
    changes = read_lookup(paths, "lad22_lad23", ["ltla22_code", "ltla23_code"], source_id=HISTORIC_ID)
    lad19, lad21 = historic_lads(paths, "19"), historic_lads(paths, "21")
    to24 = successors_2021(lad21["code"], changes, file_name=paths["lad22_lad23"].name)
    successor = pd.concat([successors_2019(lsoa19, lsoa21, to24), to24], ignore_index=True)
    areas = pd.concat([lsoa11_areas(lsoa19, lad19), lad19, lad21], ignore_index=True)
    return {"areas": areas, "lad_successor": successor}


def read_lsoa11_lsoa21(paths: Mapping[str, Path]) -> Frames:
    """The ONS LSOA 2011 → 2021 lookup with its change indicator (U, S, M, X) and LAD 2022."""
    columns = ["lsoa11_code", "lsoa21_code", "change_code", "ltla22_code"]
    frame = read_lookup(paths, "lsoa11_lsoa21", columns, source_id="ons_lsoa11_lsoa21")
    return {"lsoa11_lsoa21": frame.rename(columns={"change_code": "change_indicator", "ltla22_code": "lad22_code"})}


def read_rural_urban(paths: Mapping[str, Path]) -> Frames:
    """The 2021 Rural-Urban Classification of each LSOA 2021."""
    columns = ["lsoa21_code", "ruc21_code", "classification", "ruc"]
    return {"rural_urban": read_lookup(paths, "ruc21_lsoa21", columns, source_id="ons_ruc2021_lsoa21")}


GEOGRAPHY_2024 = Source(
    source_id=GEO2024_ID,
    title="LSOA 2021 to Electoral Ward 2024 to LAD 2024 best-fit lookup; LSOA 2021 to SICBL/ICB (April 2024); "
    "LAD 2024 to region; LTLA 2023 to UTLA 2023",
    publisher=PUBLISHER,
    licence=LICENCE,
    vintage="2024 (UTLA April 2023)",
    landing_url="https://geoportal.statistics.gov.uk/datasets/ons::lsoa-2021-to-electoral-ward-2024-to-lad-2024-best-fit-lookup-in-ew/about",
    distributions=(
        Distribution(
            name="official_arcgis_geojson",
            reader=read_geography_2024,
            files=(
                arcgis_file("lsoa21_ward24_lad24", "LSOA21_WD24_LAD24_EW_LU"),
                arcgis_file("lsoa21_icb24", "LSOA21_SICBL24_ICB24_CAL24_LAD24_EN_LU"),
                arcgis_file("lad24_region24", "LAD24_RGN24_EN_LU"),
                arcgis_file("ltla23_utla23", "LTLA23_UTLA23_EW_LU"),
            ),
        ),
        Distribution(
            name="mirror_derived_csv",
            official=False,
            reader=read_geography_2024,
            files=(
                geography_file(
                    "lsoa21_ward24_lad24",
                    "lookup_lsoa21_ward24_ltla24.csv",
                    f"{ARCGIS}/LSOA21_WD24_LAD24_EW_LU/{QUERY}",
                ),
                geography_file(
                    "lsoa21_icb24",
                    "lookup_lsoa21_icb24.csv",
                    f"{ARCGIS}/LSOA21_SICBL24_ICB24_CAL24_LAD24_EN_LU/{QUERY}",
                ),
                geography_file("lad24_region24", "lookup_ltla24_region24.csv", f"{ARCGIS}/LAD24_RGN24_EN_LU/{QUERY}"),
                geography_file("ltla23_utla23", "lookup_ltla23_utla23.csv", f"{ARCGIS}/LTLA23_UTLA23_EW_LU/{QUERY}"),
            ),
        ),
    ),
    notes="Mirror: columns renamed by humaniverse/geographr from the ONS layers (codes and names unchanged). "
    "Online: the ONS layers themselves, fetched page by page.",
)

LEGACY_QUERY = "FeatureServer/0/query?where=1%3D1&outFields=*&outSR=4326&f=json"
LSOA11_LAD21_URL = "https://www.arcgis.com/sharing/rest/content/items/81bcefcd048e43acb948ad069c5e06c0/data"
# FeatureServer layers (fields LAD19CD/RGN19CD, LAD21CD/RGN21CD); the hub's `opendata.arcgis.com/datasets/<id>_0.geojson`
# whole-layer links these replace are reported to answer 403 (docs/sources.md has the evidence for every name).
LAD19_RGN19 = "LAD19_RGN19_EN_LU_948748b0eaa54fe888a604b126f5e672"
LAD21_RGN21 = "LAD21_RGN21_EN_LU"
LAD22_LAD23 = "LAD22_LAD23_UK_LU_v1"
LSOA11_LSOA21_SERVICE = "LSOA11_LSOA21_LAD22_EW_LU_v5"
GEOGRAPHY_HISTORIC = Source(
    source_id=HISTORIC_ID,
    title="LSOA 2011 to LAD 2019 and LAD 2021 lookups; LAD to region and upper tier (2019, 2021); LAD 2022 to LAD 2023",
    publisher=PUBLISHER,
    licence=LICENCE,
    vintage="2019, 2021 (successors via 2022→2023)",
    landing_url=LANDING,
    distributions=(
        Distribution(
            name="official_arcgis",
            reader=read_geography_historic,
            files=(
                arcgis_file("lsoa11_lad19", "LSOA11_WD19_LAD19_EW_LU", query=ESRI_JSON_QUERY),
                # An xlsx item (LSOA11NM, LSOA11CD, LAD21NM, LAD21CD as geographr's data-raw script reads it).
                RemoteFile(key="lsoa11_lad21", url=LSOA11_LAD21_URL, name="LSOA11_LAD21_EW_LU.xlsx"),
                arcgis_file("lad19_region19", LAD19_RGN19),
                arcgis_file("lad19_utla19", "LTLA19_UTLA19_EW_LU", query=ESRI_JSON_QUERY),
                arcgis_file("lad21_region21", LAD21_RGN21, query=ESRI_JSON_QUERY),
                arcgis_file("lad21_utla21", "LTLA21_UTLA21_EW_LU", query=ESRI_JSON_QUERY),
                # Fields LAD22CD, LAD23CD (as public code reads the v1 layer).
                arcgis_file("lad22_lad23", LAD22_LAD23),
            ),
        ),
        Distribution(
            name="mirror_derived_csv",
            official=False,
            reader=read_geography_historic,
            files=(
                geography_file(
                    "lsoa11_lad19", "lookup_lsoa11_ltla19.csv", f"{ARCGIS}/LSOA11_WD19_LAD19_EW_LU/{LEGACY_QUERY}"
                ),
                geography_file("lsoa11_lad21", "lookup_lsoa11_ltla21.csv", LSOA11_LAD21_URL),
                geography_file("lad19_region19", "lookup_ltla19_region19.csv", f"{ARCGIS}/{LAD19_RGN19}/{QUERY}"),
                geography_file(
                    "lad19_utla19", "lookup_ltla19_utla19.csv", f"{ARCGIS}/LTLA19_UTLA19_EW_LU/{LEGACY_QUERY}"
                ),
                geography_file(
                    "lad21_region21", "lookup_ltla21_region21.csv", f"{ARCGIS}/{LAD21_RGN21}/{LEGACY_QUERY}"
                ),
                geography_file(
                    "lad21_utla21", "lookup_ltla21_utla21.csv", f"{ARCGIS}/LTLA21_UTLA21_EW_LU/{LEGACY_QUERY}"
                ),
                geography_file("lad22_lad23", "lookup_ltla22_ltla23.csv", f"{ARCGIS}/{LAD22_LAD23}/{QUERY}"),
            ),
        ),
    ),
    notes="Mirror: columns renamed by humaniverse/geographr from the ONS layers (codes and names unchanged). "
    "Online: the ONS layers themselves, fetched page by page.",
    # Population roll-ups need areas + lad_successor; geography derives run before all others.
    derive_sql=ROLLUP_SQL,
)

LSOA11_LSOA21 = Source(
    source_id="ons_lsoa11_lsoa21",
    title="LSOA (2011) to LSOA (2021) to Local Authority District (2022) Lookup for England and Wales",
    publisher=PUBLISHER,
    licence=LICENCE,
    vintage="2022",
    landing_url=LANDING,
    distributions=(
        Distribution(
            name="official_arcgis_json",
            reader=read_lsoa11_lsoa21,
            # v5: LSOA11CD, LSOA21CD, CHGIND, LAD22CD (earlier versions named the first F_LSOA11CD).
            files=(arcgis_file("lsoa11_lsoa21", LSOA11_LSOA21_SERVICE, query=ESRI_JSON_QUERY),),
        ),
        Distribution(
            name="mirror_derived_csv",
            official=False,
            reader=read_lsoa11_lsoa21,
            files=(
                geography_file(
                    "lsoa11_lsoa21",
                    "lookup_lsoa11_lsoa21_ltla22.csv",
                    f"{ARCGIS}/{LSOA11_LSOA21_SERVICE}/{LEGACY_QUERY}",
                ),
            ),
        ),
    ),
)

RURAL_URBAN = Source(
    source_id="ons_ruc2021_lsoa21",
    title="2021 Rural Urban Classification of Lower layer Super Output Areas in England and Wales",
    publisher=PUBLISHER,
    licence=LICENCE,
    vintage="2021",
    landing_url=LANDING,
    distributions=(
        Distribution(
            name="official_arcgis_geojson",
            reader=read_rural_urban,
            # LSOA21CD, RUC21CD, RUC21NM, Urban_rural_flag (as geographr's data-raw script reads the layer).
            files=(arcgis_file("ruc21_lsoa21", "LSOA21_RUC21_EW_LU"),),
        ),
        Distribution(
            name="mirror_derived_csv",
            official=False,
            reader=read_rural_urban,
            files=(geography_file("ruc21_lsoa21", "ruc21_lsoa21.csv", f"{ARCGIS}/LSOA21_RUC21_EW_LU/{QUERY}"),),
        ),
    ),
)

SOURCES: tuple[Source, ...] = (GEOGRAPHY_2024, GEOGRAPHY_HISTORIC, LSOA11_LSOA21, RURAL_URBAN)
