"""The alert webhook sender against an injected httpx transport: what is sent, retried, and given up."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from contracts.schemas import Alert
from sinks.bulk import Backoff
from sinks.webhook import WebhookSender
from tests.fakes import FakeClock

URL = "https://hooks.example/khabar/T0-token"
ALERT = Alert(
    alert_id="9f1c2a7be0d14a55",
    rule="watch",
    detail="داعش",
    reason="names «داعش» (organisation)",
    story_id="s-5b1e0c9d2a7f4e31",
    story_version=4,
    headline="مجلس الأمن يدين التفجير الإرهابي في مسجد بأبها",
    summary="أدان مجلس الأمن الدولي التفجير الإرهابي الذي استهدف مسجداً في أبها.",
    outlets=["alriyadh", "okaz", "alwatan"],
    article_count=5,
    fired_at=datetime(2015, 8, 8, 9, 30, tzinfo=UTC),
)


def sender(
    handler: Callable[[httpx.Request], httpx.Response], clock: FakeClock, **kwargs: object
) -> WebhookSender:
    return WebhookSender(
        URL,
        transport=httpx.MockTransport(handler),
        backoff=Backoff(initial_s=1.0, max_s=8.0),
        sleep=clock.asleep,
        clock=clock,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_posts_the_alert_signed_with_its_idempotency_key() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(204)

    webhook = sender(handler, FakeClock(), secret="sign-me")
    delivery = await webhook.send(ALERT)
    await webhook.aclose()
    assert (delivery.delivered, delivery.attempts, delivery.status) == (True, 1, 204)
    [request] = requests
    assert str(request.url) == URL
    assert request.method == "POST"
    assert request.headers["Idempotency-Key"] == ALERT.alert_id
    assert request.headers["Content-Type"] == "application/json"
    expected = hmac.new(b"sign-me", request.content, hashlib.sha256).hexdigest()
    assert request.headers["X-Khabar-Signature"] == f"sha256={expected}"
    body = json.loads(request.content)
    assert body["story_id"] == ALERT.story_id
    assert body["headline"] == ALERT.headline
    assert body["text"].startswith("khabar watch: مجلس الأمن يدين")


async def test_no_signature_without_a_secret() -> None:
    seen: list[httpx.Request] = []
    webhook = sender(lambda r: seen.append(r) or httpx.Response(200), FakeClock())
    assert (await webhook.send(ALERT)).delivered
    assert "X-Khabar-Signature" not in seen[0].headers


async def test_retries_server_errors_and_connection_failures_with_backoff() -> None:
    answers: list[httpx.Response | Exception] = [
        httpx.ConnectError("connection refused"),
        httpx.Response(503, text="maintenance"),
        httpx.Response(429, headers={"Retry-After": "5"}),
        httpx.Response(200),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    clock = FakeClock()
    delivery = await sender(handler, clock).send(ALERT)
    assert (delivery.delivered, delivery.attempts) == (True, 4)
    assert clock.sleeps == [1.0, 2.0, 5.0]  # exponential, then the server's Retry-After


async def test_a_retry_after_shorter_than_the_backoff_does_not_shorten_it() -> None:
    answers = [httpx.Response(503, headers={"Retry-After": "0"}) for _ in range(3)] + [httpx.Response(200)]

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    clock = FakeClock()
    delivery = await sender(handler, clock).send(ALERT)
    assert (delivery.delivered, delivery.attempts) == (True, 4)
    assert clock.sleeps == [1.0, 2.0, 4.0]  # «0» would have been a busy loop against a struggling receiver


async def test_a_refusal_is_not_retried_and_names_the_answer() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(400, text="invalid_payload")

    delivery = await sender(handler, FakeClock()).send(ALERT)
    assert not delivery.delivered
    assert (delivery.attempts, delivery.status, len(calls)) == (1, 400, 1)
    assert delivery.reason == "the webhook refused the alert (HTTP 400: invalid_payload)"


async def test_gives_up_after_the_retry_period() -> None:
    clock = FakeClock()
    delivery = await sender(lambda r: httpx.Response(502), clock, retry_for_s=20.0).send(ALERT)
    assert not delivery.delivered
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0]  # the next 8 s would pass the 20 s
    assert delivery.attempts == 5
    assert delivery.reason.startswith("the webhook still failed after 5 attempts in 20 s (HTTP 502")
