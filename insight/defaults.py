"""The one rule for which measure a page shows first, by role: need, capacity or dependence.

Own-nation need measures come first: they cover England and Wales, where the IoD ones cover England only
(insight.nations). Capacity prefers the register's current count over NCVO's 2017/18 one when both are loaded.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from insight.formatting import is_count
from insight.nations import OWN_NATION_NEED

ROLES = ("need", "capacity", "dependence")
PREFERRED = {
    "need": (
        *OWN_NATION_NEED,
        "imd_average_score",
        "imd_score",
        "imd_share_lsoas_most_deprived_20",
        "imd_share_most_deprived_10",
    ),
    "capacity": ("charities_per_1000", "ncvo_charities_per_1000", "charity_income_per_resident"),
    "dependence": ("share_charities_govt_funded", "govt_income_share"),
}


def role_options(catalog: pd.DataFrame, *, role: str) -> list[str]:
    """Measures usable for a role, in catalog order: its layer, with a direction, not a raw count.

    Counts grow with an area's size, and deciles and ranks (polarity 'none') are positions rather than amounts.
    """
    directed = (catalog["layer"] == role) & (catalog["polarity"] != "none")
    usable = catalog[directed & ~catalog["unit"].map(is_count).astype(bool)]
    return usable["measure"].tolist()


def default_measure(catalog: pd.DataFrame, *, role: str, options: Sequence[str] | None = None) -> str | None:
    """The first preferred measure for `role` among `options`, else the first option, else None.

    Args:
        catalog: loaded measures (measure, layer, unit, polarity), e.g. queries.available_measures at a level.
        role: 'need', 'capacity' or 'dependence'.
        options: the choices a widget offers, when they are not role_options(catalog, role=role) — a map of
            any measure still opens on the preferred need measure.
    """
    offered = role_options(catalog, role=role) if options is None else list(options)
    preferred = [m for m in PREFERRED[role] if m in offered]
    return next(iter(preferred or offered), None)
