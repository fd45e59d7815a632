"""Throughput of online story clustering with 20,000 active stories, and memory per active story.

Usage: python benchmarks/clustering.py [--stories N] [--seed-articles N] [--measure-articles N] [--runs N]

Warm state (replayed, then cloned): the first ``--seed-articles`` real SaudiNewsNet articles (from 2015-07-21
on) go through ``StoryClusterer.assign``; the drained story entries (real profiles) are cloned under new ids
until ``--stories`` stories exist, and a fresh clusterer is restored from them. Clones share their profiles,
so candidate lists are longer than in a real stream: a pessimistic warm state. The window is set to 60 days
so that no story closes during the run. Then the next ``--measure-articles`` real articles (2015-08-06 on)
are assigned, timed two ways: ``assign`` alone, and ``assign`` plus ``drain_changes`` (the agent's work per
message, with the table entries serialised). Median of ``--runs`` runs, each from the same restored state.
Rates are given per wall-clock second and per CPU second of this process (time.process_time: the one-core
figure, less disturbed by other processes on a shared machine). Memory per active story: traced allocations
of a restore, divided by the stories.
Writes benchmarks/results/clustering.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

# benchmarks/producers.py would shadow the producers package: drop this folder from the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from contracts.schemas import EnrichedArticle  # noqa: E402
from khabar.eval_clustering_cmd import GoldArticle, gold_id, plain_enrich, to_enriched  # noqa: E402
from processors.lead import lead  # noqa: E402
from processors.stories import ClusterConfig, StoryClusterer  # noqa: E402
from producers.corpus import CorpusArticle, read_corpus  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KHABAR_SHARED_DIR") or REPO / ".." / "shared")
CORPUS = SHARED / "data" / "saudinewsnet"
OUT = REPO / "benchmarks" / "results" / "clustering.json"
CONFIG = ClusterConfig(window=timedelta(days=60))


def load(since: datetime, until: datetime, limit: int) -> list[EnrichedArticle]:
    out: list[EnrichedArticle] = []
    for day in sorted(CORPUS.glob("*.zip")):
        if not since.date() <= datetime.strptime(day.stem, "%Y-%m-%d").date() < until.date():
            continue
        for item in read_corpus(day):
            if isinstance(item, CorpusArticle) and len(out) < limit:
                g = GoldArticle(
                    gold_id(item.url), "", item.outlet, item.url, item.published, item.title, item.content
                )
                # with its lead, as the pipeline's articles have one: it becomes the story's summary
                enriched = to_enriched(g, title_only=False, enrich=plain_enrich)
                out.append(enriched.model_copy(update={"lead": lead(item.content)}))
        if len(out) >= limit:
            break
    return out


def warm_entries(seed: list[EnrichedArticle], stories: int) -> dict[str, bytes]:
    clusterer = StoryClusterer(CONFIG)
    for article in seed:
        clusterer.assign(article)
    drained = clusterer.drain_changes()
    originals = {k: v for k, v in drained.items() if k.startswith("story/") and v is not None}
    entries: dict[str, bytes] = dict(originals)
    copy = 0
    while len(entries) < stories:
        copy += 1
        for _key, value in originals.items():
            if len(entries) >= stories:
                break
            data = json.loads(value)
            data["story_id"] = f"{data['story_id']}-c{copy}"
            data["article_ids"] = [f"{a}c{copy:04x}" for a in data["article_ids"]]
            entries[f"story/{data['story_id']}"] = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stories", type=int, default=20_000, help="active stories in the warm state")
    parser.add_argument("--seed-articles", type=int, default=4000, help="real articles replayed for profiles")
    parser.add_argument("--measure-articles", type=int, default=1000, help="real articles timed per run")
    parser.add_argument("--runs", type=int, default=3, help="runs; the median is reported")
    args = parser.parse_args()

    seed = load(datetime(2015, 7, 21, tzinfo=UTC), datetime(2015, 8, 6, tzinfo=UTC), args.seed_articles)
    probe = load(datetime(2015, 8, 6, tzinfo=UTC), datetime(2015, 8, 12, tzinfo=UTC), args.measure_articles)
    entries = warm_entries(seed, args.stories)

    tracemalloc.start()
    sized = StoryClusterer(CONFIG)
    sized.restore(entries)
    traced, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_story = traced / len(sized)

    assign_rates: list[float] = []
    agent_rates: list[float] = []
    assign_cpu: list[float] = []
    agent_cpu: list[float] = []
    for _ in range(args.runs):
        for with_drain, rates, cpu in ((False, assign_rates, assign_cpu), (True, agent_rates, agent_cpu)):
            clusterer = StoryClusterer(CONFIG)
            clusterer.restore(entries)
            started, started_cpu = time.perf_counter(), time.process_time()
            for article in probe:
                clusterer.assign(article)
                if with_drain:
                    clusterer.drain_changes()
            cpu.append(len(probe) / (time.process_time() - started_cpu))
            rates.append(len(probe) / (time.perf_counter() - started))
    result = {
        "active_stories": len(sized),
        "warm_state": f"{len(seed)} replayed articles' stories cloned to {len(sized)}",
        "measured_articles": len(probe),
        "runs": args.runs,
        "assign_articles_per_s_median": round(statistics.median(assign_rates), 1),
        "assign_and_drain_articles_per_s_median": round(statistics.median(agent_rates), 1),
        "assign_articles_per_s_runs": [round(r, 1) for r in assign_rates],
        "assign_articles_per_cpu_s_median": round(statistics.median(assign_cpu), 1),
        "assign_and_drain_articles_per_cpu_s_median": round(statistics.median(agent_cpu), 1),
        "assign_articles_per_cpu_s_runs": [round(r, 1) for r in assign_cpu],
        "memory_bytes_per_active_story": round(per_story),
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "load": os.getloadavg(),
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"{result['assign_articles_per_s_median']:,.0f} articles/s (assign), "
        f"{result['assign_and_drain_articles_per_s_median']:,.0f} articles/s (assign + drain) with "
        f"{len(sized):,} active stories; per CPU second (one core, unaffected by other processes' load): "
        f"{result['assign_articles_per_cpu_s_median']:,.0f} (assign), "
        f"{result['assign_and_drain_articles_per_cpu_s_median']:,.0f} (assign + drain); "
        f"{per_story / 1024:,.1f} KiB per active story"
    )


if __name__ == "__main__":
    main()
