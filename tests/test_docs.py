"""The documentation is an interface too: settings in the README, every table and column in docs/schema.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl.fetch import OFFICIAL_HOST_ENV, official_distribution
from etl.sources import all_sources
from insight.config import SETTINGS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_readme_documents_each_setting(setting) -> None:
    readme = (ROOT / "README.md").read_text()
    row = next((line for line in readme.splitlines() if line.startswith(f"| `{setting.name}` |")), "")
    assert setting.help in row, "the README's settings table row says what the setting is for"


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "bash scripts/run.sh" in readme and "bash scripts/test.sh" in readme
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def schema_sections() -> dict[str, str]:
    text = (ROOT / "docs" / "schema.md").read_text()
    parts = re.split(r"^## +", text, flags=re.MULTILINE)[1:]
    return {part.splitlines()[0].strip(): part for part in parts}


def test_every_table_and_column_is_documented(db_con) -> None:
    sections = schema_sections()
    columns = db_con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'"
    ).fetchall()
    undocumented = [
        f"{table}.{column}"
        for table, column in columns
        if table not in sections or f"`{column}`" not in sections[table]
    ]
    assert undocumented == []


def test_readme_documents_the_etl_settings() -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"`{OFFICIAL_HOST_ENV}`" in readme and "`VCS_INSIGHT_MIRROR`" in readme
    assert "python -m etl sources" in readme and "--refresh" in readme


def test_sources_doc_gives_evidence_for_every_core_url() -> None:
    text = (ROOT / "docs" / "sources.md").read_text()
    owned_elsewhere = {"nspl", "ccew_register", "grants_360giving", "ons_health_index", "ohid_fingertips"}
    for source in all_sources():
        if source.source_id in owned_elsewhere:
            continue
        assert source.source_id in text, source.source_id
        for remote in getattr(official_distribution(source), "files", ()):
            service = remote.url.split("/rest/services/")[-1].split("/FeatureServer")[0]
            assert service.rsplit("/", 1)[-1].split("?")[0] in text, remote.url
