"""``khabar deadletters``: what failed and why, and the replay of what failed once its cause is fixed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import click

from khabar.context import Context, pass_context


def _filters(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that choose dead letters, shared by ``list``, ``summary`` and ``replay``."""
    for option in reversed(
        [
            click.option(
                "--stage", help="Only this stage's letters (intake, dedupe, enrich, cluster, sinks …)."
            ),
            click.option(
                "--error-type", help="Only this error type (SchemaError, mapper_parsing_exception …)."
            ),
            click.option("--source-topic", help="Only letters from this topic."),
            click.option("--contains", help="Only letters whose reason contains this text (any case)."),
            click.option(
                "--since",
                help="Only letters that failed after this: a span back from now (30m, 24h, 7d) or an ISO "
                "time (2026-12-07T10:00:00+00:00; UTC when it has no offset).",
            ),
        ]
    ):
        command = option(command)
    return command


def _cutoff(since: str | None) -> datetime | None:
    """``--since`` as a time: a span back from now, or an ISO time (UTC when it names no offset)."""
    from sinks.errors import SearchError
    from sinks.search import parse_since

    if not since:
        return None
    try:
        return datetime.now(UTC) - parse_since(since)
    except SearchError:
        pass
    try:
        when = datetime.fromisoformat(since)
    except ValueError:
        raise click.BadParameter(
            f"{since!r} is neither a span (30m, 24h, 7d, 2w) nor an ISO time (2026-12-07T10:00:00+00:00)",
            param_hint="--since",
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _chosen(ctx: Context, **where: Any) -> tuple[list[Any], int, str]:
    """The matching letters (oldest first), the number of messages that are not dead letters, the topic."""
    from contracts.errors import SchemaError
    from contracts.schemas import DeadLetter, decode
    from contracts.topics import Topic, topic_name
    from infra.deadletters import Filter, select
    from infra.records import read_topic

    cutoff = _cutoff(where.pop("since"))
    topic = topic_name(Topic.DEADLETTER, ctx.settings.topics)
    letters: list[DeadLetter] = []
    unreadable = 0
    for value in read_topic(ctx.settings.kafka, topic):
        try:
            letters.append(decode(value, DeadLetter))
        except SchemaError:
            unreadable += 1
    return select(letters, Filter(**where, since=cutoff)), unreadable, topic


@click.group("deadletters")
def deadletters() -> None:
    """The dead-letter topic: what failed, why, and its replay once the cause is fixed.

    Every stage sends what it cannot handle there, with the reason, where it came from (topic, partition,
    offset, key) and the original bytes, and goes on. Read it with `list` and `summary`; fix the cause (a
    mapping, a receiver, a bug); then `replay` publishes the chosen letters' original messages to their source
    topics again. Replays are safe to repeat: ids are remembered and the sinks write idempotently.
    """


@deadletters.command("list")
@_filters
@click.option(
    "--last", default=20, show_default=True, type=click.IntRange(1, 100_000), help="How many letters."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON dead letter a line (payload included).")
@pass_context
def list_cmd(ctx: Context, /, last: int, as_json: bool, **where: Any) -> None:
    """Print the latest dead letters: when, stage, where from, error type and reason."""
    from rich.console import Console

    chosen, unreadable, topic = _chosen(ctx, **where)
    if as_json:
        for letter in chosen[-last:]:
            click.echo(letter.model_dump_json())
        return
    console = Console(highlight=False)
    for letter in chosen[-last:]:
        origin = f"{letter.source_topic}[{letter.partition}]@{letter.offset}" if letter.source_topic else "-"
        when = f"{letter.failed_at:%Y-%m-%d %H:%M:%S}"
        console.print(f"[bold]{when}  {letter.stage:<8}[/bold] {origin}  key {letter.key}", soft_wrap=True)
        console.print(f"    {letter.error_type}: {letter.reason[:300]}", style="dim", soft_wrap=True)
    note = f"; {unreadable} message(s) on it are not dead letters" if unreadable else ""
    console.print(f"{min(last, len(chosen))} of {len(chosen)} matching dead letters on {topic!r}{note}")


@deadletters.command("summary")
@_filters
@click.option("--json", "as_json", is_flag=True, help="One JSON object a group instead of a table.")
@pass_context
def summary(ctx: Context, /, as_json: bool, **where: Any) -> None:
    """Count the dead letters by stage, error type and source topic, with the latest reason of each."""
    import dataclasses
    import json

    from rich.console import Console
    from rich.table import Table

    from infra.deadletters import summarise

    chosen, unreadable, topic = _chosen(ctx, **where)
    if as_json:
        for group in summarise(chosen):
            click.echo(json.dumps(dataclasses.asdict(group), default=str, ensure_ascii=False))
        return
    table = Table(title=f"{len(chosen)} dead letters on {topic!r}")
    for column in ("count", "stage", "error type", "source topic", "latest", "latest reason"):
        table.add_column(column, justify="right" if column == "count" else "left")
    for group in summarise(chosen):
        table.add_row(
            str(group.count),
            group.stage,
            group.error_type,
            group.source_topic or "-",
            f"{group.latest:%Y-%m-%d %H:%M}",
            group.reason[:120],
        )
    console = Console(highlight=False)
    console.print(table)
    if unreadable:
        console.print(f"{unreadable} message(s) on the topic are not dead letters")


@deadletters.command("replay")
@_filters
@click.option("--dry-run", is_flag=True, help="Show what would be published, publish nothing.")
@pass_context
def replay(ctx: Context, /, dry_run: bool, **where: Any) -> None:
    """Publish the chosen dead letters' original messages (same key, same bytes) to their source topics.

    Fix the cause first, or the messages come back as new dead letters. Letters that cannot be given back
    whole are listed and skipped: a feed that did not parse (no source topic: it is polled again), a payload
    clipped to the dead-letter limit. The last line gives the newest failure time replayed: pass it as
    --since next time to leave these letters out.
    """
    from collections import Counter

    from rich.console import Console
    from rich.progress import Progress

    from infra.deadletters import Message, NotReplayableError, original
    from infra.records import publish

    console = Console(highlight=False)
    chosen, _, topic = _chosen(ctx, **where)
    messages: list[Message] = []
    skipped = 0
    for letter in chosen:
        try:
            messages.append(original(letter, deadletter_topic=topic))
        except NotReplayableError as exc:
            skipped += 1
            console.print(f"skipped: {exc}", style="yellow", soft_wrap=True)
    by_topic = Counter(m.topic for m in messages)
    for name, count in sorted(by_topic.items()):
        console.print(f"{count:>7}  → {name}")
    if dry_run or not messages:
        console.print(f"{len(messages)} to replay, {skipped} skipped" + (" (dry run)" if dry_run else ""))
        return
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("replaying", total=len(messages))
        sent = publish(ctx.settings.kafka, messages, on_sent=lambda _m: progress.advance(task))
    newest = chosen[-1].failed_at.isoformat()
    console.print(
        f"replayed {sent} message(s), skipped {skipped}; to leave them out next time: --since {newest}"
    )
