"""The Methods view-model on the tiny database."""

from __future__ import annotations

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
