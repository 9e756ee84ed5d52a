"""England and Wales: which nation an area is in, its national comparator, and the own-nation need measures.

The English Indices of Deprivation and the Welsh Index of Multiple Deprivation are separate indices: their
ranks and scores cannot be compared across the border. Pages covering both nations therefore default to
measures of each area's position within its own nation, and say so once.
"""

from __future__ import annotations

NATIONS = {"E": ("E92000001", "England"), "W": ("W92000004", "Wales")}
OWN_NATION_NOTE = (
    "England and Wales have separate deprivation indices (English Indices of Deprivation 2025, Welsh Index of "
    "Multiple Deprivation 2025): their ranks and scores are not comparable across the border, so only each "
    "area's position within its own nation is compared (e.g. the share of its neighbourhoods in the most "
    "deprived 20% of England, or of Wales)."
)
# Need measures defined for both nations, in order of preference for a page's default.
OWN_NATION_NEED = ("own_nation_share_most_deprived_20", "own_nation_share_most_deprived_10", "own_nation_decile")
HEALTH_WALES_NOTE = (
    "The ONS Health Index covers England only, so Welsh areas have no value for it. The official Welsh sources "
    "are Public Health Wales (Public Health Outcomes Framework for Wales) and StatsWales life expectancy by "
    "local authority; neither is loaded in this build."
)


def nation_of(code: str) -> str:
    """'E' or 'W' from a GSS code (anything not Welsh counts as England, the default comparator)."""
    return "W" if str(code).startswith("W") else "E"


def nation_name(code: str) -> str:
    """'England' or 'Wales' for an area code."""
    return NATIONS[nation_of(code)][1]


def default_need(options: list[str], *, fallbacks: tuple[str, ...] = ()) -> str | None:
    """The first own-nation need measure among options, else the first fallback present, else the first option."""
    preferred = [m for m in (*OWN_NATION_NEED, *fallbacks) if m in options]
    return next(iter(preferred or options), None)
