"""Read article corpora from disk: SaudiNewsNet zips or JSON arrays, and JSONL. Pure: no network, no Kafka.

A corpus is a file or a folder of files. Supported, by name:

- ``*.zip`` holding one JSON array per day (SaudiNewsNet: ``source, url, date_extracted, title, author,
  content``);
- ``*.json``: one such array (read when named directly; a folder's ``*.json`` files are skipped, since
  data folders keep other JSON, such as pair lists, beside the zips);
- ``*.jsonl`` / ``*.jsonl.gz``: one object per line, either a SaudiNewsNet-style row, a row with ``published``
  instead of ``date_extracted`` (and ``outlet`` instead of ``source``), or a :class:`RawArticle` record
  (``"kind": "raw_article"``).

SaudiNewsNet times are naive Saudi local time (UTC+3, no daylight saving); they are converted to UTC.
Rows are scraped page text, and some keep HTML character references (``&quot;فلكي&quot;`` in a headline,
``&#8221;`` in a body): title, content and author are unescaped, as the feed path's ``html_to_text`` does, so
a headline reaches the index as an editor reads it.
Articles come back in publish-time order (stable for equal times), which is the order a replay sends them.

>>> from datetime import datetime, UTC
>>> parse_time("2015-08-08 06:30:06")
datetime.datetime(2015, 8, 8, 3, 30, 6, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

import gzip
import html
import io
import json
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Final

from contracts.errors import SchemaError
from contracts.schemas import RawArticle, decode

from .errors import CorpusError, ProducerError
from .urls import article_id, canonical_url

__all__ = ["CorpusArticle", "corpus_files", "parse_time", "read_corpus", "to_raw_article"]

#: SaudiNewsNet's ``date_extracted`` is Saudi local time.
SAUDI_TIME: Final = timezone(timedelta(hours=3), "AST")
_SUFFIXES: Final = (".zip", ".json", ".jsonl", ".jsonl.gz")
_FOLDER_SUFFIXES: Final = (".zip", ".jsonl", ".jsonl.gz")
#: Epoch timestamps: at least 9 digits (1973 on), so that no year or date is read as one.
_EPOCH_RE: Final = re.compile(r"\d{9,}(?:\.\d+)?")
#: Epoch values past this are milliseconds (10^11 s is the year 5138).
_EPOCH_MS_FROM: Final = 1e11

#: Told of a row that cannot become an article: the error naming it, and the row as read (its text when it
#: is not JSON). With such a handler a bad row is skipped; without one it stops the read.
OnBadRow = Callable[[CorpusError, object], None]


@dataclass(frozen=True, slots=True)
class CorpusArticle:
    """One corpus row, as read: the outlet, URL, UTC publish time and text."""

    outlet: str
    url: str
    published: datetime
    title: str
    content: str
    author: str = ""
    source_file: str = ""


def parse_time(value: str | float | datetime, *, naive_tz: timezone = SAUDI_TIME) -> datetime:
    """A timestamp as aware UTC: ISO 8601 (a date alone is its midnight), RFC 2822 as feeds write it, or
    Unix epoch seconds (milliseconds past 10^11). Naive values are read in ``naive_tz`` (Saudi time by
    default); raises ValueError naming the value when it is none of these or out of datetime's range.

    >>> parse_time("Sat, 08 Aug 2015 03:30:06 GMT") == parse_time(1439004606) == parse_time("1439004606000")
    True
    >>> parse_time(1e20)
    Traceback (most recent call last):
    ValueError: time 1e+20 is out of range
    """
    try:
        return _parse_time(value, naive_tz)
    except (OverflowError, OSError):  # beyond datetime's years 1-9999, or the platform's time_t
        raise ValueError(f"time {value!r} is out of range") from None


def _parse_time(value: str | float | datetime, naive_tz: timezone) -> datetime:
    if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
        raise ValueError(f"unreadable time {value!r}: expected ISO 8601, RFC 2822 or Unix epoch seconds")
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, (int, float)) or _EPOCH_RE.fullmatch(value.strip()):
        seconds = float(value)
        return datetime.fromtimestamp(seconds / 1000 if seconds > _EPOCH_MS_FROM else seconds, UTC)
    else:
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                # "-0000" (no zone known) parses naive: RFC 2822 reads it as UTC
                moment = parsedate_to_datetime(text)
                moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            except (TypeError, ValueError, IndexError):
                raise ValueError(
                    f"unreadable time {value!r}: expected ISO 8601, RFC 2822 or Unix epoch seconds"
                ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=naive_tz)
    return moment.astimezone(UTC)


def corpus_files(path: Path) -> list[Path]:
    """The corpus files under ``path`` (a file or a folder), sorted by name; raise if there are none."""
    if not path.exists():
        raise CorpusError(f"corpus {path}: no such file or folder")
    if path.is_file():
        if not path.name.endswith(_SUFFIXES):
            raise CorpusError(f"corpus {path}: unknown format; expected one of {', '.join(_SUFFIXES)}")
        return [path]
    files = sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(_FOLDER_SUFFIXES))
    if not files:
        raise CorpusError(f"corpus {path}: the folder holds no {', '.join(_FOLDER_SUFFIXES)} files")
    return files


def _rows(file: Path, on_bad_row: OnBadRow | None) -> Iterator[Any]:
    name = file.name
    try:
        if name.endswith(".zip"):
            with zipfile.ZipFile(file) as archive:
                for member in sorted(archive.namelist()):
                    if member.endswith(".json"):
                        yield from json.loads(archive.read(member))
                    elif member.endswith(".jsonl"):
                        lines = io.TextIOWrapper(archive.open(member), encoding="utf-8")
                        yield from _jsonl(lines, file, on_bad_row)
        elif name.endswith(".json"):
            yield from json.loads(file.read_bytes())
        elif name.endswith(".jsonl.gz"):
            with gzip.open(file, "rt", encoding="utf-8") as handle:
                yield from _jsonl(handle, file, on_bad_row)
        else:
            with file.open(encoding="utf-8") as handle:
                yield from _jsonl(handle, file, on_bad_row)
    except (OSError, zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(f"corpus file {file}: cannot be read ({exc})") from None


def _jsonl(lines: Iterable[str], file: Path, on_bad_row: OnBadRow | None) -> Iterator[Any]:
    for number, line in enumerate(lines, 1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                error = CorpusError(f"corpus file {file}, line {number}: not JSON ({exc.msg})")
                if on_bad_row is None:
                    raise error from None
                on_bad_row(error, line.rstrip("\n"))


def _article(row: object, file: Path) -> CorpusArticle | RawArticle:
    if not isinstance(row, Mapping):
        raise CorpusError(f"corpus file {file}: expected objects, found {type(row).__name__}")
    if row.get("kind") == RawArticle.KIND:
        return decode(json.dumps(row), RawArticle)
    url = str(row.get("url") or "")
    stamp = row.get("published") or row.get("date_extracted")
    if not url or not stamp:
        raise CorpusError(f"corpus file {file}: a row has no url or no date: {str(row)[:120]!r}")
    try:
        published = parse_time(str(stamp))
    except ValueError:
        raise CorpusError(f"corpus file {file}: row {url!r} has an unreadable date {stamp!r}") from None
    return CorpusArticle(
        outlet=str(row.get("source") or row.get("outlet") or "unknown"),
        url=url,
        published=published,
        title=_unescaped(row.get("title")),
        content=_unescaped(row.get("content")),
        author=_unescaped(row.get("author")),
        source_file=file.name,
    )


def _unescaped(value: object) -> str:
    """A row's text field with HTML character references resolved (``&quot;`` -> ``"``).

    >>> _unescaped("&quot;عرب نيوز&quot; الأولى"), _unescaped(None), _unescaped("AT&T")
    ('"عرب نيوز" الأولى', '', 'AT&T')
    """
    text = str(value or "")
    return html.unescape(text) if "&" in text else text


def read_corpus(
    path: Path,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    on_bad_row: OnBadRow | None = None,
) -> list[CorpusArticle | RawArticle]:
    """Every article of the corpus with ``since <= published < until``, in publish-time order.

    A row that cannot become an article (not an object, no URL or date, an unreadable date, an invalid
    record, a JSONL line that is not JSON) raises :class:`CorpusError`, or, with ``on_bad_row``, is reported
    to it and skipped while the rest of its file is read. A file that cannot be read at all always raises.
    """
    items: list[CorpusArticle | RawArticle] = []
    for file in corpus_files(path):
        for row in _rows(file, on_bad_row):
            try:
                item = _article(row, file)
            except (CorpusError, SchemaError) as exc:
                error = exc if isinstance(exc, CorpusError) else CorpusError(f"corpus file {file}: {exc}")
                if on_bad_row is None:
                    raise error from None
                on_bad_row(error, row)
                continue
            if (since is None or item.published >= since) and (until is None or item.published < until):
                items.append(item)
    items.sort(key=lambda item: item.published)
    return items


def to_raw_article(item: CorpusArticle | RawArticle, *, fetched_at: datetime | None = None) -> RawArticle:
    """A corpus row as the raw article a producer publishes (records pass through unchanged)."""
    if isinstance(item, RawArticle):
        return item
    try:
        canonical = canonical_url(item.url)
    except ProducerError as exc:
        raise CorpusError(f"corpus row {item.url!r}: {exc}") from None
    return RawArticle(
        id=article_id(canonical, None),
        url=item.url,
        canonical_url=canonical,
        outlet=item.outlet,
        title=item.title.strip(),
        content=item.content.strip(),
        author=item.author.strip() or None,
        language_hint="ar",
        published=item.published,
        fetched_at=fetched_at or item.published,
    )
