"""``khabar eval``: measure dedupe and story clustering on labelled data, through the pipeline's own code."""

from __future__ import annotations

import click


@click.group("eval")
def eval_group() -> None:
    """Measure quality on labelled data: near-duplicates, story clustering, similarity pairs.

    Every evaluation streams its input through the same code the Faust workers run, in time order.
    """
