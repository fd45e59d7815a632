"""``khabar replay``: publish a corpus to Kafka in publish-time order, through the producers' publish path."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from contracts.settings import Settings
from khabar.context import Context, pass_context
from producers.errors import PaceError, PublishError
from producers.publish import DeliveryStats, Publisher
from producers.replay import DEMO_CORPUS, Pace, ReplayPlan, load, parse_moment, replay

console = Console()


@click.command("replay")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--speed", default=None, help="Run simulated time this many times faster, e.g. 60x.")
@click.option("--rate", default=None, help="Send this many articles per second, e.g. 25/s or 600/min.")
@click.option(
    "--from",
    "since",
    default=None,
    help="Only articles published at or after this ISO date/time (e.g. 2015-08-08T09:00+03:00; naive = UTC).",
)
@click.option(
    "--until", default=None, help="Only articles published before this ISO date/time (naive = UTC)."
)
@click.option("--topic", default=None, help="Publish to this topic instead of the contract's articles.raw.")
@click.option(
    "--deadletter-topic", default=None, help="Send rejected rows and failures here instead of deadletter."
)
@click.option(
    "--flush-timeout",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    help="Seconds to wait at the end for Kafka to acknowledge everything.",
)
@pass_context
def replay_cmd(
    ctx: Context,
    path: Path | None,
    speed: str | None,
    rate: str | None,
    since: str | None,
    until: str | None,
    topic: str | None,
    deadletter_topic: str | None,
    flush_timeout: float,
) -> None:
    """Publish a corpus to Kafka in publish-time order (default: the bundled SaudiNewsNet day 2015-08-08).

    PATH is a SaudiNewsNet zip or JSON array, a JSONL(.gz) file, or a folder of them. Articles go through
    the same publisher as `khabar produce` (key = article id, acks=all, idempotent); rows that cannot become
    articles go to the dead-letter topic with the reason. The pace is --speed or --rate (default: as fast as
    possible). Exits with code 1 if any record was lost (neither delivered nor dead-lettered).
    """
    try:
        pace = Pace.parse(speed=speed, rate=rate)
        start = parse_moment(since) if since else None
        end = parse_moment(until) if until else None
    except PaceError as exc:
        raise click.UsageError(str(exc)) from None
    if start is not None and end is not None and start >= end:
        raise click.UsageError(f"--from {since} is not before --until {until}: the slice would be empty")
    corpus = path or DEMO_CORPUS
    plan = load(corpus, since=start, until=end)
    stats, error, interrupted = _publish(ctx.settings, plan, pace, topic, deadletter_topic, flush_timeout)
    _summarise(corpus, plan, stats, pace)
    if error is not None:
        console.print(f"[red]error: {error}[/red]")
        raise click.exceptions.Exit(1)
    if interrupted:
        raise click.exceptions.Exit(130)


def _publish(
    settings: Settings,
    plan: ReplayPlan,
    pace: Pace,
    topic: str | None,
    deadletter_topic: str | None,
    flush_timeout: float,
) -> tuple[DeliveryStats, PublishError | None, bool]:
    """Dead-letter the rejected rows, replay the articles with a progress bar, flush; return the error."""
    publisher = Publisher(settings, topic=topic, deadletter_topic=deadletter_topic)
    interrupted = False
    error: PublishError | None = None
    try:
        console.print(
            f"replaying {len(plan.articles)} article(s) to {publisher.topic} ({pace.describe()}); "
            f"{len(plan.rejected)} rejected row(s) to {publisher.deadletter_topic}"
        )
        for rejected in plan.rejected:
            publisher.dead_letter(
                stage="replay",
                reason=rejected.reason,
                error_type=rejected.error_type,
                payload=rejected.payload,
                key=rejected.key,
                source=rejected.source,
            )
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[at]}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("publishing", total=len(plan.articles), at="")

            def sent(count: int) -> None:
                at = plan.articles[count - 1].published.strftime("%Y-%m-%d %H:%M UTC")
                progress.update(task, completed=count, at=at)

            try:
                replay(plan.articles, pace=pace, send=publisher.publish, on_sent=sent, sleep=time.sleep)
            except KeyboardInterrupt:
                interrupted = True
                console.print("interrupted: flushing what was sent")
            except PublishError as exc:  # Kafka unreachable: stop sending, report what got through
                error = exc
        try:
            return publisher.flush(flush_timeout), error, interrupted
        except PublishError as exc:
            return publisher.stats, error or exc, interrupted
    finally:
        publisher.close()


def _summarise(corpus: Path, plan: ReplayPlan, stats: DeliveryStats, pace: Pace) -> None:
    table = Table(title=f"replay of {corpus.name} ({pace.describe()})", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = (
        ("articles in the slice", len(plan.articles)),
        ("sent", stats.sent),
        ("acknowledged", stats.acked),
        ("failed after retries (dead-lettered)", stats.failed),
        ("rejected rows (dead-lettered)", len(plan.rejected)),
        ("dead letters acknowledged", stats.dead_lettered),
        ("lost", stats.lost),
    )
    for what, count in rows:
        table.add_row(what, str(count))
    console.print(table)
