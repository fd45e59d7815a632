"""What an article's publish time may tell the stream clocks: a time in the future is not believed. Pure.

The dedupe window, the document frequencies and the story window follow stream time, the newest publish time
seen. One article dated years ahead would move every clock there at once, so every window would expire and
later articles would be neither deduplicated nor counted. Producers flag such dates (``published_status``);
this is the processors' own guard, whatever the producer. A publish time more than :data:`FUTURE_TOLERANCE`
after both the article's fetch time and the processor's clock is replaced by the earlier of the two, and
flagged ``"future"``.

>>> from datetime import UTC, datetime
>>> from contracts.schemas import RawArticle
>>> t = datetime(2015, 8, 8, 9, 0, tzinfo=UTC)
>>> art = RawArticle(id="ab" * 8, url="u", canonical_url="u", outlet="x", title="t",
...     published=datetime(2095, 1, 1, tzinfo=UTC), fetched_at=t)
>>> fixed = believable(art, now=datetime(2026, 12, 7, tzinfo=UTC))
>>> fixed.published == t, fixed.published_status
(True, 'future')
>>> believable(fixed, now=datetime(2026, 12, 7, tzinfo=UTC)) is fixed
True
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from contracts.schemas import RawArticle

__all__ = ["FUTURE_TOLERANCE", "believable"]

#: How far past its fetch time (and the processor's clock) a publish time may lie: clocks of feeds differ.
FUTURE_TOLERANCE: Final = timedelta(hours=1)


def believable(article: RawArticle, *, now: datetime) -> RawArticle:
    """``article`` itself, or a copy whose implausible future publish time is its fetch time (or ``now``)."""
    limit = min(article.fetched_at, now)
    if article.published - limit <= FUTURE_TOLERANCE:
        return article
    return article.model_copy(update={"published": limit, "published_status": "future"})
