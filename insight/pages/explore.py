"""The Explore & download page's view-model: the chosen measures as a tidy table, its scope, formats and legend."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from insight import captions, config, explore, sql_sandbox
from insight.formatting import format_int


@dataclass(frozen=True)
class Choices:
    """The widgets' options at a level: measures with labels, regions, and whether the decile filter applies."""

    labels: dict[str, str]  # measure: 'Label (measure)'
    defaults: list[str]
    regions: dict[str, str]  # code: name
    decile_ready: bool


@dataclass(frozen=True)
class Table:
    """The table the page shows and downloads, with what it holds in words."""

    table: pd.DataFrame
    scope: str
    formats: dict[str, str]  # measure: table number format
    caption: str
    legend: pd.DataFrame
    name: str  # download file name without extension


def choices(con: duckdb.DuckDBPyConnection, *, level: str) -> Choices:
    """Options for a level: its measures (the defaults first chosen), regions and the IMD decile filter."""
    catalog = explore.measure_catalog(con, level=level)
    regions = explore.regions(con)
    return Choices(
        labels={m: f"{label} ({m})" for m, label in zip(catalog["measure"], catalog["label"], strict=True)},
        defaults=list(explore.default_measures(catalog)) if not catalog.empty else [],
        regions=dict(zip(regions["code"], regions["name"], strict=True)),
        decile_ready=explore.DECILE_MEASURE.get(level) in set(catalog["measure"]),
    )


def table(
    con: duckdb.DuckDBPyConnection,
    *,
    level: str,
    measures: tuple[str, ...],
    region: str | None,
    deciles: tuple[int, ...],
) -> Table:
    """One row per area of the level in the region and deciles chosen (none: all), one column per measure."""
    catalog = explore.measure_catalog(con, level=level)
    units = dict(zip(catalog["measure"], catalog["unit"], strict=True))
    regions = dict(zip(*explore.regions(con)[["code", "name"]].to_numpy().T, strict=True))
    rows = explore.wide_table(con, level=level, measures=measures, region=region, deciles=deciles)
    where = f" in {regions[region]}" if region in regions else ""
    return Table(
        table=rows,
        scope=f"{format_int(len(rows))} {explore.LEVELS[level].lower()}{where}",
        formats={m: explore.column_format(units.get(m)) for m in measures},
        caption=captions.caption(con, level=level, measures=measures) if measures else "",
        legend=explore.measure_legend(catalog, measures=measures),
        name=f"vcs_insight_{level}" + (f"_{region}" if region else ""),
    )


def sql_limits() -> tuple[int, float, str]:
    """The SQL box's row and time limits (settings) and the sentence that states them."""
    rows, seconds = int(config.setting("VCS_INSIGHT_SQL_ROWS")), float(config.setting("VCS_INSIGHT_SQL_SECONDS"))
    sentence = (
        f"One SELECT over the tables listed below. Results stop at {format_int(rows)} rows and {seconds:g} seconds; "
        "files, settings and changes to the database are refused."
    )
    return rows, seconds, sentence


def run_sql(text: str) -> tuple[pd.DataFrame | None, str | None]:
    """Run the SQL box in the sandbox within the limits: (result, None), or (None, why it was refused)."""
    rows, seconds, _ = sql_limits()
    try:
        return sql_sandbox.run_readonly_sql(config.db_path(), text, max_rows=rows, timeout_s=seconds), None
    except sql_sandbox.SqlRefused as refused:
        return None, str(refused)


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
