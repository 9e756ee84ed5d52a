"""WIMD 2019: the ranks workbook (the mirror's published bytes) and the scores workbook in the official layout.

The mirror holds the published ranks .ods; the scores .ods (sheet Data: LSOA code, LSOA name, then
one column per index/domain headed as published) is built from humaniverse/IMD's copy of the scores.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.sources import wimd2019
from tests.standin.content import mirror
from tests.standin.content._sheets import frame_rows, ods_bytes


def scores_ods(work: Path) -> Path:
    derived = pd.read_csv(mirror() / wimd2019.DERIVED_SCORES.mirror_path, dtype={"lsoa11_code": str})  # type: ignore[operator]
    stems = {domain: stem for stem, domain in wimd2019.DERIVED_STEMS.items()}
    frame = pd.DataFrame({"LSOA code": derived["lsoa11_code"], "LSOA name (Eng)": ""})
    for header, domain in wimd2019.DOMAINS.items():
        frame[header] = derived[f"{stems[domain]}_score"]
    path = work / wimd2019.SCORES.file_name
    path.write_bytes(ods_bytes({"Contents": [["WIMD 2019 index and domain scores"]], "Data": frame_rows(frame)}))
    return path


def static_files(work: Path) -> dict[str, bytes | Path]:
    ranks = mirror() / wimd2019.RANKS.mirror_path  # type: ignore[operator]
    return {wimd2019.RANKS.url: ranks, wimd2019.RANKS_2019.url: ranks, wimd2019.SCORES.url: scores_ods(work)}
