"""The Triple jeopardy page as data: the measures its widgets offer (`choices`), then all it shows (`jeopardy_view`).

The page keeps only widgets and rendering; each tab's content is a Panel built from the view when the tab is open.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import duckdb
import pandas as pd

from insight import captions, defaults, nations, queries
from insight.explore import column_format
from insight.formatting import format_int
from insight.jeopardy import figures
from insight.jeopardy import measures as jeopardy
from insight.maps import files as map_files
from insight.panel import Panel

INTRO = (
    "Which areas combine high need, a thin voluntary and community sector, and charities that depend on public "
    "money? Move the thresholds; the link in your address bar keeps your choices.",
    nations.OWN_NATION_NOTE,
)
TABS = ("Map", "Top 20", "Capacity gap")
PICKERS = {"need": "Need measure", "capacity": "Capacity measure", "dependence": "Dependence measure"}
THRESHOLDS = {"need": "Top X% for need", "capacity": "Bottom Y% for capacity", "dependence": "Top Z% for dependence"}
DEFINITIONS = (
    "- **Flags.** Each measure is turned so that the worse end is high need, low capacity and high dependence. "
    "An area is in the worst X% when its rank from the worse end (1 = worst; tied areas share the better rank) "
    "is at most X% of the areas with a value. It is flagged when it is in the worst share for every measure.\n"
    "- **Score (0–100, higher = worse).** The mean of the area's percentile ranks on the chosen measures "
    "(rank from the better end ÷ number of areas × 100; ties averaged).\n"
    "- **Capacity gap.** Observed capacity minus the capacity expected for the area's need, from a Theil–Sen "
    "line (the median of pairwise slopes, which one extreme area cannot tilt) of capacity on need across all areas "
    "of this geography; areas with extreme capacity (more than 3 × the interquartile range beyond the quartiles) "
    "stay in the line and are named under the chart.\n"
    "- Charities are counted where they are registered, which is not always where they work. Measures come "
    "from different years; see Methods & sources."
)
NOTHING_FLAGGED = "No area is in the worst share for every measure at these thresholds. Widen a threshold to see more."
FIXED_FORMATS = {"Score": "%.1f", "Expected capacity": "%.2f", "Capacity gap": "%+.2f"}


@dataclass(frozen=True)
class Choices:
    """What the measure pickers offer at one level: measures per role, their labels, and each role's default."""

    options: dict[str, list[str]]
    labels: dict[str, str]
    defaults: dict[str, str | None]


def choices(con: duckdb.DuckDBPyConnection, *, level: str) -> Choices:
    """The loaded measures usable for each role at `level` (insight.defaults: the one rule), labelled, with defaults."""
    available = jeopardy.loaded_measures(con, level=level)
    return Choices(
        options={role: defaults.role_options(available, role=role) for role in jeopardy.ROLES},
        labels=dict(zip(available["measure"], available["label"], strict=True)),
        defaults={role: defaults.default_measure(available, role=role) for role in jeopardy.ROLES},
    )


@dataclass(frozen=True)
class JeopardyView:
    """Everything the page shows for one choice of level, measures and thresholds.

    warning: set when need or capacity has no measure here (then nothing else is filled); notice: the
    dependence-not-loaded sentence. table: the full ranked table with readable headers (Flagged included);
    formats: its number formats. metrics: (label, value, help) for the four headline numbers.
    """

    level: str
    warning: str | None = None
    notice: str | None = None
    word: str = "Two"
    metrics: tuple[tuple[str, str, str | None], ...] = ()
    captions: tuple[str, ...] = ()
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    formats: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    result: jeopardy.Result | None = None

    @property
    def area_word(self) -> str:
        """The level's name in running text: 'local authority districts'."""
        return jeopardy.LEVELS[self.level].lower()

    @property
    def map_codes(self) -> tuple[str, ...] | None:
        """The areas the map draws: only the flagged ones at levels with very many areas, else all (None)."""
        if self.level not in jeopardy.MANY_AREAS or self.result is None:
            return None
        return tuple(self.result.table.loc[self.result.table["flagged"], "area_code"])

    @property
    def csv_name(self) -> str:
        """The ranked table's download name (every area, whatever the page shows)."""
        return f"triple_jeopardy_{self.level}"

    def shown(self, *, flagged_only: bool) -> pd.DataFrame:
        """The table as displayed: flagged areas only, or every area."""
        return self.table[self.table["Flagged"]].reset_index(drop=True) if flagged_only else self.table


def jeopardy_view(
    con: duckdb.DuckDBPyConnection,
    *,
    level: str,
    need: str | None,
    capacity: str | None,
    dependence: str | None,
    percents: tuple[int, int, int],
) -> JeopardyView:
    """Score the areas of `level` on the chosen measures (None = not loaded) at thresholds X, Y, Z and compose the page.

    Measure ids must be loaded at `level` (choices); a missing need or capacity gives a view with only a warning.
    """
    if need is None or capacity is None:
        return JeopardyView(level=level, warning=missing_sentence(level, role="need" if need is None else "capacity"))
    result = jeopardy.scored_areas(
        con, level=level, need=need, capacity=capacity, dependence=dependence, percents=percents
    )
    available = jeopardy.loaded_measures(con, level=level).set_index("measure")
    chosen = {role: m for role, m in zip(jeopardy.ROLES, (need, capacity, dependence), strict=True) if m}
    labels = {role: str(available.at[m, "label"]) for role, m in chosen.items()}
    has_dependence = "dependence" in result.roles
    notice = None
    if not has_dependence:
        notice = jeopardy.dependence_missing_sentence(jeopardy.missing_sources(con), level_label=jeopardy.LEVELS[level])
    view = JeopardyView(
        level=level,
        notice=notice,
        word="Triple" if has_dependence else "Two",
        table=jeopardy.display_table(result, labels=labels, flagged_only=False),
        formats={labels[r]: column_format(available.at[m, "unit"]) for r, m in chosen.items() if r in result.roles}
        | FIXED_FORMATS,
        labels=labels,
        result=result,
    )
    source = captions.caption(con, level=level, measures=tuple(chosen.values()))
    return _with_numbers(view, percents=percents, source=source)


def _with_numbers(view: JeopardyView, *, percents: tuple[int, int, int], source: str) -> JeopardyView:
    """The view with its headline metrics and captions."""
    assert view.result is not None  # noqa: S101 — only called with a scored result
    counts = jeopardy.flag_counts(view.result)
    x, y, z = percents
    metrics = (
        (f"{view.word}-jeopardy areas", format_int(counts["flagged"]), "In the worst share for every measure"),
        (f"Top {x}% for need", format_int(counts["need"]), None),
        (f"Bottom {y}% for capacity", format_int(counts["capacity"]), None),
        (
            f"Top {z}% for dependence",
            format_int(counts["dependence"]) if "dependence" in counts else "not loaded",
            None,
        ),
    )
    scored = (
        f"{format_int(counts['scored'])} of {format_int(len(view.table))} {view.area_word} have every chosen measure."
    )
    return replace(view, metrics=metrics, captions=(scored, source))


def missing_sentence(level: str, *, role: str) -> str:
    """Why areas cannot be flagged at a level that lacks a need or capacity measure."""
    return (
        f"No {role} measure has values for {jeopardy.LEVELS[level].lower()} in this database, so areas cannot be "
        "flagged at this level. Choose another geography (local authority districts have need and capacity)."
    )


def boundaries(
    con: duckdb.DuckDBPyConnection, *, level: str, codes: tuple[str, ...] | None
) -> tuple[pd.DataFrame | None, str | None]:
    """What map_panel draws over: the boundaries of `codes` (JeopardyView.map_codes; None = every area) and the URL
    of the level's boundary file. `codes` empty: nothing is flagged, so no boundaries are fetched (None)."""
    geo = None if codes == () else queries.geometry(con, level=level, codes=codes)
    return geo, map_files.geojson_url(con, level=level)


def map_panel(view: JeopardyView, *, geo: pd.DataFrame | None, geojson_url: str | None) -> Panel:
    """The flag map over `geo` (queries.geometry of view.map_codes), or why there is none.

    geo may be None when view.map_codes is empty (nothing to draw: do not fetch boundaries to say so).
    """
    assert view.result is not None  # noqa: S101 — the page stops before tabs when there is no result
    many = view.level in jeopardy.MANY_AREAS
    if many and not view.map_codes:
        return Panel(notice="No neighbourhood is flagged at these thresholds, so there is nothing to map.")
    if geo is None or geo.empty:
        return Panel(notice=f"No boundaries for {view.area_word} are in this database, so there is no map.")
    title = f"{view.word}-jeopardy areas: {view.area_word}"
    figure = figures.build_flag_map(view.result, geo, title=title, geojson_url=geojson_url)
    unscored = int(view.result.table["score"].isna().sum())
    if many:
        note: tuple[str, ...] = ("Only the flagged neighbourhoods are drawn, so the map stays quick.",)
    elif unscored:
        note = (
            f"Grey: {format_int(unscored)} areas lack a value for at least one chosen measure (a measure from one "
            "nation's index, such as the IoD or WIMD, covers that nation only). Hover over an area for its score.",
        )
    else:
        note = ()
    return Panel(figure=figure, filename=f"jeopardy_map_{view.level}", captions=note)


def top_panel(view: JeopardyView) -> Panel:
    """Bars of the 20 highest scores."""
    assert view.result is not None  # noqa: S101 — the page stops before tabs when there is no result
    figure = figures.build_top_bar(view.result, n=20, title=f"Highest scores: {view.area_word}")
    return Panel(figure=figure, filename=f"jeopardy_top20_{view.level}")


def gap_panel(view: JeopardyView) -> Panel:
    """Need against capacity with the expected-capacity line, and the line's method sentence."""
    assert view.result is not None  # noqa: S101 — the page stops before tabs when there is no result
    figure = figures.build_gap_scatter(
        view.result, need_label=view.labels["need"], capacity_label=view.labels["capacity"]
    )
    sentence = jeopardy.fit_sentence(view.result)
    return Panel(figure=figure, filename=f"jeopardy_gap_{view.level}", captions=(sentence,) if sentence else ())
