"""Being a good guest on other people's servers: per-host limits, a politeness delay, and backoff.

- :class:`HostGate` lets at most ``per_host`` requests run at once against one host, and starts two requests
  to the same host at least ``delay_s`` apart, whatever the number of feeds that host serves.
- :class:`Backoff` spaces the retries of a failing feed exponentially (``base_s``, ``2·base_s``, ...,
  ``max_s``) with "equal jitter": a random point in the upper half of the window, so feeds that failed
  together do not come back together.

Clock, sleep and randomness are injected, so tests need no real time. No network here.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

__all__ = ["Backoff", "HostGate"]


@dataclass(frozen=True, slots=True)
class Backoff:
    """How long a feed waits after ``failures`` consecutive failures.

    >>> Backoff(base_s=60, max_s=3600, random=lambda: 1.0).delay(3)
    240.0
    >>> Backoff(base_s=60, max_s=3600, random=lambda: 0.0).delay(30)
    1800.0
    """

    base_s: float
    max_s: float
    random: Callable[[], float] = field(default=random.random, compare=False)

    def __post_init__(self) -> None:
        if self.base_s <= 0 or self.max_s < self.base_s:
            raise ValueError(
                f"backoff needs 0 < base_s <= max_s, got base_s={self.base_s}, max_s={self.max_s}"
            )

    def ceiling(self, failures: int) -> float:
        """The longest wait after ``failures`` failures: ``base_s · 2^(failures-1)``, capped at ``max_s``."""
        if failures < 1:
            return 0.0
        exponent = min(failures - 1, 64)  # 2**64 · base is past any cap; avoids float overflow
        return float(min(self.max_s, self.base_s * 2.0**exponent))

    def delay(self, failures: int) -> float:
        """A jittered wait in ``[ceiling/2, ceiling]``."""
        ceiling = self.ceiling(failures)
        return ceiling / 2 + self.random() * ceiling / 2


class HostGate:
    """Per-host concurrency limit plus a minimum gap between request starts to one host."""

    def __init__(
        self,
        *,
        per_host: int,
        delay_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if per_host < 1 or delay_s < 0:
            raise ValueError(f"per_host must be >= 1 and delay_s >= 0, got {per_host} and {delay_s}")
        self._per_host = per_host
        self._delay_s = delay_s
        self._clock = clock
        self._sleep = sleep
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._starts: dict[str, asyncio.Lock] = {}
        self._next_start: dict[str, float] = {}
        self._active: dict[str, int] = {}

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Wait for a free slot on ``host`` and for its politeness delay, then hold the slot."""
        host = host.lower()
        semaphore = self._slots.setdefault(host, asyncio.Semaphore(self._per_host))
        async with semaphore:
            async with self._starts.setdefault(host, asyncio.Lock()):
                wait = self._next_start.get(host, float("-inf")) - self._clock()
                if wait > 0:
                    await self._sleep(wait)
                self._next_start[host] = self._clock() + self._delay_s
            self._active[host] = self._active.get(host, 0) + 1
            try:
                yield
            finally:
                self._active[host] -= 1

    def active(self, host: str) -> int:
        """Requests holding a slot on ``host`` now."""
        return self._active.get(host.lower(), 0)
