"""The Explore & download page's view-model: the chosen measures as a tidy table, its scope, formats and legend;
the SQL box's run; the schema browser."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from insight import captions, config, explore, sql_sandbox
from insight.defaults import default_measure
from insight.export import neutralised
from insight.formatting import format_int

DEFAULT_ROLES = ("need", "capacity")  # the table opens on one measure of each (insight.defaults' rule)
DECILES = {str(d): str(d) for d in range(1, 11)}
DECILE_HELP = "Available for neighbourhoods (LSOA decile) and districts (decile of districts)."
NO_AREAS = "No areas match these filters. Clear the region or decile filter to see more."


@dataclass(frozen=True)
class Choices:
    """The widgets' options at a level: measures with labels, regions, and whether the decile filter applies."""

    labels: dict[str, str]  # measure: 'Label (measure)'
    defaults: list[str]
    regions: dict[str, str]  # code: name
    decile_ready: bool
    missing: str  # why no measure can be chosen ('' when some can)


@dataclass(frozen=True)
class Explore:
    """The page's table (shown and downloaded) with what it holds in words, the SQL box's limits and the schema."""

    table: pd.DataFrame
    scope: str  # the sentence above the table
    formats: dict[str, str]  # measure: table number format
    caption: str
    legend: pd.DataFrame
    name: str  # download file name without extension
    sql_limits: str
    tables: pd.DataFrame  # every table, with its columns listed
    columns: dict[str, pd.DataFrame]  # table: its Column and Type


@dataclass(frozen=True)
class SqlRun:
    """The SQL box's result (cells shown neutralised, downloaded as run) and its size in words, or why it was refused."""

    result: pd.DataFrame | None
    shown: pd.DataFrame | None
    sentence: str
    error: str  # Markdown-escaped, since it may echo the query ('' when the query ran)
    link: str | None  # the query for the page's URL (None when too long for a link)


def default_measures(catalog: pd.DataFrame) -> list[str]:
    """The need and capacity measures a level's table opens on (one rule: default_measure), else the first two."""
    chosen = [m for role in DEFAULT_ROLES if (m := default_measure(catalog, role=role))]
    return chosen or catalog["measure"].head(2).tolist()


def choices(con: duckdb.DuckDBPyConnection, *, level: str) -> Choices:
    """Options for a level: its measures (the defaults first chosen), regions and the IMD decile filter."""
    catalog = explore.measure_catalog(con, level=level)
    regions = explore.regions(con)
    name = explore.LEVELS[level].lower()
    return Choices(
        labels={m: f"{label} ({m})" for m, label in zip(catalog["measure"], catalog["label"], strict=True)},
        defaults=default_measures(catalog),
        regions=dict(zip(regions["code"], regions["name"], strict=True)),
        decile_ready=explore.DECILE_MEASURE.get(level) in set(catalog["measure"]),
        missing=f"No measures have values for {name} in this database." if catalog.empty else "",
    )


def view(
    con: duckdb.DuckDBPyConnection,
    *,
    level: str,
    measures: tuple[str, ...],
    region: str | None,
    deciles: tuple[int, ...],
) -> Explore:
    """One row per area of the level in the region and deciles chosen (none: all), one column per measure; the SQL
    box's limits and the schema browser's tables."""
    catalog = explore.measure_catalog(con, level=level)
    units = dict(zip(catalog["measure"], catalog["unit"], strict=True))
    regions = dict(zip(*explore.regions(con)[["code", "name"]].to_numpy().T, strict=True))
    if explore.DECILE_MEASURE.get(level) not in units:  # the filter is disabled: a value kept from another level
        deciles = ()
    rows = explore.wide_table(con, level=level, measures=measures, region=region, deciles=tuple(sorted(deciles)))
    where = f" in {regions[region]}" if region in regions else ""
    tables, columns = schema(con)
    return Explore(
        table=rows,
        scope=f"**{format_int(len(rows))} {explore.LEVELS[level].lower()}{where}**, one row each; columns are "
        "measure ids (blank = no value for that area).",
        formats={m: explore.column_format(units.get(m)) for m in measures},
        caption=captions.caption(con, level=level, measures=measures) if measures else "",
        legend=explore.measure_legend(catalog, measures=measures),
        name=f"vcs_insight_{level}" + (f"_{region}" if region else ""),
        sql_limits=sql_limits()[2],
        tables=tables,
        columns={name: frame[["Column", "Type"]] for name, frame in columns.groupby("table_name", sort=False)},
    )


def sql_limits() -> tuple[int, float, str]:
    """The SQL box's row and time limits (settings) and the sentence that states them."""
    rows, seconds = int(config.setting("VCS_INSIGHT_SQL_ROWS")), float(config.setting("VCS_INSIGHT_SQL_SECONDS"))
    sentence = (
        f"One SELECT over the tables listed below. Results stop at {format_int(rows)} rows and {seconds:g} seconds; "
        "files, settings and changes to the database are refused."
    )
    return rows, seconds, sentence


def run_sql(text: str) -> SqlRun:
    """Run the SQL box in the sandbox within the limits: the result and its size in words, or why it was refused."""
    rows, seconds, _ = sql_limits()
    link = text if len(text) <= explore.MAX_URL_SQL else None  # longer queries run; the link just does not carry them
    try:
        result = sql_sandbox.run_readonly_sql(config.db_path(), text, max_rows=rows, timeout_s=seconds)
    except sql_sandbox.SqlRefused as refused:
        return SqlRun(None, None, "", explore.plain_text(str(refused)), link)
    return SqlRun(result, neutralised(result), result_sentence(result), "", link)


def result_sentence(result: pd.DataFrame) -> str:
    """'12 rows.', saying when the row limit cut the result short."""
    capped = " (stopped at the row limit; more rows exist)" if result.attrs.get("truncated") else ""
    return f"{format_int(len(result))} rows{capped}."


def schema(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The schema browser: every table (with its columns listed) and every column, headed for people."""
    tables = explore.schema_tables(con).rename(
        columns={"table_name": "Table", "table_type": "Type", "columns": "Columns", "column_list": "Column names"}
    )
    columns = explore.schema_columns(con).rename(columns={"column_name": "Column", "data_type": "Type"})
    return tables, columns
