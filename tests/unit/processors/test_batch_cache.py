from processors.batch_cache import BatchCache


class Counting:
    """A compute strategy that records each batch it was asked for."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def __call__(self, keys: list[str]) -> list[int]:
        self.batches.append(list(keys))
        return [len(k) for k in keys]


def test_misses_are_computed_once_per_batch_in_first_seen_order() -> None:
    compute = Counting()
    cache = BatchCache(compute, capacity=100)
    assert cache.get_many(["حلب", "دمشق", "حلب", "عمان"]) == [3, 4, 3, 4]
    assert compute.batches == [["حلب", "دمشق", "عمان"]]


def test_hits_do_not_call_compute() -> None:
    compute = Counting()
    cache = BatchCache(compute, capacity=100)
    cache.get_many(["a", "bb"])
    assert cache.get_many(["bb", "a", "bb"]) == [2, 1, 2]
    assert cache.get_many([]) == []
    assert len(compute.batches) == 1


def test_a_full_cache_is_emptied_before_a_batch_never_during_it() -> None:
    compute = Counting()
    cache = BatchCache(compute, capacity=2)
    cache.get_many(["a", "b", "c"])  # over capacity after the batch: every value of this batch returned
    assert len(cache) == 3
    assert cache.get_many(["a", "dd"]) == [1, 2]  # "a" was found before the cache was emptied
    assert compute.batches[-1] == ["dd"]
    assert len(cache) == 1  # emptied, then this batch's new value


def test_clear_empties() -> None:
    cache = BatchCache(Counting(), capacity=10)
    cache.get_many(["x"])
    cache.clear()
    assert len(cache) == 0
