"""BulkWriter against a scripted fake client: retries on outages and 429 items, failures returned."""

from __future__ import annotations

from typing import Any

import pytest
from elastic_transport import ApiResponseMeta, ConnectionError, HttpHeaders, NodeConfig
from elasticsearch import ApiError

from sinks.bulk import Backoff, BulkWriter
from sinks.documents import BulkAction
from sinks.errors import BulkRequestError


def _meta(status: int) -> ApiResponseMeta:
    return ApiResponseMeta(status, "1.1", HttpHeaders(), 0.0, NodeConfig("http", "localhost", 9200))


class FakeElasticsearch:
    """Answers ``bulk`` from a script: an exception to raise, or the item statuses to return."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.calls: list[list[dict[str, Any]]] = []

    async def bulk(self, *, operations: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(operations)
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return {"items": [{"index": item} for item in step]}


def _writer(fake: FakeElasticsearch, slept: list[float]) -> BulkWriter:
    async def sleep(delay: float) -> None:
        slept.append(delay)

    return BulkWriter(fake, backoff=Backoff(initial_s=1, max_s=4), sleep=sleep)  # type: ignore[arg-type]


def _actions(n: int) -> list[BulkAction]:
    return [BulkAction("index", "i", str(i), {"n": i}) for i in range(n)]


async def test_a_down_cluster_is_retried_with_backoff_until_it_answers() -> None:
    down = ConnectionError("refused")
    fake = FakeElasticsearch([down, down, ApiError("busy", _meta(503), {}), down, [{"status": 201}] * 2])
    slept: list[float] = []
    outcome = await _writer(fake, slept).write(_actions(2))
    assert outcome.written == 2
    assert not outcome.failures
    assert slept == [1, 2, 4, 4]
    assert len(fake.calls) == 5
    assert all(len(call) == 4 for call in fake.calls)


async def test_rejected_items_are_resent_alone_and_bad_ones_returned() -> None:
    first = [
        {"status": 201},
        {"status": 429, "error": {"type": "es_rejected_execution_exception"}},
        {"status": 400, "error": {"type": "mapper_parsing_exception", "reason": "bad date"}},
    ]
    fake = FakeElasticsearch([first, [{"status": 201}]])
    outcome = await _writer(fake, []).write(_actions(3))
    assert outcome.written == 2
    assert outcome.retries == 1
    [failure] = outcome.failures
    assert (failure.position, failure.error_type, failure.reason) == (
        2,
        "mapper_parsing_exception",
        "bad date",
    )
    assert fake.calls[1] == _actions(3)[1].lines()


async def test_a_stale_version_is_not_an_error_and_a_lost_race_is_handed_back() -> None:
    actions = [
        BulkAction("index", "i", "s", {}, version=1, on_conflict="stale"),
        BulkAction("index", "i", "a", {}, if_seq_no=1, if_primary_term=1, on_conflict="retry"),
        BulkAction("index", "i", "b", {}),
    ]
    fake = FakeElasticsearch(
        [[{"status": 409}, {"status": 409}, {"status": 409, "error": {"type": "conflict"}}]]
    )
    outcome = await _writer(fake, []).write(actions)
    assert (outcome.stale, outcome.conflicts, [f.position for f in outcome.failures]) == (1, (1,), [2])


async def test_an_unauthorised_request_is_an_error_not_a_retry() -> None:
    fake = FakeElasticsearch([ApiError("security_exception", _meta(401), {})])
    with pytest.raises(BulkRequestError, match="refused bulk"):
        await _writer(fake, []).write(_actions(1))


async def test_a_batch_too_large_for_the_cluster_is_written_in_halves_and_a_huge_document_returned() -> None:
    too_large = ApiError("request entity too large", _meta(413), {})
    ok, created = {"status": 200, "result": "updated"}, {"status": 201, "result": "created"}
    # 4 actions: refused whole; the first half is written; the second half is refused, then its parts:
    # the first written, the last too large even alone
    fake = FakeElasticsearch([too_large, [ok, ok], too_large, [created], too_large])
    outcome = await _writer(fake, []).write(_actions(4))
    assert [len(call) // 2 for call in fake.calls] == [4, 2, 2, 1, 1]
    assert (outcome.written, outcome.retries) == (3, 0)
    [failure] = outcome.failures
    assert (failure.position, failure.status, failure.error_type) == (3, 413, "request_too_large")
    assert "alone is over the cluster's http.max_content_length" in failure.reason
