"""``khabar eval``: measure dedupe and story clustering on labelled data, through the pipeline's own code."""

from __future__ import annotations

import click

from khabar.eval_clustering_cmd import clustering_cmd, pairs_cmd
from khabar.eval_dedupe_cmd import dedupe_cmd
from khabar.eval_names_cmd import entities_cmd, places_cmd


@click.group("eval")
def eval_group() -> None:
    """Measure quality: near-duplicates, story clustering, similarity pairs, names and places.

    Every evaluation streams its input through the same code the Faust workers run, in time order.
    """


eval_group.add_command(clustering_cmd)
eval_group.add_command(pairs_cmd)
eval_group.add_command(dedupe_cmd)
eval_group.add_command(entities_cmd)
eval_group.add_command(places_cmd)
