"""``khabar process``: run the processors' Faust worker (dedupe, enrich, cluster, alerts) until stopped."""

from __future__ import annotations

from typing import Any

import click

from contracts.errors import KhabarError
from contracts.settings import Settings
from khabar.context import Context, pass_context


@click.command("process")
@click.option(
    "--metrics-port",
    type=int,
    default=None,
    help="Serve Prometheus metrics on this port (default: KHABAR_PROCESSORS__METRICS_PORT, 9466; 0: off).",
)
@click.option(
    "--store",
    default=None,
    help="Table store URL (default: KHABAR_PROCESSORS__STORE, rocksdb://); memory:// keeps no local state.",
)
@pass_context
def process(ctx: Context, metrics_port: int | None, store: str | None) -> None:
    """Run the processors worker: articles.raw -> dedupe -> enrich -> cluster -> stories -> alert rules.

    The alert rules read KHABAR_ALERTS__WATCH, __GROWTH_OUTLETS and __GROWTH_HOURS (docs/alerts.md).
    Start one per machine; more workers share the partitions (enrichment scales with them; dedupe and
    clustering are single-partition stages that move to another worker if this one stops). Stop with Ctrl-C
    or SIGTERM: offsets are committed and tables flushed.
    """
    import faust
    from prometheus_client import start_http_server

    from processors.app import build_app

    settings = ctx.settings
    app = build_app(settings, store=store)
    declare_internal_topics(app, settings)
    port = settings.processors.metrics_port if metrics_port is None else metrics_port
    if port:
        try:
            start_http_server(port)
        except OSError as exc:
            raise KhabarError(
                f"cannot serve metrics on port {port} ({exc.strerror}); set KHABAR_PROCESSORS__METRICS_PORT "
                "to a free port, or 0 to turn metrics off"
            ) from None
    worker = faust.Worker(app, loglevel=settings.log_level.lower(), quiet=True)
    worker.execute_from_commandline()


def declare_internal_topics(app: Any, settings: Settings) -> list[str]:
    """Create the app's internal topics (stage hand-offs, table changelogs) before the worker subscribes.

    Faust would create them itself once running, but a consumer that subscribed before they existed only
    notices them at its next metadata refresh (5 minutes), and meanwhile those stages stand still.
    """
    from kafka.admin import NewTopic

    from infra.topics import admin_client, create_missing

    replication = settings.topics.replication_factor
    topics: dict[str, NewTopic] = {}
    for agent in app.agents.values():
        channel = agent.channel
        if getattr(channel, "internal", False):
            name = channel.get_topic_name()
            topics[name] = NewTopic(name, channel.partitions or settings.topics.partitions, replication)
    for table in app.tables.values():
        changelog = table.changelog_topic
        name = changelog.get_topic_name()
        config = {"cleanup.policy": "compact"}
        topics[name] = NewTopic(
            name, changelog.partitions or table.partitions, replication, topic_configs=config
        )
    admin = admin_client(settings.kafka)
    try:
        return sorted(create_missing(admin, topics.values()))
    finally:
        admin.close()
