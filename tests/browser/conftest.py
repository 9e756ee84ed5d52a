"""Browser-test fixtures: one app server on the mirror build (another on the online rehearsal's build, started only
when a test asks) and one Debian chromium for every test here."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, running_app


@pytest.fixture(scope="session")
def app_url(built_db: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free local port, reading the mirror build."""
    with running_app(built_db) as url:
        yield url


@pytest.fixture(scope="session")
def rehearsal_app_url(rehearsal) -> Iterator[str]:
    """A second app server, reading the online rehearsal's database (tests/standin/rehearsal.py)."""
    if rehearsal.exit_code != 0:
        pytest.fail(f"the online rehearsal build failed: {rehearsal.output[-2000:]}")
    with running_app(rehearsal.db) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium")
        pytest.skip("no /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
