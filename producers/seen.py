"""Which article ids each feed has already published: a small SQLite store (WAL) in the data directory.

A restarted producer asks :meth:`SeenStore.filter_new` before publishing and calls :meth:`SeenStore.mark`
after Kafka acknowledged, so old items of a feed are not published again. ``mark`` refreshes the time of ids
already known, so marking every id a feed still lists keeps them from being pruned while they stay in it;
:meth:`SeenStore.prune` forgets ids not seen since a cut-off (``seen_retention_days``). One connection,
guarded by a lock, so the store may be used from a worker thread (e.g. ``asyncio.to_thread``).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from .errors import SeenStoreError

__all__ = ["SeenStore"]

# SQLite allows 32,766 bound parameters; stay well below with one feed parameter per chunk.
_CHUNK: Final = 500
_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS seen (
    feed    TEXT NOT NULL,
    id      TEXT NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (feed, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_at ON seen (seen_at);
"""


class SeenStore:
    """Per-feed sets of published article ids, persisted in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise SeenStoreError(
                f"seen-store {path}: cannot be opened ({exc}); check the data directory (KHABAR_DATA_DIR) "
                "or delete the file to start afresh (old items may then be published again)"
            ) from None

    def filter_new(self, feed: str, ids: Iterable[str]) -> list[str]:
        """The ids not yet marked for ``feed``, in their first order, each once."""
        wanted = list(dict.fromkeys(ids))
        known: set[str] = set()
        with self._guard("read"):
            for chunk in _chunks(wanted):
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT id FROM seen WHERE feed = ? AND id IN ({marks})",  # noqa: S608 (placeholders only)
                    (feed, *chunk),
                )
                known.update(row[0] for row in rows)
        return [item for item in wanted if item not in known]

    def mark(self, feed: str, ids: Iterable[str], *, at: datetime) -> None:
        """Remember ``ids`` as published by ``feed`` at ``at`` (aware); known ids get the later time."""
        stamp = _epoch(at)
        rows = [(feed, item, stamp) for item in dict.fromkeys(ids)]
        with self._guard("write"):
            self._db.execute("BEGIN")
            try:
                self._db.executemany(
                    "INSERT INTO seen (feed, id, seen_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (feed, id) DO UPDATE SET seen_at = max(seen_at, excluded.seen_at)",
                    rows,
                )
            except sqlite3.Error:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def prune(self, *, older_than: datetime) -> int:
        """Forget ids last marked before ``older_than``; return how many were forgotten."""
        with self._guard("prune"):
            cursor = self._db.execute("DELETE FROM seen WHERE seen_at < ?", (_epoch(older_than),))
            return cursor.rowcount

    def count(self, feed: str | None = None) -> int:
        """How many ids are remembered (for one feed, or for all)."""
        with self._guard("read"):
            if feed is None:
                row = self._db.execute("SELECT count(*) FROM seen").fetchone()
            else:
                row = self._db.execute("SELECT count(*) FROM seen WHERE feed = ?", (feed,)).fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the database (idempotent)."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> SeenStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Hold the lock; turn an SQLite error into a :class:`SeenStoreError` naming the file."""
        with self._lock:
            try:
                yield
            except sqlite3.Error as exc:
                raise SeenStoreError(
                    f"seen-store {self.path}: {action} failed ({exc}); is the disk full or the file locked "
                    "by another khabar process?"
                ) from exc


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _epoch(moment: datetime) -> float:
    if moment.tzinfo is None:
        raise SeenStoreError(f"seen-store: time {moment.isoformat()} has no timezone; pass an aware UTC time")
    return moment.astimezone(UTC).timestamp()
