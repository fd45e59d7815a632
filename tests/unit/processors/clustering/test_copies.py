"""Wire copies in stories: they count among a story's articles and outlets, wait for an original that is not
clustered yet, survive a restore, follow merges, and leave with the window."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from processors.errors import ClusterStateError
from processors.stories import ClusterConfig, Copy, StoryClusterer
from tests.unit.processors.test_stories import FIRE, FIRE2, MATCH, T0, article


def copy_of(original: int, n: int, *, outlet: str = "sabq", hours: float = 0.0, title: str = "") -> Copy:
    return Copy(f"{n:016x}", f"{original:016x}", outlet, T0 + timedelta(hours=hours), title)


def apply(table: dict[str, bytes], changes: dict[str, bytes | None]) -> None:
    for key, value in changes.items():
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value


def test_a_copy_joins_its_originals_story_with_its_outlet() -> None:
    clusterer = StoryClusterer()
    first = clusterer.assign(article(1, FIRE, FIRE, outlet="spa"))
    clusterer.drain_changes()
    joined = clusterer.add_copy(copy_of(1, 2, hours=2))
    assert joined is not None
    assert (joined.story_id, joined.story_version, joined.is_new_story) == (first.story_id, 2, False)
    (update,) = joined.updates
    assert (update.event, update.version, update.article_count) == ("updated", 2, 2)
    assert update.outlets == ["sabq", "spa"]
    assert update.last_seen == T0 + timedelta(hours=2)
    story = clusterer.story(first.story_id)
    assert story is not None
    assert story.size == 1
    assert story.copy_ids == [f"{2:016x}"]
    assert set(clusterer.drain_changes()) == {f"article/{2:016x}", f"story/{first.story_id}"}
    # a redelivered copy changes nothing
    again = clusterer.add_copy(copy_of(1, 2, hours=2))
    assert again is not None
    assert (again.story_id, again.story_version, again.updates) == (
        first.story_id,
        2,
        [],
    )
    assert clusterer.drain_changes() == {}


def test_a_copy_before_its_original_waits_and_joins_with_it() -> None:
    clusterer = StoryClusterer()
    assert clusterer.add_copy(copy_of(1, 2)) is None
    assert clusterer.add_copy(copy_of(1, 2)) is None  # redelivered while waiting: still one
    assert list(clusterer.drain_changes()) == [f"copy/{2:016x}"]
    got = clusterer.assign(article(1, FIRE, FIRE, outlet="spa"))
    assert got.copies == (f"{2:016x}",)
    assert got.story_version == 1  # the article's own version; the copy is one change more
    created, counted = got.updates
    assert (created.event, created.version, created.article_count) == ("created", 1, 1)
    assert (counted.event, counted.version, counted.article_count) == ("updated", 2, 2)
    assert counted.outlets == ["sabq", "spa"]
    changes = clusterer.drain_changes()
    assert changes[f"copy/{2:016x}"] is None
    assert changes[f"article/{2:016x}"] is not None
    known = clusterer.add_copy(copy_of(1, 2))
    assert known is not None
    assert known.story_id == got.story_id
    assert known.updates == []


def test_a_restored_clusterer_attaches_waiting_copies_as_the_live_one_does() -> None:
    live, table = StoryClusterer(), {}
    live.assign(article(1, FIRE, FIRE, outlet="spa"))
    live.add_copy(copy_of(1, 2))
    live.add_copy(copy_of(3, 4, outlet="okaz", hours=1, title=MATCH))  # its original comes after the restart
    apply(table, live.drain_changes())
    restored = StoryClusterer()
    restored.restore(table)
    for clusterer in (live, restored):
        got = clusterer.assign(article(3, FIRE2, FIRE2, hours=1, outlet="riyadh"))
        assert got.copies == (f"{4:016x}",)
        assert got.updates[-1].outlets == ["okaz", "riyadh", "sabq", "spa"]
        assert got.updates[-1].article_count == 4
    assert restored.drain_changes() == live.drain_changes()


def test_a_copy_waiting_past_the_window_is_dropped_and_reported() -> None:
    clusterer = StoryClusterer(ClusterConfig(window=timedelta(hours=24)))
    clusterer.add_copy(copy_of(1, 2))
    assert clusterer.advance(T0 + timedelta(hours=23)) == []
    assert clusterer.take_dropped_copies() == []
    clusterer.advance(T0 + timedelta(hours=25))
    assert clusterer.take_dropped_copies() == [f"{2:016x}"]
    assert clusterer.take_dropped_copies() == []
    # no story holds stream time, so it is an entry of its own
    assert clusterer.drain_changes() == {f"copy/{2:016x}": None, "clock": b"2015-08-09T07:00:00+00:00"}
    got = clusterer.assign(article(1, FIRE, FIRE, hours=25))  # the original came too late for it
    assert got.copies == ()


def test_a_copy_follows_its_original_into_the_story_that_absorbed_it() -> None:
    config = ClusterConfig(
        join_threshold=0.05, merge_threshold=0.05, merge_story_similarity=0.0, size_prior=0
    )
    clusterer = StoryClusterer(config)
    first = clusterer.assign(article(1, FIRE, FIRE))
    clusterer.assign(article(2, MATCH, MATCH, hours=1))
    clusterer.add_copy(copy_of(2, 9, hours=1))
    bridge = clusterer.assign(article(3, FIRE + " " + MATCH, FIRE + " " + MATCH, hours=2))
    assert [u.event for u in bridge.updates] == ["merged", "updated"]
    assert bridge.updates[-1].article_count == 4
    late = clusterer.add_copy(copy_of(2, 10, outlet="madina", hours=3))
    assert late is not None
    assert late.story_id == first.story_id
    assert late.updates[0].article_count == 5
    known = clusterer.add_copy(copy_of(2, 9, hours=1))
    assert known is not None
    assert known.story_id == first.story_id


def test_closing_a_story_forgets_its_copies() -> None:
    clusterer = StoryClusterer(ClusterConfig(window=timedelta(hours=24)))
    got = clusterer.assign(article(1, FIRE, FIRE))
    clusterer.add_copy(copy_of(1, 2, hours=5))
    clusterer.drain_changes()
    assert clusterer.expire(T0 + timedelta(hours=28)) == []  # the copy keeps the story seen at 5 h
    (closed,) = clusterer.expire(T0 + timedelta(hours=30))
    assert (closed.story_id, closed.article_count) == (got.story_id, 2)
    changes = clusterer.drain_changes()
    assert changes[f"article/{2:016x}"] is None
    assert changes[f"article/{1:016x}"] is None


def test_an_unreadable_copy_entry_is_refused_by_name() -> None:
    with pytest.raises(ClusterStateError, match=r"copy entry .* cannot be read"):
        StoryClusterer().restore({f"copy/{2:016x}": b"[1, 2]"})


def test_a_copys_own_headline_joins_the_story_profile_and_its_body_does_not() -> None:
    from processors.clustering.features import terms_of

    clusterer = StoryClusterer()
    first = clusterer.assign(article(1, FIRE, FIRE, outlet="spa"))
    story = clusterer.story(first.story_id)
    assert story is not None
    before = dict(story.term_df)
    headline = "حريق ضخم يلتهم مستودع أخشاب في الرياض"
    clusterer.add_copy(Copy(f"{2:016x}", f"{1:016x}", "sabq", T0, headline))
    new_terms = set(terms_of(headline))
    assert {t: story.title_df.get(t, 0) for t in new_terms} == {t: 1 + before.get(t, 0) for t in new_terms}
    assert story.term_df == {t: before.get(t, 0) + (t in new_terms) for t in before.keys() | new_terms}
    assert (story.size, story.article_count) == (1, 2)


def test_copies_count_in_the_size_prior() -> None:
    scores = []
    for copies in (0, 3):
        clusterer = StoryClusterer()
        first = clusterer.assign(article(1, FIRE, FIRE, outlet="spa"))
        for n in range(copies):
            clusterer.add_copy(copy_of(1, 10 + n, outlet=f"outlet{n}"))
        clusterer.assign(article(3, FIRE2, FIRE2, hours=1))
        scores.append(next(s.total for s in clusterer.last_scores if s.story_id == first.story_id))
    assert scores[1] > scores[0]


def test_the_summary_is_the_lead_of_the_headlines_article() -> None:
    from processors.clustering.story import Story

    third = "حريق مستودع الأخشاب في حي السلي بالرياض: الدفاع المدني يسيطر"
    leads = {FIRE: "أول خبر عن الحريق.", FIRE2: "السيطرة على الحريق.", third: "تفاصيل السيطرة."}
    clusterer = StoryClusterer()
    for n, title in enumerate((FIRE, FIRE2, third), 1):
        with_lead = article(n, title, title, hours=n / 10).model_copy(update={"lead": leads[title]})
        got = clusterer.assign(with_lead)
        update = got.updates[-1]
        assert update.summary == leads[update.headline]
    story = clusterer.story(got.story_id)
    assert story is not None
    assert story.size == 3
    # it survives a restore, and an entry written before summaries existed reads as ""
    assert Story.from_bytes(story.to_bytes()).summary == story.summary
    old = json.loads(story.to_bytes())
    del old["summary"]
    assert Story.from_bytes(json.dumps(old).encode()).summary == ""


@pytest.mark.parametrize("lead", ["خبر الحريق كما نقلته سبق.", ""])
def test_a_copys_headline_brings_its_lead_as_the_summary(lead: str) -> None:
    clusterer = StoryClusterer()
    for n, title in enumerate((FIRE, FIRE2), 1):
        got = clusterer.assign(
            article(n, title, title, hours=n / 10).model_copy(update={"lead": f"مقدمة {n}."})
        )
    story = clusterer.story(got.story_id)
    assert story is not None
    assert story.size == 2
    summary = story.summary
    # only words both titles share: the copy's headline is the most representative once it is counted
    headline = "الدفاع المدني يسيطر على حريق مستودع أخشاب السلي بالرياض"
    joined = clusterer.add_copy(Copy(f"{9:016x}", f"{1:016x}", "sabq", T0, headline, lead))
    assert joined is not None
    # with a lead the summary follows the headline; a relation written before leads were carried has none
    assert (joined.updates[-1].headline, joined.updates[-1].summary) == (headline, lead or summary)


def test_a_waiting_copy_keeps_its_lead_and_old_entries_still_read() -> None:
    copy = Copy(f"{2:016x}", f"{1:016x}", "sabq", T0, "عنوان", "مقدمة الخبر.")
    assert Copy.from_bytes(copy.article_id, copy.to_bytes()) == copy
    old = json.dumps([copy.original_id, copy.outlet, T0.isoformat(), copy.title]).encode()
    assert Copy.from_bytes(copy.article_id, old).lead == ""
    with pytest.raises(ClusterStateError):
        Copy.from_bytes(copy.article_id, json.dumps([1, 2, T0.isoformat(), 4, 5, 6]).encode())


def test_stream_time_moved_by_a_waiting_copy_survives_a_restart() -> None:
    live, table = StoryClusterer(), {}
    live.advance(T0)
    live.assign(article(1, MATCH, MATCH))
    late_copy = copy_of(9, 10, hours=50)  # newer than every story, and waiting: in no story entry
    live.advance(late_copy.published)
    live.add_copy(late_copy)
    apply(table, live.drain_changes())
    restored = StoryClusterer()
    restored.restore(table)
    assert restored.clock == live.clock == late_copy.published
    for a in (
        article(2, FIRE, FIRE, hours=-30),
        article(3, FIRE2, FIRE2, hours=1),
    ):  # a late report, then more
        got = [(u.story_id, u.event) for u in live.advance(a.published)], live.assign(a).story_id
        again = [(u.story_id, u.event) for u in restored.advance(a.published)], restored.assign(a).story_id
        assert again == got
    assert got[0] == [(f"s-{2:016x}", "closed")]  # the late report's story left the window at once
    assert restored.drain_changes() == live.drain_changes()


def test_copies_waiting_for_one_original_are_counted_in_the_same_order_after_a_restore() -> None:
    live, table = StoryClusterer(), {}
    # they arrive b then a, a published first: counted in publish order, whether or not the worker restarted
    live.add_copy(copy_of(1, 0xBB, outlet="spa", hours=0.2, title="حريق مستودع أخشاب في حي السلي بالرياض"))
    live.add_copy(copy_of(1, 0xAA, outlet="sabq", hours=0.1, title="الدفاع المدني يسيطر على حريق السلي"))
    apply(table, live.drain_changes())
    restored = StoryClusterer()
    restored.restore(table)
    got, again = live.assign(article(1, FIRE, FIRE)), restored.assign(article(1, FIRE, FIRE))
    assert got.copies == again.copies == (f"{0xAA:016x}", f"{0xBB:016x}")
    assert [u.model_dump() for u in got.updates] == [u.model_dump() for u in again.updates]
    assert restored.drain_changes() == live.drain_changes()


@pytest.mark.parametrize("title", ["", MATCH], ids=["untitled", "titled"])
def test_with_article_frequencies_a_copy_is_one_document_live_restored_and_closed(title: str) -> None:
    config = ClusterConfig(frequency_unit="article", window=timedelta(hours=24))
    live, table = StoryClusterer(config), {}
    live.assign(article(1, FIRE, FIRE))
    live.add_copy(copy_of(1, 2, title=title))
    apply(table, live.drain_changes())
    restored = StoryClusterer(config)
    restored.restore(table)
    assert restored._df.documents == live._df.documents == 2
    for clusterer in (live, restored):
        clusterer.advance(T0 + timedelta(hours=25))
        assert clusterer._df.documents == 0  # the story and its copy left the statistics together


@pytest.mark.parametrize(
    "entry", [b"yesterday", b"2015-08-08T06:00:00", b"\xff"], ids=["words", "naive", "bytes"]
)
def test_an_unreadable_clock_entry_is_refused_by_name(entry: bytes) -> None:
    with pytest.raises(ClusterStateError, match="entry 'clock'"):
        StoryClusterer().restore({"clock": entry})
