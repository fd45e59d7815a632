"""``khabar produce``: poll the feed registry into Kafka until stopped (or once with ``--once``)."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta
from pathlib import Path

import click
import structlog
from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector

from contracts.settings import Settings
from khabar.context import Context, pass_context
from producers.fetch import Fetcher
from producers.fulltext import FullText
from producers.health import HEALTH_FILE, load_health
from producers.metrics import ProducerMetrics
from producers.politeness import Backoff, HostGate
from producers.poller import Poller, RoundReport
from producers.publish import Publisher
from producers.registry import FeedSpec, load_registry
from producers.seen import SeenStore

#: The seen-store, relative to the data directory.
SEEN_FILE = Path("producers") / "seen.sqlite3"
_log = structlog.get_logger("khabar.produce")


@click.command("produce")
@click.option("--once", is_flag=True, help="Poll every feed once, due or not, then exit.")
@click.option(
    "--registry",
    "registry_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Poll the feeds of this registry YAML instead of KHABAR_PRODUCERS__REGISTRY or the shipped one.",
)
@click.option("--topic", default=None, help="Publish to this topic instead of the contract's articles.raw.")
@click.option(
    "--deadletter-topic", default=None, help="Send unreadable feeds and entries here instead of deadletter."
)
@pass_context
def produce(
    ctx: Context, once: bool, registry_path: Path | None, topic: str | None, deadletter_topic: str | None
) -> None:
    """Poll Arabic news feeds and publish new items to Kafka, until SIGINT or SIGTERM.

    Each round fetches the feeds that are due (conditional GET, per-host limits, backoff for failing feeds),
    publishes new items keyed by article id, dead-letters what cannot be read, and only then marks items as
    seen. Feed health is saved in the data directory (see `khabar feeds list`); Prometheus metrics are served
    on KHABAR_PRODUCERS__METRICS_PORT (0: off).
    """
    settings = ctx.settings
    # httpx logs every request at INFO; the poller logs one line per round and every failure.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLogger().level))
    registry = load_registry(registry_path or settings.producers.registry)
    feeds = registry.feeds()
    metrics = ProducerMetrics(_process_registry())
    if settings.producers.metrics_port and not once:
        from prometheus_client import start_http_server

        start_http_server(settings.producers.metrics_port, addr="127.0.0.1", registry=metrics.registry)
        _log.info("metrics", url=f"http://127.0.0.1:{settings.producers.metrics_port}/metrics")
    report = asyncio.run(
        _produce(settings, feeds, metrics, once=once, topic=topic, deadletter=deadletter_topic)
    )
    if report is not None:
        click.echo(
            f"{len(report.feeds)} feeds polled: {report.published} published, "
            f"{report.count('not_modified')} not modified, "
            f"{report.count('fetch_failed') + report.count('unreadable')} failed, "
            f"{report.count('deferred')} deferred, {report.dead_lettered} dead-lettered"
        )


def _process_registry() -> CollectorRegistry:
    """A registry of this command's own (so it can run more than once in a process, as tests do), with the
    process, platform and garbage-collector metrics the default registry would have had."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


async def _produce(
    settings: Settings,
    feeds: list[FeedSpec],
    metrics: ProducerMetrics,
    *,
    once: bool,
    topic: str | None,
    deadletter: str | None,
) -> RoundReport | None:
    conf = settings.producers
    max_backoff = max(conf.backoff_base_s, conf.backoff_max_s)
    publisher = Publisher(settings, topic=topic, deadletter_topic=deadletter)
    seen = SeenStore(settings.data_dir / SEEN_FILE)
    health_path = settings.data_dir / HEALTH_FILE
    try:
        async with Fetcher(conf) as fetcher:
            # Feeds and article pages (full text, when on) share one gate: one set of per-host limits.
            gate = HostGate(per_host=conf.per_host_concurrency, delay_s=conf.politeness_delay_s)
            poller = Poller(
                feeds,
                fetcher=fetcher,
                publisher=publisher,
                seen=seen,
                backoff=Backoff(base_s=conf.backoff_base_s, max_s=max_backoff),
                gate=gate,
                health=load_health(health_path),
                health_path=health_path,
                metrics=metrics,
                max_concurrency=conf.max_concurrency,
                seen_retention=timedelta(days=conf.seen_retention_days),
                flush_timeout_s=conf.delivery_timeout_s + 10,
                full_text=FullText(conf, fetcher=fetcher, gate=gate, registry=metrics.registry),
            )
            if once:
                return await poller.poll_once(force=True)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            _log.info("producing", feeds=len(feeds), outlets=len({feed.outlet for feed in feeds}))
            await poller.run(stop)
            _log.info("stopped")
            return None
    finally:
        await asyncio.to_thread(publisher.close)
        seen.close()
