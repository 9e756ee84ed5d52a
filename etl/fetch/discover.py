"""Find a file's current URL on the publisher's landing page or API, falling back to the last known URL.

A RemoteFile may carry `discover`: a function given `get_json(url) -> object` (an official JSON page fetched
through the switch, with retries and the project User-Agent) that returns the URL of the file to download.
Publishers rename files between editions (ONS puts each edition's own file name under `/current/`); asking
the publisher keeps the build current without a code change. When discovery fails (page gone, layout
changed, a URL on another host) the build says so in one line and downloads the pinned, last known URL.
"""

from __future__ import annotations

import calendar
import dataclasses
import json
import re
import sys
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from etl.fetch.web import Permanent, Transient, get, html_instead_of_file, with_retries
from etl.source import RemoteFile

GetJson = Callable[[str], object]
Discover = Callable[[GetJson], str]
ONS = "https://www.ons.gov.uk"
ARCGIS_SEARCH = "https://www.arcgis.com/sharing/rest/search"
ARCGIS_ITEM_DATA = "https://www.arcgis.com/sharing/rest/content/items/{}/data"
ITEM_ID = re.compile(r"[0-9a-f]{32}")
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MAX_PAGE_BYTES = 5 << 20
PAGE_PROBLEMS = (Permanent, Transient, KeyError, IndexError, TypeError, ValueError, AttributeError)


def get_json(url: str) -> object:
    """An official JSON page (landing-page data or API answer), retried on transient failures.

    Raises:
        Permanent: 4xx, an HTML page, or a page too large to be an index.
        Transient: the retries ran out.
        ValueError: the body is not JSON.
    """

    def attempt() -> bytes:
        with get(url) as response:
            body = response.content
            if html_instead_of_file(body[:64], response.headers.get("content-type", "")):
                raise Permanent("an HTML page came back instead of JSON")
            if len(body) > MAX_PAGE_BYTES:
                raise Permanent(f"{len(body):,} bytes is too large for an index page")
            return body

    return json.loads(with_retries(attempt).decode("utf-8-sig"))


def same_host(found: str, page: str) -> bool:
    """The discovered file is on the publisher's own host (a landing page cannot send the build elsewhere)."""
    return urlsplit(found).scheme == "https" and urlsplit(found).netloc == urlsplit(page).netloc


def current(source_id: str, remote: RemoteFile, *, fetch_json: GetJson = get_json) -> RemoteFile:
    """The file to download: the publisher's current one when discovery works, else the last known.

    Prints one line when the file name changed or when discovery failed (naming page, problem and fallback).
    """
    if remote.discover is None:
        return remote
    try:
        found = remote.discover(fetch_json)
        if not same_host(found, remote.url):
            raise ValueError(f"{found!r} is not an https URL on {urlsplit(remote.url).netloc}")
    except PAGE_PROBLEMS as error:
        say(
            f"[{source_id}] {remote.file_name}: could not discover the current file ({describe(error)}); "
            f"using the last known URL {remote.url}"
        )
        return remote
    if found == remote.url:
        return remote
    say(f"[{source_id}] the publisher's current file is {found} (last known: {remote.url})")
    return dataclasses.replace(remote, url=found, name=file_name_of(found), sha256=None, size=None)


def describe(error: Exception) -> str:
    kind = "" if isinstance(error, Permanent | Transient) else f"{type(error).__name__}: "
    return f"{kind}{error}"


def file_name_of(url: str) -> str:
    """The last path segment, looking inside ONS `file?uri=` links."""
    parts = urlsplit(url)
    path = parts.query.removeprefix("uri=") if parts.path == "/file" else parts.path
    return path.rstrip("/").rsplit("/", 1)[-1]


def say(line: str) -> None:
    print(line, file=sys.stderr)


def ons_dataset_file(dataset_page: str, *, file_index: int = 0) -> Discover:
    """Discovery through the ONS website's JSON: `<dataset page>/data` names the current edition
    (`datasets[0].uri`), whose `/data` lists its files (`downloads[n].file`); the file is served at
    `https://www.ons.gov.uk/file?uri=<edition uri>/<file>`."""

    def discover(fetch_json: GetJson) -> str:
        landing = fetch_json(f"{dataset_page.rstrip('/')}/data")
        edition = str(landing["datasets"][0]["uri"]).rstrip("/")  # type: ignore[index]
        if not edition.startswith("/"):
            raise ValueError(f"edition uri {edition!r} is not a site path")
        downloads = fetch_json(f"{ONS}{edition}/data")["downloads"]  # type: ignore[index]
        name = str(downloads[file_index]["file"])
        if "/" in name or not name:
            raise ValueError(f"download file name {name!r} is not a plain file name")
        return f"{ONS}/file?uri={edition}/{name}"

    return discover


def arcgis_search_url(query: str) -> str:
    """ArcGIS Online's item search (REST `sharing/rest/search`), newest modified first."""
    params = {"q": query, "f": "json", "num": 50, "sortField": "modified", "sortOrder": "desc"}
    return f"{ARCGIS_SEARCH}?{urlencode(params)}"


def arcgis_latest_release(query: str, *, title: re.Pattern[str]) -> Discover:
    """Discovery through ArcGIS Online's item search (the ONS Open Geography Portal is an ArcGIS Hub; each release
    of a product is a new item): among the results whose title matches `title` (groups: month name, year), the
    latest release; its file is `https://www.arcgis.com/sharing/rest/content/items/<id>/data`."""

    def discover(fetch_json: GetJson) -> str:
        releases = []
        for item in fetch_json(arcgis_search_url(query))["results"]:  # type: ignore[index]
            match = title.fullmatch(str(item.get("title", "")).strip())
            if match and match.group(1).lower() in MONTHS and ITEM_ID.fullmatch(str(item.get("id", ""))):
                releases.append((int(match.group(2)), MONTHS[match.group(1).lower()], str(item["id"])))
        if not releases:
            raise ValueError("no search result is a release of the product")
        return ARCGIS_ITEM_DATA.format(max(releases)[2])

    return discover
