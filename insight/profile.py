"""Area profile: comparisons with its own nation (England or Wales) / region / similar areas, neighbourhoods ranked,
and the HTML brief."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from insight import captions, charts, nations, queries, robust
from insight.formatting import format_value, is_count, is_missing

SIMILAR_COUNT = 10
SIMILARITY_METHOD = (
    "Most similar areas: the {n} areas of {nation} at the same level nearest to this one (Euclidean distance) on "
    "the standardised (z-score) values of {features}. Each measure counts equally."
)
COMPARISON_RULE = (
    "Compared with {nation}, Fingertips-style: 'Similar' when the area is within half a standard deviation "
    "of the {nation} value (spread of {adjective} areas at this level, estimated robustly as interquartile range / "
    "1.349); otherwise 'Better' or 'Worse' by the "
    "measure's polarity. Measures without a polarity show their quintile among {adjective} areas "
    "(1 = lowest fifth, 5 = highest). Where no {nation} figure is published, the median {adjective} area is used."
)
ADJECTIVES = {"England": "English", "Wales": "Welsh"}
# Each nation's LSOA need score and decile (English and Welsh indices are separate).
LSOA_MEASURES = {"E": ("imd_score", "imd_decile"), "W": ("wimd_score", "wimd_decile")}
LSOA_LABELS = {"imd_score": "IMD score", "wimd_score": "WIMD 2025 score"}
# The measure charted first for each layer when loaded (others follow in catalog order).
LEAD_MEASURES = (
    "imd_average_score",
    "wimd_share_most_deprived_20",
    "charities_per_1000",
    "ncvo_charities_per_1000",
    "share_charities_govt_funded",
    "grants_amount_per_resident",
    "health_index_overall",
)


@dataclass(frozen=True)
class LevelData:
    """Everything an area profile compares against, the same for every area at one level: read it once per level
    (the page caches it), then each area's comparison is a little arithmetic on it."""

    level: str
    catalog: pd.DataFrame  # queries.available_measures at the level
    values: pd.DataFrame  # every area at the level × every measure in the catalog (queries.measure_wide)
    comparators: dict[str, pd.DataFrame]  # per nation: measure, national, level_median, level_sd
    regions: pd.DataFrame  # every region × every measure (queries.measure_wide at region level)
    areas: pd.DataFrame  # code, name, region_code, region_name of every area with values (queries.area_list)
    population: pd.DataFrame  # area_code, population, vintage (queries.population_totals)


def level_data(con: duckdb.DuckDBPyConnection, *, level: str) -> LevelData:
    """Read the comparison inputs of one level ('lad24', 'utla24' or 'icb24')."""
    catalog = queries.available_measures(con, level=level)
    measures = tuple(catalog["measure"])
    return LevelData(
        level=level,
        catalog=catalog,
        values=queries.measure_wide(con, level=level, measures=measures),
        comparators={
            nation: queries.comparator_values(con, level=level, measures=measures, nation=nation)
            for nation in nations.NATIONS
        },
        regions=queries.measure_wide(con, level="region", measures=measures),
        areas=queries.area_list(con, level=level),
        population=queries.population_totals(con, level=level),
    )


def need_domains(catalog: pd.DataFrame, *, values: pd.DataFrame | None = None) -> pd.DataFrame:
    """From a measure catalog: the need-domain average scores (else every directed need measure), leaving out the own-nation measures (they repeat each nation's own) and, when `values` is given,
    measures that fewer than 90% of those areas have (e.g. the IoD domains for Welsh areas)."""
    need = catalog[(catalog["layer"] == "need") & ~catalog["measure"].str.startswith("own_nation_")]
    if values is not None:
        covered = [m for m in need["measure"] if m in values and values[m].notna().mean() >= 0.9]
        need = need[need["measure"].isin(covered)]
    domains = need[need["measure"].str.endswith("_average_score")]
    if domains.empty:
        domains = need[need["polarity"] != "none"]
    return domains[["measure", "label"]].reset_index(drop=True)


def nation_values(data: LevelData, *, code: str) -> pd.DataFrame:
    """The level's values for the areas of the same nation as `code` (England or Wales)."""
    return data.values[data.values["area_code"].map(nations.nation_of) == nations.nation_of(code)]


def similar_areas(data: LevelData, *, code: str, n: int = SIMILAR_COUNT) -> pd.DataFrame:
    """The n nearest areas of the same nation on standardised need-domain scores and log10 population.

    Returns:
        area_code, area_name, distance (ascending); empty when the area lacks the inputs.
    """
    values = nation_values(data, code=code)
    features = need_domains(data.catalog, values=values)["measure"].tolist()
    if not features:
        return pd.DataFrame(columns=["area_code", "area_name", "distance"])
    return nearest(values, features=features, population=data.population, code=code, n=n)


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


def similarity_statement(data: LevelData, *, code: str) -> str:
    """The similar-areas method in one sentence, naming the nation and the measures actually used for `code`."""
    labels = need_domains(data.catalog, values=nation_values(data, code=code))["label"].tolist()
    if not data.population.empty:
        labels.append("log population")
    features = ", ".join(labels) if labels else "no need measures (none are loaded at this level)"
    return SIMILARITY_METHOD.format(n=SIMILAR_COUNT, nation=nations.nation_name(code), features=features)


def comparison_caption(con: duckdb.DuckDBPyConnection, *, level: str, measures: tuple[str, ...]) -> str:
    """Provenance of the comparison charts: the measures at the level, and at region and England level."""
    return captions.caption(con, level=level, measures=measures, comparators=("region", "country"))


def similarity_caption(con: duckdb.DuckDBPyConnection, data: LevelData, *, code: str) -> str:
    """Provenance of "Most similar areas": the need measures compared for `code`'s nation (as similar_areas uses
    them: a Welsh area's are WIMD's, not the IoD's) and the residents' vintage (latest by date)."""
    features = tuple(need_domains(data.catalog, values=nation_values(data, code=code))["measure"])
    populations = tuple(queries.population_totals(con, level=data.level)["vintage"].unique())
    return captions.caption(con, level=data.level, measures=features, populations=populations)


def comparison_rule(code: str) -> str:
    """How an area is compared with its own nation (England or Wales), in words."""
    nation = nations.nation_name(code)
    return COMPARISON_RULE.format(nation=nation, adjective=ADJECTIVES[nation])


def compare(value: float, *, national: float, sd: float, polarity: str, unit: str, quintile: int | None) -> str:
    """Fingertips-style label: Better / Similar / Worse than the nation, or a quintile / decile when no polarity."""
    if is_missing(value):
        return "No data"
    if unit == "decile":
        return f"Decile {int(value)} (1 = most deprived)"
    if is_count(unit):
        return "Not compared (a count, not a rate)"
    if polarity not in {"higher_is_worse", "higher_is_better"}:
        return f"Quintile {quintile} of 5" if quintile else "Not compared"
    if is_missing(national) or is_missing(sd):
        return "Not compared"
    if abs(value - national) <= 0.5 * sd:
        return "Similar"
    higher = value > national
    return "Worse" if higher == (polarity == "higher_is_worse") else "Better"


def quintile_of(value: float, distribution: pd.Series) -> int | None:
    """1..5: which fifth of the distribution the value falls in (1 = lowest)."""
    values = distribution.dropna()
    if is_missing(value) or values.empty:
        return None
    share = float((values < value).mean())
    return min(5, int(share * 5) + 1)


def comparison_table(data: LevelData, *, code: str, similar: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every loaded measure for one area against England, its region and its similar areas.

    Args:
        data: the level's comparison inputs (level_data).
        code: the area's GSS code.
        similar: the area's similar_areas, when the caller has them already (else found here).

    Returns:
        layer, measure, label, unit, polarity, value, national (England's or Wales's value), region, similar,
        comparison, source_id, vintage; one row per measure with values for areas of the area's nation, in
        catalog order.
    """
    everyone, peers = data.values, nation_values(data, code=code)
    catalog = data.catalog[[m in peers and peers[m].notna().any() for m in data.catalog["measure"]]]
    measures = list(catalog["measure"])
    region_code = data.areas.set_index("code")["region_code"].get(code)
    region = data.regions.set_index("area_code").reindex([region_code])[measures].iloc[0]
    similar = similar_areas(data, code=code) if similar is None else similar
    similar_means = everyone[everyone["area_code"].isin(similar["area_code"])][measures].mean()
    own = everyone[everyone["area_code"] == code]
    table = catalog.merge(data.comparators[nations.nation_of(code)], on="measure", how="left")
    table["value"] = own[measures].iloc[0].to_numpy(dtype=float) if not own.empty else np.nan
    table["national"] = table["national"].fillna(table["level_median"])
    table["region"] = region.to_numpy(dtype=float)
    table["similar"] = similar_means.reindex(measures).to_numpy(dtype=float)
    table["comparison"] = [
        compare(
            row.value,
            national=row.national,
            sd=row.level_sd,
            polarity=row.polarity,
            unit=row.unit,
            quintile=quintile_of(row.value, peers[row.measure]),
        )
        for row in table.itertuples()
    ]
    columns = ["layer", "measure", "label", "unit", "polarity", "value", "national", "region", "similar"]
    return table[[*columns, "comparison", "source_id", "vintage"]]


def region_label(region_name: str | None, *, nation: str) -> str:
    """The region's name for a column or bar; Wales is its own region, so it is marked apart from the nation."""
    if not region_name:
        return "Region"
    return f"{region_name} (region)" if region_name == nation else region_name


def comparator_frame(
    row: pd.Series, *, area_name: str, region_name: str | None, nation: str = "England"
) -> pd.DataFrame:
    """One measure's bars for the comparison chart: the area, its region, similar areas' mean, its nation."""
    rows = [
        (area_name, "area", row["value"]),
        (region_label(region_name, nation=nation), "region", row["region"]),
        (f"Mean of {SIMILAR_COUNT} similar areas", "similar", row["similar"]),
        (nation, "england", row["national"]),  # the chart's colour key for the national comparator
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
        lsoa_code, lsoa_name, lad_name, the nation's score and decile (imd_score, imd_decile in England;
        wimd_score, wimd_decile in Wales), need_rank, and — when an LSOA capacity measure exists — that measure
        plus capacity_gap (observed minus expected from the Theil–Sen line over the nation's LSOAs).
    """
    capacity = queries.available_measures(con, level="lsoa21", layer="capacity")
    extra = tuple(capacity["measure"].head(1))
    nation = nations.nation_of(code)
    score = LSOA_MEASURES[nation][0]
    frame = queries.lsoas_in_area(
        con, level=level, codes=(code,), measures=LSOA_MEASURES[nation] + extra, districts="iod"
    )
    frame = frame.sort_values(score, ascending=False, na_position="last").reset_index(drop=True)
    frame["need_rank"] = frame[score].rank(ascending=False, method="min").astype("Int64")
    if extra:
        national = queries.measure_wide(con, level="lsoa21", measures=(score, extra[0]))
        national = national[national["area_code"].map(nations.nation_of) == nation]
        line = robust.theil_sen(national[score], national[extra[0]])
        frame["capacity_gap"] = frame[extra[0]] - line.at(frame[score]) if line else np.nan
    return frame


def brief_table_html(table: pd.DataFrame, *, nation: str = "England") -> str:
    """The comparison table as escaped HTML rows; `nation` names the national comparator column."""
    header = (
        "<tr><th>Measure</th><th>Area</th><th>Region</th><th>Similar areas</th>"
        f"<th>{nation}</th><th>vs {nation}</th></tr>"
    )
    body = []
    for row in table.itertuples():
        cells = [format_value(getattr(row, c), unit=row.unit) for c in ("value", "region", "similar", "national")]
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
    nation: str = "England",
) -> str:
    """A one-page, self-contained HTML brief: title, comparison table (against `nation`), charts, notes, sources."""
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
        f"{brief_table_html(table, nation=nation)}{charts}<h2>Notes</h2><ul>{note_items}</ul>"
        f"<h2>Sources and vintages</h2><ul>{source_items}</ul></body></html>"
    )


# Fingertips-style backgrounds in colour-blind-safe hues (blue better, orange worse); the word is always shown too.
COMPARISON_COLOURS = {"Better": "#9ecae1", "Similar": "#e0e0e0", "Worse": "#fdae6b"}


def comparison_style(value: object) -> str:
    """CSS for a 'vs England' / 'vs Wales' cell: its Fingertips-style background (none for quintiles, deciles, counts)."""
    colour = COMPARISON_COLOURS.get(str(value))
    return f"background-color: {colour}; color: black" if colour else ""


def display_table(
    table: pd.DataFrame, *, area_name: str, region_name: str | None, nation: str = "England"
) -> pd.DataFrame:
    """The comparison table formatted for people, with the area's, region's and nation's names as headers."""
    formatted = {
        column: [format_value(v, unit=u) for v, u in zip(table[column], table["unit"], strict=True)]
        for column in ("value", "region", "similar", "national")
    }
    display = table.assign(**formatted)[["layer", "label", "value", "region", "similar", "national", "comparison"]]
    display["vintage"] = table["vintage"]
    display.columns = [
        "Layer",
        "Measure",
        area_name,
        region_label(region_name, nation=nation),
        "Similar areas (mean)",
        nation,
        f"vs {nation}",
        "Vintage",
    ]
    return display


def profile_figures(
    table: pd.DataFrame,
    lsoas: pd.DataFrame,
    *,
    area_name: str,
    region_name: str | None,
    font_size: int,
    nation: str = "England",
) -> list[tuple[str, go.Figure]]:
    """(name, figure) pairs: the lead measure of each loaded layer against comparators, then the top LSOAs."""
    figures = []
    for layer in queries.LAYER_ORDER:
        rows = table[(table["layer"] == layer) & ~table["unit"].map(lambda u: u == "decile" or is_count(u))]
        rows = rows.assign(lead=~rows["measure"].isin(LEAD_MEASURES)).sort_values("lead", kind="stable")
        for index, row in rows.head(1).iterrows():
            bars = comparator_frame(table.loc[index], area_name=area_name, region_name=region_name, nation=nation)
            title = f"{row['label']}: {row['comparison']} vs {nation}"
            figures.append(
                (row["measure"], charts.comparison_chart(bars, title=title, unit=row["unit"], font_size=font_size))
            )
    top = lsoas.head(15)
    score = next((c for c in LSOA_LABELS if c in lsoas.columns), "imd_score")
    ranked = charts.ranked_bar(
        top,
        value=score,
        name="lsoa_name",
        unit="score",
        value_label=LSOA_LABELS[score],
        font_size=font_size,
        title=f"The {len(top)} most deprived neighbourhoods in {area_name}",
    )
    figures.append(("most_deprived_lsoas", ranked))
    return figures
