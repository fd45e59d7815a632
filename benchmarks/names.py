"""CPU time per article of the two name finders of the enricher: people and organisations
(``processors.entities.extract_entities``) and places (``processors.gazetteer.Gazetteer.find_in``).

Usage: python -m benchmarks.names [--days N] [--runs R]

Reads the first N daily archives of SaudiNewsNet (default 2), analyses every article once as the
enricher does (title, then the cleaned body; not timed), runs each finder over all of them once to warm
its caches, then times R passes (default 3) with ``time.process_time``. Prints the median microseconds
per article of each finder and writes benchmarks/results/names.json. To compare two versions of the
rules, run it on both checkouts back to back: the machine is shared, so compare within one sitting.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable

from benchmarks.enrich import CORPUS, REPO, load
from processors.analyzed_text import AnalyzedText
from processors.entities import KnownNames, extract_entities
from processors.gazetteer import Gazetteer
from processors.lead import clean_body

OUT = REPO / "benchmarks" / "results" / "names.json"


def median_us(fn: Callable[[], object], count: int, runs: int) -> dict[str, object]:
    fn()  # warm the caches
    passes = []
    for _ in range(runs):
        started = time.process_time()
        fn()
        passes.append((time.process_time() - started) / count * 1e6)
    return {
        "median_us_per_article": round(statistics.median(passes), 1),
        "runs": [round(p, 1) for p in passes],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=2, help="daily archives to read (default 2)")
    parser.add_argument(
        "--runs", type=int, default=3, help="timed passes; the median is reported (default 3)"
    )
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS} (set KHABAR_SHARED_DIR)")
    articles, files = load(args.days)
    texts = []
    for article in articles:
        body = clean_body(article.content or article.summary)
        text = f"{article.title}.\n{body}"
        texts.append((text, AnalyzedText.of(f"{article.title}.") + AnalyzedText.of(body)))
    known, gazetteer = KnownNames.load(), Gazetteer.load()
    results = {
        "corpus": f"SaudiNewsNet {', '.join(files)}",
        "articles": len(articles),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "entities": median_us(
            lambda: [extract_entities(t, known=known, analysed=a) for t, a in texts], len(texts), args.runs
        ),
        "places": median_us(lambda: [gazetteer.find_in(a) for _, a in texts], len(texts), args.runs),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
