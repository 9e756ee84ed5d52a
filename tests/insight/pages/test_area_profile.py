"""The Area profile view-model on the tiny database: one call gives the page everything it shows."""

from __future__ import annotations

from insight import profile
from insight.pages import area_profile as page


def view_of(con, code: str = "E06000901", level: str = "lad24") -> page.AreaProfile:
    return page.area_profile(con, data=profile.level_data(con, level=level), code=code, font_size=16)


def test_one_call_holds_the_area_its_region_and_its_comparisons(con) -> None:
    view = view_of(con)
    assert (view.name, view.region_name, view.nation) == ("Aldbury", "Invented Region North", "England")
    assert view.heading == "District (LAD) E06000901, Invented Region North. Compared with England."
    assert view.table.equals(profile.comparison_table(profile.level_data(con, level="lad24"), code="E06000901"))
    assert list(view.display.columns)[2:4] == ["Aldbury", "Invented Region North"]
    assert page.styled(view).data is view.display


def test_similar_areas_are_found_once_and_shown_rounded(con) -> None:
    view = view_of(con)
    assert view.similar["area_name"].tolist()[:3] == ["Brambleton", "Cressford", "Dunmere"]
    assert (view.similar["distance"] == view.similar["distance"].round(2)).all()
    mean = view.table.set_index("measure").loc["imd_average_score", "similar"]
    assert mean == (32 + 25 + 18 + 12 + 8) / 5  # the comparison's similar-areas mean uses the same five areas
    assert "areas of England" in view.similarity_statement and view.similarity_caption


def test_neighbourhoods_figures_and_notes(con) -> None:
    view = view_of(con)
    assert len(view.lsoas) == 2 and view.lsoas["lsoa_name"].str.startswith("Aldbury").all()
    assert view.lsoas["need_rank"].tolist() == [1, 2]
    assert view.figures[-1][0] == "most_deprived_lsoas" and len(view.figures) >= 2
    assert page.NO_LSOA_CAPACITY in view.lsoa_notes  # no neighbourhood capacity measure in the tiny database
    assert any("layer" in note and "not loaded" in note for note in view.notes)  # e.g. health at ICB level


def test_brief_names_the_area_and_its_notes(con) -> None:
    text = page.brief(view_of(con))
    assert "Aldbury: need and voluntary-sector capacity" in text
    assert page.REGISTERED_OFFICE in text and "Compared with England" in text


def test_choosers_and_not_loaded(con) -> None:
    names = page.area_names(con, level="lad24")
    assert names["E06000901"] == "Aldbury (E06000901)" and list(names)[0] == "E06000901"
    assert page.level_not_loaded(con, level="icb24").startswith("Data for this type of area (Integrated care board)")
    assert page.chart_counter(1, count=5) == "Chart 2 of 5"
