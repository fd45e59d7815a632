"""Unit tests for producers.fetch: conditional GET, limits, redirects, timeouts and failures as values."""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import zlib
from collections.abc import Callable

import httpx
import pytest

from contracts.settings import ProducerSettings
from producers.errors import FetchError
from producers.fetch import Fetcher, Validators
from producers.politeness import HostGate

pytestmark = pytest.mark.unit

URL = "https://news.example/rss.xml"
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def fetcher(handler: httpx.MockTransport | None = None, **settings: object) -> Fetcher:
    return Fetcher(ProducerSettings(**settings), transport=handler)  # type: ignore[arg-type]


async def test_first_fetch_sends_user_agent_and_keeps_validators() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, content=FEED, headers={"ETag": '"v1"', "Last-Modified": "Sat, 08 Aug 2015 03:00:00 GMT"}
        )

    async with fetcher(httpx.MockTransport(handler)) as client:
        result = await client.fetch(URL)
    assert result.outcome == "ok"
    assert result.status == 200
    assert result.body == FEED
    assert result.validators == Validators('"v1"', "Sat, 08 Aug 2015 03:00:00 GMT")
    request = seen[0]
    assert "khabar" in request.headers["User-Agent"]
    assert "gzip" in request.headers["Accept-Encoding"]
    assert "If-None-Match" not in request.headers
    assert "If-Modified-Since" not in request.headers


async def test_conditional_get_and_304_keeps_old_validators() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["If-None-Match"] == '"v1"'
        assert request.headers["If-Modified-Since"] == "Sat, 08 Aug 2015 03:00:00 GMT"
        return httpx.Response(304)

    async with fetcher(httpx.MockTransport(handler)) as client:
        result = await client.fetch(URL, Validators('"v1"', "Sat, 08 Aug 2015 03:00:00 GMT"))
    assert result.outcome == "not_modified"
    assert not result.failed
    assert result.body == b""
    assert result.validators == Validators('"v1"', "Sat, 08 Aug 2015 03:00:00 GMT")


async def test_gzip_bodies_are_decoded() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=gzip.compress(FEED), headers={"Content-Encoding": "gzip"})

    async with fetcher(httpx.MockTransport(handler)) as client:
        assert (await client.fetch(URL)).body == FEED


async def test_http_errors_are_values_with_retry_after() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": "120"})

    async with fetcher(httpx.MockTransport(handler)) as client:
        result = await client.fetch(URL)
    assert result.failed
    assert result.outcome == "http_error"
    assert result.status == 503
    assert result.retry_after_s == 120.0
    assert "503" in (result.error or "")
    with pytest.raises(FetchError, match=r"feed https://news\.example/rss\.xml: http_error: HTTP 503"):
        result.raise_for_failure()


async def test_declared_size_over_the_limit_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x" * 5000)

    async with fetcher(httpx.MockTransport(handler), max_response_bytes=1024) as client:
        result = await client.fetch(URL)
    assert result.outcome == "too_large"
    assert "1024" in (result.error or "")


async def test_streamed_body_stops_at_the_limit_even_without_length() -> None:
    chunks_sent = 0

    async def stream() -> object:
        nonlocal chunks_sent
        for _ in range(1000):
            chunks_sent += 1
            yield b"y" * 512

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=stream())  # type: ignore[arg-type]

    async with fetcher(httpx.MockTransport(handler), max_response_bytes=2048) as client:
        result = await client.fetch(URL)
    assert result.outcome == "too_large"
    assert chunks_sent < 1000  # stopped reading, did not drain the stream


async def test_gzip_bomb_is_bounded_by_the_decoded_size() -> None:
    bomb = gzip.compress(b"\0" * 200_000)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=bomb, headers={"Content-Encoding": "gzip"})

    async with fetcher(httpx.MockTransport(handler), max_response_bytes=50_000) as client:
        assert (await client.fetch(URL)).outcome == "too_large"


def _streamed(body: bytes, encoding: str) -> httpx.MockTransport:
    """A transport answering with ``body`` streamed from the network in 16 KB chunks, as sent (encoded)."""

    async def stream() -> object:
        for start in range(0, len(body), 16_384):
            yield body[start : start + 16_384]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=stream(), headers={"Content-Encoding": encoding})  # type: ignore[arg-type]

    return httpx.MockTransport(handler)


async def test_a_streamed_gzip_bomb_stops_at_the_limit_without_inflating_in_memory() -> None:
    bomb = gzip.compress(b"\0" * 200_000_000)  # 200 MB in about 200 KB
    tracemalloc.start()
    try:
        async with fetcher(_streamed(bomb, "gzip"), max_response_bytes=1_000_000) as client:
            result = await client.fetch(URL)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.outcome == "too_large"
    assert "(decoded)" in (result.error or "")
    assert peak < 20_000_000  # httpx's own decoding inflated each 16 KB chunk whole: 16 MB at a time


@pytest.mark.parametrize(
    ("body", "encoding", "message"),
    [
        (gzip.compress(gzip.compress(FEED)), "gzip, gzip", "only one gzip or deflate layer"),
        (FEED, "br", "Content-Encoding 'br'"),
        (b"not gzip at all", "gzip", "does not decode"),
    ],
    ids=["stacked", "unasked", "corrupt"],
)
async def test_an_encoding_not_asked_for_or_broken_is_a_named_failure(
    body: bytes, encoding: str, message: str
) -> None:
    async with fetcher(_streamed(body, encoding)) as client:
        result = await client.fetch(URL)
    assert result.outcome == "http_error"
    assert message in (result.error or "")


@pytest.mark.parametrize("compress", [gzip.compress, zlib.compress, lambda b: zlib.compress(b)[2:-4]],
                         ids=["gzip", "deflate-zlib", "deflate-raw"])  # fmt: skip
async def test_streamed_gzip_and_both_kinds_of_deflate_are_decoded(
    compress: Callable[[bytes], bytes],
) -> None:
    encoding = "gzip" if compress is gzip.compress else "deflate"
    async with fetcher(_streamed(compress(FEED * 1000), encoding)) as client:
        result = await client.fetch(URL)
    assert result.outcome == "ok", result.error
    assert result.body == FEED * 1000


async def test_redirects_are_followed_up_to_the_limit() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        hop = int(request.url.params.get("hop", "0"))
        if hop < 3:
            return httpx.Response(302, headers={"Location": f"{URL}?hop={hop + 1}"})
        return httpx.Response(200, content=FEED)

    async with fetcher(httpx.MockTransport(handler), max_redirects=3) as client:
        ok = await client.fetch(URL)
    assert ok.outcome == "ok"
    assert ok.final_url == f"{URL}?hop=3"
    async with fetcher(httpx.MockTransport(handler), max_redirects=2) as client:
        assert (await client.fetch(URL)).outcome == "redirects"


async def test_a_redirect_to_another_host_waits_for_that_hosts_slot() -> None:
    gate = HostGate(per_host=1, delay_s=0)
    seen: list[tuple[str, int, int]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        seen.append((host, gate.active("feeds.example"), gate.active("cdn.example")))
        if (host, request.url.path) == ("feeds.example", "/rss.xml"):
            return httpx.Response(301, headers={"Location": "https://cdn.example/rss.xml"})
        if host == "cdn.example":
            return httpx.Response(302, headers={"Location": "https://feeds.example/final.xml"})
        return httpx.Response(200, content=FEED)

    async with fetcher(httpx.MockTransport(handler)) as client, gate.slot("feeds.example"):
        result = await client.fetch("https://feeds.example/rss.xml", gate=gate)
    assert (result.outcome, result.final_url) == ("ok", "https://feeds.example/final.xml")
    # the feed's own host is held by the caller; the other host's slot is taken for its hop, and a hop back
    # to the first host does not take it twice (it would wait for itself)
    assert seen == [("feeds.example", 1, 0), ("cdn.example", 1, 1), ("feeds.example", 1, 1)]

    blocked = HostGate(per_host=1, delay_s=0)
    async with fetcher(httpx.MockTransport(handler)) as client, blocked.slot("cdn.example"):
        waiting = asyncio.create_task(client.fetch("https://feeds.example/rss.xml", gate=blocked))
        await asyncio.sleep(0.2)
        assert not waiting.done()  # the CDN's one slot is busy: the redirect waits, politely
    waiting.cancel()


async def test_network_errors_and_timeouts_are_values() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    async with fetcher(httpx.MockTransport(refuse)) as client:
        result = await client.fetch(URL)
    assert result.outcome == "network"
    assert "connection refused" in (result.error or "")
    async with fetcher(httpx.MockTransport(slow)) as client:
        assert (await client.fetch(URL)).outcome == "timeout"


async def test_a_whole_request_has_a_deadline() -> None:
    async def trickle() -> object:
        while True:
            await asyncio.sleep(0.05)
            yield b"<"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=trickle())  # type: ignore[arg-type]

    async with fetcher(httpx.MockTransport(handler), connect_timeout_s=0.1, read_timeout_s=0.2) as client:
        result = await client.fetch(URL)
    assert result.outcome == "timeout"
    assert "0.3s" in (result.error or "")


def test_validators_request_headers() -> None:
    assert Validators().request_headers() == {}
    assert Validators(None, "Sat, 08 Aug 2015 03:00:00 GMT").request_headers() == {
        "If-Modified-Since": "Sat, 08 Aug 2015 03:00:00 GMT"
    }
