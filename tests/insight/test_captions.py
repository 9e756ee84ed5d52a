"""insight.captions and insight.districts on the tiny invented database (tests/fixtures/dashboard/tiny_db.py)."""

from __future__ import annotations

import duckdb
import pytest

from insight import captions, districts, queries
from tests.fixtures.dashboard.tiny_db import build_tiny_db


@pytest.fixture
def writable(tmp_path):
    """A fresh tiny database the test may change."""
    con = duckdb.connect(str(build_tiny_db(tmp_path / "tiny.duckdb")))
    yield con
    con.close()


def test_caption_names_numerator_and_denominator_vintages(con) -> None:
    text = captions.caption(con, level="lad24", measures=("imd_average_score", "ncvo_charities_per_1000"))
    assert text == (
        "Data — IMD average score: Invented source, 2099. Charities per 1,000: Invented source, 2099; residents: "
        "mid-2099 estimates. Areas: local authority districts (2024)."
    )


def test_caption_adds_populations_and_comparator_levels(con) -> None:
    text = captions.caption(
        con, level="lad24", measures=("imd_average_score",), comparators=("country",), populations=("mid-2099",)
    )
    assert "Residents: mid-2099 estimates." in text
    assert text.endswith("Areas: local authority districts (2024), countries.")


def test_caption_follows_the_database_so_it_cannot_go_stale(writable) -> None:
    before = captions.caption(writable, level="lad24", measures=("ncvo_charities_per_1000",))
    writable.execute("INSERT INTO vintages VALUES ('census-2101', 'population', DATE '2101-03-21', 'Census 2101')")
    writable.execute(
        """UPDATE area_measures SET vintage = '2100/01', denominator_vintage = 'census-2101'
           WHERE measure = 'ncvo_charities_per_1000'"""
    )
    after = captions.caption(writable, level="lad24", measures=("ncvo_charities_per_1000",))
    assert "2099; residents: mid-2099 estimates" in before
    assert "2100/01; residents: Census 2101" in after and "2099" not in after


def test_population_totals_ignores_label_order(writable) -> None:
    """A later vintage whose label sorts first ('census-2101' < 'mid-2099' as text) is the one taken."""
    writable.execute("INSERT INTO vintages VALUES ('census-2101', 'population', DATE '2101-03-21', 'Census 2101')")
    writable.execute("INSERT INTO population VALUES ('E06000901', 'lad24', 'census-2101', 'all', 7, 'invented_src')")
    frame = queries.population_totals(writable, level="lad24").set_index("area_code")
    assert frame.loc["E06000901", ["vintage", "population"]].tolist() == ["census-2101", 7.0]
    assert frame.loc["E06000902", "vintage"] == "mid-2099"


def test_an_lsoa_the_iod_file_places_elsewhere(writable) -> None:
    """E01000001 (Aldbury by the lookup) placed in Brambleton by an invented IoD row: IoD lists follow the file."""
    writable.execute(
        """INSERT INTO imd_lsoa (edition, country, lsoa_code, lad_code)
           VALUES ('IoD2025', 'England', 'E01000001', 'E06000902')"""
    )
    writable.execute("UPDATE area_measures SET source_id = 'imd2025_lsoa' WHERE level = 'lsoa21'")
    rule = districts.rule_for(writable, measures=("imd_score",))
    assert rule == "iod"
    iod = queries.lsoas_in_area(writable, level="lad24", codes=("E06000902",), measures=("imd_score",), districts=rule)
    ons = queries.lsoas_in_area(writable, level="lad24", codes=("E06000902",), measures=("imd_score",))
    assert set(iod["lsoa_code"]) == {"E01000001", "E01000003", "E01000004"}
    assert set(ons["lsoa_code"]) == {"E01000003", "E01000004"}
    assert set(iod["lad_name"]) == {"Brambleton"}
    note = districts.note_for(writable, level="lad24", codes=("E06000901",), rule="iod")
    assert note == (
        "Aldbury 001A (E01000001) is in Brambleton in the IoD2025 files but in Aldbury in the ONS best-fit lookup; "
        "IoD measures follow the IoD file, so it is listed under Brambleton."
    )
    assert districts.rule_for(writable, measures=("ncvo_charities_per_1000",)) == "ons"
