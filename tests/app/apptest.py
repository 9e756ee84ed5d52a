"""Open one page of the real app under AppTest: the shared start of every page test."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def open_app_page(
    db: Path, monkeypatch: pytest.MonkeyPatch, *, page: str, params: dict[str, str] | None = None, timeout: int = 120
) -> AppTest:
    """Open `page` (views/x.py) on `db` as a shared link does: its first run reads `params` from the URL.

    The page runs on its own rather than after app.py's default page: switching pages drops the URL parameters the
    previous page's widgets bind (bind="query-params"), so a link's ?area= or ?need= would not reach the page.
    Fails on any exception shown.
    """
    monkeypatch.setenv("VCS_INSIGHT_DB", str(db))
    at = AppTest.from_file(str(ROOT / page), default_timeout=timeout)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
