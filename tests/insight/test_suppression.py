"""Disclosure control: primary and secondary suppression on small hand-made tables."""

from __future__ import annotations

import pandas as pd
import pytest

from insight import suppression
from insight.suppression import ALL


@pytest.mark.parametrize(("value", "expected"), [(10, 10), (5, 5), (4, 5), (0, 5), (-3, 5), ("12", 12), ("x", 10)])
def test_threshold_is_never_below_five(value, expected):
    assert suppression.clamp_threshold(value) == expected


def test_primary_hides_one_to_threshold_minus_one_not_zero():
    counts = pd.Series([0, 1, 9, 10, 25])
    assert suppression.primary(counts, threshold=10).tolist() == [False, True, True, False, False]


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ([3, 20, 15, 40], [True, False, True, False]),  # one primary -> next smallest hidden
        ([3, 4, 15, 40], [True, True, False, False]),  # two primaries protect each other
        ([3], [True]),  # nothing to add
        ([0, 3, 20], [False, True, True]),  # a true zero is never the complement
        ([12, 15, 40], [False, False, False]),
    ],
)
def test_secondary_against_the_grand_total(counts, hidden):
    frame = pd.DataFrame({"n": counts})
    assert suppression.suppress(frame, count="n", threshold=10).tolist() == hidden


def test_secondary_within_each_group_and_overall():
    frame = pd.DataFrame(
        {"lad": ["A", "A", "A", "B", "B", "C"], "n": [2, 30, 40, 11, 12, 50]},
    )
    flags = suppression.suppress(frame, count="n", threshold=10, groupings=("lad", ALL))
    # A: 2 hidden -> 30 hidden too. Overall then has 2 hidden: fine. B, C untouched.
    assert flags.tolist() == [True, True, False, False, False, False]


def test_groups_are_revisited_until_stable():
    frame = pd.DataFrame(
        {"lad": ["A", "A", "B", "B"], "decile": [1, 2, 1, 2], "n": [3, 20, 25, 30]},
    )
    flags = suppression.suppress(frame, count="n", threshold=10, groupings=("lad", "decile"))
    # lad A: 3 -> 20 hidden; decile 1 then has 3 only (25 visible) -> 25 hidden; decile 2 has 20 -> 30 hidden.
    assert flags.tolist() == [True, True, True, True]


def test_hidden_groups_hide_all_their_cells():
    frame = pd.DataFrame({"lad": ["A", "A", "B"], "n": [20, 30, 40]})
    flags = suppression.suppress(frame, count="n", threshold=10, groupings=("lad",), hidden_groups={"lad": ["A"]})
    assert flags.tolist() == [True, True, False]


def test_lone_hidden_finds_groups_whose_total_would_reveal_a_cell():
    frame = pd.DataFrame({"decile": [1, 1, 2, 3], "n": [1, 1, 1, 1]})
    flags = pd.Series([True, True, True, False])
    assert suppression.lone_hidden(frame, flags=flags, key="decile") == {2}


def test_mask_and_export_marker():
    frame = pd.DataFrame({"code": ["X", "Y"], "rows": [3, 30], "share": [0.1, 0.9]})
    masked = suppression.mask(frame, flags=pd.Series([True, False]), columns=["rows", "share"])
    assert masked["rows"].isna().tolist() == [True, False]
    assert masked["suppressed"].tolist() == [True, False]
    exported = suppression.for_export(masked, columns=["rows", "share"])
    assert exported.loc[0, ["rows", "share"]].tolist() == ["[c]", "[c]"]
    assert exported.loc[1, "rows"] == 30
