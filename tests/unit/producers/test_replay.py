"""Unit tests for producers.replay: paces, when each article is due (injected clock), loading corpora."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from contracts.schemas import RawArticle, decode
from producers.errors import CorpusError, PaceError
from producers.replay import DEMO_CORPUS, Pace, load, parse_moment, replay
from tests.fakes import FakeClock

pytestmark = pytest.mark.unit

T0 = datetime(2015, 8, 8, 9, 0, tzinfo=UTC)


def article(number: int, published: datetime) -> RawArticle:
    return RawArticle(
        id=f"{number:016x}",
        url=f"https://sabq.org/{number}",
        canonical_url=f"https://sabq.org/{number}",
        outlet="sabq",
        title=f"خبر {number}",
        published=published,
        fetched_at=published,
    )


def run(pace: Pace, articles: list[RawArticle], clock: FakeClock, send_cost: float = 0.0) -> list[float]:
    """Replay with the fake clock; return the clock reading (relative to the start) at each send."""
    start = clock.now
    at: list[float] = []

    def send(item: RawArticle) -> None:
        at.append(round(clock.now - start, 6))
        clock.now += send_cost

    assert replay(articles, pace=pace, send=send, clock=clock, sleep=clock.sleep) == len(articles)
    return at


@pytest.mark.parametrize(
    ("speed", "rate", "expected"),
    [
        ("60x", None, Pace(speed=60)),
        ("0.5X", None, Pace(speed=0.5)),
        ("120", None, Pace(speed=120)),
        (None, "25/s", Pace(rate=25)),
        (None, "25", Pace(rate=25)),
        (None, "600/min", Pace(rate=10)),
        (None, None, Pace()),
    ],
)
def test_pace_parses_the_command_line_forms(speed: str | None, rate: str | None, expected: Pace) -> None:
    assert Pace.parse(speed=speed, rate=rate) == expected


@pytest.mark.parametrize(
    ("speed", "rate", "message"),
    [
        ("fast", None, "speed 'fast' is not a factor"),
        (None, "25/h", "rate '25/h' is not a rate"),
        ("0x", None, "speed must be greater than 0"),
        (None, "0/s", "rate must be greater than 0"),
        ("60x", "25/s", "choose one pace"),
    ],
)
def test_invalid_paces_say_what_is_accepted(speed: str | None, rate: str | None, message: str) -> None:
    with pytest.raises(PaceError, match=message):
        Pace.parse(speed=speed, rate=rate)


def test_speed_runs_simulated_time_faster() -> None:
    times = [T0, T0 + timedelta(seconds=60), T0 + timedelta(seconds=60), T0 + timedelta(minutes=3)]
    clock = FakeClock(1000.0)
    assert run(Pace(speed=60), [article(n, t) for n, t in enumerate(times)], clock) == [0.0, 1.0, 1.0, 3.0]
    assert clock.sleeps == [1.0, 2.0]


def test_rate_spaces_articles_evenly_whatever_their_times() -> None:
    times = [T0, T0, T0 + timedelta(hours=5), T0 + timedelta(hours=5)]
    clock = FakeClock(1000.0)
    assert run(Pace(rate=4), [article(n, t) for n, t in enumerate(times)], clock) == [0.0, 0.25, 0.5, 0.75]


def test_as_fast_as_possible_never_sleeps() -> None:
    clock = FakeClock(1000.0)
    items = [article(n, T0 + timedelta(hours=n)) for n in range(5)]
    assert run(Pace(), items, clock) == [0.0] * 5
    assert clock.sleeps == []


def test_a_replay_that_falls_behind_sends_at_once_and_never_early() -> None:
    # Sends cost 2 s at a pace of 1 per second: replay falls behind and stops sleeping, never sends early.
    clock = FakeClock(1000.0)
    items = [article(n, T0) for n in range(4)]
    assert run(Pace(rate=1), items, clock, send_cost=2.0) == [0.0, 2.0, 4.0, 6.0]
    assert clock.sleeps == []


def test_progress_is_reported_after_each_send() -> None:
    counts: list[int] = []
    items = [article(n, T0) for n in range(3)]
    replay(items, pace=Pace(), send=lambda item: None, on_sent=counts.append)
    assert counts == [1, 2, 3]


def test_parse_moment_reads_naive_times_as_utc() -> None:
    assert parse_moment("2015-08-08T12:00") == datetime(2015, 8, 8, 12, 0, tzinfo=UTC)
    assert parse_moment("2015-08-08T12:00:00Z") == datetime(2015, 8, 8, 12, 0, tzinfo=UTC)
    assert parse_moment("2015-08-08 12:00+03:00") == datetime(2015, 8, 8, 9, 0, tzinfo=UTC)
    with pytest.raises(PaceError, match="'yesterday' is not ISO 8601"):
        parse_moment("yesterday")
    for edge in ("0001-01-01T00:00+05:00", "9999-12-31T23:00-05:00"):
        with pytest.raises(PaceError, match=re.escape(f"'{edge}' is out of range")):
            parse_moment(edge)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def row(url: str, published: str, title: str = "عنوان") -> dict[str, Any]:
    return {"outlet": "okaz", "url": url, "published": published, "title": title, "content": "نص"}


def test_load_merges_files_in_publish_time_order_and_slices(tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "a.jsonl",
        [
            row("https://okaz.com.sa/1", "2015-08-08T12:00:00Z"),
            row("https://okaz.com.sa/2", "2015-08-08T10:00:00Z"),
        ],
    )
    write_jsonl(tmp_path / "b.jsonl", [row("https://okaz.com.sa/3", "2015-08-08T11:00:00Z")])
    plan = load(tmp_path)
    assert [a.url[-1] for a in plan.articles] == ["2", "3", "1"]
    assert plan.rejected == []
    sliced = load(tmp_path, since=parse_moment("2015-08-08T10:30"), until=parse_moment("2015-08-08T12:00"))
    assert [a.url[-1] for a in sliced.articles] == ["3"]


def test_a_row_that_cannot_become_an_article_is_rejected_with_its_reason(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "day.jsonl",
        [
            row("ftp://okaz.com.sa/1", "2015-08-08T10:00:00Z"),
            row("https://okaz.com.sa/2", "2015-08-08T10:00:00Z"),
        ],
    )
    plan = load(path)
    assert [a.url for a in plan.articles] == ["https://okaz.com.sa/2"]
    [rejected] = plan.rejected
    assert rejected.error_type == "CorpusError"
    assert "ftp://okaz.com.sa/1" in rejected.reason
    assert "scheme 'ftp' is not http or https" in rejected.reason
    assert rejected.source == str(path)
    assert json.loads(rejected.payload)["url"] == "ftp://okaz.com.sa/1"


def test_bad_rows_are_rejected_one_by_one_and_their_files_still_load(tmp_path: Path) -> None:
    good = [row(f"https://okaz.com.sa/{n}", f"2015-08-08T1{n}:00:00Z") for n in range(3)]
    mixed = write_jsonl(
        tmp_path / "a.jsonl", [good[0], {"outlet": "okaz", "title": "no url, no date"}, good[1]]
    )
    with mixed.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    records = write_jsonl(
        tmp_path / "b.jsonl", [{"kind": "raw_article", "schema_version": 9}, good[2], [1, 2]]
    )
    plan = load(tmp_path)
    assert [a.url for a in plan.articles] == [r["url"] for r in good]  # one bad row no longer costs its file
    assert [(r.source, r.error_type) for r in plan.rejected] == [(str(mixed), "CorpusError")] * 2 + [
        (str(records), "CorpusError")
    ] * 2
    reasons = [r.reason for r in plan.rejected]
    assert "has no url or no date" in reasons[0]
    assert "line 4: not JSON" in reasons[1]
    assert "raw_article" in reasons[2]
    assert "expected objects, found list" in reasons[3]
    assert json.loads(plan.rejected[0].payload) == {"outlet": "okaz", "title": "no url, no date"}
    assert plan.rejected[1].payload == "{not json"  # the original line, as read


def test_a_file_that_cannot_be_read_is_rejected_and_the_other_files_still_load(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [row("https://okaz.com.sa/1", "2015-08-08T10:00:00Z")])
    broken = tmp_path / "b.zip"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    plan = load(tmp_path)
    assert [a.url for a in plan.articles] == ["https://okaz.com.sa/1"]
    assert [(r.source, r.error_type, r.payload) for r in plan.rejected] == [
        (str(broken), "CorpusError", str(broken))
    ]
    assert "cannot be read" in plan.rejected[0].reason


def test_without_a_handler_a_bad_row_still_stops_a_strict_read(tmp_path: Path) -> None:
    from producers.corpus import read_corpus

    path = write_jsonl(tmp_path / "a.jsonl", [{"outlet": "okaz"}])
    with pytest.raises(CorpusError, match="has no url or no date"):
        read_corpus(path)


def test_raw_article_records_pass_through_unchanged(tmp_path: Path) -> None:
    record = article(42, T0)
    path = write_jsonl(tmp_path / "raw.jsonl", [json.loads(record.model_dump_json())])
    assert load(path).articles == [record]


def test_an_unknown_path_is_still_an_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no such file or folder"):
        load(tmp_path / "missing.zip")


def test_the_bundled_demo_corpus_is_one_real_day_in_order() -> None:
    plan = load(DEMO_CORPUS)
    assert len(plan.articles) == 1348
    assert plan.rejected == []
    assert len({a.id for a in plan.articles}) == 1348
    times = [a.published for a in plan.articles]
    assert times == sorted(times)
    assert times[0].date() == datetime(2015, 8, 8).date()
    first = plan.articles[0]
    assert decode(first.model_dump_json(), RawArticle) == first
    assert (DEMO_CORPUS.parent / "README.md").read_text(encoding="utf-8").count("CC BY-NC-SA 4.0") >= 1
