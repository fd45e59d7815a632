"""Story clustering's public face for the Faust stage: the clusterer, its config and its assignments.

The implementation lives in :mod:`processors.clustering` (features, scoring, story state, clusterer); this
module is the one import the agent needs.

>>> from processors.stories import ClusterConfig, StoryClusterer
>>> len(StoryClusterer(ClusterConfig()))
0
"""

from __future__ import annotations

from processors.clustering import Assignment, ClusterConfig, Copy, Story, StoryClusterer

__all__ = ["Assignment", "ClusterConfig", "Copy", "Story", "StoryClusterer"]
