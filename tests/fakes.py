"""Test doubles shared by the unit tests of several packages."""

from __future__ import annotations

import asyncio


class FakeClock:
    """A monotonic clock that only moves when slept on (or when a test moves ``now``): call it for the time,
    inject :meth:`sleep` where a blocking sleep is taken and :meth:`asleep` where an async one is."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)  # let the other tasks run, as a real sleep would
