"""The ``khabar`` command: one entry point whose subcommands wire settings to the packages."""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version

import click

from contracts.errors import KhabarError
from contracts.settings import load_settings
from khabar import __version__
from khabar.alerts_cmd import alerts
from khabar.context import Context
from khabar.deadletters_cmd import deadletters
from khabar.es_cmd import es
from khabar.eval_cmd import eval_group
from khabar.feeds_cmd import feeds
from khabar.kibana_cmd import kibana
from khabar.logs import configure_logging
from khabar.process_cmd import process
from khabar.produce_cmd import produce
from khabar.replay_cmd import replay_cmd
from khabar.run_cmd import run
from khabar.search_cmd import search, stories
from khabar.sink_cmd import sink
from khabar.stack_cmd import stack
from khabar.topics_cmd import topics


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, "-V", "--version", prog_name="khabar")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """khabar: a streaming pipeline for Arabic news.

    Feeds go to Kafka, Faust processors deduplicate, enrich and cluster them into stories, and sinks index
    them into Elasticsearch. Settings come from KHABAR_* environment variables (see docs/configuration.md).
    """
    settings = load_settings()
    configure_logging(settings)
    ctx.obj = Context(settings)


@cli.command("version")
def version_cmd() -> None:
    """Print the versions of khabar, the pinned engines and the client libraries."""
    from infra.local.engines import pinned_versions

    engines = pinned_versions()
    click.echo(f"khabar {__version__}")
    click.echo(f"engines: kafka {engines.kafka}, elasticsearch {engines.elasticsearch}")
    libs = []
    for dist in ("faust-streaming", "aiokafka", "kafka-python", "elasticsearch", "feedparser"):
        try:
            libs.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            libs.append(f"{dist} (not installed)")
    click.echo("clients: " + ", ".join(libs))


cli.add_command(stack)
cli.add_command(topics)
cli.add_command(run)
cli.add_command(es)
cli.add_command(eval_group)
cli.add_command(process)
cli.add_command(replay_cmd)
cli.add_command(feeds)
cli.add_command(produce)
cli.add_command(sink)
cli.add_command(search)
cli.add_command(stories)
cli.add_command(alerts)
cli.add_command(deadletters)
cli.add_command(kibana)


def main() -> None:
    """Console entry point: a :class:`KhabarError` becomes one clear line and exit code 2."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KhabarError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(2)
    if isinstance(code, int) and code:
        sys.exit(code)
