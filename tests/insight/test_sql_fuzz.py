"""SQL from a small grammar of DuckDB types, functions and nesting: every result shows, or is refused clearly.

Runs the SQL box's own path (single_select, the reference and plan checks, the displayable cast, the size-bounded
read, unique names, the boundary) with the worker's body called in this process, so each example takes
milliseconds; the process limits are tested in test_sql_sandbox.py. "Shows" means the frame converts to the
Arrow bytes Streamlit's data grid is sent. CI: 25 queries of 1-4 columns, fixed seed (tests/fuzz.py).
"""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.ipc
import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.dataframe_util import convert_pandas_df_to_arrow_bytes

from insight import sql_sandbox
from insight.export import neutralised
from insight.sql_rules import SqlRefused
from tests.fuzz import examples

LITERALS = st.sampled_from(
    [
        "1",
        "-2147483648",
        "9223372036854775807::BIGINT",
        "170141183460469231731687303715884105727::HUGEINT",
        "18446744073709551615::UBIGINT",
        "123.456::DECIMAL(18,3)",
        "'inf'::DOUBLE",
        "'nan'::DOUBLE",
        "1e308 * 10",
        "'text'",
        "'=1+1'",
        "'é\u0000x'",
        "''",
        "'\\x00\\xff'::BLOB",
        "DATE '9999-12-31' + 1",
        "'infinity'::DATE",
        "'-infinity'::TIMESTAMP",
        "TIMESTAMP '1677-09-21 00:12:43'",
        "TIMESTAMPTZ '2024-01-01 00:00:00+05'",
        "TIME '23:59:59.999999'",
        "INTERVAL 1000000 YEAR",
        "gen_random_uuid()",
        "TRUE",
        "NULL",
        "'101'::BIT",
        "'a'::ENUM('a', 'b')",
        "code",
        "level",
        "1 / 0",
        "2 ** 1024",
        "(SELECT count(*) FROM areas)",
    ]
)
WRAPPERS = st.sampled_from(
    [
        "[{}]",
        "[{}, {}]",
        "{{'a': {}}}",
        "MAP {{1: {}}}",
        "union_value(k := {})",
        "coalesce({}, NULL)",
        "typeof({})",
        "CAST({} AS VARCHAR)",
        "list_value({}, NULL)",
        "({})",
        "row({}, 1)",
        "[{}][1]",
        "[{}]::VARCHAR[]",
        "struct_pack(x := {}, y := [1, 2])",
        "greatest({}, {})",
        "{} IS NULL",
    ]
)
NAMES = st.text(min_size=1, max_size=12).filter(lambda n: "\x00" not in n)


@st.composite
def expression(draw: st.DrawFn) -> str:
    text = draw(LITERALS)
    for _ in range(draw(st.integers(0, 4))):
        wrapper = draw(WRAPPERS)
        text = wrapper.format(*[text] * wrapper.count("{}"))
    return text


@st.composite
def query(draw: st.DrawFn) -> str:
    columns = draw(st.lists(st.tuples(expression(), NAMES), min_size=1, max_size=4))
    select = ", ".join(f'{text} AS "{name.replace(chr(34), chr(34) * 2)}"' for text, name in columns)
    source = draw(st.sampled_from(["", " FROM areas", " FROM range(3)", " FROM areas LIMIT 0"]))
    return f"SELECT {select}{source}"


def in_process_worker(db_path: Path, query: str, *, max_rows: int, timeout_s: float) -> pa.Table:
    """The worker's body without the process: the same connection, checks, cast and bounded read."""
    try:
        reply = sql_sandbox.run_in_worker(db_path, query, max_rows=max_rows, timeout_s=timeout_s)
    except MemoryError as error:
        raise SqlRefused(sql_sandbox.SIZE_MESSAGE) from error
    return pyarrow.ipc.open_stream(io.BytesIO(reply)).read_all()


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlfuzz") / "tiny.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE areas AS SELECT 'E01999001' AS code, 'lsoa21' AS level")
    return path


@examples(ci=25)
@given(sql=query())
def test_every_result_shows_or_is_refused_clearly(tiny_db: Path, sql: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sql_sandbox, "run_worker", in_process_worker)
        try:
            frame = sql_sandbox.run_readonly_sql(tiny_db, sql, max_rows=10, timeout_s=5)
        except SqlRefused as refused:
            assert str(refused).strip() and "Traceback" not in str(refused), sql
            return
    for position, dtype in enumerate(frame.dtypes):
        plain = str(dtype) in {"str", "string", "bool", "float64", "float32"} or dtype.kind in "iub"
        assert plain or frame.iloc[:, position].isna().all(), (sql, dtype)  # object only for an all-NULL column
    assert convert_pandas_df_to_arrow_bytes(neutralised(frame))
