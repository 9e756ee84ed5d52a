"""AppTest of the Your data page on a tiny invented database: upload, mapping, summary numbers, protection."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from tests.fixtures.byod import HERE, tiny_db

ROOT = Path(__file__).resolve().parents[2]
PAGE = "views/your_data.py"
RECORDS = (HERE / "records_50.csv").read_bytes()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_db(tmp_path_factory.mktemp("byod") / "tiny.duckdb")


def open_page(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("VCS_INSIGHT_DB", str(tiny))
    monkeypatch.setenv("VCS_INSIGHT_SDC_SECRET", "app test secret")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()  # st.navigation registers the pages; then switch by file
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key="byod_file").set_value((name, content, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_says_data_stays_in_memory(tiny, monkeypatch):
    at = open_page(tiny, monkeypatch)
    assert "processed in memory" in at.info[0].value
    assert "nothing is written to disk" in at.info[0].value
    assert "small counts are hidden ([c])" in at.info[0].value and "at most ±2" in at.info[0].value


def test_example_file_is_offered_until_a_file_is_chosen(tiny, monkeypatch):
    at = open_page(tiny, monkeypatch)
    offer = "No file to hand? Try an example file"
    assert offer in [e.label for e in at.expander]
    assert at.radio(key="byod_example_format").options == ["CSV", "Excel (.xlsx)", "360Giving JSON"]
    assert [b.label for b in at.download_button] == ["Download the example file"]
    assert not at.warning and not at.dataframe  # nothing read yet
    at.radio(key="byod_example_format").set_value("json")
    at.button(key="byod_example_try").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state.byod_example == "json"
    assert "**vcs-insight-invented-example.json**: invented records, not real data" in at.warning[0].value
    assert any("**180 rows**" in m.value for m in at.markdown)
    upload(at, "records.csv", RECORDS)  # a file of their own: no offer, no example
    assert offer not in [e.label for e in at.expander] and not any("invented records" in w.value for w in at.warning)
    assert any("**50 rows**" in m.value for m in at.markdown)


def test_upload_and_map_shows_known_summary(tiny, monkeypatch):
    at = upload(open_page(tiny, monkeypatch), "records.csv", RECORDS)
    assert at.selectbox[0].value == "Post Code"
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    # True counts 50, 44, 1, 2, 2: the small ones hidden, the others within 2 of the truth.
    assert {label: value for label, value in metrics.items() if label not in ("Rows read", "Matched")} == {
        "Not placed": "[c]",
        "Invalid": "[c]",
        "Outside England & Wales": "[c]",
    }
    assert abs(int(metrics["Rows read"]) - 50) <= 2 and abs(int(metrics["Matched"]) - 44) <= 2
    assert any("Hidden: 4 LSOA cell(s), 2 district(s), 2 decile(s)" in w.value for w in at.warning)
    assert any("% of your mapped records are from the most deprived 20%" in m.value for m in at.markdown)
    assert [h.value for h in at.subheader] == [
        "Check the columns",
        "How your rows matched",
        "Reach against need",
        "High need, low reach",
        "By district",
        "By neighbourhood (LSOA)",
    ]
    assert at.warning[-1].icon == ":material/visibility_off:"
    downloads = [b.label for b in at.download_button]
    assert downloads[0].startswith("Download the rows not placed")
    assert len(downloads) == 5
    lsoa_table = at.dataframe[-1].value
    assert lsoa_table["Records"].notna().sum() == 3
    assert abs(lsoa_table.loc[lsoa_table["LSOA code"] == "E01999003", "Records"].iloc[0] - 11) <= 2


def test_script_in_cells_is_shown_as_text(tiny, monkeypatch):
    at = upload(open_page(tiny, monkeypatch), "records.csv", RECORDS)
    preview = at.dataframe[0].value
    assert "<script>alert('x')</script>" in preview["Service"].tolist()
    assert not any("<script>" in m.value and "\\<script" not in m.value for m in at.markdown)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"Post Code,Service\n", "column names but no rows"),
        (b"name;service\nalpha;beta\n", "No column with postcodes"),
    ],
)
def test_bad_files_get_a_clear_message(tiny, monkeypatch, content, message):
    at = upload(open_page(tiny, monkeypatch), "bad.csv", content)
    if at.button:
        at.button[0].click().run()
    shown = [e.value.replace("\\", "") for e in at.error]  # messages are markdown-escaped
    assert any(message in text for text in shown), shown


def workbook_with_a_formula_sheet() -> bytes:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Calculated"
    first.append(["Post Code", "Visits"])
    first.append(["ZZ1 1AA", "=1+1"])
    second = book.create_sheet("Records")
    second.append(["Post Code", "Visits"])
    for _ in range(12):
        second.append(["ZZ1 1AA", 1])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_workbook_sheet_with_unsaved_formulas_offers_another_sheet(tiny, monkeypatch):
    at = upload(open_page(tiny, monkeypatch), "book.xlsx", workbook_with_a_formula_sheet())
    assert "formula cell" in at.error[0].value
    at.selectbox(key="byod_sheet").select("Records").run()
    assert not at.exception and not at.error
    assert at.selectbox(key="byod_sheet").value == "Records"
    at.button[0].click().run()
    assert 10 <= int({m.label: m.value for m in at.metric}["Matched"]) <= 14


def test_page_never_renders_raw_html():
    assert "unsafe_allow_html" not in (ROOT / PAGE).read_text()
