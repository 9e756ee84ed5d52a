"""Helpers for the browser tests: Debian's chromium with the project's flags, a free port, waiting for the app.

Chromium runs with the project's flags (headless, no sandbox, no GPU, no background networking: this machine's
closed network refuses Chromium's own connections) and software WebGL for the MapLibre maps.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks._browser import CHROMIUM, CHROMIUM_ARGS, free_port

ROOT = Path(__file__).resolve().parents[2]
__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "ROOT", "running_app", "server_log", "wait_until_idle"]


def wait_healthy(url: str, process: subprocess.Popen, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:  # noqa: S310 (localhost)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("streamlit did not become healthy")


@contextmanager
def running_app(db: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free local port with VCS_INSIGHT_DB=db; yields its URL, stops it after."""
    port = free_port()
    env = {**os.environ, "VCS_INSIGHT_DB": str(db)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    url = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w+", prefix="streamlit-", suffix=".log") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        SERVER_LOGS[url] = Path(log.name)
        try:
            wait_healthy(url, process, seconds=120)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=20)
            SERVER_LOGS.pop(url, None)


SERVER_LOGS: dict[str, Path] = {}  # app URL -> its server's output, while it runs


def server_log(url: str, *, chars: int = 3000) -> str:
    """The end of the app server's output (its errors and tracebacks), for a failing test's message."""
    log = SERVER_LOGS.get(url)
    return log.read_text(encoding="utf-8", errors="replace")[-chars:] if log else "(no server log)"


def wait_until_idle(page, *, seconds: float = 90) -> None:
    """Wait until the script has finished and elements are drawn: no 'Running…' status and no skeletons for 1.5 s."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=seconds * 1000)
    deadline, quiet_since = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        running = page.locator('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]').count() > 0
        quiet_since = None if running else (quiet_since or time.monotonic())
        if quiet_since and time.monotonic() - quiet_since > 1.5:
            return
        page.wait_for_timeout(250)
    raise TimeoutError("the app was still running")
