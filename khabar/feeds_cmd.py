"""``khabar feeds``: the feed registry and its health, checking one feed, and the local feed server."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from contracts.schemas import RawArticle
from khabar.context import Context, pass_context
from producers.corpus import read_corpus
from producers.feedserver import FeedServer
from producers.feedsim import FAULTS, Faults, FeedCatalog, SimClock
from producers.fetch import Fetcher, FetchResult
from producers.health import HEALTH_FILE, FeedHealth, load_health
from producers.parse import ParseResult, parse_document, unique_articles
from producers.registry import load_registry

console = Console()
#: Spinners go to standard error, so that ``--json`` output stays clean for pipes.
progress_console = Console(stderr=True)


@click.group("feeds")
def feeds() -> None:
    """The feed registry: list feeds with their health, check one feed, serve local test feeds."""


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return f"in {_span(-seconds)}"
    return f"{_span(seconds)} ago"


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


@feeds.command("list")
@click.option(
    "--registry",
    "registry_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="List this registry YAML instead of KHABAR_PRODUCERS__REGISTRY or the shipped one.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per feed instead of a table.")
@pass_context
def list_(ctx: Context, registry_path: Path | None, as_json: bool) -> None:
    """Print every feed of the registry with its health from the last `khabar produce` run."""
    registry = load_registry(registry_path or ctx.settings.producers.registry)
    book = load_health(ctx.settings.data_dir / HEALTH_FILE)
    now = datetime.now(UTC)
    if as_json:
        for feed in registry.feeds(include_disabled=True):
            health = book.get(feed.key)
            click.echo(json.dumps(_row_json(feed.outlet, feed.country, feed.interval_s, health, now)))
        return
    table = Table(title=f"khabar feeds ({len(registry.outlets)} outlets)")
    table.add_column("outlet", no_wrap=True)
    table.add_column("country")
    table.add_column("feed", no_wrap=True, max_width=60, overflow="ellipsis")
    for column in ("every", "status", "last success", "fails", "items/24h", "next"):
        table.add_column(column, no_wrap=True)
    for feed in registry.feeds(include_disabled=True):
        health = book.get(feed.key)
        status = health.status
        style = {"ok": "green", "failing": "yellow", "down": "red"}.get(status, "")
        table.add_row(
            feed.outlet,
            feed.country,
            feed.url,
            _span(feed.interval_s),
            f"[{style}]{status}[/]" if style else status,
            _ago(health.last_success, now),
            str(health.consecutive_failures),
            str(health.items_per_day(now=now)),
            _ago(health.next_due, now) if health.next_due else "now",
        )
    console.print(table)
    down = [f.key for f in registry.feeds() if book.get(f.key).consecutive_failures]
    if down:
        console.print(f"{len(down)} feed(s) failing; `khabar feeds list --json` shows their last errors.")


def _row_json(
    outlet: str, country: str, interval_s: float, health: FeedHealth, now: datetime
) -> dict[str, object]:
    return {
        "outlet": outlet,
        "country": country,
        "feed": health.key,
        "interval_s": interval_s,
        "status": health.status,
        "last_success": health.last_success.isoformat() if health.last_success else None,
        "consecutive_failures": health.consecutive_failures,
        "last_error": health.last_error,
        "items_per_day": health.items_per_day(now=now),
        "next_due": health.next_due.isoformat() if health.next_due else None,
    }


@feeds.command("check")
@click.argument("url")
@click.option("--outlet", default="check", help="Outlet id to stamp on the articles (default: check).")
@click.option(
    "--limit",
    default=10,
    show_default=True,
    type=click.IntRange(min=0),
    help="Show at most this many articles.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the articles as JSON lines (the Kafka values).")
@pass_context
def check(ctx: Context, url: str, outlet: str, limit: int, as_json: bool) -> None:
    """Fetch and parse one feed URL and print what would be published (nothing is sent to Kafka)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise click.BadParameter(f"{url!r}: feeds are fetched over http(s):// only", param_hint="URL")
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLogger().level))
    result = asyncio.run(_fetch(ctx, url))
    result.raise_for_failure()
    if result.outcome == "not_modified":
        click.echo(f"{url}: 304 Not Modified")
        return
    # The poller's own path: charset repair, then one article per id.
    parsed, problem = parse_document(
        result.body, feed_url=url, outlet=outlet, headers=result.headers, fetched_at=datetime.now(UTC)
    )
    unique = list(unique_articles(parsed.articles).values())
    if as_json:
        for article in unique[:limit]:
            click.echo(article.model_dump_json())
    else:
        _print_check(url, result, parsed, unique, problem, limit)


async def _fetch(ctx: Context, url: str) -> FetchResult:
    async with Fetcher(ctx.settings.producers) as fetcher:
        with Progress(
            SpinnerColumn(), TextColumn(f"fetching {url}"), transient=True, console=progress_console
        ):
            return await fetcher.fetch(url)


def _print_check(
    url: str,
    result: FetchResult,
    parsed: ParseResult,
    unique: list[RawArticle],
    problem: str | None,
    limit: int,
) -> None:
    console.print(
        f"{url}: HTTP {result.status}, {len(result.body)} bytes, encoding {parsed.encoding}, "
        f"ETag {result.validators.etag!r}, Last-Modified {result.validators.last_modified!r}"
    )
    if problem:
        console.print(f"[yellow]dead-lettered with its articles kept[/]: {problem}")
    elif parsed.bozo:
        console.print(f"[yellow]malformed[/]: {parsed.bozo}")
    repeated = len(parsed.articles) - len(unique)
    table = Table(
        title=f"{len(unique)} article(s) would be published"
        + (f" ({repeated} repeated id(s) merged)" if repeated else "")
    )
    for column in ("id", "published", "status", "title", "url"):
        table.add_column(column, overflow="fold")
    for article in unique[:limit]:
        table.add_row(*_cells(article))
    console.print(table)
    for error in parsed.errors:
        console.print(f"[red]rejected[/] entry {error.index} (guid {error.guid!r}): {error.reason}")


def _cells(article: RawArticle) -> tuple[str, str, str, str, str]:
    published = article.published.isoformat(timespec="minutes")
    return article.id, published, article.published_status, article.title, article.canonical_url


@feeds.command("serve")
@click.argument("corpus", type=click.Path(exists=True, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback only).")
@click.option("--port", default=8765, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--speed", default=60.0, show_default=True, help="Simulated seconds per real second.")
@click.option("--start", "start_at", default=None, help="Simulated start (ISO time; default: first item).")
@click.option("--window", default=50, show_default=True, help="Items per feed (the newest published ones).")
@click.option("--day", default=None, help="Only this corpus day (YYYY-MM-DD, Saudi time) is loaded.")
@click.option(
    "--fault",
    "faults",
    multiple=True,
    help=f"Inject a fault: KIND or KIND:OUTLET[,OUTLET]; KIND is one of {', '.join(FAULTS)}. Repeatable.",
)
@click.option("--slow-s", default=45.0, show_default=True, help="How long the 'slow' fault waits (seconds).")
@click.option("--atom", "atom_outlets", multiple=True, help="Serve this outlet as Atom instead of RSS.")
@click.option(
    "--write-registry",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a registry YAML pointing at this server (for `khabar produce --registry`).",
)
def serve(
    corpus: Path,
    host: str,
    port: int,
    speed: float,
    start_at: str | None,
    window: int,
    day: str | None,
    faults: tuple[str, ...],
    slow_s: float,
    atom_outlets: tuple[str, ...],
    write_registry: Path | None,
) -> None:
    """Serve one RSS/Atom feed per outlet of CORPUS, items appearing over simulated time, until Ctrl-C."""
    try:
        fault_table = Faults.parse(faults, slow_s=slow_s)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fault") from None
    since = until = None
    if day:
        since = datetime.fromisoformat(day).replace(tzinfo=UTC) - timedelta(hours=3)
        until = since + timedelta(days=1)
    with Progress(SpinnerColumn(), TextColumn(f"reading {corpus}"), transient=True, console=console):
        catalog = FeedCatalog(read_corpus(corpus, since=since, until=until), window=window)
    first = catalog.first_published()
    if first is None:
        raise click.ClickException(f"corpus {corpus} has no articles in the selected time range")
    start = datetime.fromisoformat(start_at) if start_at else first
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    server = FeedServer(
        catalog,
        clock=SimClock(start, speed=speed),
        faults=fault_table,
        host=host,
        port=port,
        atom_outlets=frozenset(atom_outlets),
    )
    if write_registry:
        server.write_registry(write_registry)
        console.print(f"registry written to {write_registry}")
    console.print(
        f"serving {len(catalog.outlets)} feeds on {server.base_url}/ (speed {speed:g}x, from {start})"
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    server.start()
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        console.print(f"stopped after {sum(server.requests.values())} feed answers")
