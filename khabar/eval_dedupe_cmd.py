"""``khabar eval dedupe``: recall and precision of the deduper on listed near-duplicate pairs.

Streams the corpus days the pairs cover, in publish-time order, through :class:`processors.dedupe.Deduper`
(the code the Faust dedupe stage runs), then scores the emitted ``duplicate_of`` relations with
:mod:`processors.dedupe_eval`.
"""

from __future__ import annotations

import json
import platform
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress

from contracts.schemas import RawArticle
from processors.dedupe import DEFAULT_NUM_PERM, DEFAULT_THRESHOLD, Deduper
from processors.dedupe_eval import DedupeReport, evaluate, parse_pairs, shingle_df, silver_shingles
from processors.errors import ProcessorError
from processors.minhash import SKETCH_SIZE
from producers.corpus import read_corpus, to_raw_article

__all__ = ["dedupe_cmd", "run_dedupe_eval"]


def _days(articles: list[RawArticle], urls: set[str]) -> set[date]:
    return {a.published.date() for a in articles if a.url in urls}


def run_dedupe_eval(
    pairs_file: Path,
    corpus: Path,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    num_perm: int = DEFAULT_NUM_PERM,
    sketch_size: int = SKETCH_SIZE,
    window_days: float = 7.0,
    console: Console | None = None,
) -> tuple[DedupeReport, dict[str, Any]]:
    """Stream the covered corpus days through a :class:`Deduper` and score it; return the report and run
    figures (articles, days, articles/s in CPU time of the dedupe calls alone)."""
    try:
        pairs = parse_pairs(pairs_file.read_bytes(), name=str(pairs_file))
    except OSError as exc:
        raise ProcessorError(f"pairs file {pairs_file}: cannot be read ({exc.strerror})") from None
    everything = [to_raw_article(item) for item in read_corpus(corpus)]
    urls = {p.a_url for p in pairs} | {p.b_url for p in pairs}
    days = _days(everything, urls)
    if not days:
        raise ProcessorError(
            f"corpus {corpus} holds none of the {len(urls)} URLs of {pairs_file}; "
            "pass the corpus they come from"
        )
    articles = [a for a in everything if a.published.date() in days]
    deduper = Deduper(
        window=timedelta(days=window_days), threshold=threshold, num_perm=num_perm, sketch_size=sketch_size
    )
    relations: dict[str, str] = {}
    outlets: dict[str, str] = {}
    methods: dict[str, int] = {}
    elapsed = 0.0
    with Progress(console=console or Console(stderr=True), transient=True) as progress:
        task = progress.add_task("dedupe", total=len(articles))
        for article in articles:
            start = time.process_time()
            deduper.expire(article.published)
            verdict = deduper.observe(article)
            elapsed += time.process_time() - start
            if verdict.original is not None and not verdict.redelivery:
                relations[article.url] = verdict.original.url
            outlets[article.url] = article.outlet
            key = verdict.method or "unique"
            methods[key] = methods.get(key, 0) + 1
            progress.advance(task)
        scoring = progress.add_task("score", total=None)
        shingles = {a.url: silver_shingles(a.content or a.summary) for a in articles}
        report = evaluate(
            pairs, relations, shingles.keys(), outlets, shingles, df=shingle_df(shingles.values())
        )
        progress.update(scoring, completed=1, total=1)
    figures = {
        "articles": len(articles),
        "days": sorted(d.isoformat() for d in days),
        "articles_per_s_cpu": round(len(articles) / elapsed) if elapsed else None,
        "verdicts": dict(sorted(methods.items())),
        "threshold": threshold,
        "num_perm": num_perm,
        "sketch_size": sketch_size,
        "window_days": window_days,
        "python": platform.python_version(),
    }
    return report, figures


@click.command("dedupe")
@click.option(
    "--pairs",
    "pairs_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="JSON array of listed duplicate pairs (a_url, b_url, a_source, b_source, jaccard_5gram).",
)
@click.option(
    "--corpus",
    type=click.Path(exists=True, path_type=Path),
    required=True,
    help="Corpus folder or file holding the pairs' articles (SaudiNewsNet zips or JSONL).",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the full report (precision and recall at the top level, misses, imprecise pairs) here.",
)
@click.option("--threshold", type=click.FloatRange(0.05, 1.0), default=DEFAULT_THRESHOLD, show_default=True,
              help="Estimated Jaccard from which two bodies are copies.")  # fmt: skip
@click.option("--num-perm", type=click.IntRange(8, 1024), default=DEFAULT_NUM_PERM, show_default=True,
              help="MinHash permutations of the LSH signature.")  # fmt: skip
@click.option("--sketch-size", type=click.IntRange(16, 4096), default=SKETCH_SIZE, show_default=True,
              help="Shingle hashes kept per article (bottom-k) to compute Jaccard.")  # fmt: skip
@click.option("--window-days", type=click.FloatRange(min=0.01), default=7.0, show_default=True,
              help="Dedupe window, by publish time.")  # fmt: skip
def dedupe_cmd(
    pairs_file: Path,
    corpus: Path,
    json_out: Path | None,
    threshold: float,
    num_perm: int,
    sketch_size: int,
    window_days: float,
) -> None:
    """Recall and precision of dedupe on listed near-duplicate pairs.

    Streams the corpus days that the pairs cover, in publish-time order, through the dedupe code of the
    Faust stage. Precision: the share of emitted duplicate_of relations (duplicate, original) whose exact
    word 5-gram Jaccard (the pairs file's normalisation) is at least 0.5. Recall: the share of listed pairs
    whose two articles are related (one is the other's original, or both have the same original).
    """
    console = Console()
    report, figures = run_dedupe_eval(
        pairs_file,
        corpus,
        threshold=threshold,
        num_perm=num_perm,
        sketch_size=sketch_size,
        window_days=window_days,
        console=console,
    )
    console.print(
        f"recall {report.recall:.4f} ({report.listed_related}/{report.listed_found} listed pairs found in "
        f"the corpus are related; {report.listed_pairs} listed); directly {report.recall_direct:.4f}"
    )
    console.print(
        f"precision {report.precision:.4f} ({report.relations_precise}/{report.relations} duplicate_of "
        f"relations with exact Jaccard >= 0.5; silver measure {report.precision_silver:.4f}; group pairs "
        f"{report.group_pair_precision_plain:.4f})"
    )
    console.print(
        f"{figures['articles']} articles over {len(figures['days'])} days at {figures['articles_per_s_cpu']} "
        f"articles/s (CPU time of the dedupe calls); verdicts {figures['verdicts']}"
    )
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        payload = {**report.as_dict(), **figures, "pairs_file": str(pairs_file), "corpus": str(corpus)}
        json_out.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        console.print(f"wrote {json_out}")
