"""AppTest of the Methods & sources page: catalog, provenance and missing layers shown in full."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_app_page

ROOT = Path(__file__).resolve().parents[2]


def open_methods(built_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_app_page(built_db, monkeypatch, page="views/methods.py")


def test_methods_tables_match_the_database(built_db, db_con, monkeypatch) -> None:
    at = open_methods(built_db, monkeypatch)
    assert not at.exception
    catalog, provenance, missing, reconciled = (frame.value for frame in at.dataframe)
    counts = {
        t: db_con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("measure_catalog", "provenance", "missing_layers")
    }
    assert (len(catalog), len(provenance), len(missing)) == (
        counts["measure_catalog"],
        counts["provenance"],
        counts["missing_layers"],
    )
    assert any("Registered office is not where a charity works" in m.value for m in at.markdown)


def test_methods_shows_the_published_figures_reproduced(built_db, db_con, monkeypatch) -> None:
    at = open_methods(built_db, monkeypatch)
    reconciled = at.dataframe[3].value.set_index("Published figure")
    checks = db_con.execute("SELECT count(DISTINCT check_id), bool_and(within) FROM reconciliation").fetchone()
    assert len(reconciled) == checks[0] >= 20 and checks[1]  # IMD and 7 domains, File 10 (two editions) and File 13
    row = reconciled.loc[
        "IoD2025 File 10 (local authority district summaries): share of LSOAs in the most deprived 10% nationally (IMD)"
    ]
    assert (row["Level"], row["Areas"], bool(row["All within"])) == ("lad24", 296, True)
    assert row["Largest |difference|"] <= row["Tolerance"] == pytest.approx(0.00005, abs=1e-8)
    assert any(f"{checks[0]:,} of {checks[0]:,} published figures are reproduced" in m.value for m in at.markdown)


def test_methods_layer_filter(built_db, db_con, monkeypatch) -> None:
    at = open_methods(built_db, monkeypatch)
    at.radio(key="layer").set_value("capacity").run()
    assert not at.exception
    capacity = db_con.execute("SELECT count(*) FROM measure_catalog WHERE layer = 'capacity'").fetchone()[0]
    assert len(at.dataframe[0].value) == capacity
    assert set(at.dataframe[0].value["layer"]) == {"capacity"}


@pytest.mark.parametrize("link", ["capacity", "Capacity"])  # the older id link, and what the bound radio writes
def test_methods_layer_from_the_link(built_db, db_con, monkeypatch, link: str) -> None:
    monkeypatch.setenv("VCS_INSIGHT_DB", str(built_db))
    at = AppTest.from_file(str(ROOT / "views" / "methods.py"), default_timeout=120)
    at.query_params["layer"] = link
    at.run()
    assert at.radio(key="layer").value == "capacity" and dict(at.query_params) == {"layer": "Capacity"}
    assert set(at.dataframe[0].value["layer"]) == {"capacity"}
