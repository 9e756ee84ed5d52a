"""The online build rehearsed end to end: `python -m etl build` with no mirror, every official host played by
the stand-in on 127.0.0.1 (VCS_INSIGHT_OFFICIAL_HOST), and every other network connection refused.

What it proves: each source's official distribution is downloaded through the real fetch path (switch,
User-Agent, retries, cache, ArcGIS paging), verified, parsed by its official-layout reader, loaded and
validated into a complete database; `python -m etl sources` then reports every source as loaded. Sources
whose stand-in content does not exist yet are listed as PENDING and must be exactly the missing layers.
The only liberty taken: where the stand-in cannot hold the publisher's own bytes (files pinned by their
published sha256 and size, e.g. IoD2025 File 7), the pins are replaced by those of the served fixture,
so the checksum code path still runs; tests/etl/test_online_faults.py proves a mismatch is refused.
The build itself runs once per session (tests/standin/rehearsal.py, fixture `rehearsal` in tests/conftest.py);
tests/browser/test_rehearsal_jeopardy.py shows the app on the same database.
"""

from __future__ import annotations

import json
import socket

import duckdb
import pytest

from etl.fetch import USER_AGENT, official_distribution
from etl.sources import all_sources
from etl.sources._grants360_files import REGISTRY_URL
from tests.standin.rehearsal import Rehearsal, guarded

# online-core's sources: these must load online in the rehearsal, never be pending.
CORE = {
    "ons_geography_2024",
    "ons_geography_2019_2021",
    "ons_lsoa11_lsoa21",
    "ons_ruc2021_lsoa21",
    "ons_boundaries_lad24",
    "ons_boundaries_lsoa21",
    "ons_boundaries_lsoa11",
    "imd2025_lsoa",
    "imd2025_lad",
    "imd2025_icb",
    "imd2019_lsoa",
    "imd2019_lad",
    "wimd2019_lsoa",
    "iod2025_population",
    "iod2019_population",
    "ons_sape_mid2019_lsoa11",
    "ons_mye_mid2020_lad21",
    "ons_census2021_lad21",
    "ncvo_almanac",
    "cc_aoo_lookup",
}


def test_online_build_succeeds_without_a_mirror(rehearsal: Rehearsal) -> None:
    assert rehearsal.exit_code == 0, rehearsal.output[-3000:]
    assert rehearsal.db.is_file()
    print(f"online build {rehearsal.seconds:.0f} s; pending stand-in content: {rehearsal.pending or 'none'}")
    print("downloaded (bytes):", json.dumps(rehearsal.downloaded_bytes(), sort_keys=True))


def test_online_cores_sources_are_all_served(rehearsal: Rehearsal) -> None:
    assert sorted(CORE & set(rehearsal.pending)) == []


def test_missing_layers_are_exactly_the_pending_sources(rehearsal: Rehearsal) -> None:
    with duckdb.connect(str(rehearsal.db), read_only=True) as con:
        missing = dict(con.execute("SELECT source_id, reason FROM missing_layers").fetchall())
    assert sorted(missing) == sorted(rehearsal.pending), missing
    assert all("not in the mirror folder" not in reason for reason in missing.values())


def test_every_loaded_source_came_from_its_official_urls(rehearsal: Rehearsal) -> None:
    with duckdb.connect(str(rehearsal.db), read_only=True) as con:
        rows = con.execute("SELECT source_id, url, official, rows FROM provenance").fetchall()
    official = {
        s.source_id: official_distribution(s).files for s in all_sources() if s.source_id not in rehearsal.pending
    }  # type: ignore[union-attr]
    expected = {(sid, f.url) for sid, files in official.items() for f in files}
    loaded = {(sid, url) for sid, url, _official, _rows in rows}
    assert expected <= loaded
    # beyond its official files, a source loads only files its index (the 360Giving registry) listed
    indexed = {sid for sid, files in official.items() if any(f.expand for f in files)}
    assert {sid for sid, _url in loaded - expected} <= indexed
    assert all(official for *_rest, official, _rows in rows)
    requested = {r.split("?")[0] for r in rehearsal.standin.requests}
    assert {url.split("?")[0] for _sid, url in loaded} <= requested


def test_grants_are_every_open_registry_publishers_and_failures_are_listed(rehearsal: Rehearsal) -> None:
    with duckdb.connect(str(rehearsal.db), read_only=True) as con:
        publishers = con.execute(
            "SELECT count(*) FROM provenance WHERE source_id = 'grants_360giving' AND url <> ?", [REGISTRY_URL]
        ).fetchone()[0]
        skipped = dict(con.execute("SELECT url, reason FROM skipped_files").fetchall())
        by_charity = con.execute(
            "SELECT count(*) FILTER (postcode IS NULL AND try_cast(charity_number AS BIGINT) IN "
            "(SELECT charity_number FROM charities WHERE postcode_normalised IS NOT NULL)), "
            "count(*) FILTER (charity_number IS NOT NULL AND lsoa21_code IS NOT NULL) FROM grants"
        ).fetchone()
    assert publishers == 4  # CSV, XLSX, JSON and ODS publishers of tests/standin/content/grants360.py
    reasons = sorted(" ".join(reason.split()[:2]) for reason in skipped.values())
    assert reasons == ["HTTP 404", "licence https://creativecommons.org/licenses/by-nc/4.0/", "not read"], skipped
    assert by_charity[0] == 0 and by_charity[1] > 0  # no postcode: placed at the registered charity's postcode


def test_every_request_carried_the_project_user_agent(rehearsal: Rehearsal) -> None:
    agents = {h.get("User-Agent") for h in rehearsal.standin.headers}
    assert agents == {USER_AGENT}


def test_sources_command_lists_every_url_and_what_the_build_did(rehearsal: Rehearsal) -> None:
    for source in all_sources():
        block = rehearsal.sources_listing.split(f"{source.source_id} [", 1)[1].split("\n", 1)[0]
        assert ("NOT LOADED" in block) == (source.source_id in rehearsal.pending), block
        for remote in getattr(official_distribution(source), "files", ()):
            assert remote.url in rehearsal.sources_listing


def test_network_guard_refuses_other_hosts() -> None:
    probe = socket.socket()
    try:
        with pytest.raises(OSError, match="network blocked"):
            guarded(socket.socket.connect)(probe, ("192.0.2.1", 443))
    finally:
        probe.close()


def test_register_measures_have_values_online(rehearsal: Rehearsal) -> None:
    if "ccew_register" in rehearsal.pending:
        pytest.skip("pending: the register's stand-in content (online-data) is not in this branch yet")
    with duckdb.connect(str(rehearsal.db), read_only=True) as con:
        found = dict(
            con.execute(
                "SELECT measure, count(value) FROM area_measures WHERE measure IN "
                "('charities_per_1000', 'charity_income_per_resident', 'share_charities_govt_funded', "
                "'govt_income_share') GROUP BY 1"
            ).fetchall()
        )
    assert (
        sorted(found)
        == sorted(
            ["charities_per_1000", "charity_income_per_resident", "share_charities_govt_funded", "govt_income_share"]
        )
        and min(found.values()) > 0
    )
