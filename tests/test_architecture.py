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
    """Every module under insight/, sub-packages included (insight.sector.sql)."""
    found = set()
    for path in (ROOT / "insight").rglob("*.py"):
        if path.stem != "__init__":
            found.add(".".join(("insight", *path.relative_to(ROOT / "insight").with_suffix("").parts)))
    return found


def covered(module: str, names: set[str]) -> bool:
    """True when the module or one of its parent packages is in `names`."""
    parts = module.split(".")
    return any(".".join(parts[:i]) in names for i in range(2, len(parts) + 1))


def test_every_insight_module_has_a_layer() -> None:
    layered = {m.strip() for layer in contracts()["layers"]["layers"] for m in layer.split(":")}
    assert insight_modules() - layered == set()


def test_every_insight_module_but_the_adapter_is_barred_from_streamlit() -> None:
    barred = set(contracts()["forbidden"]["source_modules"])
    assert {m for m in insight_modules() if not covered(m, barred)} == {"insight.streamlit_adapter"}


def test_pages_contain_no_sql() -> None:
    assert len(list((ROOT / "views").glob("*.py"))) == 9
    offenders = [
        page.name
        for page in (ROOT / "views").glob("*.py")
        if re.search(r"\b(SELECT .* FROM|FROM \w+ WHERE|duckdb\.|open\()", page.read_text())
    ]
    assert offenders == []


def project_python() -> list[Path]:
    """The project's own Python files (not the virtual environment or caches)."""
    return [
        p
        for d in ("app.py", "etl", "insight", "views", "tests", "benchmarks", "uk_postcode")
        for p in ([ROOT / d] if d.endswith(".py") else (ROOT / d).rglob("*.py"))
    ]


def test_the_formatter_lays_out_every_line() -> None:
    markers = re.compile(r"#\s*fmt:\s*(skip|off)|#\s*yapf:\s*disable")
    offenders = [p.name for p in project_python() if markers.search(p.read_text())]
    assert len(project_python()) > 200
    assert offenders == []


def test_pages_are_thin() -> None:
    """A page script is widgets and rendering around one view-model call: under 60 non-blank lines (issue 21)."""
    lengths = {
        page.name: sum(1 for line in page.read_text().splitlines() if line.strip())
        for page in (ROOT / "views").glob("*.py")
    }
    assert {name: n for name, n in lengths.items() if n >= 60} == {}
