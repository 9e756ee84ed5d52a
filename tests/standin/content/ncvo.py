"""NCVO UK Civil Society Almanac 2020 data tables: sheet A5 in the official layout.

The mirror holds the British Red Cross re-packaging of sheet A5's "General charities" column at
LAD 2019; the workbook served here carries those counts in an A5 sheet laid out as published
(title lines, a header row naming "General charities", one row per local authority).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.sources import ncvo
from tests.standin.content import mirror
from tests.standin.content._sheets import frame_rows, xlsx_bytes


def static_files(work: Path) -> dict[str, bytes | Path]:
    counts = pd.read_csv(mirror() / ncvo.MIRROR_CSV, dtype={"LAD19CD": str})
    a5 = pd.DataFrame(
        {
            "Local authority code": counts["LAD19CD"],
            "Local authority": "",
            "General charities": counts["Number of charities"],
        }
    )
    titles = ["A5: Number of general charities by local authority, 2017/18", "Source: NCVO, Charity Commission"]
    path = work / Path(ncvo.WORKBOOK_URL).name
    path.write_bytes(xlsx_bytes({"Contents": [["Contents"]], "A5 Local authorities": frame_rows(a5, titles=titles)}))
    return {ncvo.WORKBOOK_URL: path}
