"""Read-side queries: plain functions over the built database, connection first, keyword-only args after.

Nothing here assumes a measure is present: callers ask the catalog what has values at a level.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from insight import config, nations, robust
from insight.db import query
from insight.maps import classes

LEVEL_UNITS = {"lad24": "districts", "utla24": "upper-tier authorities", "icb24": "ICBs", "lsoa21": "LSOAs"}
LAYER_ORDER = ("need", "capacity", "dependence", "funding", "health")
ENGLAND = "E92000001"
DECILE_COLUMNS = ["imd_decile", "areas", "charities", "population", "charities_per_1000"]
# The measures the capacity_by_need_decile view combines (its population is the per-1,000 measure's denominator).
DECILE_VIEW_MEASURES = ("imd_lad_decile", "ncvo_charities", "ncvo_charities_per_1000")


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """True when a table or view of that name exists in the database."""
    found = query(con, "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = ?", [name])
    return int(found["n"].iloc[0]) > 0


def available_measures(con: duckdb.DuckDBPyConnection, *, level: str, layer: str | None = None) -> pd.DataFrame:
    """Catalog rows of the measures that have at least one non-NULL value at a level.

    Args:
        con: read-only connection.
        level: area level, e.g. 'lad24'.
        layer: restrict to one layer ('need', 'capacity', ...); None for all.

    Returns:
        measure, label, layer, unit, polarity, definition, areas (count with a value), source_id, vintage (every
        vintage of the measure's values at the level); ordered by layer (need first) then label.
        A measure made from two sources (the own-nation measures: IoD for England, WIMD for Wales) lists both
        source ids, joined by ','.
    """
    frame = query(
        con,
        """SELECT c.measure, c.label, c.layer, c.unit, c.polarity, c.definition,
                  count(*) AS areas,
                  min(m.source_id) || CASE WHEN max(m.source_id) > min(m.source_id)
                                           THEN ',' || max(m.source_id) ELSE '' END AS source_id,
                  string_agg(DISTINCT m.vintage, ', ' ORDER BY m.vintage) AS vintage
           FROM measure_catalog c JOIN area_measures m ON m.measure = c.measure
           WHERE m.level = ? AND m.value IS NOT NULL AND (? IS NULL OR c.layer = ?)
           GROUP BY ALL""",
        [level, layer, layer],
    )
    frame["layer_order"] = frame["layer"].map({name: i for i, name in enumerate(LAYER_ORDER)}).fillna(99)
    return frame.sort_values(["layer_order", "label"]).drop(columns="layer_order").reset_index(drop=True)


def measure_catalog(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The whole catalog with the levels at which each measure has values (empty list when not loaded)."""
    return query(
        con,
        """SELECT c.measure, c.label, c.layer, c.unit, c.polarity, c.definition,
                  coalesce(list(DISTINCT m.level ORDER BY m.level) FILTER (WHERE m.value IS NOT NULL), [])
                      AS levels
           FROM measure_catalog c LEFT JOIN area_measures m ON m.measure = c.measure
           GROUP BY ALL ORDER BY c.layer, c.label""",
    )


def missing_layers(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Sources this build looked for and did not find: source_id, title, publisher, url, reason."""
    return query(con, "SELECT * FROM missing_layers ORDER BY title")


def provenance(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The provenance table, one row per loaded file."""
    return query(con, "SELECT * FROM provenance ORDER BY source_id, file_name")


def skipped_files(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Files a loaded source's index listed that the build could not use: source_id, file_name, url, reason."""
    if not table_exists(con, "skipped_files"):  # a database built before the table existed
        return pd.DataFrame(columns=["source_id", "file_name", "url", "reason"])
    return query(con, "SELECT source_id, file_name, url, reason FROM skipped_files ORDER BY source_id, file_name")


def source_vintages(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per loaded source: source_id, title, publisher, vintage, licence."""
    return query(
        con,
        """SELECT source_id, any_value(title) AS title, any_value(publisher) AS publisher,
                  string_agg(DISTINCT vintage, ', ') AS vintage, any_value(licence) AS licence
           FROM provenance GROUP BY source_id ORDER BY title""",
    )


def area_list(con: duckdb.DuckDBPyConnection, *, level: str) -> pd.DataFrame:
    """Areas at a level that have at least one measure value: code, name, region_code, region_name; by name."""
    return query(
        con,
        """SELECT a.code, coalesce(a.name, a.code) AS name, a.region_code, r.name AS region_name
           FROM areas a LEFT JOIN areas r ON r.level = 'region' AND r.code = a.region_code
           WHERE a.level = ? AND EXISTS (SELECT 1 FROM area_measures m
                                         WHERE m.level = a.level AND m.area_code = a.code AND m.value IS NOT NULL)
           ORDER BY name""",
        [level],
    )


def measure_wide(
    con: duckdb.DuckDBPyConnection, *, level: str, measures: tuple[str, ...], codes: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """One row per area, one column per measure (NaN where absent): area_code, area_name, <measures...>.

    Areas come in name order; only areas with at least one of the measures are returned. Every area_measures code
    has a named areas row (etl.checks.check_measures_have_named_areas).
    """
    long = query(
        con,
        """SELECT m.area_code, coalesce(a.name, m.area_code) AS area_name,
                  list_position(?, m.measure) - 1 AS position, m.value
           FROM area_measures m
           LEFT JOIN areas a ON a.level = m.level AND a.code = m.area_code
           WHERE m.level = ? AND list_contains(?, m.measure)
             AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], m.area_code))
           ORDER BY area_name, m.area_code""",
        [list(measures), level, list(measures), list(codes) if codes else None, list(codes) if codes else None],
    )
    starts = long["area_code"].ne(long["area_code"].shift()).to_numpy()  # each area's rows are adjacent
    values = np.full((int(starts.sum()), len(measures)), np.nan)
    values[np.cumsum(starts) - 1, long["position"].to_numpy()] = long["value"].to_numpy(dtype=float, na_value=np.nan)
    names = long.loc[starts, ["area_code", "area_name"]].reset_index(drop=True)
    return pd.concat([names, pd.DataFrame(values, columns=list(measures))], axis=1)


def lsoas_in_area(
    con: duckdb.DuckDBPyConnection,
    *,
    level: str,
    codes: tuple[str, ...],
    measures: tuple[str, ...],
    districts: str = "ons",
) -> pd.DataFrame:
    """LSOAs inside the given LAD / UTLA / ICB / region codes with their values: lsoa_code, lsoa_name, lad_name,
    <measures>.

    districts: 'iod' places each LSOA in the district the IoD2025 file assigns (and that district's upper tier and
    region), 'ons' by the ONS best-fit lookup (insight.districts; ICBs always by the ONS LSOA → ICB lookup).
    """
    column = {"iod": "iod_lad_code", "ons": "ons_lad_code"}[districts]
    frame = query(
        con,
        f"""SELECT a.code AS lsoa_code, coalesce(a.name, a.code) AS lsoa_name, coalesce(l.name, d.lad_code) AS lad_name,
                  m.measure, m.value
           FROM areas a
           JOIN (SELECT lsoa21_code, {column} AS lad_code FROM lsoa_districts) d ON d.lsoa21_code = a.code
           LEFT JOIN areas l ON l.level = 'lad24' AND l.code = d.lad_code
           LEFT JOIN area_measures m ON m.level = 'lsoa21' AND m.area_code = a.code AND list_contains(?, m.measure)
           WHERE a.level = 'lsoa21'
             AND list_contains(?, CASE ? WHEN 'lad24' THEN d.lad_code WHEN 'utla24' THEN l.utla_code
                                         WHEN 'icb24' THEN a.icb_code WHEN 'region' THEN l.region_code END)""",  # noqa: S608 - column is one of two fixed names
        [list(measures), list(codes), level],
    )
    frame["measure"] = frame["measure"].fillna("")  # LSOAs with no value still get a row
    wide = frame.pivot(index=["lsoa_code", "lsoa_name", "lad_name"], columns="measure", values="value")
    wide = wide.reindex(columns=list(measures)).reset_index()
    wide.columns.name = None
    return wide


def capacity_by_need_decile(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The capacity_by_need_decile view (LAD IMD deciles); an empty frame when the build has no such view."""
    if not table_exists(con, "capacity_by_need_decile"):
        return pd.DataFrame(columns=DECILE_COLUMNS)
    return query(con, "SELECT * FROM capacity_by_need_decile ORDER BY imd_decile")


def measure_by_decile(con: duckdb.DuckDBPyConnection, *, level: str, measure: str, decile_measure: str) -> pd.DataFrame:
    """Mean and median of a measure over the areas in each need decile (1 = most deprived).

    Args:
        con: read-only connection.
        level: level of both measures ('lad24' with imd_lad_decile, 'lsoa21' with imd_decile).
        measure: the measure summarised.
        decile_measure: the measure holding each area's decile.

    Returns:
        decile, areas, mean, median — one row per decile that has values.
    """
    return query(
        con,
        """SELECT d.value::INTEGER AS decile, count(v.value) AS areas, avg(v.value) AS mean, median(v.value) AS median
           FROM area_measures d JOIN area_measures v ON v.level = d.level AND v.area_code = d.area_code
           WHERE d.level = ? AND d.measure = ? AND v.measure = ? AND v.value IS NOT NULL AND d.value IS NOT NULL
           GROUP BY ALL ORDER BY decile""",
        [level, decile_measure, measure],
    )


def comparator_values(
    con: duckdb.DuckDBPyConnection, *, level: str, measures: tuple[str, ...], nation: str = "E"
) -> pd.DataFrame:
    """National value and same-nation median and spread per measure: measure, national, level_median, level_sd.

    nation is 'E' (England: the England value, English areas) or 'W' (Wales: the Wales value, Welsh areas), so
    each area is compared within its own nation. level_sd is a robust spread (interquartile range / 1.349, the
    standard deviation for normal data) so that outliers such as the City of London do not make every other area
    look 'similar'.
    """
    return query(
        con,
        """SELECT v.measure, any_value(e.value) AS national, median(v.value) AS level_median,
                  (quantile_cont(v.value, 0.75) - quantile_cont(v.value, 0.25)) / 1.349 AS level_sd
           FROM area_measures v
           LEFT JOIN area_measures e ON e.level = 'country' AND e.area_code = ? AND e.measure = v.measure
           WHERE v.level = ? AND list_contains(?, v.measure) AND v.value IS NOT NULL
             AND left(v.area_code, 1) = ?
           GROUP BY v.measure""",
        [nations.NATIONS[nation][0], level, list(measures), nation],
    )


def area_row(con: duckdb.DuckDBPyConnection, *, level: str, code: str) -> pd.DataFrame:
    """The areas row of one area (with its region's name as region_name); empty when unknown."""
    return query(
        con,
        """SELECT a.*, r.name AS region_name FROM areas a
           LEFT JOIN areas r ON r.level = 'region' AND r.code = a.region_code
           WHERE a.level = ? AND a.code = ?""",
        [level, code],
    )


def population_totals(con: duckdb.DuckDBPyConnection, *, level: str) -> pd.DataFrame:
    """Latest all-ages residents per area at a level: area_code, population, vintage.

    Latest by the vintage's reference date (table vintages), never by its label: 'census-2021' (21 March 2021) is
    later than 'mid-2020' although it sorts first as text.
    """
    return query(
        con,
        """SELECT p.area_code, p.population, p.vintage FROM population p JOIN vintages v ON v.vintage = p.vintage
           WHERE p.level = ? AND p.age_group = 'all'
           QUALIFY row_number() OVER (PARTITION BY p.area_code ORDER BY v.reference_date DESC) = 1""",
        [level],
    )


def geometry(con: duckdb.DuckDBPyConnection, *, level: str, codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Boundaries at a level (all, or the given codes): code, name, geojson (geometry text, WGS84)."""
    return query(
        con,
        """SELECT code, name, geojson FROM boundaries
           WHERE level = ? AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], code)) ORDER BY code""",
        [level, list(codes) if codes else None, list(codes) if codes else None],
    )


def lsoa_geometry_in_lads(
    con: duckdb.DuckDBPyConnection, *, lad_codes: tuple[str, ...], districts: str = "ons"
) -> pd.DataFrame:
    """LSOA 2021 boundaries inside the given LADs (placed by the `districts` rule, as lsoas_in_area): code, name,
    geojson."""
    column = {"iod": "iod_lad_code", "ons": "ons_lad_code"}[districts]
    return query(
        con,
        f"""SELECT b.code, b.name, b.geojson FROM boundaries b JOIN lsoa_districts d ON d.lsoa21_code = b.code
           WHERE b.level = 'lsoa21' AND list_contains(?, d.{column}) ORDER BY b.code""",  # noqa: S608 - fixed name
        [list(lad_codes)],
    )


def measure_source(con: duckdb.DuckDBPyConnection, *, level: str, measure: str) -> dict[str, str]:
    """Where a measure's values come from: {'source': title (or id), 'vintage': ...}; empty values when absent."""
    frame = query(
        con,
        """SELECT string_agg(DISTINCT coalesce(p.title, m.source_id), '; ') AS source,
                  string_agg(DISTINCT m.vintage, ', ') AS vintage
           FROM area_measures m LEFT JOIN provenance p ON p.source_id = m.source_id
           WHERE m.level = ? AND m.measure = ? AND m.value IS NOT NULL""",
        [level, measure],
    )
    row = frame.iloc[0]
    return {"source": row["source"] or "", "vintage": row["vintage"] or ""}


def headline_numbers(con: duckdb.DuckDBPyConnection, *, need: str, capacity: str) -> pd.DataFrame:
    """Headline figures for the Overview: label, value, unit, source, vintage, detail (rows only for loaded data).

    The need–capacity association is Spearman's rank correlation with its 95% bootstrap interval and n in
    `detail` (insight.robust), not Pearson's r, which the City of London alone swings from about −0.45 to −0.15.

    Args:
        con: read-only connection.
        need: LAD need measure (e.g. 'imd_average_score').
        capacity: LAD capacity measure (e.g. 'ncvo_charities_per_1000').
    """
    rows = []
    deciles = capacity_by_need_decile(con)
    cap_source = measure_source(con, level="lad24", measure=capacity)
    for decile, words in ((1, "most"), (10, "least")):
        match = deciles[deciles["imd_decile"] == decile]
        if not match.empty:
            label = f"Charities per 1,000 residents in the {words} deprived tenth of districts"
            value = match["charities_per_1000"].iloc[0]
            rows.append((label, value, "per 1,000 residents", *cap_source.values(), ""))
    both = measure_wide(con, level="lad24", measures=(need, capacity))
    fit = robust.rank_correlation(both[need], both[capacity])
    if fit is not None:
        detail = f"95% CI {robust.signed(fit.low)} to {robust.signed(fit.high)}; n = {fit.n:,} districts"
        label = "Rank correlation of district need with capacity (Spearman ρ)"
        rows.append((label, fit.rho, "rho", *cap_source.values(), detail))
    lsoas = query(con, "SELECT count(*) AS n FROM area_measures WHERE level = 'lsoa21' AND measure = 'imd_score'")
    if int(lsoas["n"].iloc[0]):
        imd_source = measure_source(con, level="lsoa21", measure="imd_score")
        label = "Neighbourhoods (LSOAs) with an IMD score"
        rows.append((label, lsoas["n"].iloc[0], "count", *imd_source.values(), ""))
    return pd.DataFrame(rows, columns=["label", "value", "unit", "source", "vintage", "detail"])


def association_method(con: duckdb.DuckDBPyConnection, *, level: str, need: str, capacity: str) -> str:
    """The one-line method under a need–capacity scatter: Spearman's rho with interval and n, Theil–Sen, outliers.

    Args:
        con: read-only connection.
        level: area level of the scatter, e.g. 'lad24'.
        need: need measure on x.
        capacity: capacity measure on y.
    """
    both = measure_wide(con, level=level, measures=(need, capacity)).dropna(subset=[need, capacity])
    fit = robust.rank_correlation(both[need], both[capacity])
    line = robust.theil_sen(both[need], both[capacity])
    outliers = robust.outlier_names(both, column=capacity)
    return robust.method_sentence(fit=fit, line=line, outliers=outliers, units=LEVEL_UNITS.get(level, "areas"))


MAP_GEOGRAPHIES = {
    "lad24": "Local authority districts",
    "utla24": "Upper-tier local authorities (HWB)",
    "icb24": "Integrated care boards",
    "lsoa_in_lads": "Neighbourhoods (LSOAs) in chosen districts",
    "lsoa21": "All neighbourhoods (LSOAs), national",
}


def map_level(geography: str) -> str:
    """The area level behind a Map-page geography choice ('lsoa_in_lads' -> 'lsoa21')."""
    return "lsoa21" if geography.startswith("lsoa") else geography


def map_frame(
    con: duckdb.DuckDBPyConnection,
    *,
    geography: str,
    measures: tuple[str, ...],
    lad_codes: tuple[str, ...] = (),
    districts: str = "ons",
) -> pd.DataFrame:
    """Values for a Map-page geography: area_code, area_name, <measures...> (LSOAs limited to lad_codes, placed in
    districts by the `districts` rule)."""
    if geography == "lsoa_in_lads":
        frame = lsoas_in_area(con, level="lad24", codes=lad_codes, measures=measures, districts=districts)
        return frame.rename(columns={"lsoa_code": "area_code", "lsoa_name": "area_name"}).drop(columns="lad_name")
    return measure_wide(con, level=map_level(geography), measures=measures)


def map_classes(
    con: duckdb.DuckDBPyConnection,
    *,
    geography: str,
    measure: str,
    label: str,
    lad_codes: tuple[str, ...] = (),
    districts: str = "ons",
) -> classes.Classes:
    """Decile classes of a measure for a Map-page geography, aligned with the rows of map_frame (insight.maps.classes).

    Classes rank all areas of the level within their nation, also when only the LSOAs of chosen districts are drawn.
    """
    level = map_level(geography)
    shown = map_frame(con, geography=geography, measures=(measure,), lad_codes=lad_codes, districts=districts)
    every = measure_wide(con, level=level, measures=(measure,)).rename(columns={measure: "value"})
    found = classes.measure_classes(con, every[["area_code", "value"]], level=level, measure=measure, label=label)
    number = pd.Series(found.number, index=every["area_code"]).reindex(shown["area_code"]).fillna(0)
    return classes.Classes(
        number=number.to_numpy(dtype=int),
        labels=found.labels,
        names=found.names,
        colours=found.colours,
        title=found.title,
    )


def map_geometry(
    con: duckdb.DuckDBPyConnection, *, geography: str, lad_codes: tuple[str, ...] = (), districts: str = "ons"
) -> pd.DataFrame:
    """Boundaries for a Map-page geography: code, name, geojson (LSOAs in lad_codes by the `districts` rule)."""
    if geography == "lsoa_in_lads":
        return lsoa_geometry_in_lads(con, lad_codes=lad_codes, districts=districts)
    return geometry(con, level=map_level(geography))


def metrics_markdown() -> str:
    """The text of docs/metrics.md (one definition per measure), or '' when the file is absent."""
    path = config.ROOT / "docs" / "metrics.md"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def missing_titles(con: duckdb.DuckDBPyConnection, *, like: str = "") -> list[str]:
    """Titles of the sources this build looked for and did not find, optionally only those matching `like`.

    Args:
        con: read-only connection.
        like: case-insensitive text looked for in the source id or title (e.g. 'charit'); '' for all.
    """
    frame = query(
        con,
        "SELECT title FROM missing_layers WHERE source_id ILIKE ? OR title ILIKE ? ORDER BY title",
        [f"%{like}%", f"%{like}%"],
    )
    return frame["title"].tolist()
