"""The stages the Faust agents run, without Faust: every input ends in exactly one output, redelivery repeats
the same output, poison goes to the dead letters, and state restored from table writes decides the same."""

from __future__ import annotations

import json
import struct
import zlib
from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.schemas import (
    ClusteredArticle,
    DeadLetter,
    Duplicate,
    EnrichedArticle,
    RawArticle,
    StoryUpdate,
    decode,
    encode,
)
from processors.deadletters import Source
from processors.dedupe import Deduper, Fingerprint
from processors.enrich import Enricher
from processors.keywords import DocumentFrequency
from processors.stages import ClusterStage, DedupeStage, EnrichStage, StageResult, _unpack
from processors.stories import Assignment, StoryClusterer

T0 = datetime(2015, 8, 8, 6, 0, tzinfo=UTC)
WIRE = (
    "أكد خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز آل سعود خلال استقباله في قصر السلام بجدة اليوم "
    "وفدا من رجال الأعمال أن المملكة ماضية في دعم الاقتصاد الوطني وتنويع مصادر الدخل وتعزيز دور القطاع "
    "الخاص في التنمية الشاملة التي تشهدها البلاد في مختلف المجالات الاقتصادية والاجتماعية والتعليمية "
    "وأشار إلى أن الحكومة تعمل على تذليل العقبات أمام المستثمرين المحليين والأجانب"
)
OTHER = (
    "أعلن نادي الهلال السعودي اليوم عن تعاقده مع لاعب الوسط البرازيلي لمدة ثلاثة مواسم قادما من الدوري "
    "البرتغالي وذلك بعد اجتياز اللاعب الفحص الطبي بنجاح في العاصمة الرياض وسط حضور إعلامي كبير ويأمل "
    "الجهاز الفني أن يسهم اللاعب الجديد في تعزيز خط الوسط قبل انطلاق الموسم الجديد من دوري المحترفين"
)


def raw(n: int, content: str, *, outlet: str = "was", minutes: int = 0, title: str = "خبر") -> RawArticle:
    when = T0 + timedelta(minutes=minutes)
    return RawArticle(
        id=f"{n:016x}", url=f"http://{outlet}.example/{n}", canonical_url=f"http://{outlet}.example/{n}",
        outlet=outlet, title=title, content=content, published=when, fetched_at=when,
    )  # fmt: skip


def outputs(result: StageResult) -> list[str]:
    return [output for output, _, _ in result.emits]


def test_dedupe_unique_duplicate_and_redelivery() -> None:
    stage = DedupeStage(Deduper())
    original, copy = raw(1, WIRE), raw(2, WIRE + " ", outlet="okaz", minutes=5)
    first = stage.process(encode(original), Source(key=original.id))
    assert outputs(first) == ["unique"]
    assert first.emits[0][2] == encode(original)  # forwarded byte for byte
    assert set(first.writes) == {original.id}
    second = stage.process(encode(copy), Source(key=copy.id))
    assert outputs(second) == ["duplicates"]
    relation = decode(second.emits[0][2], Duplicate)
    assert (relation.duplicate_of, relation.outlet, relation.original_outlet) == (original.id, "okaz", "was")
    assert relation.published == copy.published
    # At-least-once: the same messages again give the same outputs and write nothing new.
    again = stage.process(encode(copy), Source(key=copy.id))
    assert outputs(again) == ["duplicates"]
    assert decode(again.emits[0][2], Duplicate).duplicate_of == original.id
    assert again.writes == {}
    assert outputs(stage.process(encode(original), Source(key=original.id))) == ["unique"]


@pytest.mark.parametrize(
    "payload",
    [b"{not json", b'{"kind": "raw_article", "schema_version": 99}', b'{"kind": "raw_article"}', None],
)
def test_poison_goes_to_the_dead_letters_with_the_bytes(payload: bytes | None) -> None:
    stage = DedupeStage(Deduper())
    result = stage.process(payload, Source(topic="articles.raw", partition=3, offset=42, key="k"))
    assert outputs(result) == ["deadletter"]
    letter = decode(result.emits[0][2], DeadLetter)
    assert (letter.stage, letter.source_topic, letter.partition, letter.offset) == (
        "dedupe",
        "articles.raw",
        3,
        42,
    )
    assert letter.payload == (payload or b"").decode()
    assert letter.reason
    assert result.writes == {}


def test_dedupe_restored_from_its_writes_decides_the_same() -> None:
    stage = DedupeStage(Deduper())
    table: dict[str, bytes] = {}
    for article in (raw(1, WIRE), raw(2, OTHER, outlet="sabq", minutes=1)):
        for key, value in stage.process(encode(article), Source()).writes.items():
            assert value is not None
            table[key] = value
    restored = DedupeStage(Deduper())
    assert restored.restore(table) == {}
    assert len(restored) == len(stage) == 2
    copy = raw(3, WIRE, outlet="okaz", minutes=9)
    assert outputs(restored.process(encode(copy), Source())) == ["duplicates"]
    assert outputs(restored.process(encode(raw(2, OTHER, outlet="sabq", minutes=1)), Source())) == ["unique"]


def test_dedupe_window_expires_by_stream_time_and_deletes_entries() -> None:
    stage = DedupeStage(Deduper(window=timedelta(days=1)), expire_every=1)
    stage.process(encode(raw(1, WIRE)), Source())
    late = stage.process(encode(raw(2, OTHER, minutes=3 * 24 * 60)), Source())
    assert late.writes.get(f"{1:016x}", b"") is None  # the expired article's entry is deleted
    assert outputs(stage.process(encode(raw(3, WIRE, outlet="okaz", minutes=3 * 24 * 60 + 1)), Source())) == [
        "unique"
    ]


def test_enrich_emits_an_enriched_article_and_snapshots_frequencies() -> None:
    stage = EnrichStage(Enricher(), snapshot_prefix="df-0-", snapshot_every=2)
    first = stage.process(encode(raw(1, WIRE)), Source())
    assert outputs(first) == ["enriched"]
    enriched = decode(first.emits[0][2], EnrichedArticle)
    assert enriched.id == f"{1:016x}"
    assert enriched.language == "ar"
    assert enriched.word_count > 40
    assert first.writes == {}
    second = stage.process(encode(raw(2, OTHER)), Source())
    snapshot = second.writes["df-0-2015-08-08"]
    assert snapshot is not None
    assert DocumentFrequency.from_bytes(snapshot).documents == 2
    restored = EnrichStage(Enricher(), snapshot_prefix="df-0-")
    restored.restore({"df-0-2015-08-08": snapshot, "df-1-2015-08-08": b"other partition"})
    assert restored._enricher.document_frequency.documents == 2
    # A day that leaves the window is deleted from the table at the next snapshot.
    later = restored.process(encode(raw(3, OTHER, minutes=10 * 24 * 60)), Source())
    assert later.writes == {}
    assert restored.snapshot() == {
        "df-0-2015-08-18": restored._enricher.document_frequency.split_days()[date(2015, 8, 18)].to_bytes(),
        "df-0-2015-08-08": None,
    }
    bad = restored.process(b'{"kind": "enriched_article"}', Source(key="x"))
    assert outputs(bad) == ["deadletter"]


def test_cluster_emits_article_and_story_and_recovers_exactly() -> None:
    enrich = EnrichStage(Enricher(), snapshot_prefix="df-0-")
    stage = ClusterStage(StoryClusterer())
    table: dict[str, bytes] = {}
    articles = [raw(1, WIRE, title="الملك سلمان يستقبل رجال الأعمال في جدة")]
    articles.append(raw(2, OTHER, outlet="sabq", minutes=2, title="الهلال يتعاقد مع لاعب برازيلي"))
    articles.append(
        raw(3, WIRE[:300], outlet="okaz", minutes=4, title="خادم الحرمين يستقبل وفدا من رجال الأعمال")
    )
    enriched = [enrich.process(encode(article), Source()).emits[0][2] for article in articles]

    def apply(result: StageResult) -> None:
        for key, value in result.writes.items():
            if value is None:
                table.pop(key, None)
            else:
                table[key] = value

    first = stage.process(enriched[0], Source())
    apply(first)
    assert outputs(first)[0] == "clustered"
    assert "stories" in outputs(first)
    story = decode(next(v for o, _, v in first.emits if o == "stories"), StoryUpdate)
    clustered = decode(first.emits[0][2], ClusteredArticle)
    assert clustered.story_id == story.story_id
    assert clustered.story_version == story.version
    apply(stage.process(enriched[1], Source()))
    restored = ClusterStage(StoryClusterer())
    assert restored.restore(table) == {}
    after_restore = restored.process(enriched[2], Source())
    uninterrupted = stage.process(enriched[2], Source())
    assert after_restore.emits == uninterrupted.emits
    # Redelivery: the same article keeps its story.
    again = stage.process(enriched[0], Source())
    assert decode(again.emits[0][2], ClusteredArticle).story_id == clustered.story_id


def test_cluster_counts_wire_copies_in_the_story_whichever_comes_first() -> None:
    dedupe = DedupeStage(Deduper())
    enrich = EnrichStage(Enricher(), snapshot_prefix="df-0-")
    title = "الملك سلمان يستقبل رجال الأعمال في جدة"
    original, copy = raw(1, WIRE, title=title), raw(2, WIRE, outlet="okaz", minutes=5, title=title)
    late_copy = raw(3, WIRE, outlet="madina", minutes=9, title=title)
    dedupe.process(encode(original), Source())
    relation, late = (dedupe.process(encode(a), Source()).emits[0][2] for a in (copy, late_copy))
    enriched = enrich.process(encode(original), Source()).emits[0][2]
    stage = ClusterStage(StoryClusterer())
    waiting = stage.process(relation, Source())  # the copy came first: dedupe is quicker than enrich
    assert waiting.emits == []
    assert list(waiting.writes) == [f"copy/{copy.id}", "clock"]  # no story holds stream time yet
    first = stage.process(enriched, Source())
    created, story = (decode(v, StoryUpdate) for o, _, v in first.emits if o == "stories")
    assert (created.version, created.article_count) == (1, 1)
    assert (story.version, story.article_count, story.outlets) == (2, 2, ["okaz", "was"])
    assert first.writes[f"copy/{copy.id}"] is None
    joined = stage.process(late, Source())
    assert outputs(joined) == ["stories"]
    update = decode(joined.emits[0][2], StoryUpdate)
    assert (update.story_id, update.version, update.article_count) == (story.story_id, 3, 3)
    assert update.last_seen == late_copy.published
    assert stage.process(late, Source()).emits == []  # redelivered: nothing new
    assert stage.take_dropped_copies() == 0


def test_cluster_drops_a_copy_whose_original_never_comes_and_reports_it() -> None:
    from processors.stories import ClusterConfig

    dedupe = DedupeStage(Deduper())
    dedupe.process(encode(raw(1, WIRE)), Source())  # dead-lettered later by enrich, say: never clustered
    relation = dedupe.process(encode(raw(2, WIRE, outlet="okaz", minutes=5)), Source()).emits[0][2]
    stage = ClusterStage(StoryClusterer(ClusterConfig(window=timedelta(hours=24))))
    writes = stage.process(relation, Source()).writes
    assert set(writes) == {f"copy/{2:016x}", "clock"}
    entry = (f"copy/{2:016x}", writes[f"copy/{2:016x}"])
    assert entry[1] is not None
    from processors.lead import lead

    waiting = ["0000000000000001", "okaz", "2015-08-08T06:05:00+00:00", "خبر", lead(WIRE)]
    assert json.loads(entry[1]) == waiting  # the copy's lead came with the relation
    later = EnrichStage(Enricher(), snapshot_prefix="df-0-").process(
        encode(raw(3, OTHER, minutes=25 * 60)), Source()
    )
    result = stage.process(later.emits[0][2], Source())
    assert result.writes[f"copy/{2:016x}"] is None
    assert stage.take_dropped_copies() == 1
    assert stage.take_dropped_copies() == 0


def test_cluster_dead_letters_a_relation_it_cannot_place_in_time() -> None:
    stage = ClusterStage(StoryClusterer())
    old = Duplicate(
        article_id="b" * 16, duplicate_of="a" * 16, outlet="okaz", original_outlet="was", url="http://o/1",
        similarity=1.0, method="text_hash", detected_at=T0,
    )  # fmt: skip
    result = stage.process(encode(old), Source(key=old.article_id))
    assert outputs(result) == ["deadletter"]
    assert "no publish time" in decode(result.emits[0][2], DeadLetter).reason
    assert outputs(stage.process(None, Source())) == ["deadletter"]
    wrong = stage.process(encode(raw(1, WIRE)), Source())  # a raw article: not for this stage
    assert "enriched_article or duplicate" in decode(wrong.emits[0][2], DeadLetter).reason


def test_cluster_closes_stories_at_the_same_article_after_a_restore() -> None:
    """Stream time is state: a restored stage closes idle stories exactly where the live one does."""
    enrich = EnrichStage(Enricher(), snapshot_prefix="df-0-")
    articles = [
        raw(1, WIRE, title="الملك سلمان يستقبل رجال الأعمال في جدة"),
        raw(2, OTHER, outlet="sabq", minutes=60, title="الهلال يتعاقد مع لاعب برازيلي"),
        raw(3, OTHER, outlet="okaz", minutes=73 * 60, title="الهلال يتعاقد مع لاعب برازيلي آخر"),
    ]
    enriched = [enrich.process(encode(article), Source()).emits[0][2] for article in articles]
    live, table = ClusterStage(StoryClusterer()), {}
    for payload in enriched[:2]:
        table.update(live.process(payload, Source()).writes)
    restored = ClusterStage(StoryClusterer())
    assert restored.restore({k: v for k, v in table.items() if v is not None}) == {}
    after_restore = restored.process(enriched[2], Source())
    uninterrupted = live.process(enriched[2], Source())
    assert after_restore.emits == uninterrupted.emits
    assert after_restore.writes == uninterrupted.writes
    updates = [decode(v, StoryUpdate) for o, _, v in uninterrupted.emits if o == "stories"]
    # the first story (73 h idle) closes before the third article is scored; the second stays active
    assert (updates[0].story_id, updates[0].event) == (f"s-{1:016x}", "closed")
    assert f"s-{2:016x}" not in {u.story_id for u in updates if u.event == "closed"}


# ------------------------------------------------------------------ state that cannot be read back


def as_format(entry: bytes, version: int) -> bytes:
    """A unique article's dedupe table entry with another fingerprint format byte (an older khabar's)."""
    assert entry[:2] == b"\x02\x00"  # entry format 2, unique: the fingerprint follows
    return entry[:2] + bytes([version]) + entry[3:]


def json_headed(entry: bytes) -> bytes:
    """The same entry as sessions 1 to 4 wrote it: a JSON verdict line, then the fingerprint."""
    fingerprint, original, similarity, method = _unpack(entry)
    head = json.dumps({"d": original, "s": similarity, "m": method}, separators=(",", ":")).encode()
    return head + b"\n" + fingerprint.to_bytes()


def test_dedupe_entries_are_compact_and_old_json_headed_ones_still_restore_exactly() -> None:
    live = DedupeStage(Deduper())
    table: dict[str, bytes] = {}
    for article in (raw(1, WIRE), raw(2, OTHER, outlet="sabq", minutes=1), raw(3, WIRE, outlet="okaz")):
        for key, value in live.process(encode(article), Source()).writes.items():
            assert value is not None
            table[key] = value
    unique, copy = table[f"{1:016x}"], table[f"{3:016x}"]
    assert len(unique) - len(_unpack(unique)[0].to_bytes()) == 2  # the verdict header of a unique article
    assert len(copy) - len(_unpack(copy)[0].to_bytes()) == 2 + 1 + 16 + 8
    assert _unpack(copy)[1:] == (f"{1:016x}", 1.0, "text_hash")
    again = raw(5, WIRE, outlet="alyaum", minutes=3)
    expected = live.process(encode(again), Source(), now=T0).emits
    for entries in (table, {key: json_headed(value) for key, value in table.items()}):
        restored = DedupeStage(Deduper())
        assert restored.restore(entries) == {}
        assert restored.process(encode(again), Source(), now=T0).emits == expected


def test_dedupe_leaves_out_unreadable_entries_and_the_duplicates_of_their_originals() -> None:
    stage = DedupeStage(Deduper())
    table: dict[str, bytes] = {}
    for article in (
        raw(1, WIRE),
        raw(2, OTHER, outlet="sabq", minutes=1),
        raw(3, WIRE, outlet="okaz", minutes=2),
    ):
        for key, value in stage.process(encode(article), Source()).writes.items():
            assert value is not None
            table[key] = value
    wire, copy = f"{1:016x}", f"{3:016x}"
    table[wire] = as_format(table[wire], 1)  # the original, from before fingerprint format 2
    table["0000000000000009"] = b"not a dedupe entry"
    restored = DedupeStage(Deduper())
    unreadable = restored.restore(table)
    assert sorted(unreadable) == [wire, copy, "0000000000000009"]
    assert "format version 1" in unreadable[wire]
    assert unreadable[copy] == f"its original {wire} was left out"
    assert len(restored) == 1  # the other outlet's article is still remembered
    assert outputs(restored.process(encode(raw(2, OTHER, outlet="sabq", minutes=1)), Source())) == ["unique"]
    again = restored.process(encode(raw(4, WIRE, outlet="alyaum", minutes=3)), Source())
    assert outputs(again) == ["unique"]  # the forgotten wire item starts a new original; the stage goes on


def test_enrich_leaves_out_an_unreadable_day_and_merges_the_others() -> None:
    frequencies = DocumentFrequency()
    frequencies.add(["دمشق"], day=date(2015, 8, 8))
    good = frequencies.to_bytes()
    stage = EnrichStage(Enricher(), snapshot_prefix="df-0-")
    unreadable = stage.restore(
        {"df-0-2015-08-08": good, "df-0-2015-08-07": b"corrupt", "df-0-yesterday": good}
    )
    assert sorted(unreadable) == ["df-0-2015-08-07", "df-0-yesterday"]
    assert "cannot be read" in unreadable["df-0-2015-08-07"]
    assert stage._enricher.document_frequency.documents == 1


def test_cluster_leaves_out_unreadable_entries_and_keeps_the_rest() -> None:
    enrich = EnrichStage(Enricher(), snapshot_prefix="df-0-")
    stage = ClusterStage(StoryClusterer())
    table: dict[str, bytes] = {}
    for article in (raw(1, WIRE, title="الملك سلمان يستقبل رجال الأعمال"), raw(2, OTHER, outlet="sabq")):
        for key, value in stage.process(
            enrich.process(encode(article), Source()).emits[0][2], Source()
        ).writes.items():
            assert value is not None
            table[key] = value
    broken = next(key for key in table if key.startswith("story/s-" + f"{1:016x}"))
    table[broken] = b'{"version": "not a story"}'
    table["other/1"] = b"{}"
    restored = ClusterStage(StoryClusterer())
    unreadable = restored.restore(table)
    assert sorted(unreadable) == ["other/1", broken]
    assert len(restored) == 1  # the other story is active


def _damaged_dedupe_entries() -> dict[str, bytes]:
    fingerprint = Fingerprint("00000000000000aa", "was", "u", "u", T0, "", b"").to_bytes()
    far_future = bytearray(fingerprint)
    far_future[2:10] = struct.pack("<q", 2**62)  # a publish time no datetime holds
    unknown_method = (
        json.dumps({"d": "00000000000000bb", "s": 1.0, "m": "bogus"}).encode() + b"\n" + fingerprint
    )
    original = Fingerprint("00000000000000bb", "x", "v", "v", T0, "", b"").to_bytes()
    return {
        "truncated": b"\x02\x01",
        "no-similarity": b"\x02\x01\x02ab",
        "far-future": b"\x02\x00" + bytes(far_future),
        "unknown-method": unknown_method,
        "00000000000000bb": b"\x02\x00" + original,
    }


def test_dedupe_leaves_out_damaged_entries_of_every_kind_instead_of_crashing() -> None:
    stage = DedupeStage(Deduper())
    unreadable = stage.restore(_damaged_dedupe_entries())
    assert sorted(unreadable) == ["far-future", "no-similarity", "truncated", "unknown-method"]
    assert "OverflowError" in unreadable["far-future"]
    assert "'bogus'" in unreadable["unknown-method"]
    assert len(stage) == 1  # the sound entry is remembered


def test_damaged_enrich_and_story_entries_are_left_out() -> None:
    stage = EnrichStage(Enricher(), snapshot_prefix="df-0-")
    assert list(stage.restore({"df-0-2015-08-08": zlib.compress(b"[]")})) == ["df-0-2015-08-08"]
    clusterer = StoryClusterer()
    clusterer.assign(decode(stage.process(encode(raw(1, WIRE)), Source()).emits[0][2], EnrichedArticle))
    (key, entry) = next((k, v) for k, v in clusterer.drain_changes().items() if k.startswith("story/"))
    assert entry is not None
    for field, value in (("term_df", []), ("article_ids", {}), ("last_seen", "2015-08-08T06:00:00")):
        damaged = {**json.loads(entry), field: value}
        unreadable = ClusterStage(StoryClusterer()).restore({key: json.dumps(damaged).encode()})
        assert list(unreadable) == [key], field


class BrokenDeduper(Deduper):
    def fingerprint(self, article: RawArticle) -> Fingerprint:
        raise RuntimeError(f"cannot fingerprint {article.id}")


class BrokenClusterer(StoryClusterer):
    def assign(self, article: EnrichedArticle) -> Assignment:
        raise ValueError(f"cannot score {article.id}")


def test_a_failure_inside_dedupe_or_clustering_dead_letters_that_article_only() -> None:
    dedupe = DedupeStage(BrokenDeduper())
    payload = encode(raw(1, WIRE))
    result = dedupe.process(payload, Source(key="k1"))
    assert outputs(result) == ["deadletter"]
    letter = decode(result.emits[0][2], DeadLetter)
    assert "cannot fingerprint 0000000000000001" in letter.reason
    assert letter.payload == payload.decode()
    enriched = EnrichStage(Enricher(), snapshot_prefix="df-0-").process(payload, Source()).emits[0][2]
    cluster = ClusterStage(BrokenClusterer())
    result = cluster.process(enriched, Source(key="k1"))
    assert outputs(result) == ["deadletter"]
    assert "cannot score 0000000000000001" in decode(result.emits[0][2], DeadLetter).reason
    assert result.writes == {"clock": b"2015-08-08T06:00:00+00:00"}  # only stream time, which it moved


def test_an_article_whose_state_entry_cannot_be_written_is_dead_lettered_and_not_remembered() -> None:
    stage = DedupeStage(Deduper())
    huge = raw(1, WIRE).model_copy(update={"canonical_url": "http://was.example/" + "x" * 70_000})
    result = stage.process(encode(huge), Source(key="k1"))
    assert outputs(result) == ["deadletter"]  # the fingerprint entry holds at most 65,535 bytes a field
    assert result.writes == {}
    assert len(stage) == 0  # the window is unchanged, as the table is
    after = stage.process(encode(raw(2, WIRE, outlet="okaz")), Source())
    assert outputs(after) == ["unique"]  # the stage carries on, and the copy has no phantom original


def test_a_publish_time_far_in_the_future_does_not_move_the_stream_clock() -> None:
    stage = DedupeStage(Deduper(window=timedelta(days=1)), expire_every=1)
    assert outputs(stage.process(encode(raw(1, WIRE)), Source())) == ["unique"]
    bogus = raw(2, OTHER, outlet="sabq").model_copy(update={"published": T0 + timedelta(days=80 * 365)})
    passed = stage.process(encode(bogus), Source(), now=T0 + timedelta(minutes=1))
    forwarded = decode(passed.emits[0][2], RawArticle)
    assert (forwarded.published, forwarded.published_status) == (bogus.fetched_at, "future")
    # the window did not expire: a copy of the first article is still recognised
    copy = stage.process(encode(raw(3, WIRE, outlet="okaz", minutes=5)), Source())
    assert outputs(copy) == ["duplicates"]
    assert decode(copy.emits[0][2], Duplicate).duplicate_of == f"{1:016x}"
