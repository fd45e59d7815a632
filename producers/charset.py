"""Spot a feed whose declared encoding is wrong, and say which charset really decodes it. Pure.

Arabic feeds in the wild declare UTF-8 and send windows-1256, or declare windows-1256 (or ISO-8859-6) and
send UTF-8. ``feedparser`` then either falls back to windows-1252 (Latin mojibake, with a
``CharacterEncodingOverride`` complaint) or decodes quietly into the wrong Arabic letters. Both are caught:

- bytes that are valid UTF-8 and not pure ASCII are UTF-8, whatever was declared: a legacy 8-bit text is
  practically never valid UTF-8 by accident;
- a document that feedparser could not decode as declared, and that is not UTF-8, is tried as the legacy
  Arabic encodings (windows-1256 and ISO-8859-6); windows-1256 decodes any byte, so the reading with the
  larger share of Arabic letters wins (windows-1256 on a tie).

The poller re-parses with the charset found here and dead-letters the document with the reason, so the
articles are kept and the operator learns the feed is broken.

>>> wrong_charset("خبر".encode("utf-8"), parsed_as="windows-1256", complaint=None)
('utf-8', 'declared windows-1256 but the bytes are UTF-8')
>>> wrong_charset("خبر".encode("utf-8"), parsed_as="utf-8", complaint=None) is None
True
"""

from __future__ import annotations

import codecs
from typing import Final

__all__ = ["ARABIC_LEGACY", "wrong_charset"]

#: Legacy Arabic encodings, most common first.
ARABIC_LEGACY: Final = ("windows-1256", "iso-8859-6")
_OVERRIDE: Final = "CharacterEncodingOverride"


def _name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding.lower()


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def wrong_charset(data: bytes, *, parsed_as: str | None, complaint: str | None) -> tuple[str, str] | None:
    """``(charset, reason)`` when the document was decoded with the wrong charset, else None.

    ``parsed_as`` is the encoding feedparser used (``ParseResult.encoding``) and ``complaint`` its bozo text.
    """
    used = _name(parsed_as) if parsed_as else None
    if not data.isascii() and _decodes(data, "utf-8"):
        if used not in (None, "utf-8", "utf-8-sig"):
            return "utf-8", f"declared {parsed_as} but the bytes are UTF-8"
        return None
    if complaint and complaint.startswith(_OVERRIDE):
        # windows-1256 decodes any byte: the reading with the most Arabic letters wins, 1256 on ties
        decoded = [(name, data.decode(name)) for name in ARABIC_LEGACY if _decodes(data, name)]
        if decoded:
            candidate = max(decoded, key=lambda reading: _arabic_share(reading[1]))[0]
            return (
                candidate,
                f"the declared encoding does not decode the bytes ({complaint}); read as {candidate}",
            )
    return None


def _arabic_share(text: str) -> float:
    """The share of Arabic letters among the non-ASCII characters of ``text``.

    >>> _arabic_share("خبر é"), _arabic_share("abc")
    (0.75, 0.0)
    """
    high = [c for c in text if ord(c) > 0x7F]
    return sum("\u0621" <= c <= "\u064a" for c in high) / len(high) if high else 0.0
