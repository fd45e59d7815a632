"""Unit tests for processors.stream_time: which publish times the stream clocks believe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.schemas import RawArticle
from processors.stream_time import FUTURE_TOLERANCE, believable

pytestmark = pytest.mark.unit

FETCHED = datetime(2015, 8, 8, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 7, tzinfo=UTC)


def article(published: datetime, fetched: datetime = FETCHED) -> RawArticle:
    return RawArticle(
        id="ab" * 8, url="u", canonical_url="u", outlet="x", title="t", published=published,
        fetched_at=fetched,
    )  # fmt: skip


@pytest.mark.parametrize(
    "published",
    [FETCHED - timedelta(days=3), FETCHED, FETCHED + FUTURE_TOLERANCE],
    ids=["past", "at-fetch", "at-the-tolerance"],
)
def test_plausible_times_are_kept_as_they_are(published: datetime) -> None:
    original = article(published)
    assert believable(original, now=NOW) is original


def test_a_time_past_the_tolerance_becomes_the_fetch_time_flagged_future() -> None:
    fixed = believable(article(FETCHED + FUTURE_TOLERANCE + timedelta(seconds=1)), now=NOW)
    assert (fixed.published, fixed.published_status) == (FETCHED, "future")


def test_a_fetch_time_in_the_future_is_bounded_by_the_processor_clock() -> None:
    far = NOW + timedelta(days=400)
    fixed = believable(article(far, fetched=far), now=NOW)
    assert (fixed.published, fixed.published_status) == (NOW, "future")
