"""Agreement and speed of the language fast path (script rule) against lingua, on SaudiNewsNet and BBC Urdu.

Usage: python -P benchmarks/language.py [--articles N] [--runs R]

Takes the first N articles (default 3000) of SaudiNewsNet, spread over its first daily archives, and every
entry of the BBC Urdu feed sample (data/feeds/bbc_urdu_rss_*.xml). For each text, builds the sample the
enricher sees (title + cleaned body, first 400 characters) and asks both paths: the fast path
(``LanguageDetector.detect_by_script``) and lingua alone (``detect_with_lingua``, 7 models). Reports, per
corpus, how many texts the fast path decides, on how many of those it agrees with lingua (and the
disagreements), and the median time per text of each path over R runs (CPU time). Writes
benchmarks/results/language.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import feedparser

from processors.language import LanguageDetector
from processors.lead import clean_body
from producers.corpus import read_corpus, to_raw_article

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KHABAR_SHARED_DIR") or REPO / ".." / "shared")
CORPUS = SHARED / "data" / "saudinewsnet"
FEEDS = SHARED / "data" / "feeds"
OUT = REPO / "benchmarks" / "results" / "language.json"


def saudinewsnet(count: int) -> list[str]:
    texts: list[str] = []
    for path in sorted(CORPUS.glob("*.zip")):
        for article in map(to_raw_article, read_corpus(path)):
            texts.append(f"{article.title}\n{clean_body(article.content or article.summary)}")
            if len(texts) >= count:
                return texts
    return texts


def bbc_urdu() -> list[str]:
    texts: list[str] = []
    for path in sorted(FEEDS.glob("bbc_urdu_rss_*.xml")):
        for entry in feedparser.parse(path.read_bytes()).entries:
            texts.append(f"{entry.get('title', '')}\n{entry.get('summary', '')}")
    return texts


def per_text_us(fn: Callable[[str], object], texts: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        for text in texts:
            fn(text)
        times.append((time.process_time() - start) / len(texts) * 1e6)
    return round(statistics.median(times), 1)


def measure(detector: LanguageDetector, texts: list[str], runs: int) -> dict[str, object]:
    samples = [t[: detector.sample_chars] for t in texts]
    fast = [detector.detect_by_script(s) for s in samples]
    slow = [detector.detect_with_lingua(s) for s in samples]
    decided = [(f, s, t) for f, s, t in zip(fast, slow, samples, strict=True) if f is not None]
    disagreements = [{"fast": f, "lingua": s, "text": t[:120]} for f, s, t in decided if f != s]
    return {
        "texts": len(texts),
        "fast_path_decides": len(decided),
        "agrees_with_lingua": len(decided) - len(disagreements),
        "agreement": round((len(decided) - len(disagreements)) / len(decided), 5) if decided else None,
        "lingua_languages": dict(sorted((str(k), slow.count(k)) for k in set(slow))),
        "disagreements": disagreements[:20],
        "fast_path_us_per_text": per_text_us(detector.detect_by_script, samples, runs),
        "lingua_us_per_text": per_text_us(detector.detect_with_lingua, samples, runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000, help="SaudiNewsNet articles (default 3000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs; medians are reported (default 3)")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS} (set KHABAR_SHARED_DIR)")
    detector = LanguageDetector()
    results: dict[str, object] = {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "saudinewsnet": measure(detector, saudinewsnet(args.articles), args.runs),
        "bbc_urdu": measure(detector, bbc_urdu(), args.runs),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
