"""The Streamlit adapter's plain decisions (no running app needed)."""

from __future__ import annotations

import pandas as pd

from insight import streamlit_adapter as ui
from insight.export import to_csv_bytes


def test_a_small_table_travels_with_the_page_and_a_big_one_is_built_on_click():
    small = pd.DataFrame({"Area": ["Invented A", "Invented B"], "Value": [1.5, 2.0]})
    assert ui.download_data(small, to_csv_bytes) == to_csv_bytes(small)  # bytes: the click downloads at once
    big = pd.DataFrame({"Value": range(ui.SENT_WITH_PAGE_ROWS + 1)})
    deferred = ui.download_data(big, to_csv_bytes)
    assert callable(deferred) and deferred() == to_csv_bytes(big)
    edge = pd.DataFrame({"Value": range(ui.SENT_WITH_PAGE_ROWS)})
    assert isinstance(ui.download_data(edge, to_csv_bytes), bytes)
