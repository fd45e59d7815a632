"""A bounded cache whose misses are computed in one batch: the text modules' one-lookup-per-chunk idiom.

An article is a few hundred whitespace chunks, most of them seen before. ``get_many`` looks every chunk up
(one C-level ``map``), gathers the distinct misses and computes them with ONE call of the injected
``compute`` (one normalisation and one Snowball call for the lot instead of one per chunk).

The cache is emptied when it has grown past ``capacity``, before a batch is added, never in the middle of
one. A newsroom's vocabulary comes back in no particular order, so an LRU smaller than the working set
would miss on every cyclic pass; a full reset costs one warm-up. It is a cache, not state: losing it
costs only time.

>>> calls = []
>>> upper = BatchCache(lambda keys: calls.append(keys) or [k.upper() for k in keys], capacity=8)
>>> upper.get_many(["a", "b", "a"]), upper.get_many(["b", "c"]), calls
(['A', 'B', 'A'], ['B', 'C'], [['a', 'b'], ['c']])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from itertools import compress
from operator import is_
from typing import Final, Generic, TypeVar

__all__ = ["BatchCache"]

V = TypeVar("V")

_IS_NONE: Final = partial(is_, None)


class BatchCache(Generic[V]):
    """String key -> value (never ``None``), the missing values computed in batches by ``compute``, which
    takes distinct keys and returns their values in the same order."""

    __slots__ = ("_capacity", "_compute", "_values")

    def __init__(self, compute: Callable[[list[str]], Sequence[V]], *, capacity: int) -> None:
        self._compute = compute
        self._capacity = capacity
        self._values: dict[str, V] = {}

    def __len__(self) -> int:
        return len(self._values)

    def get_many(self, keys: list[str]) -> list[V]:
        """The value of every key, in order; the distinct missing keys are computed in one call."""
        values = self._values
        found = list(map(values.get, keys))
        if None not in found:
            return found  # type: ignore[return-value]  # no None in it
        if len(values) > self._capacity:
            values.clear()
        missing = list(dict.fromkeys(compress(keys, map(_IS_NONE, found))))
        new = dict(zip(missing, self._compute(missing), strict=True))
        values.update(new)
        return list(map(new.get, keys, found))  # type: ignore[arg-type]  # a small dict; hashes are cached

    def clear(self) -> None:
        """Empty the cache (for benchmarks and tests)."""
        self._values.clear()
