"""Build the DuckDB database atomically: temp file → load every source → derive → validate → rename."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from etl import checks, reconcile, vintages
from etl.fetch import Fetched, fetch
from etl.source import Source, SourceError

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
Progress = Callable[[str], None]


@dataclass
class BuildReport:
    """What a build loaded: per-table row counts and the sources it could not find."""

    db_path: Path
    tables: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)


def temp_path_for(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.name}.building-{os.getpid()}")


def remove_stale_temps(db_path: Path) -> None:
    """Delete temp files (and their WALs) left by killed builds; a build still running keeps its own."""
    for stale in db_path.parent.glob(f".{db_path.name}.building-*"):
        pid = stale.name.rsplit("-", 1)[-1].split(".")[0]
        if not (pid.isdigit() and process_alive(int(pid))):
            stale.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    """True when a process with this id exists (another build writing its temp file)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wrong_gss_codes(frames: dict[str, pd.DataFrame]) -> list[str]:
    """Area codes whose GSS prefix does not fit their level, checked at the edge so errors name the file."""
    bad: list[str] = []
    frame = frames.get("areas")
    if frame is None or not {"code", "level"} <= set(frame.columns):
        return bad
    for level, prefixes in checks.GSS_PREFIXES.items():
        codes = frame.loc[frame["level"] == level, "code"].astype(str)
        bad += [f"{code} ({level})" for code in codes[~codes.str[:3].isin(prefixes)].head(3)]
    return bad


def rows_per_file(fetched: Fetched, frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Rows loaded from each file: frames tag their file with attrs['file_key']; untagged count for all."""
    counts = dict.fromkeys(fetched.paths, 0)
    for frame in frames.values():
        key = frame.attrs.get("file_key")
        for file_key in [key] if key in counts else counts:
            counts[file_key] += len(frame)
    return counts


def insert_frames(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> None:
    """Insert each frame by column name into the schema table of the same name."""
    known = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    for table, frame in frames.items():
        if table not in known:
            raise ValueError(f"reader returned a frame for unknown table {table!r}")
        con.register("incoming_frame", frame)
        try:
            con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM incoming_frame')  # noqa: S608 - checked above
        finally:
            with contextlib.suppress(duckdb.Error):  # fails inside an aborted transaction; the view is replaced
                con.unregister("incoming_frame")


def record_provenance(
    con: duckdb.DuckDBPyConnection, source: Source, fetched: Fetched, rows: dict[str, int], *, refused: set[str]
) -> None:
    """One row per file loaded (files the reader refused, listed in skipped_files, are not)."""
    loaded_at = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    for remote in (f for f in fetched.distribution.files if f.url not in refused):
        con.execute(
            "INSERT INTO provenance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                source.source_id,
                source.title,
                source.publisher,
                remote.url,
                source.licence,
                source.vintage,
                remote.file_name,
                fetched.sha256[remote.key],
                rows[remote.key],
                loaded_at,
                fetched.distribution.name,
                fetched.distribution.official,
            ],
        )


def record_skipped(con: duckdb.DuckDBPyConnection, source: Source, fetched: Fetched) -> None:
    """Files an index listed that could not be downloaded (a reader adds those it refused as `skipped_files`)."""
    for url, why in fetched.skipped.items():
        name = Path(url.split("?")[0]).name or url
        con.execute("INSERT INTO skipped_files VALUES (?, ?, ?, ?)", [source.source_id, url, name, why])


def record_missing(con: duckdb.DuckDBPyConnection, source: Source, reason: str) -> None:
    con.execute(
        "INSERT INTO missing_layers VALUES (?, ?, ?, ?, ?)",
        [source.source_id, source.title, source.publisher, source.landing_url, reason],
    )


def absent_reason(mirror: Path | None) -> str:
    return "not in the mirror folder" if mirror is not None else "no official online distribution"


def load_source(
    con: duckdb.DuckDBPyConnection, source: Source, *, mirror: Path | None, cache: Path, refresh: bool = False
) -> str | None:
    """Fetch, parse and insert one source in its own transaction; None when loaded, else why not.

    An optional source that is absent or fails (download, verification, parsing, schema) is left out
    whole, with the reason; a required one raises.

    Raises:
        SourceError: a required source could not be fetched, verified, parsed or inserted.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        fetched = fetch(source, mirror=mirror, cache=cache, refresh=refresh)
        if fetched is not None:
            insert_source(con, source, fetched)
    except SourceError as error:
        con.execute("ROLLBACK")
        if source.required:
            raise
        fetched, reason = None, " ".join(str(error).split())
    else:
        con.execute("COMMIT")
        reason = absent_reason(mirror)
    if fetched is not None:
        return None
    record_missing(con, source, reason)
    return reason


def insert_source(con: duckdb.DuckDBPyConnection, source: Source, fetched: Fetched) -> None:
    """Parse the fetched files and insert their frames and provenance.

    Raises:
        SourceError: the files could not be read, have wrong codes, or rows do not fit the schema.
    """
    names = ", ".join(p.name for p in fetched.paths.values())
    try:
        frames = fetched.distribution.reader(fetched.paths)
    except SourceError:
        raise
    except Exception as error:  # a reader's unexpected failure still names the source and file
        raise SourceError(source.source_id, names, f"could not be read ({type(error).__name__}: {error})") from error
    if bad := wrong_gss_codes(frames):
        raise SourceError(source.source_id, names, f"codes with the wrong GSS prefix for their level: {', '.join(bad)}")
    try:
        insert_frames(con, frames)
    except duckdb.IOException as error:  # disk full or unwritable: not the publisher's fault
        raise SourceError(source.source_id, names, f"could not write the new database ({error})") from error
    except (duckdb.Error, ValueError) as error:
        raise SourceError(source.source_id, names, f"rows do not fit the schema ({error})") from error
    refused = set(frames["skipped_files"]["url"]) if "skipped_files" in frames else set()
    record_provenance(con, source, fetched, rows_per_file(fetched, frames), refused=refused)
    record_skipped(con, source, fetched)


def derive(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Run a source's derive_sql; a failure names the source."""
    try:
        con.execute(source.derive_sql)
    except duckdb.Error as error:
        raise SourceError(source.source_id, "derive_sql", f"deriving measures failed ({error})") from error


def build(
    db_path: Path,
    *,
    sources: Iterable[Source],
    mirror: Path | None,
    cache: Path,
    progress: Progress = print,
    validate: bool = True,
    refresh: Collection[str] = (),
) -> BuildReport:
    """Build a complete database at db_path, replacing the old one only if everything succeeds.

    `refresh`: source ids (or "all") downloaded again even when the cache holds a fresh copy.

    Raises:
        SourceError: a source could not be fetched, verified or parsed.
        ValidationError: the assembled data failed a cross-source check.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(db_path)
    temp = temp_path_for(db_path)
    report = BuildReport(db_path)
    sources = list(sources)
    try:
        con = duckdb.connect(str(temp))
        try:
            con.execute(SCHEMA_SQL.read_text())
            loaded = []
            for number, source in enumerate(sources, 1):
                progress(f"[{number}/{len(sources)}] {source.source_id}: {source.title}")
                again = source.source_id in refresh or "all" in refresh
                reason = load_source(con, source, mirror=mirror, cache=cache, refresh=again)
                if reason is None:
                    loaded.append(source)
                else:
                    report.missing.append(source.source_id)
                    report.reasons[source.source_id] = reason
                    progress(f"    not loaded: {source.source_id} ({reason}); the app will say so")
            for source in loaded:
                if source.derive_sql:
                    progress(f"    deriving measures: {source.source_id}")
                    derive(con, source)
            vintages.record(con)
            progress(f"    reconciling published summaries: {reconcile.build(con):,} rows")
            if validate:
                progress("validating")
                checks.validate(con)
            report.tables = checks.table_counts(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(temp, db_path)
        # A WAL beside the target belongs to the old file; replaying it onto the new one would corrupt it.
        Path(f"{db_path}.wal").unlink(missing_ok=True)
    except BaseException:
        temp.unlink(missing_ok=True)
        Path(f"{temp}.wal").unlink(missing_ok=True)
        raise
    return report
