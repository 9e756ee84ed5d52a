"""The Area profile view-model on the tiny database: one call gives the page everything it shows."""

from __future__ import annotations

from dataclasses import replace

from insight import charts, nations, profile
from insight.pages import area_profile as page
from insight.panel import Panel


def view_of(con, code: str = "E06000901", level: str = "lad24", *, meeting: bool = False) -> page.AreaProfile:
    return page.area_profile(con, data=profile.level_data(con, level=level), code=code, meeting=meeting)


def test_one_call_holds_the_area_its_region_and_its_comparisons(con) -> None:
    view = view_of(con)
    assert (view.name, view.region_name, view.nation) == ("Aldbury", "Invented Region North", "England")
    assert view.heading == "District (LAD) E06000901, Invented Region North. Compared with England."
    assert view.table.equals(profile.comparison_table(profile.level_data(con, level="lad24"), code="E06000901"))
    assert list(view.display.columns)[2:4] == ["Aldbury", "Invented Region North"]
    assert page.styled(view).data is view.display
    assert view.captions == (view.heading, nations.OWN_NATION_NOTE)
    assert [filename for _, filename in view.comparison_charts] == [f"Aldbury_{n}" for n, _ in view.figures[:-1]]


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


def test_tabs_as_panels(con) -> None:
    view = view_of(con)
    similar = view.similar_panel
    assert similar.captions == (view.similarity_statement, view.similarity_caption) and similar.text is None
    assert similar.table is view.similar and similar.table_filename == "Aldbury_similar_areas"
    lsoas = view.lsoa_panel
    assert lsoas.figure is view.figures[-1][1] and lsoas.filename == "Aldbury_most_deprived_lsoas"
    assert lsoas.captions == tuple(view.lsoa_notes) and lsoas.table is view.lsoas
    assert lsoas.table_filename == "Aldbury_lsoas" and page.TABS[2] == "Neighbourhoods ranked by need"


def test_tabs_say_why_they_are_empty(con) -> None:
    view = view_of(con)
    empty = replace(view, similar=view.similar.iloc[0:0], lsoas=view.lsoas.iloc[0:0])
    assert empty.similar_panel.text == page.NO_SIMILAR and empty.similar_panel.table is None
    assert empty.similar_panel.captions  # the method is still said
    assert empty.lsoa_panel == Panel(text=page.NO_LSOAS)


def test_meeting_view_in_large_type_one_chart_at_a_time(con) -> None:
    view, large = view_of(con), view_of(con, meeting=True)
    assert view.figures[0][1].layout.font.size == charts.FONT_SIZE
    assert large.figures[0][1].layout.font.size == page.MEETING_FONT_SIZE
    count = len(large.figures)
    first, last = large.slide(0), large.slide(-1)  # ◀ Previous from the first chart wraps to the last
    assert (first.position, first.counter) == (0, f"Chart 1 of {count}")
    assert (last.position, last.counter, last.filename) == (
        count - 1,
        f"Chart {count} of {count}",
        "Aldbury_most_deprived_lsoas",
    )
    assert large.slide(count).position == 0 and first.figure.layout.height == page.MEETING_HEIGHT
    assert large.figures[0][1].layout.height != page.MEETING_HEIGHT  # the view's own figure is left as it was


def test_brief_downloads_by_area_code(con) -> None:
    view = view_of(con)
    assert view.brief_filename == "vcs_insight_brief_E06000901.html" and "Aldbury: need and" in view.brief_html()
