"""The Methods view-model on the tiny database."""

from __future__ import annotations

import duckdb
import pandas as pd

from insight import queries
from insight.pages import methods as page


def test_layers_and_filtered_catalog(con) -> None:
    layers = page.layers(con)
    assert list(layers)[:2] == ["all", "need"] and layers["need"] == "Need"
    view = page.methods(con, layer="need")
    assert set(view.catalog["layer"]) == {"need"}
    assert view.catalog_sentence.startswith(f"{len(view.catalog):,} measures")
    assert len(page.methods(con, layer="all").catalog) > len(view.catalog)


def test_sentences_say_what_is_missing() -> None:
    assert page.missing_sentence(0) == "Every source the build looked for was loaded."
    assert page.missing_sentence(2).startswith("Looked for and not found: 2 source(s)")


def test_skipped_files_listed_only_when_some_were_left_out(con) -> None:
    assert page.methods(con, layer="all").skipped_sentence == ""  # the tiny build skipped nothing
    skipped = pd.DataFrame(
        {
            "source_id": ["grants_360giving"] * 2,
            "file_name": ["a.xlsx", "b.csv"],
            "url": ["https://a.example/a.xlsx", "https://b.example/b.csv"],
            "reason": ["download failed (HTTP 404)", "licence … is not one 360Giving accepts as open"],
        }
    )
    assert page.skipped_sentence(skipped).startswith("Left out of this build: 2 file(s) listed by grants_360giving")


def test_skipped_files_empty_on_a_database_built_before_the_table(tmp_path) -> None:
    with duckdb.connect(str(tmp_path / "old.duckdb")) as old:
        old.execute("CREATE TABLE provenance (source_id VARCHAR)")
    with duckdb.connect(str(tmp_path / "old.duckdb"), read_only=True) as con:
        assert list(queries.skipped_files(con).columns) == ["source_id", "file_name", "url", "reason"]
