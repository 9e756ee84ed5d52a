"""Your data pipeline on a tiny invented database: known-answer counts, protection pattern, geocoding, exports.

Known answers come from `exact`, the analysis with a perturbation table of zeros (only small counts hidden); the
perturbed result is checked against it.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from insight.uploads import analyse as byod
from insight.uploads import cellkey, figures
from insight.uploads.readers import UploadError
from insight.uploads.sandbox import read_upload
from tests.fixtures.byod import HERE, tiny_db
from tests.fixtures.byod import noise_free as exact


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    path = tiny_db(tmp_path_factory.mktemp("byod") / "tiny.duckdb")
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return read_upload((HERE / "records_50.csv").read_bytes(), name="records_50.csv").frame


@pytest.fixture(scope="module")
def result(con, records) -> byod.ByodResult:
    return exact(con, frame=records, mapping=byod.detect_mapping(records), threshold=10)


@pytest.fixture(scope="module")
def perturbed(con, records) -> byod.ByodResult:
    return byod.analyse(con, frame=records, mapping=byod.detect_mapping(records), threshold=10, secret=b"test")


def visible(table: pd.DataFrame, key: str) -> dict:
    shown = table[~table["suppressed"]]
    return dict(zip(shown[key].fillna("(none)"), shown["records"].astype(float), strict=True))


def test_mapping_is_detected_from_headers_and_values(records):
    mapping = byod.detect_mapping(records)
    assert mapping == byod.ColumnMapping("Post Code", "postcode", None, None, "Date seen", "Service")


def test_known_answer_status_counts(result):
    # Only "matched" (44) and all rows (50) reach the threshold; 1, 2, 1, 2 and 5 are hidden (None, shown [c]).
    assert result.summary == {
        "matched": 44,
        "unmatched": None,
        "invalid": None,
        "missing": None,
        "out_of_scope": None,
        "rows": 50,
        "terminated": None,
    }


def test_known_answer_lsoa_cells_and_protection_pattern(result):
    # True counts: 001=12, 002=3, 003=11 (6 live + 5 terminated), 004=10, 005=6, B without LSOA=1, W 008=1.
    # Only 1 to 9 is hidden: no cell is hidden to protect another, because no shown total is exact.
    assert visible(result.lsoa, "lsoa_code") == {"E01999001": 12.0, "E01999003": 11.0, "E01999004": 10.0}
    hidden = set(result.lsoa.loc[result.lsoa["suppressed"], "lsoa_code"].fillna("(none)"))
    assert hidden == {"E01999002", "E01999005", "W01999008", "(none)"}


def test_known_answer_lad_and_decile_tables(result):
    assert visible(result.lad, "lad_code") == {"E06999001": 36.0}
    assert result.lad.loc[result.lad.lad_code == "E06999001", "records_per_1000"].iloc[0] == pytest.approx(0.36)
    assert visible(result.deciles, "decile") == {
        "1": 18.0,
        "3": 0.0,
        "4": 0.0,
        "5": 11.0,
        "6": 0.0,
        "7": 0.0,
        "8": 0.0,
        "9": 10.0,
        "10": 0.0,
    }
    assert result.deciles.set_index("decile").loc["1", "share_of_records"] == pytest.approx(100 * 18 / 44)
    assert result.suppressed == {"lad": 2, "deciles": 2, "lsoa": 4, "out_of_scope": 2}


def test_perturbed_result_hides_the_same_cells_and_moves_the_others_by_at_most_two(result, perturbed):
    for name in ("lsoa", "lad", "deciles", "local"):
        table, truth = getattr(perturbed, name), getattr(result, name)
        assert table["suppressed"].tolist() == truth["suppressed"].tolist(), name
        moved = (table["records"].astype(float) - truth["records"].astype(float)).abs()
        assert (moved[~table["suppressed"]] <= cellkey.NOISE_BOUND).all(), name
    assert abs(perturbed.summary["matched"] - 44) <= 2 and perturbed.summary["invalid"] is None
    assert perturbed.underserved.equals(result.underserved)


def test_the_same_records_show_the_same_number_in_every_table(perturbed):
    lsoa = perturbed.lsoa.dropna(subset=["lsoa_code"]).set_index("lsoa_code")["records"]
    local = perturbed.local.set_index("lsoa_code")["records"]
    assert local[lsoa.index].astype(float).fillna(-1).tolist() == lsoa.astype(float).fillna(-1).tolist()


def test_suppressed_values_are_blank_and_shares_too(result):
    hidden = result.deciles[result.deciles["suppressed"]]
    assert hidden["records"].isna().all() and hidden["share_of_records"].isna().all()
    assert result.lad.loc[result.lad["suppressed"], "records_per_1000"].isna().all()


def test_headline_is_a_protected_share(result):
    # Deciles 1-2 hold 12 + 6 + 3 + 1 = 22 of the 44 mapped records: one cell of its own, not a sum of shown ones.
    assert result.headline.startswith("50.0% of your mapped records are from the most deprived 20%")
    assert "55.6% of LSOAs nationally" in result.headline


def test_out_of_scope_counted_by_nation_and_suppressed(result):
    assert result.out_of_scope["scope"].tolist() == ["Northern Ireland", "Scotland"]
    assert result.out_of_scope["suppressed"].all()


def test_high_need_low_reach_lists_deprived_lsoas_with_none_or_few(result):
    table = result.underserved
    assert table["lsoa_code"].tolist() == ["E01999005", "E01999002", "E01999009", "W01999008"]
    assert table["reach"].tolist() == ["fewer than 10", "fewer than 10", "none", "fewer than 10"]
    assert table["need_edition"].tolist() == ["IoD2025", "IoD2025", "IoD2025", "WIMD2019"]


def test_not_matched_rows_keep_the_original_columns(result):
    table = result.not_matched
    assert table["row_in_file"].tolist() == [45, 46, 47, 48, 49, 50]
    assert table["Post Code"].tolist() == ["ZZ7 7ZZ", "not known", "ZZ1", "", "EH1 1AA", "bt1 1aa"]


def test_a_raised_threshold_hides_more(con, records):
    raised = exact(con, frame=records, mapping=byod.detect_mapping(records), threshold=11)
    assert raised.threshold == 11
    assert visible(raised.lsoa, "lsoa_code") == {"E01999001": 12.0, "E01999003": 11.0}  # 004 (10) now hidden
    assert "adjusted to below 11" in byod.suppression_sentence(raised)


def test_threshold_is_never_below_ten(con, records):
    assert byod.analyse(con, frame=records, mapping=byod.detect_mapping(records), threshold=2).threshold == 10


@pytest.mark.parametrize(
    ("raw", "status", "lsoa"),
    [
        ("ZZ1 1AA", "matched", "E01999001"),
        ("zz11aa", "matched", "E01999001"),
        ("  ZZ1   1AA ", "matched", "E01999001"),
        ("zz1-1aa", "matched", "E01999001"),
        ("ZZ1 1AE", "matched", "E01999003"),  # terminated, still placed
        ("ZZ2 2AB", "matched", None),  # LSOA split: district only
        ("ZZ7 7ZZ", "unmatched", None),
        ("ZZ1", "invalid", None),
        ("12345", "invalid", None),
        ("", "missing", None),
        ("EH1 1AA", "out_of_scope", None),
        ("G1 1AA", "out_of_scope", None),
        ("BT1 1AA", "out_of_scope", None),
        ("JE2 3AB", "out_of_scope", None),
        ("ZY1 1AA", "out_of_scope", None),  # the lookup says Scotland
    ],
)
def test_postcode_geocoding(con, raw, status, lsoa):
    inputs = pd.DataFrame({"row": [0], "raw": [raw], "rkey": [0], "weight": [1.0], "amount": [np.nan]})
    cursor = con.cursor()
    byod.geocode(cursor, inputs=inputs, kind="postcode")
    row = cursor.execute("SELECT status, lsoa_code FROM byod_geo").fetchone()
    cursor.close()
    assert row == (status, lsoa)


@pytest.mark.parametrize(
    ("raw", "kind", "status", "lad"),
    [
        ("E01999001", "lsoa", "matched", "E06999001"),
        (" e01999005 ", "lsoa", "matched", "E06999002"),
        ("E01888888", "lsoa", "unmatched", None),
        ("S01000001", "lsoa", "out_of_scope", None),
        ("nonsense", "lsoa", "invalid", None),
        ("E06999002", "lad", "matched", "E06999002"),
        ("N09000001", "lad", "out_of_scope", None),
    ],
)
def test_area_code_geocoding(con, raw, kind, status, lad):
    inputs = pd.DataFrame({"row": [0], "raw": [raw], "rkey": [0], "weight": [1.0], "amount": [np.nan]})
    cursor = con.cursor()
    byod.geocode(cursor, inputs=inputs, kind=kind)
    row = cursor.execute("SELECT status, lad_code FROM byod_geo").fetchone()
    cursor.close()
    assert row == (status, lad)


def test_grants_by_lad_code_with_amounts(con):
    frame = pd.DataFrame({"District code": ["E06999001"] * 12, "Amount Awarded": ["£1,000"] * 11 + ["n/a"]})
    mapping = byod.detect_mapping(frame)
    assert (mapping.location_kind, mapping.amount) == ("lad", "Amount Awarded")
    result = exact(con, frame=frame, mapping=mapping)
    assert result.lad.loc[0, ["records", "amount"]].tolist() == [12.0, 11_000.0]
    assert result.lad.loc[0, "amount_per_resident"] == pytest.approx(0.11)
    assert any("1 row(s) had an amount" in note for note in result.notes)


def test_count_column_weights_records(con):
    frame = pd.DataFrame({"postcode": ["ZZ1 1AA"] * 10, "visits": ["2"] * 9 + ["x"]})
    result = exact(con, frame=frame, mapping=byod.detect_mapping(frame))
    assert result.lsoa.loc[0, "records"] == 18.0
    assert any("count that is not a number" in note for note in result.notes)


def test_no_location_column_is_refused(con):
    frame = pd.DataFrame({"name": ["a", "b"], "colour": ["red", "blue"]})
    mapping = byod.detect_mapping(frame)
    assert mapping.location is None
    with pytest.raises(UploadError, match="No column with postcodes"):
        byod.analyse(con, frame=frame, mapping=mapping)


def test_filters_by_category_and_dates(records):
    mapping = byod.detect_mapping(records)
    assert byod.filter_mask(records, mapping=mapping, categories=("Advice",)).sum() == 8
    span = byod.date_range(records, mapping=mapping)
    assert [str(d) for d in span] == ["2024-01-15", "2024-12-15"]
    assert byod.filter_mask(records, mapping=mapping, span=(span[0], span[0])).sum() == 5


def test_filters_run_inside_the_analysis_and_keep_row_numbers(con, records):
    mapping = byod.detect_mapping(records)
    advice = exact(con, frame=records, mapping=mapping, categories=("Advice",))
    assert advice.summary["rows"] is None  # 8 rows: hidden like any small count
    assert advice.not_matched["row_in_file"].tolist() == [50]  # "bt1 1aa" is row 50 of the file, not of the view


def test_iso_dates_are_never_read_day_first():
    dates = byod.parse_dates(pd.Series(["2024-11-01", "2024-03-01T10:00", "01/11/2024", "not a date"]))
    assert [str(d.date()) if pd.notna(d) else None for d in dates] == ["2024-11-01", "2024-03-01", "2024-11-01", None]


def csv_text(data: bytes) -> str:
    return data.decode("utf-8-sig")


def test_every_export_neutralises_formula_cells(result):
    exports = [
        byod.export_csv(result.lsoa, columns=byod.LSOA_COLUMNS),
        byod.export_csv(result.lad, columns=byod.LAD_COLUMNS),
        byod.export_csv(result.deciles, columns=byod.DECILE_COLUMNS),
        byod.export_csv(result.underserved, columns=byod.UNDERSERVED_COLUMNS),
        byod.export_csv(result.out_of_scope, columns=byod.SCOPE_COLUMNS),
    ]
    from insight.export import to_csv_bytes

    exports.append(to_csv_bytes(result.not_matched))
    unmatched = pd.read_csv(io.BytesIO(exports[-1]), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert set(unmatched["Service"]) >= {
        '\'=HYPERLINK("http://example.invalid","click")',
        "'+44 call back",
        "'@mention",
    }
    assert "'-5 visits" in set(unmatched["Service"])
    for data in exports:
        cells = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for column in cells.columns:
            assert not cells[column].str.match(r"^[=+\-@]").any(), column


def test_suppressed_cells_export_as_c_marker(result):
    table = pd.read_csv(
        io.BytesIO(byod.export_csv(result.lsoa, columns=byod.LSOA_COLUMNS)), dtype=str, encoding="utf-8-sig"
    )
    assert table["Records"].tolist().count("[c]") == 4
    assert table.loc[table["LSOA code"] == "E01999003", "Records"].iloc[0] == "11.0"


@pytest.mark.parametrize("text", ["<script>alert('x')</script>", "**bold** [link](http://example.invalid)"])
def test_user_text_is_escaped_for_markdown(text):
    escaped = byod.escape_markdown(text)
    assert "<script>" not in escaped and "**" not in escaped and "](" not in escaped


def test_two_hundred_thousand_rows_in_bounded_time(con):
    rng = np.random.default_rng(5)
    postcodes = np.array(["ZZ1 1AA", "zz11ab", "ZZ1 1AD", "ZZ2 2AA", "ZZ3 3AA", "bad", "EH1 1AA", "ZZ7 7ZZ"])
    picked = rng.choice(postcodes, size=200_000)
    data = ("Postcode\n" + "\n".join(picked) + "\n").encode()
    frame = read_upload(data, name="big.csv").frame
    steps = []
    result = exact(con, frame=frame, mapping=byod.detect_mapping(frame), progress=lambda f, m: steps.append(f))
    expected = {status: int(count) for status, count in zip(*np.unique(picked, return_counts=True), strict=True)}
    assert result.summary["rows"] == 200_000
    assert result.summary["invalid"] == expected["bad"]
    assert result.summary["out_of_scope"] == expected["EH1 1AA"]
    assert steps[0] < steps[-1] == 1.0


def test_nothing_is_left_in_the_database_connection(con, records):
    byod.analyse(con, frame=records, mapping=byod.detect_mapping(records))
    temp = con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()[0]
    assert temp == 0
    assert Path(str(con.execute("PRAGMA database_list").fetchall()[0][2])).exists()


def test_360giving_json_grants_end_to_end(con):
    grants = [
        {
            "id": f"360G-INVENTED-{i}",
            "amountAwarded": 1000 + i,
            "awardDate": "2024-03-01",
            "recipientOrganization": [{"name": "Invented Org", "postalCode": "ZZ1 1AD"}],
            "fundingOrganization": [{"name": "Invented Funder"}],
        }
        for i in range(10)
    ]
    frame = read_upload(json.dumps({"grants": grants}).encode(), name="grants.json").frame
    mapping = byod.detect_mapping(frame)
    assert mapping == byod.ColumnMapping(
        "Recipient Org:Postal Code", "postcode", None, "Amount Awarded", "Award Date", "Funding Org:Name"
    )
    result = exact(con, frame=frame, mapping=mapping)
    assert result.lsoa[["lsoa_code", "records", "amount"]].values.tolist() == [["E01999003", 10.0, 10_045.0]]


def test_reach_chart_draws_a_hidden_decile_blank() -> None:
    """A decile whose count is hidden carries NA in its share (object column, as the protected table gives it)."""

    deciles = pd.DataFrame(
        {
            "imd_decile": [1, 2, None],
            "share_of_records": pd.Series([pd.NA, 62.5, 37.5], dtype=object),
            "lsoas_national_pct": [10.0, 10.0, None],
            "lsoas_local_pct": pd.Series([12.0, pd.NA, None], dtype=object),
        }
    )
    fig = figures.reach_by_decile(deciles, title="Reach")
    records = fig.data[0]
    assert list(records.x) == [1, 2] and np.isnan(records.y[0]) and records.y[1] == 62.5
