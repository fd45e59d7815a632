"""Corpus reading: SaudiNewsNet zips, JSON arrays and JSONL, in publish-time order, with clear errors."""

from __future__ import annotations

import gzip
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

import producers.corpus
from contracts.schemas import RawArticle, encode
from producers.corpus import CorpusArticle, read_corpus, to_raw_article
from producers.errors import CorpusError
from tests.conftest import shared_dir

ROWS = [
    {"source": "sabq", "url": "http://sabq.org/b", "date_extracted": "2015-08-08 10:00:00", "title": "ب",
     "author": "", "content": "نص ب"},
    {"source": "was", "url": "http://www.spa.gov.sa/a", "date_extracted": "2015-08-08 09:00:00", "title": "أ",
     "author": "واس", "content": "نص أ"},
]  # fmt: skip


def test_zip_rows_come_back_in_publish_order_in_utc(tmp_path: Path) -> None:
    archive = tmp_path / "2015-08-08.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("2015-08-08.json", json.dumps(ROWS, ensure_ascii=False))
    items = read_corpus(archive)
    assert [item.url for item in items] == ["http://www.spa.gov.sa/a", "http://sabq.org/b"]
    first = items[0]
    assert isinstance(first, CorpusArticle)
    assert first.published == datetime(2015, 8, 8, 6, 0, tzinfo=UTC)  # Saudi time is UTC+3


def test_jsonl_gz_with_records_and_a_time_slice(tmp_path: Path) -> None:
    raw = to_raw_article(read_corpus(_json(tmp_path))[0])
    path = tmp_path / "mixed.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(encode(raw).decode() + "\n\n")
        handle.write(json.dumps(ROWS[0], ensure_ascii=False) + "\n")
    items = read_corpus(path, since=datetime(2015, 8, 8, 6, 30, tzinfo=UTC))
    assert len(items) == 1
    assert isinstance(items[0], CorpusArticle)
    assert read_corpus(path)[0] == raw


def _json(tmp_path: Path) -> Path:
    path = tmp_path / "day.json"
    path.write_text(json.dumps(ROWS, ensure_ascii=False), encoding="utf-8")
    return path


def test_raw_article_has_the_canonical_id(tmp_path: Path) -> None:
    article = to_raw_article(read_corpus(_json(tmp_path))[1])
    assert isinstance(article, RawArticle)
    assert article.outlet == "sabq"
    assert article.canonical_url == "http://sabq.org/b"
    assert len(article.id) == 16


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.jsonl", "{not json}\n", "line 1"),
        ("nodate.jsonl", json.dumps({"url": "http://a.example/x"}) + "\n", "no url or no date"),
        ("baddate.jsonl", json.dumps({"url": "http://a.example/x", "published": "yesterday"}) + "\n", "date"),
        ("list.jsonl", "[1, 2]\n", "expected objects"),
        ("notes.txt", "x", "unknown format"),
    ],
)
def test_bad_input_names_the_file_and_problem(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        read_corpus(path)


def test_missing_or_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no such file"):
        read_corpus(tmp_path / "absent")
    with pytest.raises(CorpusError, match="holds no"):
        read_corpus(tmp_path)


def test_the_real_corpus_day() -> None:
    day = shared_dir() / "data" / "saudinewsnet" / "2015-08-08.zip"
    if not day.exists():
        pytest.skip(f"{day} is absent (../shared not beside the project)")
    items = read_corpus(day)
    assert len(items) == 1348
    times = [item.published for item in items]
    assert times == sorted(times)
    ids = {to_raw_article(item).id for item in items}
    assert len(ids) == 1348


def test_html_character_references_are_resolved(tmp_path: Path) -> None:
    row = {"source": "sabq", "url": "http://sabq.org/c", "date_extracted": "2015-08-08 10:00:00",
           "title": "ارتفاع &quot;فلكي&quot; للأسعار", "author": "A &amp; B",
           "content": "قال &#8220;نعم&#8221; وAT&T"}  # fmt: skip
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([row], ensure_ascii=False), encoding="utf-8")
    (item,) = read_corpus(path)
    assert isinstance(item, CorpusArticle)
    assert (item.title, item.author, item.content) == ('ارتفاع "فلكي" للأسعار', "A & B", "قال “نعم” وAT&T")


@pytest.mark.parametrize(
    "stamp",
    [
        "2015-08-08 09:00:00",  # SaudiNewsNet: naive Saudi time
        "2015-08-08T06:00:00Z",
        "2015-08-08T08:00:00+02:00",
        "Sat, 08 Aug 2015 06:00:00 GMT",  # RFC 2822, as feeds date their items
        "Sat, 08 Aug 2015 06:00:00 -0000",  # no zone known: UTC
        "1439013600",  # Unix epoch seconds
        "1439013600000",  # and milliseconds
        1439013600,
        1439013600.0,
    ],
)
def test_times_in_every_common_form_are_read_as_utc(stamp: str | float) -> None:
    assert producers.corpus.parse_time(stamp) == datetime(2015, 8, 8, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize("stamp", ["yesterday", "2015", "", "08/08/2015"])
def test_an_unreadable_time_is_named(stamp: str) -> None:
    with pytest.raises(ValueError, match=r"unreadable time .*ISO 8601, RFC 2822 or Unix epoch"):
        producers.corpus.parse_time(stamp)


@pytest.mark.parametrize(
    ("stamp", "message"),
    [
        (1e20, r"time 1e\+20 is out of range"),
        ("99999999999999999999", r"time '99999999999999999999' is out of range"),
        ("0001-01-01T00:00:00", r"time '0001-01-01T00:00:00' is out of range"),  # Saudi time: year 0 in UTC
        (float("inf"), r"unreadable time inf"),
        (float("nan"), r"unreadable time nan"),
        (True, r"unreadable time True"),
    ],
)
def test_a_time_out_of_range_or_not_a_time_is_a_value_error(stamp: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        producers.corpus.parse_time(stamp)  # type: ignore[arg-type]


def test_a_row_with_an_unreadable_date_is_named(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"url": "http://x.example/1", "published": "yesterday"}) + "\n")
    with pytest.raises(CorpusError, match=r"'http://x.example/1' has an unreadable date 'yesterday'"):
        read_corpus(path)


def test_rows_dated_as_feeds_date_them_come_back_in_order(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    rows = [
        {"url": "http://x.example/2", "published": "Sat, 08 Aug 2015 07:00:00 +0000", "title": "ب"},
        {"url": "http://x.example/1", "published": 1439013600, "title": "أ"},  # 06:00 UTC
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    items = read_corpus(path)
    assert [(i.url, i.published.hour) for i in items] == [
        ("http://x.example/1", 6),
        ("http://x.example/2", 7),
    ]
