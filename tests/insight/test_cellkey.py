"""Cell-key perturbation on hand-made cells: the perturbation table, record keys, and what a protected cell shows."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insight.uploads import cellkey

SECRET = b"test secret"


@pytest.fixture(scope="module")
def cursor():
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.mark.parametrize(("value", "expected"), [(10, 10), (5, 10), (0, 10), (-3, 10), ("12", 12), ("x", 10)])
def test_threshold_is_never_below_ten(value, expected):
    assert cellkey.clamp_threshold(value) == expected


def test_perturbation_table_is_symmetric_bounded_and_unbiased():
    assert len(cellkey.PTABLE) == cellkey.KEY_RANGE
    values, counts = np.unique(cellkey.PTABLE, return_counts=True)
    assert values.tolist() == [-2, -1, 0, 1, 2] and counts.tolist() == [26, 51, 102, 51, 26]
    assert cellkey.PTABLE.mean() == 0 and cellkey.NOISE_BOUND == 2


def records(n: int) -> pd.DataFrame:
    return pd.DataFrame({"Postcode": [f"ZZ{i % 7} 1AA" for i in range(n)], "Service": ["Advice", "Food"] * (n // 2)})


def test_record_keys_are_fixed_by_secret_and_rows(cursor):
    frame = records(2000)
    keys = cellkey.record_keys(cursor, frame=frame, secret=SECRET)
    assert np.array_equal(keys, cellkey.record_keys(cursor, frame=frame, secret=SECRET))
    assert keys.min() >= 0 and keys.max() < cellkey.KEY_RANGE
    assert np.mean(keys == cellkey.record_keys(cursor, frame=frame, secret=b"another")) < 0.02
    assert np.bincount(keys, minlength=256).max() < 25  # about 8 per key value: no value dominates


def test_a_row_keeps_its_key_when_a_filter_drops_others(cursor):
    frame = records(200)
    keys = cellkey.record_keys(cursor, frame=frame, secret=SECRET)
    advice = frame[frame["Service"] == "Advice"]  # the original row numbers stay in the index
    assert np.array_equal(cellkey.record_keys(cursor, frame=advice, secret=SECRET), keys[advice.index])


def test_columns_mixing_numbers_and_text_get_keys(cursor):
    frame = pd.DataFrame({"Postcode": ["ZZ1 1AA", "ZZ1 1AB", None], "Visits": pd.Series([1, "two", 3.5], dtype=object)})
    keys = cellkey.record_keys(cursor, frame=frame, secret=SECRET)
    assert len(keys) == 3 and np.array_equal(keys, cellkey.record_keys(cursor, frame=frame, secret=SECRET))


def test_identical_rows_get_their_own_keys(cursor):
    keys = cellkey.record_keys(cursor, frame=pd.DataFrame({"Postcode": ["ZZ1 1AA"] * 500}), secret=SECRET)
    assert len(np.unique(keys)) > 200


def cells(rows: list[int], key_sums: list[int], **values) -> pd.DataFrame:
    return pd.DataFrame({"rows": rows, "records": [float(r) for r in rows], "key_sum": key_sums, **values})


def test_zero_is_exact_small_counts_hidden_others_perturbed_within_two():
    out = cellkey.protect(cells([0, 1, 9, 10, 40, 40], [0, 5, 7, 0, 0, 128]), threshold=10)
    assert out["suppressed"].tolist() == [False, True, True, False, False, False]
    assert out["records"].isna().tolist() == [False, True, True, False, False, False]
    assert out.loc[0, "records"] == 0
    assert out.loc[3, "records"] == 10  # key 0 gives -2; a shown count never falls below the threshold
    assert out.loc[4, "records"] == 38 and out.loc[5, "records"] == 40  # keys 0 and 128: noise -2 and 0
    assert "rows" not in out and "key_sum" not in out


def test_same_records_same_noise_whatever_the_table():
    # A cell key is the key sum mod 256: 300 and 44 are the same key, so the same noise.
    out = cellkey.protect(cells([25, 25], [300, 44]), threshold=10)
    assert out.loc[0, "records"] == out.loc[1, "records"]


def test_amounts_scale_with_the_count_and_weighted_counts_judge_the_smaller():
    table = cells([20, 20, 3], [0, 0, 0], amount=[1000.0, np.nan, 50.0])
    table["records"] = [20.0, 7.0, 30.0]  # the second: 20 rows summing to 7 people; the third: 3 rows of 10
    out = cellkey.protect(table, threshold=10, values=("records", "amount"))
    assert out.loc[0, ["records", "amount"]].tolist() == [18, 900]  # noise -2 of 20 rows: x 18/20
    assert out["suppressed"].tolist() == [False, True, True]


def test_protect_count_for_single_totals():
    assert cellkey.protect_count(0, key_sum=0, threshold=10) == 0
    assert cellkey.protect_count(7, key_sum=3, threshold=10) is None
    assert cellkey.protect_count(100, key_sum=128, threshold=10) == 100
    assert cellkey.protect_count(21, key_sum=0, threshold=20) is None  # 21 - 2 = 19 is below a raised threshold
    assert cellkey.protect_count(19, key_sum=255, threshold=20) == 21


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=30),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    threshold=st.integers(min_value=10, max_value=30),
)
def test_every_shown_count_is_within_two_and_never_below_the_threshold(rows, seed, threshold):
    keys = np.random.default_rng(seed).integers(0, 10**6, size=len(rows)).tolist()
    out = cellkey.protect(cells(rows, keys), threshold=threshold)
    true = pd.Series(rows, dtype=float)
    shown = out["records"].astype(float)
    assert out["suppressed"][(true > 0) & (true < 10)].all()
    visible = ~out["suppressed"]
    assert ((shown[visible] - true[visible]).abs() <= cellkey.NOISE_BOUND).all()
    assert (shown[visible & (true > 0)] >= threshold).all() and (shown[true == 0] == 0).all()


@settings(max_examples=50, deadline=None)
@given(
    rows=st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=30),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_raising_the_threshold_hides_by_the_shown_count_so_a_sweep_reveals_nothing_new(rows, seed):
    # Were cells hidden on their true count, the step at which a cell disappears would be its true count + 1.
    keys = np.random.default_rng(seed).integers(0, 10**6, size=len(rows)).tolist()
    base = cellkey.protect(cells(rows, keys), threshold=10)
    for threshold in range(10, 64):
        out = cellkey.protect(cells(rows, keys), threshold=threshold)
        expected = base["suppressed"] | ((base["records"].astype(float) > 0) & (base["records"] < threshold))
        assert out["suppressed"].tolist() == expected.fillna(True).tolist()
        assert out["records"][~out["suppressed"]].tolist() == base["records"][~out["suppressed"]].tolist()


def test_hidden_cells_export_as_c_marker():
    out = cellkey.protect(cells([3, 30], [0, 128]), threshold=10)
    exported = cellkey.for_export(out, columns=["records"])
    assert exported["records"].tolist() == ["[c]", 30]
