"""ArcGIS FeatureServer layers fetched page by page, in object-id order, into one GeoJSON / Esri JSON file.

Before paging: the layer's description (`…/FeatureServer/0?f=json`) names its object-id field, used as
`orderByFields` so pages do not overlap or skip, and `returnCountOnly` says how many features to expect.
Paging stops on an empty page or when the server no longer sets `exceededTransferLimit`; a server that
ignores `resultOffset` (the same page twice) and a short total are errors, not silently short layers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tqdm import tqdm

from etl.fetch.web import Permanent, Transient, get, html_instead_of_file, with_retries

# Features asked for per query page; a server with a lower maxRecordCount sends fewer and sets
# exceededTransferLimit, and the next page starts after the features actually received.
PAGE_SIZE = 2000
PAGING_KEYS = ("resultOffset", "resultRecordCount", "orderByFields", "returnCountOnly")


def with_query(url: str, extra: list[tuple[str, str]], *, drop: tuple[str, ...] = PAGING_KEYS) -> str:
    """The URL with `drop` parameters removed and `extra` appended (order of the rest kept)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in drop]
    return urlunsplit(parts._replace(query=urlencode(query + extra)))


def page_url(url: str, offset: int, *, order_by: str | None = None) -> str:
    """The query URL for the page of features starting at `offset`, sorted by `order_by` when given."""
    order = [("orderByFields", order_by)] if order_by else []
    return with_query(url, [*order, ("resultOffset", str(offset)), ("resultRecordCount", str(PAGE_SIZE))])


def layer_url(url: str) -> str:
    """`…/FeatureServer/0/query?…` → `…/FeatureServer/0?f=json` (the layer's description)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.removesuffix("/query"), query="f=json"))


def count_url(url: str) -> str:
    return with_query(url, [("returnCountOnly", "true"), ("f", "json")], drop=(*PAGING_KEYS, "f"))


def parse_json(url: str) -> dict:
    """One ArcGIS JSON answer; an ArcGIS `error` object is transient for 5xx codes, else permanent.

    Raises:
        Transient / Permanent: see etl.fetch.web.
    """
    with get(url) as response:
        body = response.content
        if html_instead_of_file(body[:512], response.headers.get("content-type", "")):
            raise Permanent("an HTML page came back instead of ArcGIS JSON")
    try:
        data = json.loads(body)
    except ValueError as error:
        raise Transient(f"not JSON ({len(body):,} bytes): {error}") from error
    if not isinstance(data, dict):
        raise Permanent("ArcGIS answered with JSON that is not an object")
    if isinstance(failure := data.get("error"), dict):
        code = int(failure.get("code") or 0)
        problem = f"ArcGIS error {code}: {failure.get('message', '')}".strip()
        raise Transient(problem) if code >= 500 or code in (408, 429) else Permanent(problem)
    return data


def get_json(url: str) -> dict:
    return with_retries(lambda: parse_json(url))


def exceeded_limit(page: dict) -> bool:
    """Whether ArcGIS holds more features: top level in Esri JSON, under `properties` in GeoJSON."""
    return bool(page.get("exceededTransferLimit") or (page.get("properties") or {}).get("exceededTransferLimit"))


def object_id_field(info: dict) -> str | None:
    """The layer's object-id field, from `objectIdField` or the field typed esriFieldTypeOID."""
    if isinstance(info.get("objectIdField"), str):
        return info["objectIdField"]
    fields = info.get("fields") or []
    return next((f.get("name") for f in fields if f.get("type") == "esriFieldTypeOID"), None)


def query_page(url: str, offset: int, *, order_by: str | None) -> dict:
    """One page; a page without a `features` list is an error."""

    def attempt() -> dict:
        page = parse_json(page_url(url, offset, order_by=order_by))
        if not isinstance(page.get("features"), list):
            raise Transient(f"no features list at feature {offset:,}: {str(page)[:120]}")
        return page

    return with_retries(attempt)


def all_features(url: str, *, name: str) -> tuple[dict, list]:
    """The first page (for its header fields) and every feature of the layer, in object-id order.

    Raises:
        Permanent: the server ignored resultOffset, or sent fewer/more features than it counts.
        Transient: a page failed on every try.
    """
    order_by = object_id_field(get_json(layer_url(url)))
    expected = get_json(count_url(url)).get("count")
    first: dict | None = None
    features: list = []
    with tqdm(total=expected, unit=" features", desc=name, file=sys.stderr, leave=False) as bar:
        while True:
            page = query_page(url, len(features), order_by=order_by)
            if first is not None and page["features"] and page["features"][:1] == features[:1]:
                raise Permanent(f"the server ignored resultOffset (the page at feature {len(features):,} repeats)")
            first = first or page
            features.extend(page["features"])
            bar.update(len(page["features"]))
            if not page["features"] or not exceeded_limit(page):
                break
    if isinstance(expected, int) and len(features) != expected:
        raise Permanent(f"received {len(features):,} features, the layer counts {expected:,}")
    return first or {}, features


def download_layer(url: str, partial: Path, *, name: str) -> None:
    """Every page of an ArcGIS query combined into one file written to `partial`."""
    first, features = all_features(url, name=name)
    combined = {k: v for k, v in first.items() if k not in ("exceededTransferLimit", "properties")}
    combined["features"] = features
    partial.write_text(json.dumps(combined), encoding="utf-8")
