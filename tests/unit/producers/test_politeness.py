"""Unit tests for producers.politeness (backoff, per-host gate) and producers.health (schedule, files)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from producers.errors import ProducerError
from producers.health import HealthBook, load_health, save_health
from producers.politeness import Backoff, HostGate
from tests.fakes import FakeClock

pytestmark = pytest.mark.unit

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() -> None:
    low = Backoff(base_s=60, max_s=3600, random=lambda: 0.0)
    high = Backoff(base_s=60, max_s=3600, random=lambda: 1.0)
    assert [high.delay(n) for n in range(1, 8)] == [60, 120, 240, 480, 960, 1920, 3600]
    assert [low.delay(n) for n in range(1, 4)] == [30, 60, 120]
    assert high.delay(10_000) == 3600  # no overflow
    assert high.delay(0) == 0


def test_backoff_spreads_feeds_that_failed_together() -> None:
    import random

    rng = random.Random(7)
    backoff = Backoff(base_s=60, max_s=3600, random=rng.random)
    delays = {backoff.delay(3) for _ in range(50)}
    assert len(delays) > 40
    assert all(120 <= d <= 240 for d in delays)


def test_backoff_rejects_bad_bounds() -> None:
    with pytest.raises(ValueError, match="base_s"):
        Backoff(base_s=10, max_s=5)


async def test_gate_spaces_request_starts_to_one_host() -> None:
    fake = FakeClock()
    gate = HostGate(per_host=4, delay_s=2.0, clock=fake, sleep=fake.asleep)
    starts: list[tuple[str, float]] = []

    async def request(host: str) -> None:
        async with gate.slot(host):
            starts.append((host, fake.now))

    await asyncio.gather(*(request("a.example") for _ in range(3)), request("b.example"))
    a_starts = [t for h, t in starts if h == "a.example"]
    assert a_starts == [0.0, 2.0, 4.0]
    assert fake.sleeps == [2.0, 2.0]  # only a.example's 2nd and 3rd request waited; b.example did not


async def test_gate_limits_concurrency_per_host() -> None:
    gate = HostGate(per_host=2, delay_s=0)
    peak = 0
    release = asyncio.Event()

    async def request(host: str) -> None:
        nonlocal peak
        async with gate.slot(host):
            peak = max(peak, gate.active("A.example"))
            await release.wait()

    tasks = [asyncio.create_task(request("a.example")) for _ in range(5)]
    for _ in range(10):
        await asyncio.sleep(0)
    assert gate.active("a.example") == 2
    release.set()
    await asyncio.gather(*tasks)
    assert peak == 2
    assert gate.active("a.example") == 0


def test_health_success_failure_and_items_per_day() -> None:
    book = HealthBook()
    assert book.is_due("f", now=NOW)
    assert book.get("f").status == "new"
    book.record_success("f", now=NOW, items=5, interval_s=300, etag='"e"', last_modified=None)
    health = book.get("f")
    assert health.status == "ok"
    assert health.next_due == NOW + timedelta(seconds=300)
    assert not book.is_due("f", now=NOW + timedelta(seconds=299))
    for n in range(3):
        book.record_failure("f", now=NOW + timedelta(hours=n + 1), error="HTTP 500", retry_in_s=60)
    failing = book.get("f")
    assert failing.status == "down"
    assert failing.consecutive_failures == 3
    assert failing.etag == '"e"'
    assert failing.last_error == "HTTP 500"
    book.record_success(
        "f", now=NOW + timedelta(hours=20), items=2, interval_s=300, etag=None, last_modified=None
    )
    assert book.get("f").items_per_day(now=NOW + timedelta(hours=20)) == 7
    assert book.get("f").items_per_day(now=NOW + timedelta(hours=25)) == 2
    assert book.get("f").consecutive_failures == 0


def test_deferred_keeps_validators_and_failures() -> None:
    book = HealthBook()
    book.record_success("f", now=NOW, items=1, interval_s=60, etag='"old"', last_modified="x")
    book.record_deferred("f", now=NOW, error="kafka down", retry_in_s=60)
    health = book.get("f")
    assert health.etag == '"old"'
    assert health.consecutive_failures == 0
    assert health.last_error == "kafka down"


def test_next_due_over_feeds() -> None:
    book = HealthBook()
    assert book.next_due(["a"]) is None
    book.record_success("a", now=NOW, items=0, interval_s=600, etag=None, last_modified=None)
    book.record_failure("b", now=NOW, error="x", retry_in_s=60)
    assert book.next_due(["a", "b"]) == NOW + timedelta(seconds=60)


def test_health_file_round_trips(tmp_path: Path) -> None:
    book = HealthBook()
    book.record_success("https://a/rss", now=NOW, items=3, interval_s=60, etag='"e"', last_modified="lm")
    book.record_failure("https://b/rss", now=NOW, error="timeout", retry_in_s=120)
    path = tmp_path / "producers" / "health.json"
    save_health(path, book)
    assert load_health(path).all() == book.all()
    assert load_health(tmp_path / "none.json").all() == {}
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ProducerError, match="delete it to start over"):
        load_health(path)
