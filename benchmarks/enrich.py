"""Rate of the pure enrich path (and dedupe + enrich, when processors/dedupe.py exists) on SaudiNewsNet.

Usage: python -P benchmarks/enrich.py [--days N] [--runs R]

Reads the first N daily archives of SaudiNewsNet (default 2: 2015-07-21 and 2015-07-22), converts the rows
to RawArticle (not timed), then times ``Enricher().enrich`` over all of them on one core, R times (default
3), each run with a fresh Enricher (empty document frequencies) and cold caches (word, chunk and stem
caches emptied). Two clocks: wall time, and the process's CPU time (``time.process_time``), which is what
"one core" means on a shared machine where other processes take the CPU away. A ``warm`` figure repeats
the runs without emptying the caches (a worker that has seen this vocabulary). When processors/dedupe.py
exists, the same for ``Deduper().observe`` + enrich. Prints the medians and a cProfile summary of one run
with --profile; writes benchmarks/results/enrich.json.

``--stream-days N`` measures a long-running worker instead: one dedupe + enrich pass over the first N days
from cold caches, timed per block of 2,000 articles; the figure is the median block rate after the first
4,000 articles (the caches' warm-up).
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
from processors.analyzed_text import clear_analysis_caches
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


Rates = tuple[float, float]  # articles/s by wall clock, by CPU time


def _clear_caches() -> None:
    clear_stem_caches()
    clear_analysis_caches()


def enrich_only(articles: list[RawArticle]) -> Rates:
    enricher = Enricher()
    wall, cpu = time.perf_counter(), time.process_time()
    for article in articles:
        enricher.enrich(article)
    return len(articles) / (time.perf_counter() - wall), len(articles) / (time.process_time() - cpu)


def dedupe_and_enrich(articles: list[RawArticle]) -> Rates:
    from processors.dedupe import Deduper

    deduper, enricher = Deduper(), Enricher()
    wall, cpu = time.perf_counter(), time.process_time()
    for article in articles:
        deduper.observe(article)
        enricher.enrich(article)
    return len(articles) / (time.perf_counter() - wall), len(articles) / (time.process_time() - cpu)


def stream_rates(articles: list[RawArticle], block: int = 2000) -> list[float]:
    """CPU-time rates of one cold dedupe + enrich pass, per block of ``block`` articles."""
    from processors.dedupe import Deduper

    _clear_caches()
    deduper, enricher = Deduper(), Enricher()
    rates: list[float] = []
    start = time.process_time()
    for i, article in enumerate(articles, 1):
        deduper.observe(article)
        enricher.enrich(article)
        if i % block == 0:
            now = time.process_time()
            rates.append(block / (now - start))
            start = now
    return rates


def median_rate(
    fn: Callable[[list[RawArticle]], Rates], articles: list[RawArticle], runs: int, *, cold: bool
) -> dict[str, object]:
    rates = []
    for _ in range(runs):
        if cold:
            _clear_caches()
        rates.append(fn(articles))
    wall, cpu = [r[0] for r in rates], [r[1] for r in rates]
    return {
        "median_articles_per_s": round(statistics.median(wall), 1),
        "median_articles_per_cpu_s": round(statistics.median(cpu), 1),
        "runs": [round(r, 1) for r in wall],
        "runs_cpu": [round(r, 1) for r in cpu],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=2, help="daily archives to read (default 2)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the median is reported (default 3)")
    parser.add_argument("--stream-days", type=int, default=0, help="also one long pass over N days (0: off)")
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
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "enrich": median_rate(enrich_only, articles, args.runs, cold=True),
        "enrich_warm": median_rate(enrich_only, articles, args.runs, cold=False),
    }
    if importlib.util.find_spec("processors.dedupe") is not None:
        try:
            results["dedupe_enrich"] = median_rate(dedupe_and_enrich, articles, args.runs, cold=True)
        except (ImportError, TypeError) as exc:
            results["dedupe_enrich"] = f"not measured: {exc}"
    if args.stream_days:
        streamed, stream_files = load(args.stream_days)
        blocks = stream_rates(streamed)
        results["dedupe_enrich_stream"] = {
            "articles": len(streamed),
            "days": f"{stream_files[0]} .. {stream_files[-1]}",
            "block_articles_per_cpu_s": [round(r, 1) for r in blocks],
            "median_after_warmup_per_cpu_s": round(statistics.median(blocks[2:] or blocks), 1),
        }
    if args.profile:
        profile = cProfile.Profile()
        _clear_caches()
        profile.runcall(enrich_only, articles)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
