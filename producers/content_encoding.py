"""A response body's ``Content-Encoding``, undone within a byte limit (pure; the fetcher feeds it raw bytes).

httpx decodes a compressed chunk whole before the caller can count it, so a few hundred bytes of nested gzip
become gigabytes in memory before any size check runs. :class:`BoundedDecoder` asks zlib for at most the
bytes still allowed, one step at a time, and stops at the limit. It undoes one ``gzip`` or ``deflate`` layer
(what the fetcher's ``Accept-Encoding`` asks for) or none; anything else, stacked encodings included, is
refused by name.

>>> import gzip
>>> decoder = BoundedDecoder("gzip", max_bytes=1_000)
>>> decoder.feed(gzip.compress(b"<rss/>")) + decoder.finish()
b'<rss/>'
>>> BoundedDecoder("gzip", max_bytes=10).feed(gzip.compress(b"x" * 100))
Traceback (most recent call last):
producers.errors.BodyTooLargeError: body passed the 10-byte limit (decoded); stopped reading
"""

from __future__ import annotations

import zlib

from .errors import BodyTooLargeError, UnsupportedEncodingError

__all__ = ["BoundedDecoder"]

_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class BoundedDecoder:
    """Undoes ``content_encoding`` (a response header's value, "" for none) on raw chunks, keeping the decoded
    size within ``max_bytes``."""

    def __init__(self, content_encoding: str, *, max_bytes: int) -> None:
        layers = [
            e.strip().lower()
            for e in content_encoding.split(",")
            if e.strip().lower() not in ("", "identity")
        ]
        if len(layers) > 1 or (layers and layers[0] not in _WBITS):
            raise UnsupportedEncodingError(
                f"Content-Encoding {content_encoding!r}: only one gzip or deflate layer is read"
            )
        self._name = layers[0] if layers else None
        self._zlib = zlib.decompressobj(_WBITS[self._name]) if self._name else None
        self._max_bytes = max_bytes
        self._size = 0
        self._first = True

    def feed(self, chunk: bytes) -> bytes:
        """The decoded bytes of ``chunk``; raises :class:`BodyTooLargeError` past the limit."""
        if self._zlib is None:
            return self._count(chunk)
        if self._first and self._name == "deflate" and chunk:
            self._first = False
            if chunk[0] & 0x0F != 8:  # no zlib header: servers often send raw deflate under this name
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        out: list[bytes] = []
        data = chunk
        while data:
            try:
                piece = self._zlib.decompress(data, self._max_bytes - self._size + 1)
            except zlib.error as exc:
                raise UnsupportedEncodingError(f"a {self._name} body that does not decode: {exc}") from None
            out.append(self._count(piece))
            data = self._zlib.unconsumed_tail
        return b"".join(out)

    def finish(self) -> bytes:
        """What the decoder still holds once the body ended."""
        return self._count(self._zlib.flush()) if self._zlib is not None else b""

    def _count(self, piece: bytes) -> bytes:
        self._size += len(piece)
        if self._size > self._max_bytes:
            raise BodyTooLargeError(
                f"body passed the {self._max_bytes}-byte limit (decoded); stopped reading"
            )
        return piece
