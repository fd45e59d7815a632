"""Compare the Snowball and light10 Arabic stemmers on the real SaudiNewsNet corpus.

Usage: python benchmarks/arabic_stemmers.py [--max-articles N]

Tokenises the article bodies once (not timed), then for each stemmer measures
* warm tokens/s: the public cached function over the whole token stream, as a processor would run it;
* cold types/s: every distinct word type once with the cache cleared (the uncached normalise + stem path);
* conflation: distinct stems / distinct word types (lower merges more forms).
Writes benchmarks/results/arabic_stemmers.json and prints the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from processors.arabic import clear_stem_caches, light_stem, stem, tokenize

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KHABAR_SHARED_DIR") or REPO / ".." / "shared")
CORPUS = SHARED / "data" / "saudinewsnet"
OUT = REPO / "benchmarks" / "results" / "arabic_stemmers.json"


def articles(limit: int | None) -> Iterator[str]:
    seen = 0
    for archive in sorted(CORPUS.glob("*.zip")):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                for article in json.loads(zf.read(name)):
                    if limit is not None and seen >= limit:
                        return
                    seen += 1
                    yield article["content"]


def measure(fn: Callable[[str], str], tokens: list[str], types: list[str]) -> dict[str, float]:
    clear_stem_caches()
    start = time.perf_counter()
    for t in types:
        fn(t)
    cold = time.perf_counter() - start
    clear_stem_caches()
    start = time.perf_counter()
    for t in tokens:
        fn(t)
    warm = time.perf_counter() - start
    stems = {fn(t) for t in types}
    return {
        "warm_tokens_per_s": round(len(tokens) / warm),
        "cold_types_per_s": round(len(types) / cold),
        "distinct_stems": len(stems),
        "conflation_ratio": round(len(stems) / len(types), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-articles", type=int, default=None, help="default: the whole corpus")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS} (set KHABAR_SHARED_DIR)")
    texts = list(articles(args.max_articles))
    tokens = [t for text in texts for t in tokenize(text)]
    types = sorted(set(tokens))
    stemmers = {"snowball": measure(stem, tokens, types), "light10": measure(light_stem, tokens, types)}
    results = {
        "corpus": f"SaudiNewsNet, {len(list(CORPUS.glob('*.zip')))} daily archives",
        "articles": len(texts),
        "tokens": len(tokens),
        "types": len(types),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "stemmers": stemmers,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{len(texts)} articles, {len(tokens):,} tokens, {len(types):,} types")
    for name, r in stemmers.items():
        warm, cold = r["warm_tokens_per_s"], r["cold_types_per_s"]
        ratio = f"{r['distinct_stems']:,.0f} stems, conflation {r['conflation_ratio']}"
        print(f"{name:9s} warm {warm:>12,.0f} tokens/s  cold {cold:>10,.0f} types/s  {ratio}")
    print(f"wrote {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
