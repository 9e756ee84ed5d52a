"""insight.explore on the invented districts of tests/fixtures/jeopardy/tiny.sql."""

from __future__ import annotations

import pytest

from insight import explore

MEASURES = ("imd_average_score", "ncvo_charities_per_1000")


@pytest.fixture(scope="module")
def con(jeopardy_con):
    return jeopardy_con


def test_measure_values_wide(con):
    table = explore.measure_values(con, level="lad24", measures=(*MEASURES, "govt_income_share"))
    assert table.columns.tolist() == [
        "area_code",
        "area_name",
        "region_code",
        "region_name",
        *MEASURES,
        "govt_income_share",
    ]
    assert len(table) == 10
    assert table.iloc[3][["area_name", "imd_average_score", "ncvo_charities_per_1000"]].tolist() == [
        "Testshire D",
        4.0,
        17.0,
    ]
    assert table["govt_income_share"].isna().all()


@pytest.mark.parametrize(
    ("region", "deciles", "names"),
    [
        (None, (), [f"Testshire {c}" for c in "ABCDEFGHIJ"]),
        ("E12000901", (), [f"Testshire {c}" for c in "ABCDE"]),
        (None, (1, 2), ["Testshire I", "Testshire J"]),
        ("E12000901", (1, 2), []),
        ("E12000902", (2, 5), ["Testshire F", "Testshire I"]),
    ],
)
def test_wide_table_filters(con, region, deciles, names):
    table = explore.wide_table(con, level="lad24", measures=MEASURES, region=region, deciles=deciles)
    assert table["area_name"].tolist() == names
    assert ("imd_lad_decile" in table.columns) == bool(deciles)


def test_decile_filter_ignored_where_no_decile_measure(con):
    assert explore.wide_table(con, level="region", measures=MEASURES, deciles=(1,))["area_code"].tolist() == [
        "E12000901",
        "E12000902",
    ]


def test_catalog_and_regions(con):
    catalog = explore.measure_catalog(con, level="lad24")
    assert catalog["measure"].tolist() == [
        "ncvo_charities",
        "ncvo_charities_per_1000",
        "share_charities_govt_funded",
        "imd_average_score",
        "imd_lad_decile",
        "imd_rank_test",
    ]
    assert catalog["areas"].tolist() == [10] * 6
    assert set(catalog["vintage"]) == {"test-vintage"}
    assert explore.regions(con)["name"].tolist() == ["Invented North", "Invented South"]


def test_schema_browser(con):
    columns = explore.schema_columns(con)
    areas = columns[columns["table_name"] == "areas"]
    assert areas["column_name"].tolist()[:3] == ["code", "name", "level"]
    tables = explore.schema_tables(con).set_index("table_name")
    assert tables.loc["grants", "column_list"].startswith("funder, award_year, lad_code")
    assert tables.loc["areas", "columns"] == 10
    assert tables.loc["area_measures", "column_list"].startswith("level, area_code, measure, value")
    assert tables.loc["areas", "table_type"] == "BASE TABLE"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("SELECT 1", "SELECT 1"), ("x" * 5000, "x" * 2000)],
)
def test_url_sql_keeps_a_short_query(value, expected):
    """The SQL a link carries (the other parameters are bound widgets: Streamlit checks them against the options)."""
    assert explore.url_sql(value) == expected


@pytest.mark.parametrize(
    ("unit", "fmt"),
    [
        ("share", "percent"),
        ("share of LSOAs", "percent"),
        ("score", "%.2f"),
        (None, "%.2f"),
        ("charities", "localized"),
    ],
)
def test_column_format(unit, fmt):
    assert explore.column_format(unit) == fmt


def test_measures_with_no_rows_give_empty_columns(con):
    table = explore.measure_values(con, level="region", measures=("imd_average_score",))
    assert table["area_code"].tolist() == ["E12000901", "E12000902"]
    assert table["imd_average_score"].isna().all()
    assert explore.wide_table(con, level="lsoa21", measures=("imd_score",)).empty


def test_measure_legend(con):
    catalog = explore.measure_catalog(con, level="lad24")
    legend = explore.measure_legend(catalog, measures=("ncvo_charities_per_1000", "imd_average_score"))
    assert legend[["column", "unit", "vintage"]].values.tolist() == [
        ["ncvo_charities_per_1000", "per 1,000 residents", "test-vintage"],
        ["imd_average_score", "score", "test-vintage"],
    ]


def test_plain_text_escapes_markdown():
    assert explore.plain_text("[click](http://x.invalid) *now*") == r"\[click\]\(http\://x\.invalid\) \*now\*"
