"""``khabar topics``: create and list the pipeline's Kafka topics."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from contracts.topics import topic_specs
from infra.topics import admin_client, describe_partitions, ensure_topics
from khabar.context import Context, pass_context


@click.group()
def topics() -> None:
    """Manage the Kafka topics named in the shared contract (names, partitions, retention)."""


@topics.command()
@pass_context
def create(ctx: Context) -> None:
    """Create every topic the pipeline needs; existing topics are left alone (safe to run twice)."""
    specs = topic_specs(ctx.settings.topics)
    admin = admin_client(ctx.settings.kafka)
    try:
        states = ensure_topics(admin, specs)
    finally:
        admin.close()
    for state in states:
        verb = "created" if state.created else "exists "
        click.echo(f"{verb} {state.name} ({state.partitions} partitions)")


@topics.command("list")
@pass_context
def list_(ctx: Context) -> None:
    """Show each topic of the contract: key, value schema, and its partitions on the cluster."""
    specs = topic_specs(ctx.settings.topics)
    admin = admin_client(ctx.settings.kafka)
    try:
        existing = set(admin.list_topics())
        partitions = describe_partitions(admin, [s.name for s in specs if s.name in existing])
    finally:
        admin.close()
    table = Table(title="khabar topics")
    for column in ("topic", "key", "value", "partitions", "description"):
        table.add_column(column)
    for spec in specs:
        table.add_row(
            spec.name, spec.key, spec.value, str(partitions.get(spec.name, "missing")), spec.description
        )
    Console().print(table)
