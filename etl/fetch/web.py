"""HTTP for the ETL: the official-host switch, a project User-Agent, and retries on transient failures only.

Transient (retried with backoff): connection errors, timeouts, a body cut short, HTTP 5xx, 408 and 429.
Permanent (reported at once, one line): any other HTTP 4xx (404 above all) and an HTML page served where
a data file was expected (a moved link answered by the publisher's web site).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

import requests
import urllib3

OFFICIAL_HOST_ENV = "VCS_INSIGHT_OFFICIAL_HOST"
USER_AGENT = "VCS-Insight-ETL/1.0 (+https://github.com/vcs-insight/vcs-insight; open data build)"
RETRIES = 3
TIMEOUT_S = 60.0
BACKOFF_CAP_S = 30.0
TRANSIENT_STATUS = frozenset({408, 429})
HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<!--")
T = TypeVar("T")


class Transient(Exception):
    """A failure worth retrying: the server or the network may do better next time."""


class Permanent(Exception):
    """A failure no retry mends: the URL is wrong, gone, forbidden or answered by a web page."""


def resolve_url(url: str) -> str:
    """The URL to request: unchanged, or on the stand-in host named by VCS_INSIGHT_OFFICIAL_HOST.

    `https://HOST/PATH?QUERY` becomes `{base}/HOST/PATH?QUERY`: the scheme is dropped and the official
    host name kept as the first path segment, so one stand-in can answer for every publisher.
    """
    base = os.environ.get(OFFICIAL_HOST_ENV, "").strip()
    if not base:
        return url
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{base.rstrip('/')}/{parts.netloc}{parts.path}{query}"


def sleep(seconds: float) -> None:
    """Wait between tries (a seam tests replace, so they need not wait)."""
    time.sleep(seconds)


def backoff_s(attempt: int) -> float:
    """Seconds to wait after failed attempt n (1, 2, 4, … capped)."""
    return min(2.0 ** (attempt - 1), BACKOFF_CAP_S)


def describe_status(response: requests.Response) -> str:
    return f"HTTP {response.status_code} {response.reason or ''}".strip()


def get(url: str, *, headers: dict[str, str] | None = None, stream: bool = False, allow: tuple[int, ...] = ()):
    """GET an official URL (through the switch) with the project User-Agent; classify failures.

    Raises:
        Transient: connection error, timeout, 5xx, 408 or 429.
        Permanent: any other 4xx (unless listed in `allow`).
    """
    try:
        response = requests.get(
            resolve_url(url), headers={"User-Agent": USER_AGENT, **(headers or {})}, stream=stream, timeout=TIMEOUT_S
        )
    except requests.RequestException as error:
        raise Transient(f"{type(error).__name__}: {error}") from error
    status = response.status_code
    if status in allow or status < 400:
        return response
    response.close()
    if status >= 500 or status in TRANSIENT_STATUS:
        raise Transient(describe_status(response))
    raise Permanent(describe_status(response))


def html_instead_of_file(first_bytes: bytes, content_type: str) -> bool:
    """True when a response is a web page (a moved link, a login or error page), not a data file."""
    head = first_bytes.lstrip()[:64].lower()
    return content_type.split(";")[0].strip().lower() == "text/html" or head.startswith(HTML_STARTS)


def with_retries(action: Callable[[], T]) -> T:
    """Run `action`, retrying transient failures with exponential backoff.

    Raises:
        Permanent: at once, on the first permanent failure.
        Transient: the last failure, after RETRIES tries.
    """
    last = Transient("no attempt made")
    for attempt in range(1, RETRIES + 1):
        try:
            return action()
        except (Transient, requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            last = error if isinstance(error, Transient) else Transient(f"{type(error).__name__}: {error}")
            if attempt < RETRIES:
                sleep(backoff_s(attempt))
    raise last
