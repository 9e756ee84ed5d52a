"""Issue 19's examples on the pages themselves: each gives a clear message and no exception element."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_app_page
from tests.fixtures.byod import tiny_db
from tests.insight.test_upload_sandbox import ISSUE_FILES

ROOT = Path(__file__).resolve().parents[2]
# (SQL, what the page shows: a fragment of the refusal, or None when the result table shows). The sandbox's
# own tests (tests/insight/test_sql_sandbox.py) hold every SQL example of the issue; these are on the page.
SQL_EXAMPLES = [
    ("SELECT DATE '9999-12-31' + 1 AS d", None),
    ("SELECT union_value(k := 1) AS u, 'infinity'::DATE AS d", None),
    ("UPDATE EXTENSIONS", "this is a non-SELECT statement"),
    ("WITH pg_settings AS (FROM pg_settings) SELECT * FROM pg_settings", "system state (duckdb_settings)"),
    ("SELECT '=HYPERLINK(\"http://example.invalid\")' AS link", None),
]


@pytest.mark.integration
def test_sql_examples_show_or_refuse_clearly(built_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCS_INSIGHT_SQL_SECONDS", "60")  # a busy machine must not turn a result into a time-out
    at = open_app_page(built_db, monkeypatch, page="views/explore.py")
    for sql, refusal in SQL_EXAMPLES:
        at.text_area(key="ex_sql").set_value(sql)
        at.button(key="ex_run").click()
        at.run()
        assert not at.exception, (sql[:60], [e.value for e in at.exception])
        if refusal:
            message = at.error[0].value.replace("\\", "")  # the page escapes Markdown
            assert refusal in message, (sql[:60], message)
        else:
            assert not at.error, (sql[:60], [e.value for e in at.error])
    shown = next(grid.value for grid in at.dataframe if "link" in grid.value.columns)  # as the grid's download has it
    assert shown["link"].tolist() == ['\'=HYPERLINK("http://example.invalid")']


def test_upload_examples_are_refused_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCS_INSIGHT_DB", str(tiny_db(tmp_path / "tiny.duckdb")))
    at = AppTest.from_file(str(ROOT / "views" / "your_data.py"), default_timeout=120)
    at.run()
    for case, data, name, fragment in ISSUE_FILES:
        at.file_uploader(key="byod_file").set_value((name, data, "application/octet-stream"))
        at.run()
        assert not at.exception, (case, [e.value for e in at.exception])
        message = at.error[0].value.replace("\\", "")  # the page escapes Markdown
        assert fragment in message, (case, message)
