"""Unit tests for producers.seen: the per-feed SQLite store that stops a restarted producer republishing."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from producers.errors import SeenStoreError
from producers.seen import SeenStore

pytestmark = pytest.mark.unit

T0 = datetime(2024, 9, 2, 12, 0, tzinfo=UTC)
FEED = "https://www.aljazeera.net/aljazeerarss/a7c186be-1baa-4bd4-9d80-a84db769f779/73d0e1b4-532f-45ef-b135-bfdff8b8cab9"


@pytest.fixture
def store(tmp_path: Path) -> SeenStore:
    return SeenStore(tmp_path / "state" / "seen.sqlite3")


def test_new_ids_keep_their_order_once_each_and_marked_ones_drop_out(store: SeenStore) -> None:
    assert store.filter_new(FEED, ["c", "a", "b", "a"]) == ["c", "a", "b"]
    store.mark(FEED, ["a"], at=T0)
    assert store.filter_new(FEED, ["c", "a", "b"]) == ["c", "b"]
    assert store.filter_new(FEED, []) == []


def test_feeds_are_kept_apart(store: SeenStore) -> None:
    store.mark(FEED, ["a"], at=T0)
    assert store.filter_new("https://other.example/rss", ["a"]) == ["a"]
    assert (store.count(FEED), store.count("https://other.example/rss"), store.count()) == (1, 0, 1)


def test_marks_survive_a_restart_in_a_wal_database(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    with SeenStore(path) as first:
        first.mark(FEED, ["a", "b"], at=T0)
    with SeenStore(path) as second:
        assert second.filter_new(FEED, ["a", "b", "c"]) == ["c"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_more_ids_than_one_query_can_bind(store: SeenStore) -> None:
    ids = [f"{n:016x}" for n in range(1_500)]
    store.mark(FEED, ids[::2], at=T0)
    assert store.filter_new(FEED, ids) == ids[1::2]


def test_prune_forgets_ids_not_marked_since_the_cut_off(store: SeenStore) -> None:
    store.mark(FEED, ["old", "kept"], at=T0)
    store.mark(FEED, ["kept"], at=T0 + timedelta(days=40))  # still listed by the feed: refreshed
    store.mark(FEED, ["kept"], at=T0 + timedelta(days=1))  # an earlier time never moves it back
    assert store.prune(older_than=T0 + timedelta(days=30)) == 1
    assert store.filter_new(FEED, ["old", "kept"]) == ["old"]
    assert store.prune(older_than=T0 + timedelta(days=30)) == 0


def test_times_must_be_aware(store: SeenStore) -> None:
    with pytest.raises(SeenStoreError, match="no timezone"):
        store.mark(FEED, ["a"], at=datetime(2024, 9, 2, 12, 0))


def test_usable_from_a_worker_thread(store: SeenStore) -> None:
    result: list[list[str]] = []
    worker = threading.Thread(target=lambda: result.append(store.filter_new(FEED, ["x"])))
    worker.start()
    worker.join()
    store.mark(FEED, ["x"], at=T0)
    assert result == [["x"]]
    assert store.filter_new(FEED, ["x"]) == []


def test_an_unusable_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "seen.sqlite3").write_bytes(b"this is not a database, it is " * 100)
    with pytest.raises(SeenStoreError, match=r"seen-store .*seen\.sqlite3: cannot be opened"):
        SeenStore(tmp_path / "seen.sqlite3")


def test_a_closed_store_reports_which_file(store: SeenStore) -> None:
    store.close()
    store.close()  # idempotent
    with pytest.raises(SeenStoreError, match="read failed"):
        store.filter_new(FEED, ["a"])
