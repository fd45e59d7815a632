"""Per-feed health and schedule: when each feed is due, how it has been doing, and its HTTP validators.

A :class:`FeedHealth` is a frozen snapshot per feed (keyed by :attr:`FeedSpec.key`); :class:`HealthBook`
holds them and applies the three things that can happen to a poll:

- success (a body or ``304``): failures reset, the validators kept, the next poll one interval later;
- failure (network, HTTP status, unreadable feed): consecutive failures grow, the next poll waits the
  backoff delay the caller computed (:class:`producers.politeness.Backoff`);
- deferred (fetched fine but could not be delivered to Kafka): the validators are *not* updated, so the next
  poll fetches the same items again instead of getting a ``304``; nothing is lost.

Items per day are counted over a rolling 24 hours. The book is saved as JSON in the data directory after
every round (``khabar feeds list`` reads it) and loaded on start, so backoff and validators survive restarts.

>>> from datetime import UTC, datetime, timedelta
>>> book, now = HealthBook(), datetime(2024, 1, 1, tzinfo=UTC)
>>> book.record_failure("f", now=now, error="HTTP 500", retry_in_s=60).consecutive_failures
1
>>> book.is_due("f", now=now + timedelta(seconds=30)), book.is_due("f", now=now + timedelta(seconds=60))
(False, True)
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from .errors import ProducerError

__all__ = ["HEALTH_FILE", "FeedHealth", "HealthBook", "load_health", "save_health"]

#: The health file, relative to the data directory.
HEALTH_FILE: Final = Path("producers") / "health.json"
_DAY: Final = timedelta(days=1)
_ERROR_CHARS: Final = 500


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """What khabar knows about one feed. Times are aware UTC."""

    key: str
    etag: str | None = None
    last_modified: str | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    last_failure: datetime | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    next_due: datetime | None = None
    fetches: int = 0
    items_total: int = 0
    # (start of the poll, items published) for the last 24 hours.
    recent: tuple[tuple[datetime, int], ...] = field(default_factory=tuple)

    def items_per_day(self, *, now: datetime) -> int:
        """Items published from this feed in the 24 hours before ``now``."""
        return sum(count for at, count in self.recent if now - at < _DAY)

    @property
    def status(self) -> str:
        """``new``, ``ok``, ``failing`` (1-2 failures in a row) or ``down`` (3 or more)."""
        if self.consecutive_failures >= 3:
            return "down"
        if self.consecutive_failures:
            return "failing"
        return "ok" if self.last_success else "new"


class HealthBook:
    """The health of every feed, updated by the poller."""

    def __init__(self, feeds: dict[str, FeedHealth] | None = None) -> None:
        self._feeds: dict[str, FeedHealth] = dict(feeds or {})

    def get(self, key: str) -> FeedHealth:
        """The health of ``key`` (a fresh record if it was never polled)."""
        return self._feeds.get(key) or FeedHealth(key=key)

    def all(self) -> dict[str, FeedHealth]:
        """A copy of every record, by key."""
        return dict(self._feeds)

    def is_due(self, key: str, *, now: datetime) -> bool:
        """Whether ``key`` should be polled at ``now``."""
        due = self.get(key).next_due
        return due is None or due <= now

    def next_due(self, keys: list[str]) -> datetime | None:
        """The earliest due time among ``keys`` (None: one of them has never been polled)."""
        times = [self.get(key).next_due for key in keys]
        if not times or any(due is None for due in times):
            return None
        return min(due for due in times if due is not None)

    def record_success(
        self,
        key: str,
        *,
        now: datetime,
        items: int,
        interval_s: float,
        etag: str | None,
        last_modified: str | None,
    ) -> FeedHealth:
        """A fetched (or unchanged) feed whose new items were all delivered."""
        health = self.get(key)
        recent = tuple((at, n) for at, n in health.recent if now - at < _DAY)
        updated = replace(
            health,
            etag=etag,
            last_modified=last_modified,
            last_attempt=now,
            last_success=now,
            consecutive_failures=0,
            next_due=now + timedelta(seconds=interval_s),
            fetches=health.fetches + 1,
            items_total=health.items_total + items,
            recent=(*recent, (now, items)) if items else recent,
        )
        self._feeds[key] = updated
        return updated

    def record_failure(self, key: str, *, now: datetime, error: str, retry_in_s: float) -> FeedHealth:
        """A feed that could not be fetched or read; it is next due after ``retry_in_s``."""
        health = self.get(key)
        updated = replace(
            health,
            last_attempt=now,
            last_failure=now,
            last_error=error[:_ERROR_CHARS],
            consecutive_failures=health.consecutive_failures + 1,
            next_due=now + timedelta(seconds=retry_in_s),
            fetches=health.fetches + 1,
        )
        self._feeds[key] = updated
        return updated

    def record_deferred(self, key: str, *, now: datetime, error: str, retry_in_s: float) -> FeedHealth:
        """A feed read fine whose items could not be delivered: keep its old validators, retry later."""
        health = self.get(key)
        updated = replace(
            health,
            last_attempt=now,
            last_error=error[:_ERROR_CHARS],
            next_due=now + timedelta(seconds=retry_in_s),
            fetches=health.fetches + 1,
        )
        self._feeds[key] = updated
        return updated

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready document (times as ISO 8601)."""
        return {"version": 1, "feeds": {key: _dump(health) for key, health in sorted(self._feeds.items())}}

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> HealthBook:
        """The inverse of :meth:`to_json`; raise :class:`ValueError` or :class:`KeyError` if malformed."""
        feeds = document["feeds"]
        return cls({key: _load(key, value) for key, value in feeds.items()})


def _dump(health: FeedHealth) -> dict[str, Any]:
    out = asdict(health)
    for name, value in out.items():
        if isinstance(value, datetime):
            out[name] = value.isoformat()
    out["recent"] = [[at.isoformat(), n] for at, n in health.recent]
    del out["key"]
    return out


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _load(key: str, value: dict[str, Any]) -> FeedHealth:
    return FeedHealth(
        key=key,
        etag=value.get("etag"),
        last_modified=value.get("last_modified"),
        last_attempt=_time(value.get("last_attempt")),
        last_success=_time(value.get("last_success")),
        last_failure=_time(value.get("last_failure")),
        last_error=value.get("last_error"),
        consecutive_failures=int(value.get("consecutive_failures", 0)),
        next_due=_time(value.get("next_due")),
        fetches=int(value.get("fetches", 0)),
        items_total=int(value.get("items_total", 0)),
        recent=tuple((datetime.fromisoformat(at), int(n)) for at, n in value.get("recent", [])),
    )


def load_health(path: Path) -> HealthBook:
    """The book saved at ``path``; an empty one if the file does not exist yet.

    Raise :class:`ProducerError` naming the file when it exists but cannot be read (delete it to start over).
    """
    if not path.exists():
        return HealthBook()
    try:
        return HealthBook.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ProducerError(
            f"feed health file {path} is unreadable ({type(exc).__name__}: {exc}); delete it to start over"
        ) from None


def save_health(path: Path, book: HealthBook) -> None:
    """Write the book atomically (a temporary file renamed over ``path``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".health-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(book.to_json(), handle, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
