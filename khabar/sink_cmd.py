"""``khabar sink``: run the sink worker that indexes articles, duplicates and stories into Elasticsearch and
calls the alert webhook."""

from __future__ import annotations

import click

from khabar.context import Context, pass_context


@click.command("sink")
@click.option("--loglevel", default="info", show_default=True, help="Faust worker log level.")
@click.option(
    "--skip-setup", is_flag=True, help="Do not apply the index templates first (they must already exist)."
)
@pass_context
def sink(ctx: Context, loglevel: str, skip_setup: bool) -> None:
    """Index articles.clustered, articles.duplicates, stories.updates and alerts into Elasticsearch.

    Applies the index templates first (idempotent), serves Prometheus metrics on KHABAR_SINKS__METRICS_PORT
    (0: off) and runs a Faust worker; stop it with Ctrl-C. Offsets are committed only after Elasticsearch
    acknowledged each batch. With KHABAR_ALERTS__WEBHOOK_URL set it also POSTs each alert of the alerts
    topic there (signed with KHABAR_ALERTS__WEBHOOK_SECRET), dead-lettering what the receiver refuses.
    """
    from faust.worker import Worker
    from prometheus_client import start_http_server

    from infra.topics import admin_client
    from sinks.app import build_app
    from sinks.elasticsearch import answering, client, setup
    from sinks.indices import IndexNames

    settings = ctx.settings
    names = IndexNames(settings.sinks.index_prefix)
    if not skip_setup:
        es = client(settings.elasticsearch)
        try:
            with answering(settings.elasticsearch):
                for line in setup(es, names=names):
                    click.echo(f"ok {line}", err=True)
        finally:
            es.close()
    admin_client(settings.kafka).close()  # a cluster that does not answer, or refuses the login: one line
    if settings.sinks.metrics_port:
        start_http_server(settings.sinks.metrics_port, addr="127.0.0.1")
    app = build_app(settings, names=names)
    Worker(app, loglevel=loglevel).execute_from_commandline()
