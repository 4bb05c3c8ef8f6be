"""A loopback web server that misbehaves on purpose, for robustness tests and benchmarks.

Paths:

  /page                     a small, well-formed article page
  /bomb                     a compression bomb: `size` zero bytes gzipped `layers` times,
                            sent with ``Content-Encoding: gzip, gzip`` (one coding per layer)
  /drip                     a page sent one byte every `interval` seconds (headers at once)
  /drip-headers             the status line and headers themselves sent one byte at a time

Only 127.0.0.1 is ever bound.
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = (b"<html><head><title>A post</title></head><body><article><p>Kratom is a plant.</p>"
        b"</article></body></html>")


def gzip_zeros(size: int, layers: int) -> bytes:
    """`size` zero bytes, gzipped `layers` times (streamed: no copy of the zeros in memory)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = []
    left = size
    while left > 0:
        parts.append(comp.compress(block[: min(left, len(block))]))
        left -= len(block)
    parts.append(comp.flush())
    body = b"".join(parts)
    for _ in range(layers - 1):
        body = gzip.compress(body, 9)
    return body


class HostileServer:
    """Start with `with HostileServer(bomb_size=...) as server:`; `server.url(path)`."""

    def __init__(self, bomb_size: int = 200 * 1024 * 1024, bomb_layers: int = 2, interval: float = 1.0,
                 drip_bytes: int = 10_000):
        self.bomb = gzip_zeros(bomb_size, bomb_layers)
        self.bomb_layers = bomb_layers
        self.interval = interval
        self.drip_bytes = drip_bytes
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?", 1)[0]
                try:
                    if path == "/page":
                        self._send(PAGE)
                    elif path == "/bomb":
                        self._send(server.bomb, encoding=", ".join(["gzip"] * server.bomb_layers))
                    elif path == "/drip":
                        self.send_response(200)
                        self.send_header("Content-Type", "text/html")
                        self.send_header("Content-Length", str(server.drip_bytes))
                        self.end_headers()
                        self._drip(b"<p>" + b"x" * (server.drip_bytes - 3))
                    elif path == "/drip-headers":
                        self._drip(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Pad: " + b"x" * 100_000)
                    else:
                        self._send(b"not found", status=404)
                except OSError:
                    pass  # the client gave up: that is the point

            def _send(self, body: bytes, status: int = 200, encoding: str | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "text/html")
                if encoding:
                    self.send_header("Content-Encoding", encoding)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _drip(self, data: bytes) -> None:
                for i in range(len(data)):
                    if server.stop.is_set():
                        return
                    self.wfile.write(data[i : i + 1])
                    self.wfile.flush()
                    time.sleep(server.interval)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def __enter__(self) -> "HostileServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
