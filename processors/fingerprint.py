"""The fingerprint the dedupe window keeps per article, and its compact binary form (the values of the
``dedupe-window`` table, so their layout is versioned: :data:`_FORMAT_VERSION`)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from .errors import DedupeStateError

__all__ = ["Fingerprint"]

_FORMAT_VERSION: Final = 2  # 2: the signature is a bottom-k sketch
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def _put_str(out: bytearray, text: str) -> None:
    data = text.encode("utf-8")
    out += struct.pack("<H", len(data)) + data


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the window keeps per article: identity, publish time, text hash and MinHash signature.

    ``text_hash`` is 16 hex digits ("" for a short body) and ``signature`` the bottom-k sketch: at most
    ``sketch_size`` ascending little-endian uint16 shingle hashes (b"" for a short body). Serialised with
    :meth:`to_bytes` (the sketch, 366 bytes on average, plus the URLs).

    >>> fp = Fingerprint("00000000000000aa", "was", "https://spa.gov.sa/1", "https://spa.gov.sa/1",
    ...                  datetime(2015, 8, 8, tzinfo=UTC), "0123456789abcdef", bytes(4))
    >>> Fingerprint.from_bytes(fp.to_bytes()) == fp, len(fp.to_bytes())
    (True, 67)
    """

    article_id: str
    outlet: str
    url: str
    canonical_url: str
    published: datetime
    text_hash: str
    signature: bytes = b""

    def to_bytes(self) -> bytes:
        """A compact binary form: version, publish time, strings (the canonical URL once if equal)."""
        flags = (1 if self.canonical_url == self.url else 0) | (2 if self.text_hash else 0)
        micros = (self.published - _EPOCH) // timedelta(microseconds=1)
        out = bytearray(struct.pack("<BBq", _FORMAT_VERSION, flags, micros))
        _put_str(out, self.article_id)
        _put_str(out, self.outlet)
        _put_str(out, self.url)
        if not flags & 1:
            _put_str(out, self.canonical_url)
        if flags & 2:
            out += bytes.fromhex(self.text_hash)
        out += self.signature
        return bytes(out)

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """Read :meth:`to_bytes` output; raise :class:`DedupeStateError` for anything else."""
        try:
            version, flags, micros = struct.unpack_from("<BBq", data, 0)
            if version != _FORMAT_VERSION:
                raise DedupeStateError(
                    f"fingerprint format version {version} is not readable (this khabar reads "
                    f"{_FORMAT_VERSION}): written by another khabar version"
                )
            pos = 10
            strings: list[str] = []
            for _ in range(3 if flags & 1 else 4):
                (size,) = struct.unpack_from("<H", data, pos)
                chunk = data[pos + 2 : pos + 2 + size]
                if len(chunk) != size:
                    raise ValueError("truncated string")
                strings.append(chunk.decode("utf-8"))
                pos += 2 + size
            text_hash = ""
            if flags & 2:
                if len(data) < pos + 8:
                    raise ValueError("truncated text hash")
                text_hash = data[pos : pos + 8].hex()
                pos += 8
            signature = bytes(data[pos:])
            if len(signature) % 2:
                raise ValueError("odd signature length")
        except (struct.error, ValueError, UnicodeDecodeError) as exc:
            raise DedupeStateError(
                f"fingerprint bytes {bytes(data[:24])!r}... cannot be read ({exc}); the dedupe table is "
                "corrupt or from another program"
            ) from None
        article_id, outlet, url = strings[:3]
        canonical = strings[3] if len(strings) == 4 else url
        published = _EPOCH + timedelta(microseconds=micros)
        return cls(article_id, outlet, url, canonical, published, text_hash, signature)
