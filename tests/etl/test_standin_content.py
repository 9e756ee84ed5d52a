"""The stand-in's files for NSPL, the register, Fingertips and the Health Index read by the real readers."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from etl.sources import charity_register, health, nspl
from tests.standin.content import fingertips, health_index, register
from tests.standin.content import nspl as standin_nspl
from tests.standin.content._places import places

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def mirror_env(mirror: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCS_INSIGHT_MIRROR", str(mirror))


def test_nspl_zip_places_every_lsoa(tmp_path):
    files = standin_nspl.static_files(tmp_path)
    frame = nspl.read_full_zip({"nspl_zip": files[nspl.OFFICIAL_ZIP]})["postcodes"]
    assert len(frame) == len(places()) + 1 == 35_673
    assert frame["lsoa21_code"].nunique() == 35_672
    assert set(frame["nspl_vintage"]) == {"2025-05"}


@pytest.fixture(scope="module")
def extract(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VCS_INSIGHT_MIRROR", str(mirror))
        where = places()[:2000]
        return register.write_extract(tmp_path_factory.mktemp("ccew"), charities=300, where=where, source=mirror)


def test_register_objects_carry_every_dictionary_field(extract, mirror):
    fields = register.dictionary(mirror)
    for table, path in extract.items():
        with zipfile.ZipFile(path) as archive:
            assert archive.namelist() == [f"publicextract.{table}.json"]
            text = archive.read(archive.namelist()[0]).decode("utf-8")
        assert text.startswith("\ufeff[")
        assert tuple(json.loads(text[1:])[0]) == fields[table]


def test_register_reads_main_charities_with_their_returns(extract):
    frames = charity_register.read_register(extract)
    charities = frames["charities"]
    assert len(charities) == 300 - 300 // 12  # linked charities are not main charities
    assert charities["charity_number"].is_unique
    assert (charities["status"] == "Removed").sum() == len([n for n in range(1, 301) if n % 7 == 0 and n % 12])
    assert charities["postcode_normalised"].isin({p.postcode for p in places()}).all()
    assert charities.loc[charities["status"] == "Registered", "receives_govt_contracts"].notna().all()
    assert set(frames["charity_annual_returns"]["fin_period_end_date"].astype(str).str[:4]) >= {"2021", "2025"}


def test_fingertips_csv_reads(tmp_path):
    path = tmp_path / "by_indicator_id.csv"
    path.write_bytes(fingertips.csv_bytes(["E06000001", "E06000002"]))
    frame = health.read_fingertips({"fingertips_csv": path})["fingertips_values"]
    assert len(frame) == 2 * 2 * 3
    assert set(frame["indicator_id"]) == {90366, 90362}
    assert frame["value"].between(55, 90).all()
    assert set(frame["area_type"]) == {"England", fingertips.AREA_TYPE}


def test_health_index_workbooks_read(tmp_path):
    files = health_index.static_files(tmp_path)
    frames = health.read_official({"scores": files[health.SCORES_URL], "indicators": files[health.UNDERLYING_URL]})
    lads = len(health_index.districts())
    assert len(frames["health_index_lad"]) == lads * 2
    assert frames["health_index_lad"]["healthy_people_score"].notna().all()
    assert len(frames["health_indicators_lad"]) == lads * 2
