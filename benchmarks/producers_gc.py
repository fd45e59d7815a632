"""Is tuning the producer's garbage collector worth it? Parse + publish under several gen-0 thresholds.

Usage: python -m benchmarks.producers_gc [--entries N] [--runs R] [--thresholds default,10000,50000]

Builds the same RSS feeds as benchmarks/producers.py (summary items) and runs parse + publish to the local
Kafka in ONE process, alternating the thresholds run by run (order rotated each round, so a slow spell of the
shared machine is spread over all of them). For each threshold: the median entries per CPU-second, the median
paired ratio to the first threshold, and the share of the CPU spent inside the collector, timed with
``gc.callbacks``: that share bounds what any tuning can gain, and it is far less noisy than the rates.
Prints the figures and writes benchmarks/results/producers_gc.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.producers import (
    CORPUS,
    Feeds,
    Topics,
    build_feeds,
    corpus_rows,
    machine,
    measure,
    parse_and_publish,
    publisher,
)
from contracts.settings import Settings, load_settings

OUT = Path(__file__).resolve().parent / "results" / "producers_gc.json"

PYTHON_GC_THRESHOLDS = gc.get_threshold()


def set_gc(threshold: int) -> None:
    """Undo any earlier tuning and collect; then, unless 0, freeze the heap and set the gen-0 threshold."""
    gc.unfreeze()
    gc.set_threshold(*PYTHON_GC_THRESHOLDS)
    gc.collect()
    if threshold:
        gc.freeze()
        gc.set_threshold(threshold, *PYTHON_GC_THRESHOLDS[1:])


class GcTimer:
    """Wall time spent inside the cyclic garbage collector, and its collections, via ``gc.callbacks``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self._started = 0.0

    def __call__(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections += 1

    def reset(self) -> None:
        self.seconds, self.collections = 0.0, 0


def gc_compare(
    settings: Settings, topics: Topics, feeds: Feeds, thresholds: list[int], rounds: int
) -> dict[str, Any]:
    """Parse + publish under each gen-0 threshold, alternating in one process; medians and paired ratios.

    Round r runs the thresholds in an order rotated by r, so a slow spell on the shared machine is spread
    over all of them; the ratio of a threshold to the first one is the median of the per-round ratios.
    """
    cpu_rates: dict[int, list[float]] = {t: [] for t in thresholds}
    gc_shares: dict[int, list[float]] = {t: [] for t in thresholds}
    collections: dict[int, list[int]] = {t: [] for t in thresholds}
    timer = GcTimer()
    gc.callbacks.append(timer)
    try:
        for r in range(rounds):
            shift = r % len(thresholds)
            for threshold in thresholds[shift:] + thresholds[:shift]:
                set_gc(threshold)
                with publisher(settings, topics, "gc") as pub:
                    timer.reset()
                    cpu = time.process_time()
                    cpu_rates[threshold].append(measure(lambda: parse_and_publish(pub, feeds))[0])
                    gc_shares[threshold].append(timer.seconds / (time.process_time() - cpu))
                    collections[threshold].append(timer.collections)
                print(
                    f"  round {r + 1}: gen-0 threshold {threshold or 'default'}: "
                    f"{cpu_rates[threshold][-1]:,.0f}/s, {gc_shares[threshold][-1]:.2%} of the CPU in the "
                    f"collector ({collections[threshold][-1]} collections)"
                )
    finally:
        gc.callbacks.remove(timer)
        set_gc(0)
    base = thresholds[0]
    return {
        str(t): {
            "median_entries_per_cpu_s": round(statistics.median(cpu_rates[t])),
            "runs_cpu": [round(rate) for rate in cpu_rates[t]],
            "median_gc_share_of_cpu": round(statistics.median(gc_shares[t]), 5),
            "median_collections": statistics.median(collections[t]),
            "paired_ratio_to_first": round(
                statistics.median(a / b for a, b in zip(cpu_rates[t], cpu_rates[base], strict=True)), 3
            ),
        }
        for t in thresholds
    }


def print_gc_compare(figures: dict[str, Any], runs: int) -> None:
    for threshold, rates in figures.items():
        print(
            f"gen-0 threshold {int(threshold) or 'default'}: parse+publish "
            f"{rates['median_entries_per_cpu_s']:,} entries per CPU-second (median of {runs}), "
            f"{rates['paired_ratio_to_first']}x the first (median paired ratio), "
            f"{rates['median_gc_share_of_cpu']:.2%} of the CPU in the collector"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=3000, help="feed entries per run (default 3000)")
    parser.add_argument("--items-per-feed", type=int, default=50, help="items per RSS document (default 50)")
    parser.add_argument("--runs", type=int, default=5, help="rounds over all thresholds (default 5)")
    parser.add_argument(
        "--thresholds",
        default="default,10000,50000",
        help="gen-0 thresholds to compare, comma-separated; 'default' is Python's own (700)",
    )
    parser.add_argument("--partitions", type=int, default=6, help="partitions of the benchmark topic")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS} (set KHABAR_SHARED_DIR)")
    thresholds = [0 if t.strip() == "default" else int(t) for t in args.thresholds.split(",") if t.strip()]
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    feeds = build_feeds(list(corpus_rows(args.entries)), args.items_per_feed, full=False)
    settings = load_settings()
    topics = Topics(settings, args.partitions)
    load_before = machine(cpu)["load_average"]
    try:
        figures = gc_compare(settings, topics, feeds, thresholds, args.runs)
    finally:
        topics.close()
    print_gc_compare(figures, args.runs)
    report = {
        "benchmark": "producers parse + publish under gc thresholds (one process, alternating)",
        "command": "python -m benchmarks.producers_gc " + " ".join(sys.argv[1:]),
        "entries": args.entries,
        "runs": args.runs,
        "results": figures,
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "machine": {**machine(cpu), "load_average_before": load_before},
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(OUT.parents[2])}")


if __name__ == "__main__":
    main()
