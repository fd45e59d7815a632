"""``khabar alerts``: the alerts the rules fired, as they stand on the ``alerts`` topic."""

from __future__ import annotations

import click

from khabar.context import Context, pass_context


@click.command("alerts")
@click.option(
    "--last", default=20, show_default=True, type=click.IntRange(1, 10_000), help="How many alerts."
)
@click.option("--rule", type=click.Choice(["growth", "watch"]), default=None, help="Only this rule's alerts.")
@click.option("--json", "as_json", is_flag=True, help="One JSON alert a line instead of a table.")
@click.option("--no-isolate", "rtl_isolate", flag_value=False, default=True, help="No bidi isolates.")
@pass_context
def alerts(ctx: Context, last: int, rule: str | None, as_json: bool, rtl_isolate: bool) -> None:
    """Print the latest alerts (by the time the story fired them): rule, reason, headline, outlets.

    The rules run in the processors worker (KHABAR_ALERTS__WATCH, __GROWTH_OUTLETS, __GROWTH_HOURS); with
    KHABAR_ALERTS__WEBHOOK_URL set, the sinks worker also POSTs each alert there. Messages on the topic that
    are not alerts are counted, not shown (the sinks worker dead-letters them).
    """
    from rich.console import Console

    from contracts.errors import SchemaError
    from contracts.schemas import Alert, decode
    from contracts.topics import Topic, topic_name
    from infra.records import read_topic
    from sinks.render import isolate
    from sinks.webhook import size

    settings = ctx.settings
    found: list[Alert] = []
    unreadable = 0
    for value in read_topic(settings.kafka, topic_name(Topic.ALERTS, settings.topics)):
        try:
            found.append(decode(value, Alert))
        except SchemaError:
            unreadable += 1
    chosen = sorted((a for a in found if rule in (None, a.rule)), key=lambda a: (a.fired_at, a.alert_id))[
        -last:
    ]
    if as_json:
        for alert in chosen:
            click.echo(alert.model_dump_json())
        return
    console = Console(highlight=False)
    shown = isolate if rtl_isolate else str
    for alert in chosen:
        when = alert.fired_at.strftime("%Y-%m-%d %H:%M")
        console.print(f"[bold]{when}  {alert.rule:<6}[/bold]  {shown(alert.headline)}", soft_wrap=True)
        console.print(
            f"    {shown(alert.reason)} · {size(alert)} · {alert.story_id}",
            style="dim",
            soft_wrap=True,
        )
    note = f"; {unreadable} message(s) on the topic are not alerts" if unreadable else ""
    console.print(f"{len(chosen)} of {len(found)} alerts{note}")
