"""Static safety scan of the app: no user text as raw HTML, every CSV download neutralised, no tracebacks shown."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import duckdb
import pytest

from insight import db

ROOT = Path(__file__).resolve().parents[1]
APP_FILES = sorted([ROOT / "app.py", *(ROOT / "views").glob("*.py"), *(ROOT / "insight").rglob("*.py")])
RAW_HTML_CALLS = {"html"}  # st.html, components.html
CSV_WRITERS = {"to_csv_bytes", "export_csv"}  # export_csv must itself go through to_csv_bytes (checked below)
# Reviewed uses of unsafe_allow_html whose interpolations are not user text: (file, source of the f-string part).
# (Empty: the Area profile's counter is now escaped text from its view model.)
REVIEWED: dict[tuple[str, str], str] = {}


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def calls(path: Path) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(path.read_text(), filename=str(path))) if isinstance(node, ast.Call)]


def name_of(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def is_escaped(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and name_of(node.func) == "escape"


def unsafe_parts(path: Path, body: ast.expr | None) -> list[str]:
    """Parts of an HTML argument that are neither literal, escaped, nor reviewed."""
    if body is None or isinstance(body, ast.Constant):
        return []
    if isinstance(body, ast.JoinedStr):
        parts = [v.value for v in body.values if isinstance(v, ast.FormattedValue)]
        return [
            ast.unparse(part)
            for part in parts
            if not is_escaped(part) and (relative(path), ast.unparse(part)) not in REVIEWED
        ]
    return [ast.unparse(body)]


def raw_html_arguments(path: Path) -> list[tuple[int, ast.expr | None]]:
    """(line, HTML argument) of every call that renders HTML unescaped."""
    found = []
    for call in calls(path):
        keywords = {k.arg: k.value for k in call.keywords}
        unsafe = keywords.get("unsafe_allow_html")
        renders = (unsafe is not None and not (isinstance(unsafe, ast.Constant) and unsafe.value is False)) or (
            name_of(call.func) in RAW_HTML_CALLS and isinstance(call.func, ast.Attribute)
        )
        if renders:
            found.append((call.lineno, call.args[0] if call.args else keywords.get("body")))
    return found


@pytest.mark.parametrize("path", APP_FILES, ids=relative)
def test_no_user_text_is_rendered_as_html(path: Path) -> None:
    problems = [
        f"{relative(path)}:{line}: {part}"
        for line, body in raw_html_arguments(path)
        for part in unsafe_parts(path, body)
    ]
    assert problems == [], "interpolate user text into HTML only through html.escape()"


def test_scan_sees_the_reviewed_html() -> None:
    """The scan is not vacuous: it finds the one reviewed unsafe_allow_html use."""
    assert len(raw_html_arguments(ROOT / "views" / "area_profile.py")) == 1


def download_data(call: ast.Call) -> tuple[ast.expr | None, ast.expr | None]:
    keywords = {k.arg: k.value for k in call.keywords}
    data = keywords.get("data", call.args[1] if len(call.args) > 1 else None)
    file_name = keywords.get("file_name", call.args[2] if len(call.args) > 2 else None)
    return data, file_name


def is_csv_name(node: ast.expr | None) -> bool:
    return node is not None and ast.unparse(node).rstrip("'\"").endswith(".csv")


def writes_neutralised_csv(data: ast.expr | None) -> bool:
    """to_csv_bytes(...) / export_csv(...), also deferred as partial(to_csv_bytes, ...), lambda: to_csv_bytes(...)
    or download_data(frame, to_csv_bytes)."""
    if isinstance(data, ast.Lambda):
        return writes_neutralised_csv(data.body)
    if not isinstance(data, ast.Call):
        return False
    if name_of(data.func) == "partial" and data.args:
        return name_of(data.args[0]) in CSV_WRITERS
    if name_of(data.func) == "download_data" and len(data.args) > 1:  # ui.download_data(frame, to_csv_bytes)
        return name_of(data.args[1]) in CSV_WRITERS
    return name_of(data.func) in CSV_WRITERS


DOWNLOAD_CALLS = {"download_button", "download"}  # Streamlit's, and ui.download (same label, data, file_name order)


def csv_downloads(path: Path) -> list[ast.Call]:
    """The download calls in `path` whose file name ends .csv."""
    return [c for c in calls(path) if name_of(c.func) in DOWNLOAD_CALLS and is_csv_name(download_data(c)[1])]


@pytest.mark.parametrize("path", APP_FILES, ids=relative)
def test_every_csv_download_is_neutralised(path: Path) -> None:
    unsafe = [
        f"{relative(path)}:{c.lineno}" for c in csv_downloads(path) if not writes_neutralised_csv(download_data(c)[0])
    ]
    assert unsafe == [], "CSV downloads must go through insight.export.to_csv_bytes"


def test_csv_download_scan_is_not_vacuous() -> None:
    """The scan sees the adapter's CSV download, which goes through ui.download."""
    assert len(csv_downloads(ROOT / "insight" / "streamlit_adapter.py")) == 1


def test_csv_helpers_go_through_the_neutraliser() -> None:
    byod = ROOT / "insight" / "uploads/analyse.py"
    export_csv = next(
        n for n in ast.walk(ast.parse(byod.read_text())) if isinstance(n, ast.FunctionDef) and n.name == "export_csv"
    )
    assert any(isinstance(n, ast.Call) and name_of(n.func) == "to_csv_bytes" for n in ast.walk(export_csv))


@pytest.mark.parametrize("path", APP_FILES, ids=relative)
def test_no_unneutralised_csv_writer(path: Path) -> None:
    if relative(path) == "insight/export.py":
        return
    writers = [call.lineno for call in calls(path) if name_of(call.func) == "to_csv"]
    assert writers == [], f"{relative(path)} writes CSV without insight.export.to_csv_bytes"


def test_streamlit_hides_tracebacks_from_users() -> None:
    """Uncaught errors show a generic message; details go to the server log (client.showErrorDetails)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config.get("client", {}).get("showErrorDetails") in ("none", False)


def stale_database(folder: Path) -> Path:
    """A database from an 'older version': provenance without the columns the pages read."""
    path = folder / "stale.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE provenance (x INTEGER)")
    return path


def test_stale_database_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(db.DatabaseMissing, match=r"was built by an older version \(no provenance.source_id.*rebuild"):
        db.connect(stale_database(tmp_path))


@pytest.mark.parametrize("state", ["missing", "stale"])
@pytest.mark.parametrize("page", ["views/overview.py", "views/explore.py", "views/methods.py"])
def test_missing_or_stale_database_gives_a_clear_page(tmp_path: Path, monkeypatch, state: str, page: str) -> None:
    from streamlit.testing.v1 import AppTest

    path = tmp_path / "absent.duckdb" if state == "missing" else stale_database(tmp_path)
    monkeypatch.setenv("VCS_INSIGHT_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    assert [e.value.count("python -m etl build") >= 1 for e in at.error] == [True]


@pytest.mark.parametrize(
    ("source", "safe"),
    [
        ("to_csv_bytes(frame)", True),
        ("byod.export_csv(frame, columns=C)", True),
        ("partial(to_csv_bytes, frame)", True),
        ("lambda: to_csv_bytes(frame)", True),
        ("frame.to_csv(index=False).encode()", False),
        ("raw_bytes", False),
    ],
)
def test_download_scan_tells_safe_from_unsafe(source: str, safe: bool) -> None:
    assert writes_neutralised_csv(ast.parse(source, mode="eval").body) is safe
