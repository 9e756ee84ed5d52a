"""AppTest on the real build: one figure per page carries a caption naming every vintage it combines, and the
LSOA list and map of Cherwell say where E01027305 is (docs/metrics.md, "Which district an LSOA is in")."""

from __future__ import annotations

import pytest

from tests.app.apptest import open_app_page

NCVO = ("2017/18", "mid-2019 population estimates (30 June 2019)")
CENSUS = "Census 2021 usual residents (21 March 2021)"


@pytest.mark.parametrize(
    ("page", "params", "expected"),
    [
        ("views/overview.py", {}, ("IMD decile among LADs", "IoD2025", *NCVO, "IMD score: English Indices")),
        ("views/map.py", {}, ("own nation", "IoD2025", "WIMD2025", "local authority districts (2024)")),
        (
            "views/area_profile.py",
            {"area": "E06000001", "tab": "Most similar areas"},
            ("IoD2025", f"Residents: {CENSUS}"),
        ),
        ("views/funding.py", {}, ("Grants: All funders, 2013–2018", "Residents: mid-2019 population estimates")),
        ("views/triple_jeopardy.py", {}, ("IoD2025", *NCVO)),
        (
            "views/explore.py",
            {"level": "lad24", "measures": "imd_average_score,ncvo_charities_per_1000"},
            ("IMD average score", "IoD2025", *NCVO),
        ),
        (
            "views/area_profile.py",
            {"area": "E07000177", "tab": "Neighbourhoods ranked by need"},
            ("(E01027305) is in West Northamptonshire in the IoD2025 files but in Cherwell",),
        ),
        (
            "views/map.py",
            {"geo": "lsoa_in_lads", "lads": "E07000177"},
            ("listed under West Northamptonshire", "IoD2025"),
        ),
    ],
)
def test_page_captions_name_their_vintages(built_db, monkeypatch, page, params, expected) -> None:
    at = open_app_page(built_db, monkeypatch, page=page, params=params)
    text = "\n".join(caption.value for caption in at.caption)
    missing = [phrase for phrase in expected if phrase not in text]
    assert missing == [], text
