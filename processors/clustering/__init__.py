"""Online story clustering (pure): features, scoring, story state and the clusterer.

>>> from processors.clustering import ClusterConfig, StoryClusterer
>>> len(StoryClusterer(ClusterConfig()))
0
"""

from __future__ import annotations

from .clusterer import Assignment, Copy, StoryClusterer
from .config import ClusterConfig
from .story import Story

__all__ = ["Assignment", "ClusterConfig", "Copy", "Story", "StoryClusterer"]
