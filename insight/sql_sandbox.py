"""The Explore page's SQL box: one read-only SELECT over the documented tables, bounded in rows, time and memory.

Each query runs in a short-lived worker process (`python -m insight.sql_sandbox`) with an address-space
limit and no file writes, on an in-memory DuckDB connection that attaches the database read-only and
then disables external access and locks its configuration. A hostile query can fail or be stopped,
but cannot read files, change the database, or take the app's memory with it.
"""

from __future__ import annotations

import io
import json
import logging
import os
import resource
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.ipc

from insight import config

if TYPE_CHECKING:
    import pandas as pd

LOG = logging.getLogger(__name__)

MAX_SQL_CHARS = 20_000
MEMORY_LIMIT = "256MB"  # DuckDB's own buffer limit inside the worker
WORKER_ADDRESS_SPACE = 1 << 30  # hard ceiling for everything else (strings, lists, Arrow buffers)
MAX_RESULT_BYTES = 64 << 20
WORKER_GRACE_S = 10.0  # start-up plus an uninterruptible function before the worker is killed
REFUSED_EXIT = 3
# At most this many queries run at once per app process; others wait up to their time limit, then are told.
WORKERS = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))
CATALOG = "vcs_insight"
# Table functions a query may call; every other one (read_csv, glob, query, duckdb_settings, ...) is refused.
ALLOWED_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
DENIED_FUNCTIONS = frozenset({"getenv", "current_setting", "current_database", "current_catalog"})
DENIED_PREFIXES = ("duckdb_", "pragma_", "pg_")
# Settings for the sandbox connection; external access is switched off after the database is attached.
SANDBOX_CONFIG = {
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "threads": 1,
    "memory_limit": MEMORY_LIMIT,
    "temp_directory": "",
}
SCHEMA_HINT = "Queries can read only the tables of the VCS Insight database (see the Methods page and docs/schema.md)."
MEMORY_MESSAGE = "The query needed more memory than the SQL box allows and was stopped. Filter or aggregate it."


class SqlRefused(Exception):
    """The query was refused, stopped or failed; the message is written for the person who typed it."""


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
            long or out of memory, or failed; the message says which.
    """
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
        con = open_sandbox(db_path)
        try:
            check_references(con, query)
            table = execute_bounded(con, query, max_rows=max_rows, timeout_s=timeout_s)
        finally:
            con.close()
    except SqlRefused as refused:
        sys.stdout.write(str(refused))
        return REFUSED_EXIT
    buffer = io.BytesIO()
    with pyarrow.ipc.new_stream(buffer, table.schema) as writer:
        writer.write_table(table)
    sys.stdout.buffer.write(buffer.getvalue())
    return 0


def single_select(sql: str) -> str:
    """Return the one SELECT statement in sql, or raise SqlRefused saying why not."""
    if len(sql) > MAX_SQL_CHARS:
        raise SqlRefused(f"The query is {len(sql):,} characters long; the limit is {MAX_SQL_CHARS:,}.")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise SqlRefused(f"The SQL could not be parsed: {first_line(error)}") from error
    if not statements:
        raise SqlRefused("Write a SELECT query, for example: SELECT * FROM areas LIMIT 10")
    if len(statements) > 1:
        raise SqlRefused(f"Only one statement can be run at a time; this text holds {len(statements)}.")
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        kind = "PIVOT (multi-part)" if statement.type == duckdb.StatementType.MULTI else statement.type.name
        raise SqlRefused(f"Only SELECT (or WITH ... SELECT) queries are allowed; this is a {kind} statement.")
    return statement.query.strip().rstrip(";")


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


def documented_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the tables and views in the attached database's main schema."""
    found = con.execute(
        "SELECT lower(table_name) FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'main'",
        [CATALOG],
    ).fetchall()
    return {name for (name,) in found}


def syntax_tree(con: duckdb.DuckDBPyConnection, query: str) -> dict:
    """DuckDB's own parse tree of the query, as JSON."""
    tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [query]).fetchone()[0])
    if tree.get("error"):
        raise SqlRefused(f"The SQL could not be parsed: {tree.get('error_message', 'unknown error')}")
    return tree


def nodes(tree: object) -> Iterator[dict]:
    """Every object node of a parse tree, depth first."""
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from nodes(value)


def check_references(con: duckdb.DuckDBPyConnection, query: str) -> None:
    """Refuse functions and tables outside the documented schema, naming the first one found."""
    tree = syntax_tree(con, query)
    tables = documented_tables(con)
    ctes = {entry["key"].lower() for node in nodes(tree) for entry in node.get("cte_map", {}).get("map", [])}
    for node in nodes(tree):
        problem = refused_function(node) or refused_table(node, allowed=tables | ctes)
        if problem:
            raise SqlRefused(f"{problem} {SCHEMA_HINT}")


def refused_function(node: dict) -> str | None:
    """Why a function call is not allowed, or None."""
    if node.get("type") == "TABLE_FUNCTION":
        name = node["function"].get("function_name", "").lower()
        if name not in ALLOWED_TABLE_FUNCTIONS:
            return f"The table function {name}() is not available here (it can read files or system state)."
    if node.get("class") == "FUNCTION":
        name = node.get("function_name", "").lower()
        if name in DENIED_FUNCTIONS or name.startswith(DENIED_PREFIXES):
            return f"The function {name}() is not available here."
    return None


def refused_table(node: dict, *, allowed: set[str]) -> str | None:
    """Why a table reference is not allowed, or None."""
    kind = node.get("type")
    if kind == "SHOW_REF":
        is_show_tables = node.get("table_name") == '"tables"' and not node.get("catalog_name")
        return None if node.get("query") or is_show_tables else "Only SHOW TABLES, DESCRIBE and SUMMARIZE are allowed."
    if kind != "BASE_TABLE":
        return None
    catalog, schema = node.get("catalog_name", "").lower(), node.get("schema_name", "").lower()
    name = node.get("table_name", "")
    if catalog not in ("", CATALOG) or schema not in ("", "main", "information_schema"):
        return f"The table {'.'.join(p for p in (catalog, schema, name) if p)} is outside the VCS Insight database."
    if schema == "information_schema" or name.lower() in allowed:
        return None
    return f"There is no table {name!r} in the VCS Insight database."


def execute_bounded(con: duckdb.DuckDBPyConnection, query: str, *, max_rows: int, timeout_s: float) -> pa.Table:
    """Run the checked query, at most max_rows + 1 rows, interrupting it after timeout_s seconds."""
    timer = threading.Timer(timeout_s, con.interrupt)
    timer.start()
    try:
        table = con.sql(query).limit(max_rows + 1).arrow().read_all()
    except duckdb.InterruptException as error:
        raise SqlRefused(timeout_message(timeout_s)) from error
    except (duckdb.OutOfMemoryException, MemoryError, pa.ArrowMemoryError) as error:
        raise SqlRefused(MEMORY_MESSAGE) from error
    except duckdb.PermissionException as error:
        raise SqlRefused(f"The query tried to reach files or settings, which is not allowed. {SCHEMA_HINT}") from error
    except duckdb.Error as error:
        raise SqlRefused(f"The query failed: {first_line(error)}") from error
    finally:
        timer.cancel()
    if table.nbytes > MAX_RESULT_BYTES:
        raise SqlRefused(f"The result is {table.nbytes / 2**20:,.0f} MB; the limit is {MAX_RESULT_BYTES // 2**20} MB.")
    return table


def timeout_message(timeout_s: float) -> str:
    return f"The query ran longer than {timeout_s:g} s and was stopped. Filter or aggregate it, or add a LIMIT."


def first_line(error: BaseException) -> str:
    """The first line of a DuckDB error, without the caret diagram that follows it."""
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
