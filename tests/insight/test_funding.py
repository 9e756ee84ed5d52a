"""insight.funding on invented grants to ten invented districts (tests/fixtures/jeopardy/tiny.sql)."""

from __future__ import annotations

import pytest
from scipy import stats

from insight import funding


@pytest.fixture(scope="module")
def con(jeopardy_con):
    return jeopardy_con


def test_funders_and_years(con):
    table = funding.funders(con)
    assert table.to_dict("records") == [
        {"funder": "Fund A", "amount": 12500.0, "grants": 7, "first_year": 2014, "last_year": 2016},
        {"funder": "Fund B", "amount": 3000.0, "grants": 1, "first_year": 2018, "last_year": 2018},
    ]
    assert funding.award_years(con) == (2014, 2018)
    assert funding.grants_loaded(con)


@pytest.mark.parametrize(
    ("years", "vintage"), [((2013, 2018), "mid-2015"), ((2018, 2018), "census-2021"), ((2019, 2024), "census-2021")]
)
def test_population_vintage_closest_to_middle(con, years, vintage):
    """By reference date: mid-2018 is 2.7 years before census day 2021 and 3.0 after mid-2015."""
    assert funding.population_vintage(con, years=years) == vintage


@pytest.mark.parametrize(
    ("funder", "years", "expected"),
    [
        (None, (2013, 2018), {"E06000909": (10000, 4, 2.0), "E06000900": (2000, 2, 4.0), "E06000904": (3000, 1, 1.2)}),
        ("Fund A", (2016, 2016), {"E06000909": (4000, 1, 0.8), "E06000900": (2000, 2, 4.0), "E06000904": (0, 0, 0.0)}),
        ("Fund B", (2013, 2017), {"E06000909": (0, 0, 0.0), "E06000904": (0, 0, 0.0)}),
    ],
)
def test_grants_by_area(con, funder, years, expected):
    table = funding.grants_by_area(con, funder=funder, years=years).set_index("area_code")
    assert len(table) == 10
    for code, (amount, grants, per_resident) in expected.items():
        assert (table.loc[code, "amount"], table.loc[code, "grants"]) == (amount, grants)
        assert table.loc[code, "amount_per_resident"] == pytest.approx(per_resident)
    assert table.loc["E06000909", ["need", "decile", "population"]].tolist() == [10.0, 1.0, 5000.0]


def test_unmatched_and_by_year(con):
    assert funding.unmatched_grants(con, funder="Fund A", years=(2013, 2018)).to_dict("records") == [
        {"lad_code": "E07000999", "amount": 500.0, "grants": 1}
    ]
    assert funding.unmatched_grants(con, funder="Fund B", years=(2013, 2018)).empty
    by_year = funding.grants_by_year(con, funder="Fund A", years=(2013, 2018))
    assert by_year.values.tolist() == [[2014, 6000, 3], [2015, 500, 1], [2016, 6000, 3]]


def test_share_by_decile(con):
    shares = funding.share_by_decile(funding.grants_by_area(con, years=(2013, 2018))).set_index("decile")
    assert shares.index.tolist() == list(range(1, 11))
    assert shares.loc[1, "share_amount"] == pytest.approx(10000 / 15000)
    assert shares.loc[6, "share_amount"] == pytest.approx(0.2)
    assert shares.loc[1, "share_population"] == pytest.approx(5000 / 27500)
    assert shares.loc[1, "ratio"] == pytest.approx((10000 / 15000) / (5000 / 27500))
    assert shares["share_amount"].sum() == pytest.approx(1.0)
    assert shares.loc[2, "amount"] == 0


def test_figures(con):
    by_area = funding.grants_by_area(con, years=(2013, 2018))
    bars = funding.build_decile_bars(funding.share_by_decile(by_area), title="All funders")
    assert [t.name for t in bars.data] == ["Share of grant £", "Share of residents"]
    assert list(bars.data[0].x) == [str(d) for d in range(1, 11)]
    scatter = funding.build_need_scatter(by_area, title="t")
    assert len(scatter.data[0].x) == 10
    usable = by_area.dropna(subset=["need", "amount_per_resident"])
    rho = stats.spearmanr(usable["need"], usable["amount_per_resident"]).statistic
    sentence = funding.need_association(by_area)
    assert sentence.startswith(f"Method: Spearman rank correlation ρ = {rho:.2f}".replace("-", "−"))
    assert "n = 10 districts" in sentence
    years = funding.build_year_bars(funding.grants_by_year(con, years=(2013, 2018)), title="t")
    assert list(years.data[0].x) == ["2014", "2015", "2016", "2018"]


@pytest.mark.parametrize(("count", "phrase"), [(1, "1 grant"), (0, "0 grants"), (1234, "1,234 grants")])
def test_grants_phrase(count, phrase):
    assert funding.grants_phrase(count) == phrase


@pytest.mark.parametrize(
    ("value", "text"), [(8_313_724_240.4, "£8.31bn"), (12_345_678, "£12.3m"), (45_600.4, "£45,600"), (0, "£0")]
)
def test_format_pounds(value, text):
    assert funding.format_pounds(value) == text


def test_display_tables(con):
    by_area = funding.grants_by_area(con, years=(2013, 2018))
    deciles = funding.decile_display(funding.share_by_decile(by_area))
    assert deciles.columns.tolist() == list(funding.DECILE_COLUMNS.values())
    assert deciles.iloc[0][["IMD decile of district", "Grant £", "Residents"]].tolist() == [1, 10000, 5000]
    areas = funding.area_display(by_area)
    assert areas["District"].head(3).tolist() == ["Testshire A", "Testshire J", "Testshire E"]
    assert areas["£ per resident"].head(3).tolist() == pytest.approx([4.0, 2.0, 1.2])


def test_grant_in_a_district_not_in_areas_counts_as_unmatched(con):
    con.execute("CREATE TEMP TABLE saved AS SELECT * FROM grants")
    try:
        con.execute("UPDATE grants SET lad24_code = 'E06000999' WHERE funder = 'Fund B'")
        assert funding.unmatched_grants(con, funder="Fund B", years=(2013, 2018))["lad_code"].tolist() == ["E06000904"]
    finally:
        con.execute("DELETE FROM grants; INSERT INTO grants SELECT * FROM saved; DROP TABLE saved")


def test_largest_district_sentence(con):
    sentence = funding.largest_district_sentence(funding.grants_by_area(con, years=(2013, 2018)))
    assert sentence.startswith("The largest single district, Testshire J, received £10,000 (66.7% of the £")
    assert funding.largest_district_sentence(funding.grants_by_area(con, funder="Fund B", years=(2013, 2014))) == ""
