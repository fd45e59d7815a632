"""Fetch feeds over HTTP, politely and within limits (the HTTP adapter; ``httpx.AsyncClient``).

Every request is a conditional GET: the ``ETag`` and ``Last-Modified`` of the last good response go back as
``If-None-Match`` and ``If-Modified-Since``, so an unchanged feed costs the outlet a ``304`` and no body. The
client names khabar in its ``User-Agent``, accepts gzip, follows at most ``max_redirects`` redirects, gives
up on a connect or read timeout and on a whole request slower than both together, and streams the raw body
through :class:`~producers.content_encoding.BoundedDecoder`, stopping as soon as it passes
``max_response_bytes`` decoded (so a gzip bomb stops at the limit, not in memory).

A failure is a value, not an exception: :meth:`Fetcher.fetch` returns a :class:`FetchResult` whose
``outcome`` says what went wrong, so one dead feed never stops a round. :meth:`FetchResult.raise_for_failure`
turns it into a :class:`FetchError` where an exception is wanted. The transport is injected
(``httpx.MockTransport`` in unit tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Final, Literal

import httpx

from contracts.settings import ProducerSettings

from .content_encoding import BoundedDecoder
from .errors import BodyTooLargeError, FetchError, UnsupportedEncodingError
from .politeness import HostGate

__all__ = ["ACCEPT", "FetchResult", "Fetcher", "Outcome", "Validators", "retry_after_s"]

#: Feed types first; anything else is still read (many outlets serve feeds as text/html).
ACCEPT: Final = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
Outcome = Literal["ok", "not_modified", "http_error", "timeout", "network", "too_large", "redirects"]


@dataclass(frozen=True, slots=True)
class Validators:
    """What makes the next GET conditional: the last good response's ``ETag`` and ``Last-Modified``.

    >>> Validators(etag='"abc"').request_headers()
    {'If-None-Match': '"abc"'}
    """

    etag: str | None = None
    last_modified: str | None = None

    def request_headers(self) -> dict[str, str]:
        """The conditional request headers these validators call for."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One fetch: the outcome, the body (empty unless ``ok``), headers, new validators and timing."""

    url: str
    outcome: Outcome
    status: int | None = None
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    validators: Validators = field(default_factory=Validators)
    final_url: str | None = None
    error: str | None = None
    retry_after_s: float | None = None
    elapsed_s: float = 0.0

    @property
    def failed(self) -> bool:
        """True unless the feed answered with a body or ``304 Not Modified``."""
        return self.outcome not in ("ok", "not_modified")

    def raise_for_failure(self) -> FetchResult:
        """Return ``self``, or raise :class:`FetchError` naming the URL and what went wrong."""
        if self.failed:
            raise FetchError(f"feed {self.url}: {self.outcome}: {self.error}")
        return self


def retry_after_s(value: str | None, *, now: datetime) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date), or None.

    >>> retry_after_s("120", now=datetime(2024, 1, 1, tzinfo=UTC))
    120.0
    >>> retry_after_s("Mon, 01 Jan 2024 00:05:00 GMT", now=datetime(2024, 1, 1, tzinfo=UTC))
    300.0
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


class Fetcher:
    """An async HTTP client for feeds; one per process, closed with :meth:`aclose` (or ``async with``)."""

    def __init__(
        self,
        settings: ProducerSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_bytes = settings.max_response_bytes
        self._max_redirects = settings.max_redirects
        self._deadline_s = settings.connect_timeout_s + settings.read_timeout_s
        self._clock = clock
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout_s,
                read=settings.read_timeout_s,
                write=settings.connect_timeout_s,
                pool=None,  # waiting for a pooled connection is bounded by the round's own limits
            ),
            limits=httpx.Limits(max_connections=settings.max_concurrency, max_keepalive_connections=8),
            follow_redirects=False,  # hop by hop in _get: each new host takes its own politeness slot
            headers={
                "User-Agent": settings.user_agent,
                "Accept": ACCEPT,
                "Accept-Encoding": "gzip, deflate",
            },
        )

    async def fetch(
        self, url: str, validators: Validators | None = None, *, gate: HostGate | None = None
    ) -> FetchResult:
        """GET ``url`` conditionally; never raises for a network, HTTP or size problem (see ``outcome``).

        Redirects are followed hop by hop (at most ``max_redirects``). With a ``gate``, a hop to another host
        first takes that host's slot and politeness delay; the caller holds the slot of ``url``'s own host.
        """
        validators = validators or Validators()
        started = self._clock()
        outcome: Outcome
        try:
            async with asyncio.timeout(self._deadline_s):
                return await self._get(url, validators, started, gate)
        except TimeoutError:
            outcome, error = "timeout", f"no complete answer within {self._deadline_s:g}s"
        except httpx.TimeoutException as exc:
            outcome, error = "timeout", f"{type(exc).__name__}: {exc or 'timed out'}"
        except httpx.TooManyRedirects as exc:
            outcome, error = "redirects", f"more than the allowed redirects: {exc}"
        except BodyTooLargeError as exc:
            outcome, error = "too_large", str(exc)
        except UnsupportedEncodingError as exc:
            outcome, error = "http_error", str(exc)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            outcome, error = "network", f"{type(exc).__name__}: {exc or 'connection failed'}"
        return FetchResult(url=url, outcome=outcome, error=error, elapsed_s=self._clock() - started)

    async def _get(
        self, url: str, validators: Validators, started: float, gate: HostGate | None
    ) -> FetchResult:
        request = self._client.build_request("GET", url, headers=validators.request_headers())
        async with contextlib.AsyncExitStack() as held:
            hosts = {request.url.host.lower()}  # the caller holds the first host's slot
            for hop in range(self._max_redirects + 1):
                response = await self._client.send(request, stream=True, follow_redirects=False)
                held.push_async_callback(response.aclose)
                if response.next_request is None:
                    return await self._answer(url, response, validators, started)
                if hop == self._max_redirects:
                    break
                await response.aclose()
                request = response.next_request
                host = request.url.host.lower()
                if gate is not None and host not in hosts:
                    await held.enter_async_context(gate.slot(host))
                    hosts.add(host)
        raise httpx.TooManyRedirects(f"Exceeded maximum allowed redirects ({self._max_redirects})")

    async def _answer(
        self, url: str, response: httpx.Response, validators: Validators, started: float
    ) -> FetchResult:
        status = response.status_code
        headers = dict(response.headers.items())
        final_url = str(response.url)
        if status == 304:
            return FetchResult(
                url=url,
                outcome="not_modified",
                status=status,
                headers=headers,
                validators=_validators(response.headers, fallback=validators),
                final_url=final_url,
                elapsed_s=self._clock() - started,
            )
        if not 200 <= status < 300:
            return FetchResult(
                url=url,
                outcome="http_error",
                status=status,
                headers=headers,
                final_url=final_url,
                error=f"HTTP {status} {response.reason_phrase}".strip(),
                retry_after_s=retry_after_s(response.headers.get("retry-after"), now=datetime.now(UTC)),
                elapsed_s=self._clock() - started,
            )
        body = await self._read_limited(response)
        return FetchResult(
            url=url,
            outcome="ok",
            status=status,
            body=body,
            headers=headers,
            validators=_validators(response.headers, fallback=Validators()),
            final_url=final_url,
            elapsed_s=self._clock() - started,
        )

    async def _read_limited(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise BodyTooLargeError(f"declared {int(declared)} bytes, over the {self._max_bytes}-byte limit")
        if response.is_stream_consumed:  # built from bytes already in memory (a mock transport's answer)
            if len(response.content) > self._max_bytes:
                raise BodyTooLargeError(f"body passed the {self._max_bytes}-byte limit; stopped reading")
            return response.content
        decoder = BoundedDecoder(response.headers.get("content-encoding", ""), max_bytes=self._max_bytes)
        chunks = [decoder.feed(chunk) async for chunk in response.aiter_raw()]  # raw: httpx decodes unbounded
        chunks.append(decoder.finish())
        return b"".join(chunks)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()


def _validators(headers: httpx.Headers, *, fallback: Validators) -> Validators:
    return Validators(
        etag=headers.get("etag") or fallback.etag,
        last_modified=headers.get("last-modified") or fallback.last_modified,
    )
