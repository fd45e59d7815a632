"""Rate of the pure enrich path (and dedupe + enrich, when processors/dedupe.py exists) on SaudiNewsNet.

Usage: python -P benchmarks/enrich.py [--days N] [--runs R]

Reads the first N daily archives of SaudiNewsNet (default 2: 2015-07-21 and 2015-07-22), converts the rows
to RawArticle (not timed), then times ``Enricher().enrich`` over all of them on one core, R times (default
3), each run with a fresh Enricher (empty document frequencies, cold caches). Prints the median articles/s
and a cProfile summary of one run with --profile; writes benchmarks/results/enrich.json.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import json
import os
import platform
import pstats
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from contracts.schemas import RawArticle
from processors.arabic import clear_stem_caches
from processors.enrich import Enricher
from producers.corpus import read_corpus, to_raw_article

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KHABAR_SHARED_DIR") or REPO / ".." / "shared")
CORPUS = SHARED / "data" / "saudinewsnet"
OUT = REPO / "benchmarks" / "results" / "enrich.json"


def load(days: int) -> tuple[list[RawArticle], list[str]]:
    files = sorted(CORPUS.glob("*.zip"))[:days]
    articles: list[RawArticle] = []
    for file in files:
        articles += [to_raw_article(item) for item in read_corpus(file)]
    return articles, [f.name for f in files]


def enrich_only(articles: list[RawArticle]) -> float:
    clear_stem_caches()
    enricher = Enricher()
    start = time.perf_counter()
    for article in articles:
        enricher.enrich(article)
    return len(articles) / (time.perf_counter() - start)


def dedupe_and_enrich(articles: list[RawArticle]) -> float:
    from processors.dedupe import Deduper  # type: ignore[import-not-found, attr-defined, unused-ignore]

    clear_stem_caches()
    deduper, enricher = Deduper(), Enricher()
    start = time.perf_counter()
    for article in articles:
        deduper.observe(article)
        enricher.enrich(article)
    return len(articles) / (time.perf_counter() - start)


def median_rate(
    fn: Callable[[list[RawArticle]], float], articles: list[RawArticle], runs: int
) -> dict[str, object]:
    rates = [fn(articles) for _ in range(runs)]
    return {"median_articles_per_s": round(statistics.median(rates), 1), "runs": [round(r, 1) for r in rates]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=2, help="daily archives to read (default 2)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the median is reported (default 3)")
    parser.add_argument("--profile", action="store_true", help="print the top functions of one extra run")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS} (set KHABAR_SHARED_DIR)")
    articles, files = load(args.days)
    results: dict[str, object] = {
        "corpus": f"SaudiNewsNet {', '.join(files)}",
        "articles": len(articles),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "enrich": median_rate(enrich_only, articles, args.runs),
    }
    if importlib.util.find_spec("processors.dedupe") is not None:
        try:
            results["dedupe_enrich"] = median_rate(dedupe_and_enrich, articles, args.runs)
        except (ImportError, TypeError) as exc:
            results["dedupe_enrich"] = f"not measured: {exc}"
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(enrich_only, articles)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
