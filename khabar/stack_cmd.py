"""``khabar stack``: the local Kafka and Elasticsearch; ``khabar run``: the main job."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from infra.local.stack import Health, LocalStack, tail_lines
from khabar.context import Context, pass_context

console = Console(stderr=True)


def print_health(health: list[Health]) -> None:
    table = Table(title="khabar local stack")
    for column in ("engine", "address", "pid", "healthy", "detail"):
        table.add_column(column)
    for h in health:
        pid = str(h.pid) if h.pid and h.running else "-"
        ok = "[green]yes[/]" if h.healthy else "[red]no[/]"
        table.add_row(h.name, h.address, pid, ok, h.detail)
    Console().print(table)


def _stack(ctx: Context) -> LocalStack:
    return LocalStack(ctx.settings, log=lambda line: console.print(f"[dim]·[/] {line}"))


@click.group()
def stack() -> None:
    """Run the real Kafka (KRaft) and Elasticsearch 8 locally, fetched from Maven Central.

    Data lives under KHABAR_DATA_DIR (default .khabar/) and survives `down`; `up --reset` starts afresh.
    """


@stack.command()
@click.option(
    "--reset", is_flag=True,
    help="Stop the engines and delete their data (and the workers' local tables) before starting.",
)  # fmt: skip
@pass_context
def up(ctx: Context, reset: bool) -> None:
    """Fetch the engines (first run), start both JVMs in the background and wait until they answer."""
    started = time.monotonic()
    health = _stack(ctx).up(reset=reset)
    print_health(health)
    console.print(f"ready in {time.monotonic() - started:.0f}s")


@stack.command()
@click.option(
    "--reset", is_flag=True, help="Also delete the Kafka and Elasticsearch data and the workers' tables."
)
@pass_context
def down(ctx: Context, reset: bool) -> None:
    """Stop both engines by pid; their data stays unless --reset."""
    stopped = _stack(ctx).down(reset=reset)
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@stack.command()
@click.option("--json", "as_json", is_flag=True, help="Print the health as JSON.")
@click.pass_context
def status(click_ctx: click.Context, as_json: bool) -> None:
    """Report whether Kafka answers metadata requests and Elasticsearch is green or yellow (exit 1 if not)."""
    ctx = click_ctx.find_object(Context)
    if ctx is None:  # only when the command is invoked outside the khabar group
        raise click.UsageError("run it as `khabar stack status`")
    health = _stack(ctx).status()
    if as_json:
        click.echo(json.dumps([asdict(h) for h in health]))
    else:
        print_health(health)
    if not all(h.healthy for h in health):
        click_ctx.exit(1)


@stack.command()
@click.argument("engine", type=click.Choice(["kafka", "elasticsearch", "all"]), default="all")
@click.option("-n", "--lines", default=40, show_default=True, help="How many lines to show.")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines until interrupted.")
@pass_context
def logs(ctx: Context, engine: str, lines: int, follow: bool) -> None:
    """Show the console log of one engine or both."""
    files = _stack(ctx).log_files()
    chosen = files if engine == "all" else {engine: files[engine]}
    for name, path in chosen.items():
        click.secho(f"==> {name}: {path}", bold=True)
        for line in tail_lines(path, lines):
            click.echo(line)
    if follow:
        _follow(chosen)


def _follow(files: dict[str, Path]) -> None:
    handles = {}
    for name, path in files.items():
        handle = open(path, encoding="utf-8", errors="replace")  # noqa: SIM115 - closed below
        handle.seek(0, 2)
        handles[name] = handle
    try:
        while True:
            for name, handle in handles.items():
                for line in handle.readlines():
                    click.echo(f"[{name}] {line.rstrip()}")
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for handle in handles.values():
            handle.close()
