"""A local HTTP feed server for tests and the demo (``khabar feeds serve CORPUS``). Standard library only.

It serves ``/feeds/<outlet>.xml`` for every outlet of a :class:`~producers.feedsim.FeedCatalog`, rendered at
the simulated time of a :class:`~producers.feedsim.SimClock`, and ``/`` as a plain-text index. Each answer
carries an ``ETag`` (a hash of the body) and a ``Last-Modified`` (the newest visible item), and a conditional
GET that matches gets ``304 Not Modified`` with no body; gzip is used when the client accepts it. Faults
(:data:`~producers.feedsim.FAULTS`) apply per outlet. :meth:`FeedServer.registry_yaml` writes a registry
pointing at the server, so ``khabar produce --registry`` polls it like the real thing.

The server runs in a background thread (``ThreadingHTTPServer``); use it as a context manager.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import Counter
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Final

from .feedsim import Faults, FeedCatalog, FeedFormat, SimClock, render_feed
from .registry import Outlet, dump_registry

__all__ = ["FeedServer"]

_PREFIX: Final = "/feeds/"
_SUFFIX: Final = ".xml"


class FeedServer:
    """Serve a catalog's feeds on ``host:port`` (port 0: any free port) until :meth:`stop`."""

    def __init__(
        self,
        catalog: FeedCatalog,
        *,
        clock: SimClock,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        atom_outlets: frozenset[str] = frozenset(),
    ) -> None:
        self.catalog = catalog
        self.clock = clock
        self.faults = faults or Faults()
        self.atom_outlets = atom_outlets
        self.requests: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running server."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def feed_url(self, outlet: str) -> str:
        """The URL of one outlet's feed."""
        return f"{self.base_url}{_PREFIX}{outlet}{_SUFFIX}"

    def start(self) -> FeedServer:
        """Serve in a background thread (once: a started server is returned as it is)."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="khabar-feedserver", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (slow answers in flight are cut short) and close the socket."""
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def registry_yaml(self, *, country: str = "SA", interval_s: float = 60.0) -> str:
        """A registry of every outlet of the catalog, pointing at this server."""
        outlets = [
            Outlet(
                id=outlet,
                name=f"{outlet} (local feed server)",
                country=country,
                scope="national",
                interval_s=interval_s,
                feeds=[self.feed_url(outlet)],
            )
            for outlet in self.catalog.outlets
        ]
        return dump_registry(outlets)

    def write_registry(self, path: Path, *, country: str = "SA", interval_s: float = 60.0) -> Path:
        """Write :meth:`registry_yaml` to ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.registry_yaml(country=country, interval_s=interval_s), encoding="utf-8")
        return path

    def document(self, outlet: str) -> tuple[bytes, datetime]:
        """The current feed of ``outlet`` and its last-modified time (the newest visible item)."""
        now = self.clock.now()
        items = self.catalog.visible(outlet, now=now)
        fmt: FeedFormat = "atom" if outlet in self.atom_outlets else "rss"
        modified = items[0].published if items else now.replace(year=2000)
        body = render_feed(
            outlet,
            items,
            base_url=self.base_url,
            now=modified,
            fmt=fmt,
            faults=self.faults.for_outlet(outlet),
        )
        return body, modified

    def count(self, outlet: str, *, not_modified: bool = False) -> None:
        """Count a request (for tests and the index page)."""
        with self._lock:
            (self.not_modified if not_modified else self.requests)[outlet] += 1

    def pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less if the server is stopping (the ``slow`` fault)."""
        self._stopping.wait(seconds)


def _fresh(handler: BaseHTTPRequestHandler, etag: str, modified: datetime) -> bool:
    """Whether the client's copy is current (RFC 9110: If-None-Match wins over If-Modified-Since)."""
    if_none_match = handler.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
    since = handler.headers.get("If-Modified-Since")
    if since:
        try:
            return modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _handler_for(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "khabar-feedserver"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: tests and the demo count requests instead."""

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/":
                self._index()
                return
            outlet = path[len(_PREFIX) : -len(_SUFFIX)] if path.endswith(_SUFFIX) else ""
            if not path.startswith(_PREFIX) or outlet not in server.catalog.outlets:
                self._send(HTTPStatus.NOT_FOUND, b"no such feed\n", "text/plain; charset=utf-8")
                return
            self._feed(outlet)

        def _feed(self, outlet: str) -> None:
            faults = server.faults.for_outlet(outlet)
            if "slow" in faults:
                server.pause(server.faults.slow_s)
            if "500" in faults:
                server.count(outlet)
                self._send(HTTPStatus.INTERNAL_SERVER_ERROR, b"injected fault\n", "text/plain; charset=utf-8")
                return
            body, modified = server.document(outlet)
            etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20] + '"'
            headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
            if _fresh(self, etag, modified):
                server.count(outlet, not_modified=True)
                self._send(HTTPStatus.NOT_MODIFIED, b"", None, headers)
                return
            server.count(outlet)
            kind = "atom" if outlet in server.atom_outlets else "rss"
            self._send(HTTPStatus.OK, body, f"application/{kind}+xml; charset=utf-8", headers)

        def _index(self) -> None:
            lines = [f"{outlet}\t{server.feed_url(outlet)}" for outlet in server.catalog.outlets]
            self._send(HTTPStatus.OK, ("\n".join(lines) + "\n").encode(), "text/plain; charset=utf-8")

        def _send(
            self,
            status: HTTPStatus,
            body: bytes,
            content_type: str | None,
            headers: dict[str, str] | None = None,
        ) -> None:
            if body and "gzip" in (self.headers.get("Accept-Encoding") or ""):
                body = gzip.compress(body, compresslevel=5)
                headers = {**(headers or {}), "Content-Encoding": "gzip"}
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status != HTTPStatus.NOT_MODIFIED:
                self.send_header("Content-Length", str(len(body)))
            try:
                self.end_headers()
                if body:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a 'slow' fault did its job)
                self.close_connection = True

    return Handler
