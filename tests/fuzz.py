"""Hypothesis profiles for the property tests: bounded and fixed-seed in CI, longer on demand.

HYPOTHESIS_PROFILE=ci (the default): derandomized (the same examples on every run), no example database, and
each test's CI example count as written beside it. HYPOTHESIS_PROFILE=long: random examples, LONG_FACTOR times
as many. Example: HYPOTHESIS_PROFILE=long .venv/bin/pytest tests -k fuzz
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG_FACTOR = 40
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("long", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(PROFILE)


def examples(ci: int) -> settings:
    """Settings running `ci` examples in CI and LONG_FACTOR times as many in the long profile."""
    return settings(max_examples=ci * (LONG_FACTOR if PROFILE == "long" else 1))
