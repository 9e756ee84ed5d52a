"""The Explore page's SQL box: one read-only SELECT over the documented tables, bounded in rows, time and memory.

Each query runs in a short-lived worker process (`python -m insight.sql_sandbox`) with an address-space
limit and no file writes, on an in-memory DuckDB connection that attaches the database read-only and
then disables external access and locks its configuration. A hostile query can fail or be stopped,
but cannot read files, change the database, or take the app's memory with it.
"""

from __future__ import annotations

import io
import logging
import os
import resource
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.ipc

from insight import config
from insight.sql_rules import (
    CATALOG,
    SCHEMA_HINT,
    SqlRefused,
    check_plan,
    check_references,
    displayable,
    first_line,
    single_select,
)

if TYPE_CHECKING:
    import pandas as pd

LOG = logging.getLogger(__name__)

MEMORY_LIMIT = "256MB"  # DuckDB's own buffer limit inside the worker
WORKER_ADDRESS_SPACE = 1 << 30  # hard ceiling for everything else (strings, lists, Arrow buffers)
MAX_RESULT_BYTES = 64 << 20
WORKER_GRACE_S = 10.0  # start-up plus an uninterruptible function before the worker is killed
REFUSED_EXIT = 3
# At most this many queries run at once per app process; others wait up to their time limit, then are told.
WORKERS = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))
# Settings for the sandbox connection; external access is switched off after the database is attached.
SANDBOX_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "allow_persistent_secrets": False,
    "threads": 1,
    "memory_limit": MEMORY_LIMIT,
    "temp_directory": "",
}
MEMORY_MESSAGE = (
    "The query needed more memory than the SQL box allows and was stopped (results are limited to "
    f"{MAX_RESULT_BYTES >> 20} MB). Select fewer rows or columns, filter or aggregate it."
)
SIZE_MESSAGE = (
    f"The result is larger than the {MAX_RESULT_BYTES >> 20} MB the SQL box returns. "
    "Select fewer rows or columns, or aggregate."
)


def run_readonly_sql(db_path: Path, sql: str, *, max_rows: int, timeout_s: float) -> pd.DataFrame:
    """Run one user-written SELECT in a locked-down worker process.

    Args:
        db_path: the built database file.
        sql: the text typed in the SQL box.
        max_rows: at most this many rows are returned.
        timeout_s: the query is interrupted after this many seconds.

    Returns:
        The result; `attrs["truncated"]` is True when more than max_rows rows existed
        and `attrs["max_rows"]` records the cap.

    Raises:
        SqlRefused: the statement is not a single SELECT over the documented tables, ran too
            long or out of memory, or failed, or its result could not be shown; the message says which.
            This is the SQL box's one boundary: any other exception becomes SqlRefused, logged here.
    """
    try:
        return _run(db_path, sql, max_rows=max_rows, timeout_s=timeout_s)
    except SqlRefused:
        raise
    except Exception as error:
        LOG.exception("SQL box: unexpected failure for query %r", sql[:300])
        raise SqlRefused(
            f"The query's result could not be shown ({type(error).__name__}: {first_line(error)}). "
            "The error has been logged for the maintainers."
        ) from error


def _run(db_path: Path, sql: str, *, max_rows: int, timeout_s: float) -> pd.DataFrame:
    query = single_select(sql)
    if not db_path.is_file():
        raise SqlRefused(f"The database is not built yet. Build it with: {config.BUILD_COMMAND}")
    precheck(db_path, query)
    if not WORKERS.acquire(timeout=timeout_s):
        raise SqlRefused("The SQL box is busy with other people's queries; please try again in a few seconds.")
    try:
        table = run_worker(db_path.resolve(), query, max_rows=max_rows, timeout_s=timeout_s)
    finally:
        WORKERS.release()
    table = table.rename_columns(unique_names(table.column_names))
    frame = table.slice(0, max_rows).to_pandas()
    frame.attrs.update(truncated=table.num_rows > max_rows, max_rows=max_rows)
    return frame


def precheck(db_path: Path, query: str) -> None:
    """Refuse disallowed functions and tables here, before starting a worker (the worker checks again)."""
    con = open_sandbox(db_path)
    try:
        check_references(con, query)
    finally:
        con.close()


def unique_names(names: list[str]) -> list[str]:
    """Column names made unique as DuckDB does for data frames: a, a_1, a_2."""
    seen: set[str] = set()
    unique = []
    for name in names:
        candidate, suffix = name, 0
        while candidate in seen:
            suffix += 1
            candidate = f"{name}_{suffix}"
        seen.add(candidate)
        unique.append(candidate)
    return unique


def run_worker(db_path: Path, query: str, *, max_rows: int, timeout_s: float) -> pa.Table:
    """Run the query in a child process; its result comes back as an Arrow IPC stream."""
    command = [sys.executable, "-m", "insight.sql_sandbox", str(db_path), str(max_rows), str(timeout_s)]
    try:
        done = subprocess.run(
            command, input=query.encode(), capture_output=True, timeout=timeout_s + WORKER_GRACE_S, cwd=config.ROOT
        )
    except subprocess.TimeoutExpired as error:
        LOG.warning("SQL sandbox: worker killed after %.0f s for query %r", timeout_s + WORKER_GRACE_S, query[:300])
        raise SqlRefused(timeout_message(timeout_s)) from error
    if done.returncode == 0:
        return pyarrow.ipc.open_stream(done.stdout).read_all()
    if done.returncode == REFUSED_EXIT:
        if done.stderr:
            LOG.error("SQL sandbox: worker failed for query %r: %s", query[:300], done.stderr[-2000:])
        raise SqlRefused(done.stdout.decode("utf-8", "replace"))
    LOG.error("SQL sandbox: worker exited %s for query %r: %s", done.returncode, query[:300], done.stderr[-2000:])
    if done.returncode < 0:  # killed by a signal: the CPU or memory ceiling
        raise SqlRefused(MEMORY_MESSAGE)
    raise SqlRefused("The query failed unexpectedly; the error has been logged for the maintainers.")


def worker_main(argv: list[str]) -> int:
    """Child side: limit this process, run the query read from stdin, write Arrow IPC or the refusal."""
    db_path, max_rows, timeout_s = Path(argv[0]), int(argv[1]), float(argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_ADDRESS_SPACE, WORKER_ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    cpu = int(timeout_s + WORKER_GRACE_S)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    query = sys.stdin.buffer.read().decode("utf-8")
    try:
        sys.stdout.buffer.write(run_in_worker(db_path, query, max_rows=max_rows, timeout_s=timeout_s))
    except SqlRefused as refused:
        sys.stdout.write(str(refused))
        return REFUSED_EXIT
    except (MemoryError, pa.ArrowMemoryError):
        sys.stdout.write(SIZE_MESSAGE)
        return REFUSED_EXIT
    except Exception as error:  # the worker's boundary: say what failed, leave the detail on stderr for the log
        traceback.print_exc()
        sys.stdout.write(f"The query failed: {type(error).__name__}: {first_line(error)}")
        return REFUSED_EXIT
    return 0


def run_in_worker(db_path: Path, query: str, *, max_rows: int, timeout_s: float) -> bytes:
    """Check and run the query on a sandbox connection; the displayable result as Arrow IPC bytes."""
    con = open_sandbox(db_path)
    try:
        check_references(con, query)
        table = execute_bounded(con, query, max_rows=max_rows, timeout_s=timeout_s)
    finally:
        con.close()
    buffer = io.BytesIO()
    with pyarrow.ipc.new_stream(buffer, table.schema) as writer:
        writer.write_table(table)
    return buffer.getvalue()


def open_sandbox(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory connection with the database attached read-only, then external access off and locked."""
    con = duckdb.connect(":memory:", config=SANDBOX_CONFIG)
    try:
        con.execute(f"ATTACH ? AS {CATALOG} (READ_ONLY)", [str(db_path)])
        con.execute(f"USE {CATALOG}")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except duckdb.Error as error:
        con.close()
        LOG.error("SQL sandbox could not open %s: %s", db_path, error)
        raise SqlRefused("The database could not be opened for querying; please try again later.") from error
    return con


def execute_bounded(con: duckdb.DuckDBPyConnection, query: str, *, max_rows: int, timeout_s: float) -> pa.Table:
    """Check the query's plan, run it displayably, at most max_rows + 1 rows, interrupting it after timeout_s seconds."""
    timer = threading.Timer(timeout_s, con.interrupt)
    timer.start()
    try:
        check_plan(con, query)
        table = read_bounded(displayable(con.sql(query)).limit(max_rows + 1).arrow())
    except duckdb.InterruptException as error:
        raise SqlRefused(timeout_message(timeout_s)) from error
    except (duckdb.OutOfMemoryException, MemoryError, pa.ArrowMemoryError) as error:
        raise SqlRefused(MEMORY_MESSAGE) from error
    except OSError as error:  # DuckDB's Arrow export reports its allocation failures as OSError
        if "out of memory" not in str(error).lower():
            raise
        raise SqlRefused(MEMORY_MESSAGE) from error
    except duckdb.PermissionException as error:
        raise SqlRefused(f"The query tried to reach files or settings, which is not allowed. {SCHEMA_HINT}") from error
    except duckdb.Error as error:
        raise SqlRefused(f"The query failed: {first_line(error)}") from error
    finally:
        timer.cancel()
    return table


def read_bounded(reader: pa.RecordBatchReader) -> pa.Table:
    """Read a result batch by batch, refusing it as soon as it passes MAX_RESULT_BYTES."""
    batches, size = [], 0
    for batch in reader:
        size += batch.nbytes
        if size > MAX_RESULT_BYTES:
            raise SqlRefused(SIZE_MESSAGE)
        batches.append(batch)
    return pa.Table.from_batches(batches, schema=reader.schema)


def timeout_message(timeout_s: float) -> str:
    return f"The query ran longer than {timeout_s:g} s and was stopped. Filter or aggregate it, or add a LIMIT."


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
