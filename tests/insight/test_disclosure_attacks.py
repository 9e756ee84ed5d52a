"""The four attacks of issue 20 replayed on hand-made uploads: no hidden count can be recovered exactly.

The attacker sees every number the page shows for one upload (LSOA, district, decile and out-of-scope tables, the
map's LSOA list, the "High need, low reach" list, the headline counts) in as many filter states as they like, and
knows the method: hidden means 1 to threshold - 1, a shown count is within NOISE_BOUND of the truth and never below
the threshold, zeros are exact. Their solver (`interval`) is integer programming over the unknown true counts of
the upload's groups of identical rows; with the noise bound set to 0 it is the solver that broke the old tables.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from insight.uploads import analyse as byod
from insight.uploads import cellkey
from tests.fixtures.byod import tiny_db

THRESHOLD = 10
MAPPING = byod.ColumnMapping("LSOA code", "lsoa", date="Date", category="Service")
SECRETS = (b"first secret", b"second secret", b"third secret")
Observation = tuple[list[int], float | None]


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    path = tiny_db(tmp_path_factory.mktemp("grid") / "grid.duckdb", rows="grid_db.sql")
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


def lsoa(district: int, decile: int) -> str:
    """The grid's LSOA in this district (1-4) and IMD decile (1-4)."""
    return f"E019991{district}{decile}"


def upload(groups: list[tuple[str, str, str, int]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Groups of identical rows (location, service, date, count) -> (the uploaded frame, the groups with keys)."""
    table = pd.DataFrame(groups, columns=["code", "service", "date", "n"])
    frame = pd.DataFrame(
        {
            "LSOA code": np.repeat(table["code"], table["n"]),
            "Service": np.repeat(table["service"], table["n"]),
            "Date": np.repeat(table["date"], table["n"]),
        }
    ).reset_index(drop=True)
    grid = table["code"].str.match(r"E019991\d\d")
    table["lad"] = ("E069991" + table["code"].str[-2].str.zfill(2)).where(grid)
    table["decile"] = table["code"].str[-1].astype(int).where(grid)
    table["nation"] = table["code"].str[0].map({"S": "Scotland", "N": "Northern Ireland"})
    return frame, table


def run(con, frame: pd.DataFrame, *, secret: bytes, **filters) -> byod.ByodResult:
    return byod.analyse(con, frame=frame, mapping=MAPPING, threshold=THRESHOLD, secret=secret, **filters)


def shown(value) -> float | None:
    return None if pd.isna(value) else float(value)


def observations(result: byod.ByodResult, groups: pd.DataFrame) -> list[Observation]:
    """Every number the page shows for this view, each with the groups (row indices of `groups`) it counts."""
    out: list[Observation] = []

    def add(mask: pd.Series, value) -> None:
        out.append((groups.index[mask].tolist(), shown(value)))

    for table in (result.lsoa, result.local):
        for row in table.itertuples():
            add(groups["code"] == row.lsoa_code, row.records)
    for row in result.lad.itertuples():
        add(groups["lad"] == row.lad_code, row.records)
    for row in result.deciles[result.deciles["decile_key"] > 0].itertuples():
        add(groups["decile"] == row.decile_key, row.records)
    for row in result.underserved.itertuples():
        add(groups["code"] == row.lsoa_code, None if row.reach.startswith("fewer") else 0)
    for row in result.out_of_scope.itertuples():
        add(groups["nation"] == row.scope, row.rows)
    add(groups["lad"].notna(), result.summary["matched"])
    add(groups["nation"].notna(), result.summary["out_of_scope"])
    add(groups["n"] > 0, result.summary["rows"])
    return out


def in_view(groups: pd.DataFrame, *, service: str | None = None, before: str | None = None) -> pd.DataFrame:
    """The groups a filter keeps (the same row labels, so observations from several views share unknowns)."""
    keep = pd.Series(True, index=groups.index)
    if service:
        keep &= groups["service"] == service
    if before:
        keep &= groups["date"] < before
    return groups[keep]


def interval(observed: list[Observation], target: int, *, count: int, bound: int) -> tuple[int, int]:
    """The smallest and largest true count of group `target` consistent with every observation."""
    rows, low, high = [], [], []
    for atoms, value in observed:
        if not atoms:
            continue
        rows.append(np.isin(np.arange(count), atoms).astype(float))
        if value is None:
            low.append(1), high.append(THRESHOLD - 1)
        elif value == 0:
            low.append(0), high.append(0)
        else:
            low.append(max(THRESHOLD, value - bound)), high.append(value + bound)
    constraint = LinearConstraint(np.array(rows), low, high)
    goal = np.zeros(count)
    goal[target] = 1
    ends = []
    for sign in (1, -1):
        found = milp(sign * goal, constraints=constraint, integrality=np.ones(count), bounds=Bounds(0, 10**6))
        assert found.success, found.message
        ends.append(round(sign * found.fun))
    return ends[0], ends[1]


def exact(observed: list[Observation], groups: pd.DataFrame) -> list[Observation]:
    """The same cells published without noise (only small counts hidden): what the attacks broke."""
    return [(atoms, None if value is None else float(groups.loc[atoms, "n"].sum())) for atoms, value in observed]


def assert_protected(observed: list[Observation], groups: pd.DataFrame, target: int) -> tuple[int, int]:
    low, high = interval(observed, target, count=len(groups), bound=cellkey.NOISE_BOUND)
    assert low <= groups.loc[target, "n"] <= high
    assert high > low, "the attacker pinned the hidden count"
    return low, high


@pytest.mark.parametrize("secret", SECRETS)
def test_attack_1_the_list_marks_exactly_the_hidden_cells(con, secret):
    frame, groups = upload(
        [
            (lsoa(1, 1), "Advice", "2024-03-01", 4),
            (lsoa(1, 2), "Advice", "2024-03-01", 15),
            (lsoa(1, 3), "Advice", "2024-03-01", 12),
            (lsoa(2, 1), "Advice", "2024-03-01", 20),
        ]
    )
    result = run(con, frame, secret=secret)
    hidden = set(result.local.loc[result.local["suppressed"], "lsoa_code"])
    fewer = set(result.underserved.loc[result.underserved["reach"].str.startswith("fewer"), "lsoa_code"])
    assert hidden == fewer == {lsoa(1, 1)}  # 1-2 (15) is shown, perturbed: no cell hidden beside 1-1 to tell apart
    observed = observations(result, groups)
    assert interval(exact(observed, groups), 0, count=len(groups), bound=0) == (4, 4)  # district minus the rest
    assert_protected(observed, groups, 0)


LOOP = {(1, 1): 5, (1, 2): 6, (2, 1): 6, (2, 2): 5, (2, 3): 6, (3, 3): 7, (3, 4): 5, (4, 3): 6, (4, 4): 7}


@pytest.mark.parametrize("secret", SECRETS)
def test_attack_2_loops_of_hidden_cells_across_linked_tables(con, secret):
    # Two loops of hidden cells (districts 1-2 x deciles 1-2, districts 3-4 x deciles 3-4) joined by cell (2, 3):
    # every district and decile holds at least two hidden cells, yet exactly (2, 3) = district 1 + district 2
    # - decile 1 - decile 2. Every district and decile total is 10 or more, so all of them are shown.
    frame, groups = upload([(lsoa(d, q), "Advice", "2024-03-01", n) for (d, q), n in LOOP.items()])
    result = run(con, frame, secret=secret)
    assert result.lsoa["suppressed"].all() and not result.lad["suppressed"].any()
    observed = observations(result, groups)
    bridge = list(LOOP).index((2, 3))
    assert interval(exact(observed, groups), bridge, count=len(groups), bound=0) == (6, 6)
    for target in groups.index:
        assert_protected(observed, groups, target)


FILTERED = [
    (lsoa(1, 1), "Advice", "2024-03-01", 10),
    (lsoa(1, 1), "Food", "2024-11-01", 2),
    (lsoa(1, 2), "Advice", "2024-03-01", 15),
    (lsoa(2, 1), "Food", "2024-03-01", 11),
]


@pytest.mark.parametrize("secret", SECRETS)
def test_attack_3_differencing_two_filter_states_and_two_date_ranges(con, secret):
    frame, groups = upload(FILTERED)
    views = {
        "all": ({}, groups),
        "advice": ({"categories": ("Advice",)}, in_view(groups, service="Advice")),
        "food": ({"categories": ("Food",)}, in_view(groups, service="Food")),
        "to June": ({"span": (pd.Timestamp("2024-01-01").date(), pd.Timestamp("2024-06-30").date())}, None),
        "from July": ({"span": (pd.Timestamp("2024-07-01").date(), pd.Timestamp("2024-12-31").date())}, None),
    }
    views["to June"] = (views["to June"][0], in_view(groups, before="2024-07-01"))
    views["from July"] = (views["from July"][0], groups.drop(in_view(groups, before="2024-07-01").index))
    results = {name: run(con, frame, secret=secret, **filters) for name, (filters, _) in views.items()}
    observed = [obs for name, (_, kept) in views.items() for obs in observations(results[name], kept)]
    # The old attack: 12 with all services, 10 with Advice only, so Food is 2. Now both are perturbed.
    assert interval(exact(observed, groups), 1, count=len(groups), bound=0) == (2, 2)
    assert_protected(observed, groups, 1)
    # Consistent: the same records show the same number in every view, and a re-run shows the same tables.
    advice_only = results["all"].lsoa.set_index("lsoa_code").loc[lsoa(1, 2), "records"]
    assert results["advice"].lsoa.set_index("lsoa_code").loc[lsoa(1, 2), "records"] == advice_only
    assert results["to June"].lsoa.set_index("lsoa_code").loc[lsoa(1, 2), "records"] == advice_only
    pd.testing.assert_frame_equal(run(con, frame, secret=secret).lsoa, results["all"].lsoa)


@pytest.mark.parametrize("secret", SECRETS)
def test_attack_4_headline_totals_beside_the_tables(con, secret):
    # One area only: the "Matched" total is the area's count, so it is hidden exactly when the area is.
    frame, _ = upload([(lsoa(1, 1), "Advice", "2024-03-01", 7)])
    alone = run(con, frame, secret=secret)
    assert alone.summary["matched"] is None and alone.summary["rows"] is None
    assert alone.lsoa["suppressed"].all() and alone.lad["suppressed"].all()
    assert byod.shown_count(alone.summary["matched"]) == "[c]"
    # Two areas and two nations: totals are perturbed, so total minus the shown part is not the hidden part.
    frame, groups = upload(
        [
            (lsoa(1, 1), "Advice", "2024-03-01", 12),
            (lsoa(1, 2), "Advice", "2024-03-01", 4),
            ("S01000001", "Advice", "2024-03-01", 3),
            ("N09000001", "Advice", "2024-03-01", 20),
        ]
    )
    result = run(con, frame, secret=secret)
    assert result.out_of_scope.set_index("scope")["suppressed"].to_dict() == {
        "Northern Ireland": False,
        "Scotland": True,
    }
    observed = observations(result, groups)
    for target, true in ((1, 4), (2, 3)):
        assert interval(exact(observed, groups), target, count=len(groups), bound=0) == (true, true)
        assert_protected(observed, groups, target)


def test_the_page_states_the_protection(con):
    frame, _ = upload(FILTERED)
    result = run(con, frame, secret=SECRETS[0])
    sentence = byod.suppression_sentence(result)
    assert "counts from 1 to 9 are hidden ([c])" in sentence and "at most ±2" in sentence
