"""WIMD 2025 readers on hand-made workbooks in the official layout (invented values), then on the mirror."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.source import SourceError
from etl.sources import wimd2025
from tests.conftest import FIXTURES

RANKS = FIXTURES / "wimd2025" / "wimd-2025-index-and-domain-ranks-by-small-area.ods"
SCORES = FIXTURES / "wimd2025" / "wimd-2025-index-and-domain-scores-by-small-area.ods"


def official() -> pd.DataFrame:
    return wimd2025.read_official({"ranks": RANKS, "scores": SCORES})["imd_lsoa"].set_index("lsoa_code")


def test_official_workbooks_give_ranks_scores_and_published_deciles() -> None:
    frame = official()
    first = frame.loc["W01999901"]
    assert (first["edition"], first["country"], first["lad_name"], first["lad_code"]) == (
        "WIMD2025",
        "W",
        "Invented Sir",
        None,
    )
    assert [first[f"{d}_rank"] for d in ("imd", "income", "health", "access", "housing", "crime", "environment")] == [
        1,
        2,
        4,
        6,
        7,
        8,
        9,
    ]
    assert (first["imd_score"], first["access_score"], first["environment_score"]) == (60.0, 60.5, 60.8)
    assert frame["imd_decile"].tolist() == [1, 1, 2, 2, 3, 10]
    assert "income_decile" not in frame  # domain deciles are not published (NULL in imd_lsoa)


def test_decile_key_reproduces_the_publishers_bands() -> None:
    deciles = wimd2025.decile_of(pd.Series(range(1, 1918)))
    assert deciles.value_counts().sort_index().tolist() == [191, 191, 192, 192, 192, 191, 192, 192, 191, 193]
    assert deciles.iloc[190] == 1 and deciles.iloc[191] == 2  # ranks 1-191 are the most deprived 10%


@given(st.integers(1, 1916))
def test_decile_never_falls_as_rank_rises(rank: int) -> None:
    pair = wimd2025.decile_of(pd.Series([rank, rank + 1]))
    assert 1 <= pair.iloc[0] <= pair.iloc[1] <= 10


def edited_ranks(tmp_path: Path, sheet: str, edit) -> Path:
    """A copy of the ranks fixture with one sheet changed by `edit` (a function of the sheet's rows)."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(RANKS))
    target = tmp_path / RANKS.name
    with pd.ExcelWriter(target, engine="odf") as writer:
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python()
            pd.DataFrame(edit(rows) if name == sheet else rows).to_excel(
                writer, sheet_name=name, header=False, index=False
            )
    return target


def test_published_decile_off_the_key_is_refused(tmp_path: Path) -> None:
    def bump(rows: list[list]) -> list[list]:
        rows[-1][4] = 9  # rank 1917 published as decile 9
        return rows

    ranks = edited_ranks(tmp_path, "Deciles_quintiles_quartiles", bump)
    with pytest.raises(SourceError, match=r"^\[wimd2025_lsoa\] .*ranks-by-small-area.ods: published deciles differ"):
        wimd2025.read_official({"ranks": ranks, "scores": SCORES})


def test_renamed_header_is_named(tmp_path: Path) -> None:
    def rename(rows: list[list]) -> list[list]:
        rows[2][3] = "WIMD 2026"
        return rows

    ranks = edited_ranks(tmp_path, "WIMD_2025_ranks", rename)
    with pytest.raises(SourceError, match="missing expected column.*wimd 2025"):
        wimd2025.read_official({"ranks": ranks, "scores": SCORES})


def test_rank_beyond_1917_is_refused(tmp_path: Path) -> None:
    def grow(rows: list[list]) -> list[list]:
        rows[-1][3] = 1918
        return rows

    ranks = edited_ranks(tmp_path, "WIMD_2025_ranks", grow)
    with pytest.raises(SourceError, match=r"ranks outside 1\.\.1,917"):
        wimd2025.read_official({"ranks": ranks, "scores": SCORES})


def test_truncated_workbook_is_named(tmp_path: Path) -> None:
    broken = tmp_path / SCORES.name
    broken.write_bytes(SCORES.read_bytes()[:500])
    with pytest.raises(SourceError, match=r"^\[wimd2025_lsoa\] .*scores-by-small-area.ods: could not be opened"):
        wimd2025.read_official({"ranks": RANKS, "scores": broken})


def derived_csv(path: Path, ranks: list[int]) -> Path:
    stems = [
        "wimd_2025",
        "income",
        "employment",
        "health",
        "education",
        "access",
        "housing",
        "community_safety",
        "physical_env",
    ]
    rows = [
        {"lsoa_code": f"W0199990{i}", "lsoa_name": f"Cwm {i}", "la_name": "Invented Sir"}
        | {f"{s}_rank": rank for s in stems}
        | {f"{s}_score": 10.0 + i for s in stems}
        for i, rank in enumerate(ranks, 1)
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_derived_csv_takes_deciles_from_the_key(tmp_path: Path) -> None:
    path = derived_csv(tmp_path / "wimd2025_lsoa21_ranks_scores.csv", [1, 191, 192, 958, 959, 1917])
    frame = wimd2025.read_derived({"derived": path})["imd_lsoa"]
    assert frame["imd_decile"].tolist() == [1, 1, 2, 5, 6, 10]
    assert frame["crime_rank"].tolist() == [1, 191, 192, 958, 959, 1917]


def test_derived_csv_without_a_column_is_refused(tmp_path: Path) -> None:
    path = derived_csv(tmp_path / "w.csv", [1, 2])
    pd.read_csv(path).drop(columns="housing_score").to_csv(path, index=False)
    with pytest.raises(SourceError, match="housing_score"):
        wimd2025.read_derived({"derived": path})


def test_mirror_copy_of_the_fixture_is_preferred_to_the_derived_file(tmp_path: Path) -> None:
    """A mirror holding the official workbooks uses them (the first distribution), not the re-packaging."""
    from etl.fetch import fetch

    folder = tmp_path / "wimd2025"
    folder.mkdir()
    for path in (RANKS, SCORES):
        shutil.copy(path, folder / path.name)
    fetched = fetch(wimd2025.SOURCES[0], mirror=tmp_path, cache=tmp_path / "cache")
    assert fetched is not None and fetched.distribution.official


def test_online_build_from_a_stand_in_of_gov_wales(tmp_path: Path) -> None:
    """The official distribution end to end: both workbooks downloaded from a loopback stand-in of gov.wales at the
    publisher's paths, read, loaded, recorded as official, and the Welsh measures derived (LAD codes from areas)."""
    import dataclasses
    import functools
    import http.server
    import threading
    from urllib.parse import urlsplit

    import duckdb

    from etl.build import SCHEMA_SQL, derive, load_source

    site = tmp_path / "site"
    for path, remote in ((RANKS, wimd2025.RANKS), (SCORES, wimd2025.SCORES)):
        target = site / urlsplit(remote.url).path[1:]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *_a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        host = f"http://127.0.0.1:{server.server_port}"
        source = wimd2025.SOURCES[0]
        official = source.distributions[0]
        files = tuple(dataclasses.replace(f, url=host + urlsplit(f.url).path) for f in official.files)
        online = dataclasses.replace(source, distributions=(dataclasses.replace(official, files=files),))
        con = duckdb.connect()
        con.execute(SCHEMA_SQL.read_text())
        con.execute(
            """INSERT INTO areas (code, name, level, lad_code, region_code, country_code)
               SELECT 'W069999' || (i % 2 + 1)::VARCHAR || '1', 'Sir ' || (i % 2 + 1)::VARCHAR, 'lad24',
                      'W069999' || (i % 2 + 1)::VARCHAR || '1', 'W92000004', 'W92000004' FROM range(2) t(i);
               INSERT INTO areas (code, name, level, lad_code) SELECT 'W0199990' || i::VARCHAR, 'Cwm', 'lsoa21',
                      'W069999' || (i % 2 + 1)::VARCHAR || '1' FROM range(1, 7) t(i);"""
        )
        assert load_source(con, online, mirror=None, cache=tmp_path / "cache") is None  # None = loaded
        derive(con, online)
    finally:
        server.shutdown()
    assert con.execute("SELECT distribution, official FROM provenance").fetchall() == [
        ("official_ranks_and_scores_ods", True),
        ("official_ranks_and_scores_ods", True),
    ]
    assert con.execute("SELECT count(*) FROM imd_lsoa WHERE lad_code IS NOT NULL").fetchone() == (6,)
    shares = dict(
        con.execute(
            """SELECT area_code, value FROM area_measures
               WHERE level = 'lad24' AND measure = 'wimd_share_most_deprived_10' ORDER BY 1"""
        ).fetchall()
    )
    # Sir 2 holds LSOAs 1, 3, 5 (ranks 1, 192, 383: one in decile 1); Sir 1 holds 2, 4, 6 (ranks 191, 382, 1917).
    assert shares == {"W06999911": pytest.approx(1 / 3), "W06999921": pytest.approx(1 / 3)}
    country = (
        "SELECT value FROM area_measures WHERE level = 'country' AND measure = 'own_nation_share_most_deprived_20'"
    )
    assert con.execute(country).fetchone() == (pytest.approx(4 / 6),)
