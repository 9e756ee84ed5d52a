"""Fixtures for online-build tests: the stand-in host behind the ETL's official-host switch, no backoff waits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

from etl.fetch import OFFICIAL_HOST_ENV
from tests.standin.server import StandIn, serving


@pytest.fixture
def official_host(monkeypatch: pytest.MonkeyPatch) -> Callable[[StandIn], AbstractContextManager[StandIn]]:
    """`with official_host(StandIn(...)) as standin:` serves it and points VCS_INSIGHT_OFFICIAL_HOST at it."""

    @contextmanager
    def start(standin: StandIn) -> Iterator[StandIn]:
        with serving(standin) as running:
            monkeypatch.setenv(OFFICIAL_HOST_ENV, running.base)
            yield running

    return start


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("etl.fetch.web.sleep", lambda _s: None)
