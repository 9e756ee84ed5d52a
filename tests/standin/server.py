"""A stand-in for the official hosts on 127.0.0.1: static files, ArcGIS FeatureServer layers, injected faults.

The ETL reaches it through its one switch, VCS_INSIGHT_OFFICIAL_HOST: `https://HOST/PATH?QUERY` is requested
as `{base}/HOST/PATH?QUERY`, so the stand-in sees the official URL in its request path and answers as the
publisher would: files with Content-Length, ETag and HTTP Range support; ArcGIS layers with the layer
description, `returnCountOnly`, `orderByFields` and `resultOffset` paging capped at `max_records`.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

LAYER_PATH = re.compile(r"/arcgis/rest/services/([^/]+)/FeatureServer/0(/query)?$")
HTML_PAGE = b"<!DOCTYPE html><html><head><title>Page not found</title></head><body>Moved.</body></html>"
LAST_MODIFIED = "Thu, 30 Oct 2025 09:30:00 GMT"
CONTENT_TYPES = {".csv": "text/csv", ".json": "application/json", ".geojson": "application/geo+json"}


@dataclass
class Layer:
    """One FeatureServer layer: attribute rows, optional GeoJSON geometries, and how it behaves."""

    rows: list[dict]
    geometries: list[dict | None] | None = None
    max_records: int = 2000
    object_id: str = "FID"
    ignore_offset: bool = False  # a broken server: every page is the first
    requests: list[int] = field(default_factory=list)  # resultOffset of every query page asked for

    def feature_rows(self) -> list[dict]:
        """Rows carrying their object id (1, 2, …) as ArcGIS serves them."""
        return [{**row, self.object_id: row.get(self.object_id, i + 1)} for i, row in enumerate(self.rows)]


@dataclass
class Fault:
    """Misbehaviour for requests whose official URL starts with a key of StandIn.faults.

    kind: status (answer `status`), html (a 200 web page), truncate (promise the body, send a third,
    hang up), slow (wait `delay_s` before answering), drop (close without an answer), no_range (ignore
    Range headers). `times`: how many requests misbehave before the stand-in answers normally.
    """

    kind: str
    status: int = 503
    times: int = 1
    delay_s: float = 0.0


@dataclass
class StandIn:
    """What the stand-in serves: bodies by official URL, layers by service name, faults by URL prefix."""

    files: dict[str, bytes | Path] = field(default_factory=dict)
    layers: dict[str, Layer] = field(default_factory=dict)
    faults: dict[str, Fault] = field(default_factory=dict)
    base: str = ""
    requests: list[str] = field(default_factory=list)  # official URL of every request, in order
    headers: list[dict[str, str]] = field(default_factory=list)  # the request headers, same order

    def fault_for(self, official: str) -> Fault | None:
        """The first active fault matching the URL, spending one of its `times`."""
        for prefix, fault in self.faults.items():
            if official.startswith(prefix) and fault.times > 0:
                fault.times -= 1
                return fault
        return None


def body_of(value: bytes | Path) -> bytes:
    return value if isinstance(value, bytes) else value.read_bytes()


def etag_of(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:20]}"'


def layer_page(layer: Layer, query: dict[str, str]) -> dict:
    """One query answer: description-free page of features, count only, sorted by orderByFields."""
    rows = layer.feature_rows()
    if query.get("returnCountOnly") == "true":
        return {"count": len(rows)}
    if order := query.get("orderByFields"):
        rows = sorted(rows, key=lambda row: row[order.split()[0]])
    offset = 0 if layer.ignore_offset else int(query.get("resultOffset", 0))
    layer.requests.append(int(query.get("resultOffset", 0)))
    end = min(offset + min(int(query.get("resultRecordCount", layer.max_records)), layer.max_records), len(rows))
    geometries = layer.geometries or [None] * len(rows)
    more = end < len(rows)
    if query.get("f") == "geojson":
        features = [
            {"type": "Feature", "id": i + 1, "geometry": geometries[i], "properties": rows[i]}
            for i in range(offset, end)
        ]
        body: dict = {"type": "FeatureCollection", "features": features}
        return body | ({"properties": {"exceededTransferLimit": True}} if more else {})
    body = {"objectIdFieldName": layer.object_id, "features": [{"attributes": rows[i]} for i in range(offset, end)]}
    return body | ({"exceededTransferLimit": True} if more else {})


def layer_description(layer: Layer) -> dict:
    fields = [{"name": layer.object_id, "type": "esriFieldTypeOID"}]
    fields += [{"name": name, "type": "esriFieldTypeString"} for name in (layer.rows[0] if layer.rows else {})]
    return {"objectIdField": layer.object_id, "maxRecordCount": layer.max_records, "fields": fields}


def handler_for(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args) -> None:
            return

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            official = f"https:/{self.path}"
            standin.requests.append(official)
            standin.headers.append(dict(self.headers.items()))
            fault = standin.fault_for(official)
            if fault and fault.kind == "slow":
                time.sleep(fault.delay_s)
            elif fault and fault.kind != "no_range":
                return self.misbehave(fault)
            if official in standin.files:
                body = body_of(standin.files[official])
                return self.send_file(
                    body, suffix=Path(urlsplit(official).path).suffix, ranges=not (fault and fault.kind == "no_range")
                )
            if match := LAYER_PATH.search(urlsplit(official).path):
                return self.answer_layer(match.group(1), query=bool(match.group(2)), parts=urlsplit(official))
            return self.send_bytes(404, HTML_PAGE, "text/html")

        def answer_layer(self, service: str, *, query: bool, parts) -> None:
            layer = standin.layers.get(service)
            if layer is None:  # ArcGIS answers an unknown service with 200 and an error object
                return self.send_json({"error": {"code": 400, "message": "Invalid URL", "details": []}})
            params = {k: v[0] for k, v in parse_qs(parts.query).items()}
            return self.send_json(layer_page(layer, params) if query else layer_description(layer))

        def send_json(self, data: dict) -> None:
            self.send_bytes(200, json.dumps(data).encode(), "application/json")

        def send_file(self, body: bytes, *, suffix: str, ranges: bool) -> None:
            etag = etag_of(body)
            wanted = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
            if_range = self.headers.get("If-Range")
            kind = CONTENT_TYPES.get(suffix, "application/octet-stream")
            if ranges and wanted and if_range in (None, etag, LAST_MODIFIED):
                start = int(wanted.group(1))
                if start >= len(body):
                    return self.send_bytes(416, b"", kind)
                extra = {"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"}
                return self.send_bytes(206, body[start:], kind, etag=etag, extra=extra)
            return self.send_bytes(200, body, kind, etag=etag)

        def send_bytes(self, status: int, body: bytes, kind: str, *, etag: str = "", extra: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Accept-Ranges", "bytes")
            if etag:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def misbehave(self, fault: Fault) -> None:
            self.close_connection = True
            if fault.kind == "status":
                return self.send_bytes(fault.status, HTML_PAGE, "text/html")
            if fault.kind == "html":
                return self.send_bytes(200, HTML_PAGE, "text/html; charset=utf-8")
            if fault.kind == "truncate":
                official = f"https:/{self.path}"
                body = body_of(standin.files[official]) if official in standin.files else b"{}" * 64
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag_of(body))
                self.end_headers()
                self.wfile.write(body[: len(body) // 3])
            return None  # drop: close without a word

    return Handler


@contextmanager
def serving(standin: StandIn) -> Iterator[StandIn]:
    """Run the stand-in in a thread on a free loopback port for the duration of the block."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(standin))
    httpd.daemon_threads = True
    standin.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield standin
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
