"""An HTTP gateway that makes the OpenSearch-compatible test server answer like Elasticsearch 8.

No Elasticsearch server can be installed here, but the engine's Elasticsearch path (the
elasticsearch client library, its call shapes, its media types) still has to run for real.
The gateway enforces what an 8.x cluster enforces at the protocol level and forwards the rest
unchanged to osmem:

- `Accept` and `Content-Type` may be plain JSON/NDJSON or `application/vnd.elasticsearch+...`
  with `compatible-with=7` or `8`; anything else (the 9.x client's default `compatible-with=9`)
  is refused with 406, as Elasticsearch 8 refuses it.
- `GET /` reports Elasticsearch 8.15.0 instead of OpenSearch, and every answer carries the
  `X-Elastic-Product: Elasticsearch` header the client checks.

Every request's media types and Authorization header are recorded, so tests can assert what
the client sent.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

ACCEPTED_COMPAT = {"7", "8"}
_VENDOR_RE = re.compile(
    r"application/vnd\.elasticsearch\+([\w-]+)\s*(?:;\s*compatible-with=(\d+))?"
)
ES8_ROOT = {
    "name": "es8-gateway",
    "cluster_name": "test",
    "version": {"number": "8.15.0", "build_flavor": "default", "lucene_version": "9.11.1"},
    "tagline": "You Know, for Search",
}


class Es8Gateway:
    def __init__(self, upstream_url: str):
        upstream = urlsplit(upstream_url)
        self.upstream = (upstream.hostname, upstream.port)
        self.media_types: list[str] = []
        self.authorizations: list[str | None] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                gateway.authorizations.append(self.headers.get("Authorization"))
                forwarded = {}
                for name in ("Accept", "Content-Type"):
                    value = self.headers.get(name)
                    if not value:
                        continue
                    gateway.media_types.append(value)
                    match = _VENDOR_RE.search(value)
                    if match:
                        if match.group(2) not in ACCEPTED_COMPAT:
                            return self._reply(406, _media_type_error(value))
                        value = f"application/{match.group(1)}"
                    forwarded[name] = value
                if self.path.split("?")[0] in ("", "/") and self.command in ("GET", "HEAD"):
                    return self._reply(200, ES8_ROOT)
                connection = http.client.HTTPConnection(*gateway.upstream, timeout=30)
                try:
                    connection.request(
                        self.command, self.path, body=body or None, headers=forwarded
                    )
                    response = connection.getresponse()
                    payload = response.read()
                    content_type = response.getheader("Content-Type", "application/json")
                finally:
                    connection.close()
                self._send(response.status, payload, content_type)

            def _reply(self, status, data):
                self._send(status, json.dumps(data).encode(), "application/json")

            def _send(self, status, payload, content_type):
                self.send_response(status)
                self.send_header("X-Elastic-Product", "Elasticsearch")
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _media_type_error(value: str) -> dict:
    reason = f"Invalid media-type value on headers [Accept, Content-Type]: {value}"
    return {
        "error": {"type": "media_type_header_exception", "reason": reason},
        "status": 406,
    }
