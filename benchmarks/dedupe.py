"""Dedupe on SaudiNewsNet: pure rate (articles/s, one core) and window state per article.

Usage, from the repository root (as a module: ``benchmarks/producers.py`` would shadow the producers
package if this file ran as a script): python -m benchmarks.dedupe [--max-articles N] [--runs 3]
[--state-articles 100000]

1. Rate: every article (converted to RawArticle first, not timed) goes through ``Deduper.expire`` +
   ``Deduper.observe`` in publish-time order, as the Faust stage calls them; median of ``--runs`` runs, each
   with a fresh Deduper. CPU time of this process is the primary figure (the machine may be shared), wall
   time is reported too.
2. State: ``--state-articles`` fingerprints (the corpus cycled with synthetic distinct ids and URLs, since
   it has 31,030 articles) are added to one Deduper whose window holds them all. Reported per article: the
   serialised Fingerprint (what a table keeps: ids, URLs, text hash and the bottom-k sketch), the LSH band
   index arrays, and the whole Python heap of the
   Deduper (tracemalloc: objects, dicts, index), which is what one worker's memory holds.
Writes benchmarks/results/dedupe.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

from contracts.schemas import RawArticle
from processors.dedupe import Deduper, Fingerprint
from producers.corpus import read_corpus, to_raw_article

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KHABAR_SHARED_DIR") or REPO / ".." / "shared")
CORPUS = SHARED / "data" / "saudinewsnet"
OUT = REPO / "benchmarks" / "results" / "dedupe.json"


def rate(articles: list[RawArticle]) -> dict[str, float]:
    deduper = Deduper()
    cpu, wall = time.process_time(), time.perf_counter()
    duplicates = 0
    for article in articles:
        deduper.expire(article.published)
        duplicates += deduper.observe(article).is_duplicate
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"cpu_s": cpu, "wall_s": wall, "duplicates": duplicates}


def state(fingerprints: list[Fingerprint], total: int) -> dict[str, float]:
    def copies() -> list[Fingerprint]:
        out = []
        for i in range(total):
            fp = fingerprints[i % len(fingerprints)]
            cycle = i // len(fingerprints)
            new_id = hashlib.sha1(f"{fp.article_id}:{cycle}".encode()).hexdigest()[:16]
            url = fp.url if cycle == 0 else f"{fp.url}#c{cycle}"
            canonical = fp.canonical_url if cycle == 0 else f"{fp.canonical_url}#c{cycle}"
            out.append(dataclasses.replace(fp, article_id=new_id, url=url, canonical_url=canonical))
        return out

    items = copies()
    serialised = sum(len(fp.to_bytes()) for fp in items)
    signatures = sum(len(fp.signature) for fp in items)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    deduper = Deduper(window=timedelta(days=3650))
    for fp in items:
        deduper.add(fp)
    heap = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    # the Fingerprint objects themselves were allocated before tracing; count them as Python objects
    objects = sum(
        _size(fp.article_id) + _size(fp.outlet) + _size(fp.url) + _size(fp.canonical_url)
        + _size(fp.text_hash) + _size(fp.signature) + 48 + 80  # datetime, the slotted dataclass
        for fp in items
    )  # fmt: skip
    n = len(deduper)
    return {
        "articles": n,
        "fingerprint_serialised_bytes_per_article": round(serialised / n, 1),
        "signature_bytes_per_article": round(signatures / n, 1),
        "lsh_index_bytes_per_article": round(deduper.index_nbytes / n, 1),
        "serialised_plus_lsh_bytes_per_article": round((serialised + deduper.index_nbytes) / n, 1),
        "python_heap_bytes_per_article": round((heap + objects) / n, 1),
    }


def _size(value: object) -> int:
    return sys.getsizeof(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--max-articles", type=int, default=None, help="rate on the first N (default: all)")
    parser.add_argument("--runs", type=int, default=3, help="rate runs; the median is reported")
    parser.add_argument("--state-articles", type=int, default=100_000, help="articles in the state figure")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS} (set KHABAR_SHARED_DIR)")
    articles = [to_raw_article(item) for item in read_corpus(CORPUS)][: args.max_articles]
    runs = [rate(articles) for _ in range(args.runs)]
    cpu = statistics.median(r["cpu_s"] for r in runs)
    wall = statistics.median(r["wall_s"] for r in runs)
    fingerprints = [Deduper().fingerprint(a) for a in articles]
    window = state(fingerprints, args.state_articles)
    results = {
        "corpus": f"SaudiNewsNet, {len(articles)} articles in publish-time order",
        "runs": args.runs,
        "articles_per_s_cpu_median": round(len(articles) / cpu),
        "articles_per_s_wall_median": round(len(articles) / wall),
        "run_cpu_s": [round(r["cpu_s"], 2) for r in runs],
        "run_wall_s": [round(r["wall_s"], 2) for r in runs],
        "duplicates": runs[0]["duplicates"],
        "state": window,
        "state_note": "corpus cycled with synthetic distinct ids and URLs; all held in one window",
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(
        f"dedupe: {results['articles_per_s_cpu_median']} articles/s (CPU time, median of {args.runs}; "
        f"wall {results['articles_per_s_wall_median']}) over {len(articles)} articles"
    )
    w = window
    print(
        f"state per article ({w['articles']:.0f} articles): fingerprint "
        f"{w['fingerprint_serialised_bytes_per_article']} B + LSH {w['lsh_index_bytes_per_article']} B = "
        f"{w['serialised_plus_lsh_bytes_per_article']} B; "
        f"whole Python heap {w['python_heap_bytes_per_article']} B"
    )
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
