"""The online build rehearsed end to end: `python -m etl build` with no mirror, every official host played by
the stand-in on 127.0.0.1 (VCS_INSIGHT_OFFICIAL_HOST), and every other network connection refused.

What it proves: each source's official distribution is downloaded through the real fetch path (switch,
User-Agent, retries, cache, ArcGIS paging), verified, parsed by its official-layout reader, loaded and
validated into a complete database; `python -m etl sources` then reports every source as loaded. Sources
whose stand-in content does not exist yet are listed as PENDING and must be exactly the missing layers.
The only liberty taken: where the stand-in cannot hold the publisher's own bytes (files pinned by their
published sha256 and size, e.g. IoD2025 File 7), the pins are replaced by those of the served fixture,
so the checksum code path still runs; tests/etl/test_online_faults.py proves a mismatch is refused.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

import etl.__main__ as cli
from etl.fetch import OFFICIAL_HOST_ENV, USER_AGENT, official_distribution
from etl.source import RemoteFile, Source
from etl.sources import all_sources
from tests.standin.content import ContentMissing, collect, mirror
from tests.standin.server import LAYER_PATH, StandIn, body_of, serving

# online-core's sources: these must load online in the rehearsal, never be pending.
CORE = {
    "ons_geography_2024", "ons_geography_2019_2021", "ons_lsoa11_lsoa21", "ons_ruc2021_lsoa21",
    "ons_boundaries_lad24", "ons_boundaries_lsoa21", "ons_boundaries_lsoa11", "imd2025_lsoa", "imd2025_lad",
    "imd2025_icb", "imd2019_lsoa", "imd2019_lad", "wimd2019_lsoa", "iod2025_population", "iod2019_population",
    "ons_sape_mid2019_lsoa11", "ons_mye_mid2020_lad21", "ons_census2021_lad21", "ncvo_almanac", "cc_aoo_lookup",
}  # fmt: skip
LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass
class Rehearsal:
    db: Path
    exit_code: int
    output: str
    pending: list[str]
    standin: StandIn
    sources_listing: str
    seconds: float
    cache: Path

    def downloaded_bytes(self) -> dict[str, int]:
        """Bytes in the download cache per source (a file shared by two sources counts for both)."""
        records = [json.loads(p.read_text()) for p in self.cache.glob("*/*.json") if p.with_suffix("").is_file()]
        size_of = {record["url"]: record["bytes"] for record in records}
        sizes = {}
        for source in all_sources():
            files = getattr(official_distribution(source), "files", ())
            sizes[source.source_id] = sum(size_of.get(f.url, 0) for f in files)
        return sizes


def served(remote: RemoteFile, standin: StandIn) -> bool:
    """Whether the stand-in answers this official URL (a file, or a FeatureServer layer it holds)."""
    if remote.url in standin.files:
        return True
    match = LAYER_PATH.search(remote.url.split("?")[0])
    return bool(remote.paging == "arcgis" and match and match.group(1) in standin.layers)


def pinned_to_served(source: Source, standin: StandIn) -> Source:
    """The source with published sha256/size pins replaced by those of the stand-in's bytes (see docstring)."""
    official = official_distribution(source)
    if official is None or not any(f.sha256 or f.size for f in official.files):
        return source
    files = []
    for remote in official.files:
        if (remote.sha256 or remote.size) and remote.url in standin.files:
            body = body_of(standin.files[remote.url])
            remote = dataclasses.replace(remote, sha256=hashlib.sha256(body).hexdigest(), size=len(body))
        files.append(remote)
    replaced = dataclasses.replace(official, files=tuple(files))
    return dataclasses.replace(
        source, distributions=tuple(replaced if d is official else d for d in source.distributions)
    )


def pending_sources(sources: list[Source], standin: StandIn) -> list[str]:
    """Sources the stand-in cannot serve yet (no official distribution, or a file it does not hold)."""
    pending = []
    for source in sources:
        official = official_distribution(source)
        if official is None or not all(served(f, standin) for f in official.files):
            pending.append(source.source_id)
    return pending


def guarded(original):
    """socket.connect refusing every address but the loopback interface (the stand-in)."""

    def connect(self: socket.socket, address) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in LOOPBACK:
            raise OSError(f"rehearsal: network blocked (tried {address})")
        return original(self, address)

    return connect


def run_cli(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli.main(args)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory: pytest.TempPathFactory) -> Rehearsal:
    """One online build against the stand-in (module scope: it takes a minute or two)."""
    try:
        mirror()  # the stand-in's content is built from the mirror's bytes
    except ContentMissing as missing:
        pytest.skip(str(missing))
    work = tmp_path_factory.mktemp("rehearsal")
    standin = collect(work / "standin").standin()
    sources = [pinned_to_served(s, standin) for s in all_sources()]
    db = work / "out" / "vcs_insight.duckdb"
    with pytest.MonkeyPatch.context() as patch, serving(standin):
        patch.delenv("VCS_INSIGHT_MIRROR", raising=False)
        patch.setenv(OFFICIAL_HOST_ENV, standin.base)
        patch.setattr(cli, "all_sources", lambda: sources)
        patch.setattr(socket.socket, "connect", guarded(socket.socket.connect))
        started = time.perf_counter()
        code, output = run_cli(["build", "--db", str(db), "--cache", str(work / "raw")])
        seconds = time.perf_counter() - started
        _, listing = run_cli(["sources", "--db", str(db)])
    pending = pending_sources(sources, standin)
    return Rehearsal(db, code, output, pending, standin, listing, seconds, work / "raw")


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
    expected = {
        (s.source_id, f.url)
        for s in all_sources()
        if s.source_id not in rehearsal.pending
        for f in official_distribution(s).files  # type: ignore[union-attr]
    }
    assert {(sid, url) for sid, url, _official, _rows in rows} == expected
    assert all(official for *_rest, official, _rows in rows)
    requested = {r.split("?")[0] for r in rehearsal.standin.requests}
    assert {url.split("?")[0] for _sid, url in expected} <= requested


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
