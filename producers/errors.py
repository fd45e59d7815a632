"""Errors raised by the producers, all under :class:`ProducerError` (itself a :class:`KhabarError`)::

    ProducerError
    ├── FeedParseError        a feed cannot be read at all; the message names the feed URL and the reason
    ├── InvalidUrlError       a URL cannot be canonicalised (no http(s) scheme, no host, malformed)
    ├── MissingIdentityError  an entry has neither a usable link nor a GUID, so it cannot get an id
    ├── CorpusError           a corpus file or folder cannot be read; the message names the file and row
    ├── RegistryError         the feed registry is invalid; the message names the file and the entry
    ├── FetchError            a feed cannot be fetched; the message names the URL and the reason
    ├── BodyTooLargeError     a response body passed the size limit (decoded); says the limit
    ├── UnsupportedEncodingError  a Content-Encoding other than one gzip or deflate layer; names it
    ├── PublishError          records were lost: neither delivered nor dead-lettered (says how many)
    ├── SeenStoreError        the seen-store database cannot be opened or written; names the file
    └── PaceError             a replay pace (--speed / --rate) is invalid; says what forms are accepted

>>> issubclass(FeedParseError, KhabarError)
True
"""

from __future__ import annotations

from contracts.errors import KhabarError

__all__ = [
    "BodyTooLargeError",
    "CorpusError",
    "FeedParseError",
    "FetchError",
    "InvalidUrlError",
    "MissingIdentityError",
    "PaceError",
    "ProducerError",
    "PublishError",
    "RegistryError",
    "SeenStoreError",
    "UnsupportedEncodingError",
]


class ProducerError(KhabarError):
    """Root of every error the producers raise on purpose."""


class FeedParseError(ProducerError):
    """A feed yielded no entries and is malformed; the message names the feed URL and what is wrong."""


class InvalidUrlError(ProducerError):
    """A URL cannot be canonicalised; the message quotes the URL and what is wrong."""


class MissingIdentityError(ProducerError):
    """An entry has neither a canonical URL nor a GUID to derive its article id from."""


class CorpusError(ProducerError):
    """A corpus (replay or evaluation input) cannot be read; the message names the file and the problem."""


class RegistryError(ProducerError):
    """The feed registry is unreadable or invalid; the message names the file, the entry and the fix."""


class FetchError(ProducerError):
    """A feed could not be fetched (network, timeout, status, size, redirects); the message names the URL."""


class PublishError(ProducerError):
    """Records were lost (neither delivered nor dead-lettered) or Kafka is unreachable; says how many."""


class SeenStoreError(ProducerError):
    """The seen-store database cannot be opened, read or written; the message names the file."""


class PaceError(ProducerError):
    """A replay pace is invalid; the message quotes it and the accepted forms (``60x``, ``25/s``)."""


class BodyTooLargeError(ProducerError):
    """A response body passed the size limit, counted decoded; the message says the limit."""


class UnsupportedEncodingError(ProducerError):
    """A response's Content-Encoding is not one gzip or deflate layer, or does not decode; names it."""
