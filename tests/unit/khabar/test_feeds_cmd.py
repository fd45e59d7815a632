"""``khabar feeds list|check|serve`` as a person runs them, against real local HTTP (no Kafka needed)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from contracts.schemas import RawArticle, decode
from khabar.cli import cli
from producers.feedserver import FeedServer
from producers.feedsim import Faults, FeedCatalog, SimClock
from producers.health import HEALTH_FILE, HealthBook, save_health
from producers.parse import parse_feed
from producers.registry import load_registry
from tests.unit.producers.test_feedserver import T0, corpus

pytestmark = pytest.mark.unit


@pytest.fixture
def server() -> Iterator[FeedServer]:
    faults = Faults.parse(["wrong-encoding:sabq", "duplicate-guids:sabq", "500:okaz"])
    clock = SimClock(T0 + timedelta(hours=1), speed=0)
    with FeedServer(FeedCatalog(corpus(), window=10), clock=clock, faults=faults) as running:
        yield running


def test_check_prints_what_the_poller_would_publish(server: FeedServer) -> None:
    url = server.feed_url("sabq")
    as_json = CliRunner().invoke(cli, ["feeds", "check", url, "--outlet", "sabq", "--json"])
    assert as_json.exit_code == 0, as_json.output
    articles = [decode(line, RawArticle) for line in as_json.stdout.splitlines()]
    # windows-1256 bytes declared UTF-8 are read as Arabic, and every item listed twice is shown once
    assert sorted(a.title for a in articles) == [f"خبر رقم {n} من sabq" for n in range(6)]
    assert len({a.id for a in articles}) == 6
    assert {a.outlet for a in articles} == {"sabq"}

    table = CliRunner().invoke(cli, ["feeds", "check", url, "--outlet", "sabq"], terminal_width=200)
    assert table.exit_code == 0, table.output
    assert "wrong declared encoding" in table.output
    assert "6 article(s) would be published (6 repeated id(s) merged)" in table.output


def test_check_names_the_feed_that_fails() -> None:
    result = CliRunner().invoke(cli, ["feeds", "check", "http://127.0.0.1:9/rss.xml"])
    assert result.exit_code != 0
    assert "http://127.0.0.1:9/rss.xml" in str(result.exception)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["file:///tmp/rss.xml"], "feeds are fetched over http(s):// only"),
        (["/tmp/rss.xml"], "feeds are fetched over http(s):// only"),
        (["http://127.0.0.1:9/rss.xml", "--limit", "-1"], "-1 is not in the range x>=0"),
    ],
)
def test_check_refuses_what_it_cannot_fetch_or_show(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["feeds", "check", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_list_shows_every_feed_with_its_health(server: FeedServer, tmp_path: Path) -> None:
    registry = server.write_registry(tmp_path / "local.yaml")
    sabq, okaz = server.feed_url("sabq"), server.feed_url("okaz")
    now = datetime.now(UTC)
    book = HealthBook()
    book.record_success(sabq, now=now, items=6, interval_s=60, etag='"e"', last_modified=None)
    book.record_failure(okaz, now=now, error="HTTP 500 Internal Server Error", retry_in_s=120)
    save_health(tmp_path / "data" / HEALTH_FILE, book)
    env = {"KHABAR_DATA_DIR": str(tmp_path / "data")}

    listed = CliRunner().invoke(cli, ["feeds", "list", "--registry", str(registry), "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    rows = {row["outlet"]: row for row in map(json.loads, listed.output.splitlines())}
    assert set(rows) == {"sabq", "okaz"}
    assert (rows["sabq"]["status"], rows["sabq"]["items_per_day"], rows["sabq"]["feed"]) == ("ok", 6, sabq)
    assert (rows["okaz"]["consecutive_failures"], rows["okaz"]["last_error"]) == (
        1,
        "HTTP 500 Internal Server Error",
    )
    assert rows["okaz"]["status"] != "ok"

    table = CliRunner().invoke(
        cli, ["feeds", "list", "--registry", str(registry)], env=env, terminal_width=200
    )
    assert table.exit_code == 0, table.output
    assert "khabar feeds (2 outlets)" in table.output
    assert "1 feed(s) failing" in table.output


def test_serve_answers_feeds_until_terminated(tmp_path: Path) -> None:
    rows = [
        {"source": a.outlet, "url": a.url, "date_extracted": a.published.isoformat(), "title": a.title,
         "content": a.content, "author": a.author}
        for a in corpus()
    ]  # fmt: skip
    path = tmp_path / "day.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    registry = tmp_path / "served.yaml"
    khabar = Path(sys.executable).parent / "khabar"
    start = (T0 + timedelta(hours=1)).isoformat()
    command = [str(khabar), "feeds", "serve", str(path), "--port", "0", "--speed", "0", "--start", start,
               "--write-registry", str(registry)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not registry.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert registry.exists(), process.communicate(timeout=5)
        feeds = {feed.outlet: feed.url for feed in load_registry(registry).feeds()}
        assert set(feeds) == {"sabq", "okaz"}
        answer = httpx.get(feeds["okaz"], timeout=10)
        assert answer.status_code == 200
        assert answer.headers.get("etag")
        parsed = parse_feed(answer.content, feed_url=feeds["okaz"], outlet="okaz", fetched_at=T0)
        assert sorted(a.title for a in parsed.articles) == [f"خبر رقم {n} من okaz" for n in range(6)]
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "serving 2 feeds" in out
    assert "stopped after 1 feed answers" in out
