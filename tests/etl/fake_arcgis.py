"""A tiny ArcGIS FeatureServer on 127.0.0.1 for tests: pages invented features, can drop connections."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PREFIX = "/arcgis/rest/services"


@dataclass
class Layer:
    """Features of one layer (attribute dicts, optional GeoJSON geometries) and how it misbehaves."""

    rows: list[dict]
    geometries: list[dict | None] | None = None
    max_records: int = 2
    drop_first: int = 0  # close the connection without an answer for this many requests
    requests: list[int] = field(default_factory=list)  # resultOffset of every request received


@dataclass
class FakeArcGis:
    """The layers served, by service name, and static files by path."""

    layers: dict[str, Layer]
    static: dict[str, bytes] = field(default_factory=dict)
    base: str = ""

    def url(self, service: str, query: str) -> str:
        return f"{self.base}{PREFIX}/{service}/{query}"


def page(layer: Layer, *, offset: int, count: int, geojson: bool) -> dict:
    """One page as ArcGIS answers it: at most max_records features, and whether more remain."""
    end = min(offset + min(count, layer.max_records), len(layer.rows))
    geometries = layer.geometries or [None] * len(layer.rows)
    more = end < len(layer.rows)
    if geojson:
        features = [
            {"type": "Feature", "id": i + 1, "geometry": geometries[i], "properties": layer.rows[i]}
            for i in range(offset, end)
        ]
        body: dict = {"type": "FeatureCollection", "features": features}
        if more:
            body["properties"] = {"exceededTransferLimit": True}
        return body
    body = {"objectIdFieldName": "ObjectId", "features": [{"attributes": layer.rows[i]} for i in range(offset, end)]}
    if more:
        body["exceededTransferLimit"] = True
    return body


def handler_for(server: FakeArcGis) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args) -> None:
            return

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path in server.static:
                return self.answer(server.static[parts.path])
            service = parts.path.removeprefix(PREFIX + "/").split("/")[0]
            layer = server.layers.get(service)
            if layer is None:
                self.send_error(404)
                return None
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            offset = int(query.get("resultOffset", 0))
            layer.requests.append(offset)
            if layer.drop_first > 0:
                layer.drop_first -= 1
                self.close_connection = True
                return None
            count = int(query.get("resultRecordCount", 1000))
            body = page(layer, offset=offset, count=count, geojson=query.get("f") == "geojson")
            return self.answer(json.dumps(body).encode())

        def answer(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def serving(fake: FakeArcGis) -> Iterator[FakeArcGis]:
    """Run the fake server in a thread on a free loopback port for the duration of the block."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(fake))
    fake.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
