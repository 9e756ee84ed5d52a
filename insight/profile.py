"""Area profile: comparisons with England / region / similar areas, neighbourhoods ranked, and the HTML brief."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from insight import captions, charts, queries, robust
from insight.formatting import format_value, is_count, is_missing

SIMILAR_COUNT = 10
SIMILARITY_METHOD = (
    "Most similar areas: the {n} areas at the same level nearest to this one (Euclidean distance) on the "
    "standardised (z-score) values of {features}. Each measure counts equally."
)
COMPARISON_RULE = (
    "Compared with England, Fingertips-style: 'Similar' when the area is within half a standard deviation "
    "of the England value (spread of English areas at this level, estimated robustly as interquartile range / "
    "1.349); otherwise 'Better' or 'Worse' by the "
    "measure's polarity. Measures without a polarity show their quintile among English areas "
    "(1 = lowest fifth, 5 = highest). Where no England figure is published, the median English area is used."
)
LSOA_MEASURES = ("imd_score", "imd_decile")
# The measure charted first for each layer when loaded (others follow in catalog order).
LEAD_MEASURES = (
    "imd_average_score", "charities_per_1000", "ncvo_charities_per_1000", "share_charities_govt_funded",
    "grants_amount_per_resident", "health_index_overall",
)  # fmt: skip


@dataclass(frozen=True)
class LevelData:
    """Everything an area profile compares against, the same for every area at one level: read it once per level
    (the page caches it), then each area's comparison is a little arithmetic on it."""

    level: str
    catalog: pd.DataFrame  # queries.available_measures at the level
    values: pd.DataFrame  # every area at the level × every measure in the catalog (queries.measure_wide)
    comparators: pd.DataFrame  # measure, england, level_median, level_sd (queries.comparator_values)
    regions: pd.DataFrame  # every region × every measure (queries.measure_wide at region level)
    areas: pd.DataFrame  # code, name, region_code of every area with values (queries.area_list)
    population: pd.DataFrame  # area_code, population, vintage (queries.population_totals)


def level_data(con: duckdb.DuckDBPyConnection, *, level: str) -> LevelData:
    """Read the comparison inputs of one level ('lad24', 'utla24' or 'icb24')."""
    catalog = queries.available_measures(con, level=level)
    measures = tuple(catalog["measure"])
    return LevelData(
        level=level,
        catalog=catalog,
        values=queries.measure_wide(con, level=level, measures=measures),
        comparators=queries.comparator_values(con, level=level, measures=measures),
        regions=queries.measure_wide(con, level="region", measures=measures),
        areas=queries.area_list(con, level=level),
        population=queries.population_totals(con, level=level),
    )


def need_domains(catalog: pd.DataFrame) -> pd.DataFrame:
    """From a measure catalog: the need-domain average scores (else every directed need measure)."""
    need = catalog[catalog["layer"] == "need"]
    domains = need[need["measure"].str.endswith("_average_score")]
    if domains.empty:
        domains = need[need["polarity"] != "none"]
    return domains[["measure", "label"]].reset_index(drop=True)


def similar_areas(data: LevelData, *, code: str, n: int = SIMILAR_COUNT) -> pd.DataFrame:
    """The n nearest areas on standardised need-domain scores and log10 population.

    Returns:
        area_code, area_name, distance (ascending); empty when the area lacks the inputs.
    """
    features = need_domains(data.catalog)["measure"].tolist()
    if not features:
        return pd.DataFrame(columns=["area_code", "area_name", "distance"])
    return nearest(data.values, features=features, population=data.population, code=code, n=n)


def nearest(frame: pd.DataFrame, *, features: list[str], population: pd.DataFrame, code: str, n: int) -> pd.DataFrame:
    """The n areas of `frame` nearest to `code` on z-scored `features` (+ log10 population when given)."""
    frame = frame[["area_code", "area_name", *features]]
    if not population.empty:
        frame = frame.merge(population[["area_code", "population"]], on="area_code", how="left")
        frame["log_population"] = np.log10(frame["population"])
        features = [*features, "log_population"]
    frame = frame.dropna(subset=features).reset_index(drop=True)
    if code not in set(frame["area_code"]):
        return pd.DataFrame(columns=["area_code", "area_name", "distance"])
    values = frame[features].to_numpy(dtype=float)
    spread = values.std(axis=0)
    z = (values - values.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    target = z[frame.index[frame["area_code"] == code][0]]
    frame["distance"] = np.sqrt(((z - target) ** 2).sum(axis=1))
    others = frame[frame["area_code"] != code].nsmallest(n, "distance")
    return others[["area_code", "area_name", "distance"]].reset_index(drop=True)


def similarity_statement(data: LevelData) -> str:
    """The similar-areas method in one sentence, naming the measures actually used."""
    labels = need_domains(data.catalog)["label"].tolist()
    if not data.population.empty:
        labels.append("log population")
    features = ", ".join(labels) if labels else "no need measures (none are loaded at this level)"
    return SIMILARITY_METHOD.format(n=SIMILAR_COUNT, features=features)


def comparison_caption(con: duckdb.DuckDBPyConnection, *, level: str, measures: tuple[str, ...]) -> str:
    """Provenance of the comparison charts: the measures at the level, and at region and England level."""
    return captions.caption(con, level=level, measures=measures, comparators=("region", "country"))


def similarity_caption(con: duckdb.DuckDBPyConnection, *, level: str) -> str:
    """Provenance of "Most similar areas": the need domains compared and the residents' vintage (latest by date)."""
    features = tuple(need_domains(queries.available_measures(con, level=level))["measure"])
    populations = tuple(queries.population_totals(con, level=level)["vintage"].unique())
    return captions.caption(con, level=level, measures=features, populations=populations)


def compare(value: float, *, england: float, sd: float, polarity: str, unit: str, quintile: int | None) -> str:
    """Fingertips-style label: Better / Similar / Worse than England, or a quintile / decile when no polarity."""
    if is_missing(value):
        return "No data"
    if unit == "decile":
        return f"Decile {int(value)} (1 = most deprived)"
    if is_count(unit):
        return "Not compared (a count, not a rate)"
    if polarity not in {"higher_is_worse", "higher_is_better"}:
        return f"Quintile {quintile} of 5" if quintile else "Not compared"
    if is_missing(england) or is_missing(sd):
        return "Not compared"
    if abs(value - england) <= 0.5 * sd:
        return "Similar"
    higher = value > england
    return "Worse" if higher == (polarity == "higher_is_worse") else "Better"


def quintile_of(value: float, distribution: pd.Series) -> int | None:
    """1..5: which fifth of the distribution the value falls in (1 = lowest)."""
    values = distribution.dropna()
    if is_missing(value) or values.empty:
        return None
    share = float((values < value).mean())
    return min(5, int(share * 5) + 1)


def comparison_table(data: LevelData, *, code: str) -> pd.DataFrame:
    """Every loaded measure for one area against England, its region and its similar areas.

    Args:
        data: the level's comparison inputs (level_data).
        code: the area's GSS code.

    Returns:
        layer, measure, label, unit, polarity, value, england, region, similar, comparison, source_id, vintage;
        one row per measure with values at the level, in catalog order.
    """
    catalog, everyone = data.catalog, data.values
    measures = list(catalog["measure"])
    region_code = data.areas.set_index("code")["region_code"].get(code)
    region = data.regions.set_index("area_code").reindex([region_code])[measures].iloc[0]
    similar = similar_areas(data, code=code)
    similar_means = everyone[everyone["area_code"].isin(similar["area_code"])][measures].mean()
    own = everyone[everyone["area_code"] == code]
    table = catalog.merge(data.comparators, on="measure", how="left")
    table["value"] = own[measures].iloc[0].to_numpy(dtype=float) if not own.empty else np.nan
    table["england"] = table["england"].fillna(table["level_median"])
    table["region"] = region.to_numpy(dtype=float)
    table["similar"] = similar_means.reindex(measures).to_numpy(dtype=float)
    english = everyone[everyone["area_code"].str.startswith("E")]
    table["comparison"] = [
        compare(
            row.value, england=row.england, sd=row.level_sd, polarity=row.polarity, unit=row.unit,
            quintile=quintile_of(row.value, english[row.measure]),
        )
        for row in table.itertuples()
    ]  # fmt: skip
    columns = ["layer", "measure", "label", "unit", "polarity", "value", "england", "region", "similar"]
    return table[[*columns, "comparison", "source_id", "vintage"]]


def comparator_frame(row: pd.Series, *, area_name: str, region_name: str | None) -> pd.DataFrame:
    """One measure's bars for the comparison chart: the area, its region, similar areas' mean, England."""
    rows = [
        (area_name, "area", row["value"]),
        (region_name or "Region", "region", row["region"]),
        (f"Mean of {SIMILAR_COUNT} similar areas", "similar", row["similar"]),
        ("England", "england", row["england"]),
    ]
    return pd.DataFrame(rows, columns=["name", "kind", "value"])


def area_lsoas(con: duckdb.DuckDBPyConnection, *, level: str, code: str) -> pd.DataFrame:
    """The area's LSOAs ranked by need (rank 1 = most deprived), with an LSOA capacity gap when one is loaded.

    A ranking by an IoD measure, so LSOAs are placed in districts as the IoD2025 file places them (insight.districts).

    Args:
        con: read-only connection.
        level: 'lad24', 'utla24' or 'icb24'.
        code: the area's code.

    Returns:
        lsoa_code, lsoa_name, lad_name, imd_score, imd_decile, need_rank, and — when an LSOA capacity measure
        exists — that measure plus capacity_gap (observed minus expected from the national Theil–Sen line).
    """
    capacity = queries.available_measures(con, level="lsoa21", layer="capacity")
    extra = tuple(capacity["measure"].head(1))
    frame = queries.lsoas_in_area(con, level=level, codes=(code,), measures=LSOA_MEASURES + extra, districts="iod")
    frame = frame.sort_values("imd_score", ascending=False, na_position="last").reset_index(drop=True)
    frame["need_rank"] = frame["imd_score"].rank(ascending=False, method="min").astype("Int64")
    if extra:
        national = queries.measure_wide(con, level="lsoa21", measures=("imd_score", extra[0]))
        line = robust.theil_sen(national["imd_score"], national[extra[0]])
        frame["capacity_gap"] = frame[extra[0]] - line.at(frame["imd_score"]) if line else np.nan
    return frame


def brief_table_html(table: pd.DataFrame) -> str:
    """The comparison table as escaped HTML rows."""
    header = (
        "<tr><th>Measure</th><th>Area</th><th>Region</th><th>Similar areas</th><th>England</th><th>vs England</th></tr>"
    )
    body = []
    for row in table.itertuples():
        cells = [format_value(getattr(row, c), unit=row.unit) for c in ("value", "region", "similar", "england")]
        values = "".join(f"<td class='num'>{html.escape(c)}</td>" for c in cells)
        body.append(
            f"<tr><td>{html.escape(str(row.label))}</td>{values}<td>{html.escape(str(row.comparison))}</td></tr>"
        )
    return f"<table>{header}{''.join(body)}</table>"


BRIEF_STYLE = """body{font-family:Arial,Helvetica,sans-serif;max-width:1000px;margin:2em auto;color:#0b0c0c}
table{border-collapse:collapse;width:100%;margin:1em 0}td,th{border:1px solid #b1b4b6;padding:4px 8px;text-align:left}
td.num{text-align:right}h1{font-size:2em}.note{color:#505a5f;font-size:.9em}"""


def brief_html(
    *,
    area_name: str,
    level_label: str,
    table: pd.DataFrame,
    figures: list[go.Figure],
    sources: pd.DataFrame,
    notes: list[str],
) -> str:
    """A one-page, self-contained HTML brief: title, comparison table, charts, notes, sources and vintages."""
    charts = "".join(
        fig.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False, config={"displaylogo": False})
        for i, fig in enumerate(figures)
    )
    source_items = "".join(
        f"<li>{html.escape(str(r.title))} — {html.escape(str(r.publisher))}, {html.escape(str(r.vintage))} "
        f"({html.escape(str(r.licence))})</li>"
        for r in sources.itertuples()
    )
    note_items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    title = html.escape(f"{area_name}: need and voluntary-sector capacity")
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{BRIEF_STYLE}</style></head><body><h1>{title}</h1>"
        f"<p class='note'>{html.escape(level_label)} · VCS Insight brief produced {date.today():%d %B %Y}</p>"
        f"{brief_table_html(table)}{charts}<h2>Notes</h2><ul>{note_items}</ul>"
        f"<h2>Sources and vintages</h2><ul>{source_items}</ul></body></html>"
    )


# Fingertips-style backgrounds in colour-blind-safe hues (blue better, orange worse); the word is always shown too.
COMPARISON_COLOURS = {"Better": "#9ecae1", "Similar": "#e0e0e0", "Worse": "#fdae6b"}


def comparison_style(value: object) -> str:
    """CSS for a 'vs England' cell: its Fingertips-style background (none for quintiles, deciles, counts)."""
    colour = COMPARISON_COLOURS.get(str(value))
    return f"background-color: {colour}; color: black" if colour else ""


def display_table(table: pd.DataFrame, *, area_name: str, region_name: str | None) -> pd.DataFrame:
    """The comparison table formatted for people, with the area's and region's names as headers."""
    formatted = {
        column: [format_value(v, unit=u) for v, u in zip(table[column], table["unit"], strict=True)]
        for column in ("value", "region", "similar", "england")
    }
    display = table.assign(**formatted)[["layer", "label", "value", "region", "similar", "england", "comparison"]]
    display["vintage"] = table["vintage"]
    display.columns = [
        "Layer", "Measure", area_name, region_name or "Region", "Similar areas (mean)", "England", "vs England",
        "Vintage",
    ]  # fmt: skip
    return display


def profile_figures(
    table: pd.DataFrame, lsoas: pd.DataFrame, *, area_name: str, region_name: str | None, font_size: int
) -> list[tuple[str, go.Figure]]:
    """(name, figure) pairs: the lead measure of each loaded layer against comparators, then the top LSOAs."""
    figures = []
    for layer in queries.LAYER_ORDER:
        rows = table[(table["layer"] == layer) & ~table["unit"].map(lambda u: u == "decile" or is_count(u))]
        rows = rows.assign(lead=~rows["measure"].isin(LEAD_MEASURES)).sort_values("lead", kind="stable")
        for index, row in rows.head(1).iterrows():
            bars = comparator_frame(table.loc[index], area_name=area_name, region_name=region_name)
            title = f"{row['label']}: {row['comparison']} vs England"
            figures.append(
                (row["measure"], charts.comparison_chart(bars, title=title, unit=row["unit"], font_size=font_size))
            )
    top = lsoas.head(15)
    ranked = charts.ranked_bar(
        top, value="imd_score", name="lsoa_name", unit="score", value_label="IMD score", font_size=font_size,
        title=f"The {len(top)} most deprived neighbourhoods in {area_name}",
    )  # fmt: skip
    figures.append(("most_deprived_lsoas", ranked))
    return figures
