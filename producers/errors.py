"""Errors raised by the producers, all under :class:`ProducerError` (itself a :class:`KhabarError`)::

    ProducerError
    ├── FeedParseError        a feed cannot be read at all; the message names the feed URL and the reason
    ├── InvalidUrlError       a URL cannot be canonicalised (no http(s) scheme, no host, malformed)
    ├── MissingIdentityError  an entry has neither a usable link nor a GUID, so it cannot get an id
    └── CorpusError           a corpus file or folder cannot be read; the message names the file and row

>>> issubclass(FeedParseError, KhabarError)
True
"""

from __future__ import annotations

from contracts.errors import KhabarError

__all__ = ["CorpusError", "FeedParseError", "InvalidUrlError", "MissingIdentityError", "ProducerError"]


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
