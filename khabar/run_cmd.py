"""``khabar run``: the main job. The whole pipeline on its embedded default, from a fresh machine.

It starts the local Kafka and Elasticsearch, creates the topics and index templates, starts the processors and
sinks workers, replays the bundled day of real articles through the producers' publish path, waits until every
stage has caught up (consumer lag zero), and prints what landed in Elasticsearch and the alerts fired.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from contracts.errors import KhabarError
from contracts.settings import Settings
from contracts.topics import Topic, topic_name, topic_specs
from khabar.context import Context, pass_context
from khabar.stack_cmd import print_health

console = Console()

#: The main job's replay pace: under what one worker takes on a laptop, so the stages keep up (see run()).
DEFAULT_RATE = "20/s"


def _khabar(*args: str) -> list[str]:
    return [sys.executable, "-m", "khabar", *args]


def replay_command(corpus: Path | None, *, speed: str | None, rate: str) -> list[str]:
    """The ``khabar replay`` command line of the main job: --speed wins, else --rate ('max': unpaced).

    >>> replay_command(None, speed=None, rate="60/s")[-2:]
    ['--rate', '60/s']
    >>> replay_command(None, speed="600x", rate="60/s")[-2:]
    ['--speed', '600x']
    >>> replay_command(Path("day.zip"), speed=None, rate="max")[-2:]
    ['replay', 'day.zip']
    """
    pace = ["--speed", speed] if speed else [] if rate == "max" else ["--rate", rate]
    return _khabar("replay") + ([str(corpus)] if corpus else []) + pace


def hint_for(top_keywords: list[str]) -> str:
    """The search command to suggest after a run: the biggest story's two top keywords, as a story search.

    >>> hint_for(["الطوارئ", "مسجد", "عسير"])
    "khabar search 'الطوارئ مسجد' --stories"
    >>> hint_for([])
    'khabar stories --top 10 --since 100000d'
    """
    if not top_keywords:
        return "khabar stories --top 10 --since 100000d"
    return f"khabar search '{' '.join(top_keywords[:2])}' --stories"


def search_hint(settings: Settings) -> str:
    """:func:`hint_for` the biggest story in Elasticsearch (what this run indexed; any corpus)."""
    from sinks.elasticsearch import client
    from sinks.indices import IndexNames
    from sinks.search import top_stories

    request = top_stories(IndexNames(settings.sinks.index_prefix), top=1)
    es = client(settings.elasticsearch)
    try:
        response = es.search(index=request.index, body={**request.body, "_source": ["top_keywords"]})
    finally:
        es.close()
    hits = response["hits"]["hits"]
    return hint_for(list(hits[0]["_source"].get("top_keywords", [])) if hits else [])


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def _worker(name: str, args: list[str], logs: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A worker subprocess writing to ``logs/name.log``; stopped with SIGTERM (then SIGKILL) on exit."""
    logs.mkdir(parents=True, exist_ok=True)
    log: IO[bytes] = (logs / f"{name}.log").open("ab")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())  # noqa: S603
    console.print(f"started {name} worker (pid {process.pid}, log {logs / f'{name}.log'})")
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def _stage_topics(settings: Settings) -> dict[str, tuple[str, list[str]]]:
    """Each worker's consumer group and the topics it reads."""
    names = {topic: topic_name(topic, settings.topics) for topic in Topic}
    processors = settings.processors.app_id
    return {
        "processors": (
            processors,
            [
                names[Topic.RAW],
                f"{processors}-dedupe",
                f"{processors}-unique",
                names[Topic.ENRICHED],
                f"{processors}-stories",
                names[Topic.STORIES],  # the alert rules
            ],
        ),
        "sinks": (
            settings.sinks.app_id,
            [names[Topic.CLUSTERED], names[Topic.DUPLICATES], names[Topic.STORIES], names[Topic.ALERTS]],
        ),
    }


def _wait_caught_up(
    settings: Settings, workers: dict[str, subprocess.Popen[bytes]], timeout_s: float, logs: Path
) -> dict[str, int]:
    """Poll consumer lag until every group is at zero twice in a row; raise if a worker dies or on timeout."""
    from kafka.errors import KafkaError

    from infra.errors import KafkaUnreachableError
    from infra.lag import consumer_lag

    stages = _stage_topics(settings)
    deadline = time.monotonic() + timeout_s
    zero_streak = 0
    lag: dict[str, int] = {}
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[lag]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("waiting for the workers to catch up", total=None, lag="")
        while True:
            for name, process in workers.items():
                if process.poll() is not None:
                    raise KhabarError(
                        f"the {name} worker exited with code {process.returncode}; see {logs / f'{name}.log'}"
                    )
            try:
                lag = {
                    name: sum(consumer_lag(settings.kafka, group, topics).values())
                    for name, (group, topics) in stages.items()
                }
            except KafkaError as exc:
                # Retriable: e.g. a fresh broker still electing the group coordinator. Ask again.
                if not exc.retriable:
                    raise
                lag = {}
            except KafkaUnreachableError:  # no broker answered this time: the deadline bounds the wait
                lag = {}
            progress.update(task, lag=", ".join(f"{name} lag {value}" for name, value in lag.items()))
            zero_streak = zero_streak + 1 if lag and not any(lag.values()) else 0
            if zero_streak >= 2:
                return lag
            if time.monotonic() > deadline:
                raise KhabarError(
                    f"the pipeline did not catch up within {timeout_s:.0f}s (lag {lag}); see the logs "
                    f"in {logs}; rerun with a larger --timeout if the workers are busy"
                )
            time.sleep(3)


@click.command()
@click.option(
    "--corpus",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Replay this corpus instead of the bundled day of SaudiNewsNet (2015-08-08, 1,348 articles).",
)
@click.option("--speed", default=None, help="Replay in simulated time this many times faster, e.g. 600x.")
@click.option(
    "--rate",
    default=DEFAULT_RATE,
    show_default=True,
    help="Replay pace when no --speed is given, e.g. 60/s; 'max' sends as fast as possible.",
)
@click.option("--follow", is_flag=True, help="Keep the workers running after the replay (stop with Ctrl-C).")
@click.option("--timeout", "timeout_s", type=float, default=900.0, show_default=True, help="Seconds to wait.")
@pass_context
def run(
    ctx: Context, corpus: Path | None, speed: str | None, rate: str, follow: bool, timeout_s: float
) -> None:
    """The main job: the local stack, the workers, a replay of real articles, and a summary of the result.

    The replay is paced (--rate, default 20 articles/s) so that the workers keep up and the one clustering
    partition sees the articles about in publish order, as it does with live feeds. Sent as fast as possible
    (--rate max), every article is in Kafka before the worker reads, and the stages that gather the
    partitions onto one read them partition by partition: on the bundled day that cost 0.015 BCubed F1
    (docs/clustering.md, "The pipeline against the eval").

    Everything it starts is the real thing: Kafka and Elasticsearch from Maven Central (`khabar stack up`),
    the processors worker (`khabar process`), the sinks worker (`khabar sink`) and the producers' replay
    (`khabar replay`). Run it again and nothing is duplicated: every sink write is idempotent.
    """
    from infra.local.stack import LocalStack
    from infra.topics import admin_client, ensure_topics
    from sinks.elasticsearch import answering, client
    from sinks.elasticsearch import setup as es_setup

    settings = ctx.settings
    local = LocalStack(settings, log=lambda line: console.print(line))
    print_health(local.up())
    admin = admin_client(settings.kafka)
    try:
        ensure_topics(admin, topic_specs(settings.topics))
    finally:
        admin.close()
    es_client = client(settings.elasticsearch)
    try:
        with answering(settings.elasticsearch):
            es_setup(es_client)
    finally:
        es_client.close()
    console.print("topics and index templates are in place")

    logs = settings.data_dir / "logs"
    # A SIGTERM (a CI job cancelled, `timeout`, `kill`) stops the workers too, as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    with (
        _worker("processors", _khabar("process"), logs) as processors,
        _worker("sinks", _khabar("sink"), logs) as sinks,
    ):
        code = subprocess.call(replay_command(corpus, speed=speed, rate=rate))  # noqa: S603 - our own interpreter and CLI
        if code:
            raise KhabarError(f"the replay failed (exit code {code}); its output is above")
        lag = _wait_caught_up(settings, {"processors": processors, "sinks": sinks}, timeout_s, logs)
        console.print(f"all stages caught up ({lag})")
        subprocess.call(_khabar("stories", "--top", "10", "--since", "100000d"))  # noqa: S603
        subprocess.call(_khabar("alerts", "--last", "10"))  # noqa: S603
        kibana = settings.sinks.kibana_url
        console.print(f"search it: {search_hint(settings)}; Kibana (docker compose) on {kibana}")
        if follow:
            console.print("following; Ctrl-C stops the workers (the stack keeps running: khabar stack down)")
            try:
                while processors.poll() is None and sinks.poll() is None:
                    time.sleep(1)
            except KeyboardInterrupt:
                return
            workers = {"processors": processors, "sinks": sinks}
            ended = [
                f"the {n} worker exited with code {w.returncode}"
                for n, w in workers.items()
                if w.poll() is not None
            ]
            raise KhabarError(f"{'; '.join(ended)}: see its log in {logs}")
