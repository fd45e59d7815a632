"""``khabar process``: run the processors' Faust worker (dedupe, enrich, cluster) until stopped."""

from __future__ import annotations

import click

from contracts.errors import KhabarError
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
    """Run the processors worker: articles.raw -> dedupe -> enrich -> cluster -> stories.

    Start one per machine; more workers share the partitions (enrichment scales with them; dedupe and
    clustering are single-partition stages that move to another worker if this one stops). Stop with Ctrl-C
    or SIGTERM: offsets are committed and tables flushed.
    """
    import faust
    from prometheus_client import start_http_server

    from processors.app import build_app

    settings = ctx.settings
    app = build_app(settings, store=store)
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
