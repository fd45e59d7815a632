"""``khabar es``: the Elasticsearch side of the contract."""

from __future__ import annotations

import click

from khabar.context import Context, pass_context


@click.group()
def es() -> None:
    """Manage khabar's Elasticsearch index templates and indices (Arabic analysis included)."""


@es.command()
@pass_context
def setup(ctx: Context) -> None:
    """Apply the index templates of sinks/mappings and create the stories index; safe to run twice."""
    from sinks.elasticsearch import answering, client
    from sinks.elasticsearch import setup as apply

    es_client = client(ctx.settings.elasticsearch)
    try:
        with answering(ctx.settings.elasticsearch):
            for line in apply(es_client):
                click.echo(f"ok {line}")
    finally:
        es_client.close()
