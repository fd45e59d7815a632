"""Bulk writes to Elasticsearch that never drop a document (async adapter).

:class:`BulkWriter` sends a batch of :class:`~sinks.documents.BulkAction` with one ``_bulk`` request and sorts
the answer per item:

- 2xx: written (``noop`` counted apart: a replay that changed nothing);
- 409 on an action marked ``on_conflict="stale"`` (an older story version): stale, expected, not an error;
- 409 on an action marked ``on_conflict="retry"`` (a lost optimistic-concurrency race): handed back, and
  :meth:`BulkWriter.merge` re-reads the document, merges again and rewrites it;
- 429 and 5xx items: sent again, alone, after a backoff;
- any other item error (a mapping error, a malformed document): returned as an :class:`ItemFailure`, for the
  caller's dead-letter topic.

When the request itself fails (connection refused or reset, timeout, 429, 5xx) the *whole* batch is retried
with exponential backoff for as long as Elasticsearch stays away: the caller's ``await`` simply takes longer,
which is the back-pressure that holds the stream. Nothing is dropped, nothing is acknowledged early. A batch
over the cluster's ``http.max_content_length`` (413) is written in halves; one document too large alone is
returned as an :class:`ItemFailure` (status 413). Any other refusal of the request (401, 403, a malformed
request) raises :class:`BulkRequestError`: it is not the documents' fault, and nothing is acknowledged.

:meth:`BulkWriter.merge` is a batched read-merge-write: ``mget`` (real-time) the current documents, merge each
with a pure function, write only what changed, conditioned on the ``_seq_no`` that was read (or ``create`` for
a new document), and repeat for the ones another writer changed in between.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import structlog
from elasticsearch import ApiError, AsyncElasticsearch, TransportError

from sinks.documents import BulkAction
from sinks.errors import BulkRequestError

log = structlog.get_logger(__name__)

T = TypeVar("T")
# (position in the batch, the stored source or None) -> the new source, or None to leave the document as it is
Merge = Callable[[int, Mapping[str, Any] | None], Mapping[str, Any] | None]
Sleep = Callable[[float], Awaitable[None]]
OnRetry = Callable[[str, float], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Backoff:
    """Exponential backoff: ``initial_s``, doubled (``factor``) each attempt, capped at ``max_s``."""

    initial_s: float = 0.5
    max_s: float = 30.0
    factor: float = 2.0

    def delays(self) -> Iterator[float]:
        """The delays before each retry, forever.

        >>> from itertools import islice
        >>> list(islice(Backoff(initial_s=1.0, max_s=5.0).delays(), 5))
        [1.0, 2.0, 4.0, 5.0, 5.0]
        """
        delay = self.initial_s
        while True:
            yield min(delay, self.max_s)
            delay = min(delay * self.factor, self.max_s)


@dataclass(frozen=True, slots=True)
class ItemFailure:
    """One action Elasticsearch refused for good: its position in the batch, status and reason."""

    position: int
    action: BulkAction
    status: int
    error_type: str
    reason: str


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    """What became of a batch."""

    written: int
    noop: int
    stale: int
    failures: tuple[ItemFailure, ...]
    retries: int
    conflicts: tuple[int, ...] = ()

    @property
    def failed_positions(self) -> frozenset[int]:
        return frozenset(f.position for f in self.failures)


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, ApiError):
        return exc.meta.status == 429 or exc.meta.status >= 500
    return isinstance(exc, TransportError)  # connection refused/reset, timeouts, TLS hiccups


class BulkWriter:
    """Writes batches with ``_bulk``, retrying what can succeed later and returning what never will."""

    def __init__(
        self,
        es: AsyncElasticsearch,
        *,
        backoff: Backoff | None = None,
        sleep: Sleep = asyncio.sleep,
        on_retry: OnRetry | None = None,
    ) -> None:
        self._es = es
        self._backoff = backoff or Backoff()
        self._sleep = sleep
        self._on_retry = on_retry

    @property
    def es(self) -> AsyncElasticsearch:
        return self._es

    async def call(self, what: str, request: Callable[[], Awaitable[T]]) -> T:
        """Run one request, retrying connection errors, 429 and 5xx with backoff until it succeeds."""
        delays = self._backoff.delays()
        while True:
            try:
                return await request()
            except (ApiError, TransportError) as exc:
                if not _retryable(exc):
                    raise BulkRequestError(
                        f"Elasticsearch refused {what}: {exc}; check the cluster settings and credentials"
                    ) from exc
                await self._wait(what, exc, next(delays))

    async def _wait(self, what: str, exc: Exception, delay: float) -> None:
        log.warning("elasticsearch unavailable, retrying", request=what, error=str(exc)[:200], delay_s=delay)
        if self._on_retry is not None:
            self._on_retry(what, delay)
        await self._sleep(delay)

    async def write(self, actions: Sequence[BulkAction]) -> BulkOutcome:
        """Write ``actions``; return once every one is written, stale or failed for good."""
        try:
            return await self._write(actions)
        except BulkRequestError as exc:
            if not isinstance(exc.__cause__, ApiError) or exc.__cause__.meta.status != 413 or not actions:
                raise
            if len(actions) == 1:
                reason = f"the document alone is over the cluster's http.max_content_length: {exc.__cause__}"
                failure = ItemFailure(0, actions[0], 413, "request_too_large", reason[:500])
                return BulkOutcome(0, 0, 0, (failure,), 0)
            half = len(actions) // 2
            log.warning("bulk request too large, writing it in halves", actions=len(actions))
            return _joined(await self.write(actions[:half]), await self.write(actions[half:]), half)

    async def _write(self, actions: Sequence[BulkAction]) -> BulkOutcome:
        written = noop = stale = retries = 0
        failures: list[ItemFailure] = []
        conflicts: list[int] = []
        pending = list(range(len(actions)))
        delays = self._backoff.delays()
        while pending:
            operations: list[dict[str, Any]] = []
            for position in pending:
                operations.extend(actions[position].lines())
            response = await self.call("bulk", lambda ops=operations: self._es.bulk(operations=ops))  # type: ignore[misc]
            again: list[int] = []
            for position, item in zip(pending, response["items"], strict=True):
                result = next(iter(item.values()))
                status = int(result.get("status", 500))
                action = actions[position]
                if status < 300:
                    if result.get("result") == "noop":
                        noop += 1
                    else:
                        written += 1
                elif status == 409 and action.on_conflict == "stale":
                    stale += 1
                elif status == 409 and action.on_conflict == "retry":
                    conflicts.append(position)
                elif status == 429 or status >= 500:
                    again.append(position)
                else:
                    error = result.get("error") or {}
                    failures.append(
                        ItemFailure(
                            position=position,
                            action=action,
                            status=status,
                            error_type=str(error.get("type", "unknown")),
                            reason=str(error.get("reason", error))[:500],
                        )
                    )
            pending = again
            if pending:
                retries += 1
                await self._wait("bulk items", RuntimeError(f"{len(pending)} item(s) rejected"), next(delays))
        return BulkOutcome(written, noop, stale, tuple(failures), retries, tuple(sorted(conflicts)))

    async def merge(self, targets: Sequence[tuple[str, str]], merge: Merge) -> BulkOutcome:
        """Read-merge-write the documents ``targets`` (index or alias, id) with optimistic concurrency.

        ``merge`` gets each target's position and stored source (``None`` when absent) and returns the new
        source, or ``None`` to leave it; an unchanged source is not written (``noop``).
        """
        written = noop = retries = 0
        failures: list[ItemFailure] = []
        pending = list(range(len(targets)))
        while pending:
            docs = [{"_index": targets[p][0], "_id": targets[p][1]} for p in pending]
            response = await self.call("mget", lambda docs=docs: self._es.mget(docs=docs))  # type: ignore[misc]
            actions: list[BulkAction] = []
            positions: list[int] = []
            for position, doc in zip(pending, response["docs"], strict=True):
                found = bool(doc.get("found"))
                current = doc["_source"] if found else None
                new = merge(position, current)
                if new is None or new == current:
                    noop += 1
                    continue
                index, doc_id = targets[position]
                if found:
                    action = BulkAction(
                        "index",
                        doc["_index"],
                        doc_id,
                        new,
                        if_seq_no=doc["_seq_no"],
                        if_primary_term=doc["_primary_term"],
                        on_conflict="retry",
                    )
                else:
                    action = BulkAction("create", index, doc_id, new, on_conflict="retry")
                actions.append(action)
                positions.append(position)
            outcome = await self.write(actions)
            written += outcome.written
            retries += outcome.retries
            failures.extend(
                ItemFailure(positions[f.position], f.action, f.status, f.error_type, f.reason)
                for f in outcome.failures
            )
            pending = [positions[i] for i in outcome.conflicts]
            retries += 1 if pending else 0
        return BulkOutcome(written, noop, 0, tuple(sorted(failures, key=lambda f: f.position)), retries)


def _joined(first: BulkOutcome, second: BulkOutcome, offset: int) -> BulkOutcome:
    """The outcome of a batch written as two parts, the second starting at position ``offset``."""
    moved = tuple(replace(f, position=f.position + offset) for f in second.failures)
    return BulkOutcome(
        first.written + second.written,
        first.noop + second.noop,
        first.stale + second.stale,
        first.failures + moved,
        first.retries + second.retries,
        first.conflicts + tuple(c + offset for c in second.conflicts),
    )
