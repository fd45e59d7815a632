"""Records for the sink tests: clustered articles, duplicates, story snapshots and alerts, with defaults."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.schemas import Alert, ClusteredArticle, Duplicate, EnrichedArticle, Entity, Place, StoryUpdate

PUBLISHED = datetime(2015, 8, 8, 6, 30, tzinfo=UTC)
RIYADH = Place(name="الرياض", country_code="SA", lat=24.69, lon=46.72, feature="city")


def article_id() -> str:
    return uuid.uuid4().hex[:16]


def clustered(
    *,
    id: str | None = None,
    story_id: str = "story-1",
    story_version: int = 1,
    outlet: str = "sabq",
    title: str = "المعارضة السورية تتقدم نحو ريف اللاذقية",
    content: str = "قالت المعارضة السورية إنها سيطرت على قرى جديدة في ريف اللاذقية.",
    published: datetime = PUBLISHED,
    also_published_by: list[str] | None = None,
    **overrides: Any,
) -> ClusteredArticle:
    fields: dict[str, Any] = {
        "keywords": ["المعارضة", "اللاذقية"],
        "places": [RIYADH],
        "entities": [
            Entity(name="بشار الأسد", type="person"),
            Entity(name="الأمم المتحدة", type="organisation"),
        ],
        "lead": content[:60],
        "also_published_by": also_published_by or [],
        **overrides,
    }
    article = EnrichedArticle(
        id=id or article_id(),
        url=f"https://{outlet}.example/{uuid.uuid4().hex[:8]}",
        canonical_url=f"https://{outlet}.example/a",
        outlet=outlet,
        title=title,
        content=content,
        published=published,
        fetched_at=published + timedelta(minutes=1),
        language="ar",
        word_count=len(content.split()),
        reading_time_s=5,
        **fields,
    )
    return ClusteredArticle(article=article, story_id=story_id, story_version=story_version)


def duplicate(original: str, *, id: str | None = None, outlet: str = "okaz") -> Duplicate:
    dup_id = id or article_id()
    return Duplicate(
        article_id=dup_id,
        duplicate_of=original,
        outlet=outlet,
        original_outlet="sabq",
        url=f"https://{outlet}.example/{dup_id}",
        similarity=0.93,
        method="minhash",
        detected_at=PUBLISHED + timedelta(hours=1),
    )


def story(
    story_id: str = "story-1",
    version: int = 1,
    *,
    headline: str = "تقدم المعارضة في ريف اللاذقية",
    article_count: int = 1,
    outlets: list[str] | None = None,
    event: str = "updated",
    status: str = "active",
    merged_into: str | None = None,
    last_seen: datetime = PUBLISHED,
    top_keywords: list[str] | None = None,
    top_places: list[Place] | None = None,
) -> StoryUpdate:
    return StoryUpdate(
        story_id=story_id,
        version=version,
        event=event,  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        merged_into=merged_into,
        headline=headline,
        summary="ملخص القصة",
        first_seen=PUBLISHED,
        last_seen=last_seen,
        article_count=article_count,
        outlets=outlets or ["sabq"],
        top_keywords=["المعارضة"] if top_keywords is None else top_keywords,
        top_places=[RIYADH] if top_places is None else top_places,
        top_entities=[Entity(name="بشار الأسد", type="person")],
        updated_at=last_seen,
    )


def alert(alert_id: str = "alert-1", *, story_id: str = "story-1", **overrides: Any) -> Alert:
    fields: dict[str, Any] = {
        "rule": "growth",
        "detail": "5",
        "reason": "reached 5 outlets within 1.5 h of its first article",
        "story_version": 9,
        "headline": "تقدم المعارضة في ريف اللاذقية",
        "summary": "قالت المعارضة السورية إنها سيطرت على قرى جديدة.",
        "outlets": ["alriyadh", "okaz", "sabq", "alwatan", "aleqtisadiya"],
        "article_count": 7,
        "fired_at": PUBLISHED + timedelta(hours=1, minutes=30),
        **overrides,
    }
    return Alert(alert_id=alert_id, story_id=story_id, **fields)
