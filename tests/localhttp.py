"""A real HTTP server on 127.0.0.1 whose routes misbehave on purpose, for fetch and source tests.

Routes are functions ``(handler, hit) -> None`` keyed by path; ``hit`` counts requests to
that path from 1, so a route can fail twice and then answer. Stalls wait on
``server.stopping`` so they end when the test does.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[["Handler", int], object]


class Handler(BaseHTTPRequestHandler):
    server: Server

    def do_GET(self) -> None:
        hits = self.server.requests.setdefault(self.path, [])
        hits.append(dict(self.headers))
        route = self.server.routes.get(self.path)
        if route is None:
            self.reply(404, b"not here")
        else:
            route(self, len(hits))

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reset(self) -> None:
        """Close with a TCP RST instead of a FIN, as a crashing proxy does."""
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output clean."""


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.requests: dict[str, list[dict[str, str]]] = {}
        self.stopping = threading.Event()
        self.bytes_streamed = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def hits(self, path: str) -> int:
        """How many requests ``path`` has had."""
        return len(self.requests.get(path, []))

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up mid-stream is what several tests do on purpose."""


@contextmanager
def running_server() -> Iterator[Server]:
    """A started server, stopped (and its stalls released) on exit."""
    httpd = Server()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def answer(status: int, body: bytes, content_type: str = "application/rss+xml") -> Route:
    """A route that always gives the same answer."""

    def route(handler: Handler, hit: int) -> None:
        handler.reply(status, body, {"Content-Type": content_type})

    return route


class Sleeps(list[float]):
    """A ``sleep`` that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
