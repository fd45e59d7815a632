"""Alert webhooks (async adapter): POST each alert as JSON, retry what can succeed later, report the rest.

The body is the :class:`~contracts.schemas.Alert` record as the contract encodes it, plus a ``text`` line, so
a Slack- or Mattermost-style incoming webhook shows it as is. Headers: ``Idempotency-Key`` is the alert id
(the same story, rule and level always give the same id, so a receiver can drop a redelivered alert), and
with a secret ``X-Khabar-Signature: sha256=<HMAC-SHA256 of the body, hex>``.

A 2xx is delivered. A 429, a 5xx, a timeout or a connection error is retried with exponential backoff
(a ``Retry-After`` in seconds is honoured, within the backoff's cap) for ``retry_for_s``. Then, or at once
for any other status (400, 401, 404: retrying cannot fix them), :meth:`WebhookSender.send` returns a
failed :class:`Delivery` whose reason names the status and the start of the answer, for the dead-letter
topic. The HTTP transport is injected (``httpx.MockTransport`` in tests), as are the sleep and the clock.

>>> from datetime import UTC, datetime
>>> alert = Alert(alert_id="a1", rule="growth", reason="reached 5 outlets within 1.5 h",
...     story_id="s-1", story_version=3, headline="هطول أمطار غزيرة على جدة", article_count=6,
...     outlets=["okaz", "alwatan"], fired_at=datetime(2015, 8, 8, tzinfo=UTC))
>>> print(json.loads(payload(alert))["text"])
khabar growth: هطول أمطار غزيرة على جدة (6 articles, 2 outlets): reached 5 outlets within 1.5 h
>>> size(alert.model_copy(update={"article_count": 1, "outlets": ["okaz"]}))
'1 article, 1 outlet'
>>> signature(b"{}", "s3cret")
'sha256=adbde1ce40c89c14215687d5d762a47df6dfaefcfad61e2e86718ffc8498571b'
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import structlog

from contracts.schemas import Alert
from sinks.bulk import Backoff

__all__ = ["Delivery", "WebhookSender", "payload", "signature", "size"]

log = structlog.get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]
OnRetry = Callable[[str, float], None]
_RETRIABLE = frozenset({408, 425, 429, 500, 502, 503, 504})


def payload(alert: Alert) -> bytes:
    """The request body: the alert's fields and a one-line ``text``."""
    body = alert.model_dump(mode="json")
    body["text"] = f"khabar {alert.rule}: {alert.headline} ({size(alert)}): {alert.reason}"
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def size(alert: Alert) -> str:
    """How big the alert's story is, in words (``6 articles, 2 outlets``; ``1 article, 1 outlet``)."""
    articles, outlets = alert.article_count, len(alert.outlets)
    return f"{articles} article{'s' * (articles != 1)}, {outlets} outlet{'s' * (outlets != 1)}"


def signature(body: bytes, secret: str) -> str:
    """The ``X-Khabar-Signature`` value: ``sha256=`` and the hex HMAC-SHA256 of ``body`` under ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one alert: delivered or not, after how many attempts, and why not."""

    delivered: bool
    attempts: int
    status: int | None = None
    reason: str = ""


class WebhookSender:
    """POSTs alerts to one webhook URL (see the module docstring); close it with :meth:`aclose`."""

    def __init__(
        self,
        url: str,
        *,
        secret: str | None = None,
        timeout_s: float = 10.0,
        retry_for_s: float = 300.0,
        backoff: Backoff | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        on_retry: OnRetry | None = None,
        clock: Callable[[], float] = time.monotonic,
        user_agent: str = "khabar-alerts",
    ) -> None:
        self._url = url
        self._secret = secret
        self._retry_for_s = retry_for_s
        self._backoff = backoff or Backoff()
        self._sleep = sleep
        self._on_retry = on_retry
        self._clock = clock
        self._client = httpx.AsyncClient(
            transport=transport, timeout=timeout_s, headers={"User-Agent": user_agent}, follow_redirects=False
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, alert: Alert) -> Delivery:
        """Deliver ``alert``, retrying for up to ``retry_for_s``; never raises for an HTTP outcome."""
        body = payload(alert)
        headers = {"Content-Type": "application/json", "Idempotency-Key": alert.alert_id}
        if self._secret is not None:
            headers["X-Khabar-Signature"] = signature(body, self._secret)
        give_up_at = self._clock() + self._retry_for_s
        delays = self._backoff.delays()
        attempts = 0
        while True:
            attempts += 1
            response: httpx.Response | None = None
            try:
                response = await self._client.post(self._url, content=body, headers=headers)
            except httpx.TransportError as exc:
                reason = f"{type(exc).__name__}: {exc}"
            else:
                if response.is_success:
                    return Delivery(True, attempts, response.status_code)
                reason = f"HTTP {response.status_code}: {response.text[:200]}"
                if response.status_code not in _RETRIABLE:
                    return Delivery(
                        False, attempts, response.status_code, f"the webhook refused the alert ({reason})"
                    )
            status = response.status_code if response is not None else None
            delay = _retry_after(response, next(delays), self._backoff.max_s)
            if self._clock() + delay > give_up_at:
                return Delivery(
                    False,
                    attempts,
                    status,
                    f"the webhook still failed after {attempts} attempts in {self._retry_for_s:.0f} s "
                    f"({reason})",
                )
            log.warning(
                "webhook retry", alert_id=alert.alert_id, attempt=attempts, delay_s=delay, reason=reason
            )
            if self._on_retry is not None:
                self._on_retry("webhook", delay)
            await self._sleep(delay)


def _retry_after(response: httpx.Response | None, default: float, cap: float) -> float:
    """The server's ``Retry-After`` in seconds when it gives a number, never shorter than the backoff's own
    ``default`` (a ``Retry-After: 0`` must not turn retries into a busy loop) nor longer than ``cap``.

    >>> _retry_after(httpx.Response(503, headers={"Retry-After": "0"}), 2.0, 30.0)
    2.0
    >>> _retry_after(httpx.Response(503, headers={"Retry-After": "120"}), 2.0, 30.0)
    30.0
    """
    value = response.headers.get("Retry-After", "").strip() if response is not None else ""
    return min(max(float(value), default), cap) if value.isdigit() else default
