"""What one section or tab of a page shows, as plain data: the page renders it (ui.show_panel), tests read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Panel:
    """In order: a heading, a notice (shown instead of everything else when there is nothing to draw), a chart,
    captions, text, and a table with its CSV download (or the download alone).

    figure is a Plotly figure; filename names its PNG download. formats gives table columns their own number format
    ("percent", "%.2f"), as ui.show_table takes them. table_download is what the CSV download writes when it is not
    the table as shown (a protected table's download writes hidden cells as [c]).
    """

    notice: str | None = None
    figure: Any = None
    filename: str = "chart"
    captions: tuple[str, ...] = ()
    text: str | None = None
    table: pd.DataFrame | None = None
    table_filename: str = "table"
    table_label: str = "Download table (CSV)"
    formats: dict[str, str] = field(default_factory=dict)
    table_shown: bool = True
    heading: str | None = None
    table_download: pd.DataFrame | None = None
