"""Open one page of the real app under AppTest: the shared start of every page test."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def open_app_page(
    db: Path, monkeypatch: pytest.MonkeyPatch, *, page: str, params: dict[str, str] | None = None, timeout: int = 120
) -> AppTest:
    """Run app.py on `db`, then switch to `page` with `params` in the URL; fail on any exception shown."""
    monkeypatch.setenv("VCS_INSIGHT_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.run()  # st.navigation registers the pages; then switch by file
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
