"""``khabar search`` and ``khabar stories``: Arabic search over the indexed articles and stories."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from khabar.context import Context, pass_context


def _run(ctx: Context, request: Any, kind: str, as_json: bool, rtl_isolate: bool) -> None:
    from elasticsearch import NotFoundError
    from rich.console import Console

    from sinks.elasticsearch import answering, client
    from sinks.render import hit_lines, hits_json
    from sinks.search import parse_hits

    es = client(ctx.settings.elasticsearch)
    try:
        with answering(ctx.settings.elasticsearch):
            response = es.search(index=request.index, body=request.body)
    except NotFoundError:
        raise click.ClickException(
            f"no index {request.index!r} yet: run `khabar es setup` and the sink (`khabar sink`) first"
        ) from None
    finally:
        es.close()
    hits = parse_hits(response, kind)  # type: ignore[arg-type]
    if as_json:
        click.echo(hits_json(hits))
        return
    console = Console(soft_wrap=True, highlight=False)
    if not hits:
        console.print("no hits")
    for line in hit_lines(hits, rtl_isolate=rtl_isolate):
        console.print(line)


def _since(value: str | None) -> datetime | None:
    from sinks.search import parse_since

    return datetime.now(UTC) - parse_since(value) if value else None


_json = click.option("--json", "as_json", is_flag=True, help="Print the hits as a JSON array instead.")
_isolate = click.option(
    "--bidi/--no-bidi",
    "rtl_isolate",
    default=True,
    show_default=True,
    help="Wrap right-to-left text in Unicode isolates (turn off if your terminal prints them).",
)


@click.command("search")
@click.argument("query")
@click.option("--stories", "kind", flag_value="story", help="Search stories (headline and summary).")
@click.option(
    "--articles", "kind", flag_value="article", default=True, help="Search articles (default: title, body)."
)
@click.option("--outlet", help="Only this outlet, e.g. sabq.")
@click.option("--since", help="Only this recent: 30m, 24h, 7d, 2w.")
@click.option("--place", help="Only articles (stories) mentioning this place, e.g. الرياض.")
@click.option("--size", default=10, show_default=True, type=click.IntRange(1, 500), help="How many hits.")
@_json
@_isolate
@pass_context
def search(
    ctx: Context,
    query: str,
    kind: str,
    outlet: str | None,
    since: str | None,
    place: str | None,
    size: int,
    as_json: bool,
    rtl_isolate: bool,
) -> None:
    """Search articles (or stories) for QUERY with Arabic analysis; prints ranked hits with highlights.

    Inflections match («معارضة» finds «والمعارضين»), titles weigh more than bodies, exact forms more than
    stems.
    """
    from sinks.indices import IndexNames
    from sinks.search import article_search, story_search

    names = IndexNames(ctx.settings.sinks.index_prefix)
    build = story_search if kind == "story" else article_search
    request = build(query, names, outlet=outlet, since=_since(since), place=place, size=size)
    _run(ctx, request, kind, as_json, rtl_isolate)


@click.command("stories")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 500), help="How many stories.")
@click.option("--since", default="24h", show_default=True, help="Stories seen this recently: 30m, 24h, 7d.")
@_json
@_isolate
@pass_context
def stories(ctx: Context, top: int, since: str, as_json: bool, rtl_isolate: bool) -> None:
    """Print the biggest live stories (most articles, then most outlets) with their outlets and headlines."""
    from sinks.indices import IndexNames
    from sinks.search import top_stories

    names = IndexNames(ctx.settings.sinks.index_prefix)
    _run(ctx, top_stories(names, top=top, since=_since(since)), "story", as_json, rtl_isolate)
