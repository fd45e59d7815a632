"""``khabar eval entities`` and ``khabar eval places``: precision of extracted names on samples reviewed by
reading.

Reads the reviewed articles from the corpus (the days the review names), enriches them with the pipeline's
:class:`processors.enrich.Enricher` and scores what they extract with :mod:`processors.name_review`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from pathlib import Path

import click
from rich.console import Console

from contracts.schemas import EnrichedArticle, Place
from processors.enrich import Enricher
from processors.errors import ProcessorError
from processors.name_review import ENTITY_TYPES, NameReview, parse_judgements, review
from producers.corpus import read_corpus, to_raw_article

__all__ = ["entities_cmd", "place_type", "places_cmd", "run_review"]

DEFAULT_CORPUS = Path("..") / "shared" / "data" / "saudinewsnet"
Extract = Callable[[EnrichedArticle], list[tuple[str, str]]]


def place_type(place: Place) -> str:
    """What a place was taken for, as a review writes it: its feature and country (``city SA``)."""
    return f"{place.feature} {place.country_code or '-'}"


def entity_names(article: EnrichedArticle) -> list[tuple[str, str]]:
    return [(e.name, e.type) for e in article.entities]


def place_names(article: EnrichedArticle) -> list[tuple[str, str]]:
    return [(p.name, place_type(p)) for p in article.places]


def run_review(
    judged: Path, corpus: Path, extract: Extract, *, types: Collection[str] | None = ENTITY_TYPES
) -> NameReview:
    """Enrich the reviewed articles again and score what ``extract`` takes from them by the review."""
    try:
        judgements = parse_judgements(judged.read_bytes(), name=str(judged), types=types)
    except OSError as exc:
        raise ProcessorError(f"review {judged}: cannot be read ({exc.strerror})") from None
    wanted = {j.article for j in judgements}
    found: dict[str, list[tuple[str, str]]] = {}
    enricher = Enricher()
    for day in sorted({j.day for j in judgements}):
        path = corpus / f"{day}.zip"
        if not path.is_file():
            raise ProcessorError(f"review {judged}: day {day} needs {path}; pass the corpus with --corpus")
        for item in read_corpus(path):
            raw = to_raw_article(item)
            if raw.id in wanted and raw.id not in found:
                found[raw.id] = extract(enricher.enrich(raw))
    missing = sorted(wanted - set(found))
    if missing:
        raise ProcessorError(
            f"review {judged}: {len(missing)} articles not in the corpus days it names (e.g. {missing[:3]})"
        )
    return review(found, judgements)


def _report(result: NameReview, judged: Path, json_out: Path | None) -> None:
    out = Console()
    out.print(
        f"{result.judged} judged names: precision {result.precision:.3f} "
        f"({result.correct} correct), with partial names {result.lenient_precision:.3f} "
        f"({result.partial} partial, {result.wrong} wrong)"
    )
    if result.unjudged:
        out.print(f"{len(result.unjudged)} names not judged yet (read them and add them to {judged}):")
        for article, name, kind in result.unjudged:
            out.print(f"  {article}  {kind:<12} {name}", markup=False)
    if result.lost:
        out.print(f"{len(result.lost)} names judged correct are no longer extracted:")
        for j in result.lost:
            out.print(f"  {j.article}  {j.type:<12} {j.name}", markup=False)
    if json_out is not None:
        text = json.dumps(result.to_json(), ensure_ascii=False, indent=2)
        json_out.write_text(text + "\n", encoding="utf-8")


_judged = click.option(
    "--judged",
    "judged",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Review JSONL: one line per extracted name with its verdict (docs/reviews/).",
)
_corpus = click.option(
    "--corpus",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_CORPUS,
    show_default=True,
    help="SaudiNewsNet folder holding the reviewed days (YYYY-MM-DD.zip).",
)
_json = click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the figures, the unjudged and the lost names as JSON to this file.",
)


@click.command("entities")
@_judged
@_corpus
@_json
def entities_cmd(judged: Path, corpus: Path, json_out: Path | None) -> None:
    """Precision of the extracted people and organisations on articles reviewed by reading.

    Names extracted now that the review has not judged are listed: read them in their article and add
    their verdicts to the review file. Names judged correct that are no longer extracted are listed as lost.
    """
    _report(run_review(judged, corpus, entity_names), judged, json_out)


@click.command("places")
@_judged
@_corpus
@_json
def places_cmd(judged: Path, corpus: Path, json_out: Path | None) -> None:
    """Precision of the extracted places on articles reviewed by reading.

    A place is judged with what it was taken for, its feature and country (``city SA``). Places extracted
    now that the review has not judged are listed: read them and add their verdicts to the review file.
    """
    _report(run_review(judged, corpus, place_names, types=None), judged, json_out)
