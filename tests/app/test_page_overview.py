"""AppTest of the Overview page on the real build: headline numbers, charts and the highlighted area match the DB."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_app_page
from tests.fixtures.dashboard.plotly_spec import figures

ROOT = Path(__file__).resolve().parents[2]


def open_app(built_db: Path, monkeypatch: pytest.MonkeyPatch, params: dict[str, str] | None = None) -> AppTest:
    return open_app_page(built_db, monkeypatch, page="views/overview.py", params=params)


def trace_names(at: AppTest) -> list[str]:
    return [trace.get("name") for figure in figures(at) for trace in figure["data"]]


def test_overview_default_headlines_match_the_database(built_db, db_con, monkeypatch) -> None:
    at = open_app(built_db, monkeypatch)
    assert not at.exception
    assert at.title[0].value.startswith("Overview")
    metrics = {m.label: m.value for m in at.metric}
    # IoD2025 scores every one of England's 33,755 LSOAs (2021).
    assert metrics["Neighbourhoods (LSOAs) with an IMD score"] == "33,755"
    deciles = dict(db_con.execute("SELECT imd_decile, charities_per_1000 FROM capacity_by_need_decile").fetchall())
    assert metrics["Charities per 1,000 residents in the most deprived tenth of districts"] == f"{deciles[1]:.2f}"
    assert metrics["Charities per 1,000 residents in the least deprived tenth of districts"] == f"{deciles[10]:.2f}"
    assert deciles[1] < deciles[10]  # fewer charities per head in the most deprived districts (NCVO 2017/18)
    assert [s.value for s in at.selectbox] == ["own_nation_share_most_deprived_20", "ncvo_charities_per_1000", None]
    both = db_con.execute(
        """SELECT count(*) FROM area_measures n JOIN area_measures c USING (level, area_code)
           WHERE level = 'lad24' AND n.measure = 'own_nation_share_most_deprived_20'
             AND c.measure = 'ncvo_charities_per_1000' AND n.value IS NOT NULL AND c.value IS NOT NULL"""
    ).fetchone()[0]
    assert both == 318  # English and Welsh districts on the own-nation measure
    assert sum("separate deprivation indices" in c.value for c in at.caption) == 1
    assert any(c.value.startswith(f"{both:,} districts have both values") for c in at.caption)
    bars = figures(at)[0]["data"][0]
    assert bars["x"] == list(range(1, 11))


def test_overview_headline_is_a_robust_rank_correlation(built_db, monkeypatch) -> None:
    """IMD 2025 average score vs NCVO charities per 1,000 over England's 296 districts: Spearman's rho −0.57
    (Pearson's r is −0.15, swung by the City of London's 123 per 1,000), with its bootstrap interval and n."""
    label = "Rank correlation of district need with capacity (Spearman ρ)"
    default = open_app(built_db, monkeypatch)  # own-nation share in the most deprived 20%: both nations
    assert any(c.value.endswith("n = 318 districts") for c in default.caption)
    at = open_app(built_db, monkeypatch, {"need": "imd_average_score"})
    assert {m.label: m.value for m in at.metric}[label] == "−0.57"
    captions = [c.value for c in at.caption]
    assert "95% CI −0.64 to −0.50; n = 296 districts" in captions
    method = next(c for c in captions if c.startswith("Method: Spearman rank correlation ρ = −0.57"))
    assert "Pearson's r, which one extreme area can swing, is −0.15" in method
    assert "Theil–Sen" in method and "kept in: City of London, Westminster" in method
    trend = next(t for t in figures(at)[-1]["data"] if t.get("name", "").startswith("Trend"))
    assert trend["name"] == "Trend (Theil–Sen, ρ = −0.57)"


def test_overview_highlight_area_interaction(built_db, monkeypatch) -> None:
    at = open_app(built_db, monkeypatch, {"need": "imd_average_score"})
    at.selectbox(key="area").set_value("E06000001").run()
    assert not at.exception
    # IoD2025 File 10: Hartlepool's IMD average score is 37.58.
    assert any(m.value.startswith("**Hartlepool**: IMD average score 37.6;") for m in at.markdown)
    assert "Hartlepool" in trace_names(at)
    assert at.selectbox(key="area").value == "E06000001"  # the browser writes ?area=Hartlepool (bound widget)


def test_overview_url_round_trip(built_db, monkeypatch) -> None:
    params = {"need": "income_average_score", "capacity": "ncvo_charities_per_1000", "area": "E06000002"}
    at = open_app(built_db, monkeypatch, params)
    assert not at.exception
    assert [s.value for s in at.selectbox] == ["income_average_score", "ncvo_charities_per_1000", "E06000002"]
    assert "Middlesbrough" in trace_names(at)
    # An older link (ids) is rewritten once to what the bound widgets keep; the default capacity drops out.
    labels = {s.key: s.format_func(s.value) for s in at.selectbox}
    assert dict(at.query_params) == {"need": labels["need"], "area": "Middlesbrough"}
    again = open_app(built_db, monkeypatch, dict(at.query_params))
    assert [s.value for s in again.selectbox] == ["income_average_score", "ncvo_charities_per_1000", "E06000002"]
    unknown = open_app(built_db, monkeypatch, {"need": "no_such_measure", "area": "Nowhere"})
    assert [s.value for s in unknown.selectbox][1:] == ["ncvo_charities_per_1000", None] and not unknown.query_params


@pytest.mark.parametrize("page", ["views/overview.py", "views/map.py", "views/area_profile.py", "views/methods.py"])
def test_missing_database_shows_the_build_command(tmp_path, monkeypatch, page: str) -> None:
    monkeypatch.setenv("VCS_INSIGHT_DB", str(tmp_path / "absent.duckdb"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(page).run()
    assert not at.exception
    assert "python -m etl build" in at.error[0].value
