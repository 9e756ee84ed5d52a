"""Every read-side module is placed in the import-linter layers, so none can escape the contracts."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {c["type"]: c for c in config["tool"]["importlinter"]["contracts"]}


def insight_modules() -> set[str]:
    return {f"insight.{p.stem}" for p in (ROOT / "insight").glob("*.py") if p.stem != "__init__"}


def test_every_insight_module_has_a_layer() -> None:
    layered = {m.strip() for layer in contracts()["layers"]["layers"] for m in layer.split(":")}
    assert insight_modules() - layered == set()


def test_every_insight_module_but_cache_is_barred_from_streamlit() -> None:
    barred = set(contracts()["forbidden"]["source_modules"])
    assert insight_modules() - barred == {"insight.cache"}


def test_pages_contain_no_sql() -> None:
    assert len(list((ROOT / "views").glob("*.py"))) == 8
    offenders = [
        page.name
        for page in (ROOT / "views").glob("*.py")
        if re.search(r"\b(SELECT .* FROM|FROM \w+ WHERE|duckdb\.|open\()", page.read_text())
    ]
    assert offenders == []
